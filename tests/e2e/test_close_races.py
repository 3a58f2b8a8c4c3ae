"""Closing an account, or deleting a trunk, while other clients are writing to it.

Once a close is acknowledged no number may be owned by the closed account and no process may
accept its credentials; a number's trunk always exists. Checked against the database itself,
on both databases, with two server processes sharing it.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from sqlalchemy import create_engine, text

from tests.conftest import Server, fresh_database, start_server, stop_server


@pytest.fixture(scope="module")
def two_workers(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    sid, token = "AC" + secrets.token_hex(16), secrets.token_hex(16)
    with fresh_database(backend, tmp_path_factory) as db_url:
        proc, base_url = start_server(db_url, {"TWILIO_ACCOUNT_SID": sid, "TWILIO_AUTH_TOKEN": token}, workers=2)
        try:
            yield Server(base_url, sid, token, db_url)
        finally:
            stop_server(proc)


def scalar(db_url: str, sql: str, **params: object) -> object:
    engine = create_engine(db_url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with engine.connect() as conn:
            return conn.execute(text(sql), params).scalar()
    finally:
        engine.dispose()


def test_no_number_is_stranded_on_a_closed_account(two_workers: Server):
    main = two_workers.http()
    for _ in range(3):  # a few rounds: the window is narrow on a quiet machine
        sub = main.post("/2010-04-01/Accounts.json", data={"FriendlyName": "closing"}).json()
        numbers_url = f"/2010-04-01/Accounts/{sub['sid']}/IncomingPhoneNumbers.json"
        closed_at: list[float] = []
        bought_so_far: list[str] = []
        stop = threading.Event()

        def buy(i: int, sub: dict = sub, numbers_url: str = numbers_url, bought_so_far: list[str] = bought_so_far,
                stop: threading.Event = stop):
            auth = (sub["sid"], sub["auth_token"]) if i % 2 else (two_workers.account_sid, two_workers.auth_token)
            outcomes = []
            with httpx.Client(base_url=two_workers.base_url, auth=auth, timeout=30) as c:
                while not stop.is_set():
                    sent = time.monotonic()
                    r = c.post(numbers_url, data={"AreaCode": "415"})
                    outcomes.append((sent, r.status_code, r.json()))
                    if r.status_code == 201:
                        bought_so_far.append(r.json()["sid"])
            return outcomes

        with ThreadPoolExecutor(8) as pool:
            futures = [pool.submit(buy, i) for i in range(8)]
            try:
                deadline = time.monotonic() + 30
                while len(bought_so_far) < 8 and time.monotonic() < deadline:  # purchases are flowing
                    time.sleep(0.01)
                r = main.post(f"/2010-04-01/Accounts/{sub['sid']}.json", data={"Status": "closed"})
                assert r.status_code == 200 and r.json()["status"] == "closed", r.text
                closed_at.append(time.monotonic())
                time.sleep(0.5)
            finally:
                stop.set()  # a failure above must not leave the buyers running forever
            outcomes = [o for f in futures for o in f.result()]

        owned = scalar(two_workers.db_url, "SELECT count(*) FROM incoming_phone_numbers WHERE account_sid = :a", a=sub["sid"])
        assert owned == 0, f"{owned} numbers stranded on the closed account"
        bought = [body["sid"] for _, status, body in outcomes if status == 201]
        assert bought, f"no purchase completed before the close: the race was not exercised: {outcomes[:3]}"
        for sid in bought:  # each completed before the close, and the close released it
            assert scalar(two_workers.db_url, "SELECT count(*) FROM incoming_phone_numbers WHERE sid = :s", s=sid) == 0
        after = [(status, body) for sent, status, body in outcomes if sent > closed_at[0]]
        assert after, "no purchase was attempted after the close"
        for status, body in after:  # refused: the account is closed
            assert status in (401, 403) and body["code"] in (20003, 20005), (status, body)


def test_closed_and_suspended_credentials_stop_at_once_on_every_worker(two_workers: Server):
    main = two_workers.http()
    for status in ("suspended", "closed"):
        sub = main.post("/2010-04-01/Accounts.json", data={"FriendlyName": status}).json()
        url = f"/2010-04-01/Accounts/{sub['sid']}.json"
        with httpx.Client(base_url=two_workers.base_url, auth=(sub["sid"], sub["auth_token"]), timeout=30) as c:
            # warm both workers' caches of these credentials (new connections spread over the workers)
            for i in range(20):
                assert c.get(url, params={"n": i}, headers={"Connection": "close"}).status_code == 200
            assert main.post(url, data={"Status": status}).status_code == 200
            for i in range(40):
                r = c.get(url, params={"after": i}, headers={"Connection": "close"})
                assert r.status_code in (401, 403) and r.json()["code"] == 20005, (i, r.status_code, r.text)


def test_a_numbers_trunk_always_exists(two_workers: Server):
    main = two_workers.http()
    sid = two_workers.account_sid
    numbers = [main.post(f"/2010-04-01/Accounts/{sid}/IncomingPhoneNumbers.json", data={"AreaCode": "415"}).json()["sid"]
               for _ in range(16)]
    for _ in range(3):
        trunk = main.post("/trunking/v1/Trunks", data={"FriendlyName": "doomed"}).json()["sid"]
        barrier = threading.Barrier(17)

        def set_trunk(pn: str, trunk: str = trunk, barrier: threading.Barrier = barrier) -> int:
            with two_workers.http() as c:
                barrier.wait()
                return c.post(f"/2010-04-01/Accounts/{sid}/IncomingPhoneNumbers/{pn}.json", data={"TrunkSid": trunk}).status_code

        def delete(trunk: str = trunk, barrier: threading.Barrier = barrier) -> int:
            with two_workers.http() as c:
                barrier.wait()
                time.sleep(0.005)
                return c.delete(f"/trunking/v1/Trunks/{trunk}").status_code

        with ThreadPoolExecutor(17) as pool:
            pending = [pool.submit(set_trunk, pn) for pn in numbers]
            deleted = pool.submit(delete).result()
            updates = [f.result() for f in pending]
        assert deleted == 204
        assert set(updates) <= {200, 400}, updates  # 400 (21245): the trunk was gone by then
        dangling = scalar(two_workers.db_url, "SELECT count(*) FROM incoming_phone_numbers WHERE trunk_sid IS NOT NULL "
                                              "AND trunk_sid NOT IN (SELECT sid FROM trunks)")
        assert dangling == 0, f"{dangling} numbers name a deleted trunk"

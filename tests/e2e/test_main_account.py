"""One main account per database, whatever the servers are started with: a restart with another
``TWILIO_ACCOUNT_SID`` demotes the old main account, whose data the new one's Reset leaves alone;
a subaccount's SID is refused; four servers started at once on an empty database share one."""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
from sqlalchemy import text

from numberpool.store.db import Database
from tests.conftest import Server, free_port, fresh_database, start_server, stop_server

API = "/2010-04-01/Accounts"
STATE, RESET = "/numberpool/v1/State", "/numberpool/v1/Reset"


def ok(r: httpx.Response, status: int = 200) -> Any:
    assert r.status_code == status, r.text
    return r.json() if r.content else None


def refused(r: httpx.Response, status: int, code: int) -> dict[str, Any]:
    assert (r.status_code, r.json()["code"]) == (status, code), r.text
    return r.json()


def accounts_in(db_url: str) -> dict[str, bool]:
    """Every account in the database: SID -> whether it is marked main."""
    db = Database(db_url)
    try:
        with db.read() as conn:
            return {r.sid: bool(r.is_main) for r in conn.execute(text("SELECT sid, is_main FROM accounts"))}
    finally:
        db.dispose()


def credentials() -> tuple[str, str]:
    return "AC" + secrets.token_hex(16), secrets.token_hex(16)


@contextmanager
def served(db_url: str, sid: str, token: str) -> Iterator[Server]:
    """A server on ``db_url`` with this main account, stopped when the block ends."""
    proc, base_url = start_server(db_url, {"TWILIO_ACCOUNT_SID": sid, "TWILIO_AUTH_TOKEN": token})
    try:
        yield Server(base_url, sid, token, db_url)
    finally:
        stop_server(proc)


def populate(s: Server) -> dict[str, Any]:
    """A subaccount, a number of the main account and one of the subaccount, an Application and a
    Proxy Service (whose UniqueName a later main account may take too)."""
    with s.http() as h:
        sub = ok(h.post(f"{API}.json", data={"FriendlyName": "sub"}), 201)
        number = ok(h.post(f"{API}/{s.account_sid}/IncomingPhoneNumbers.json", data={"AreaCode": "415"}), 201)
        sub_number = ok(h.post(f"{API}/{sub['sid']}/IncomingPhoneNumbers.json", data={"AreaCode": "212"}), 201)
        app = ok(h.post(f"{API}/{s.account_sid}/Applications.json", data={"FriendlyName": "app"}), 201)
        ks = ok(h.post("/proxy/v1/Services", data={"UniqueName": "shared-name"}), 201)
    return {"sub": sub, "number": number, "sub_number": sub_number, "app": app, "ks": ks}


def still_there(s: Server, world: dict[str, Any]) -> None:
    main, sub = s.account_sid, world["sub"]
    with s.http() as h:
        ok(h.get(f"{API}/{main}/IncomingPhoneNumbers/{world['number']['sid']}.json"))
        ok(h.get(f"{API}/{main}/Applications/{world['app']['sid']}.json"))
        ok(h.get(f"/proxy/v1/Services/{world['ks']['sid']}"))
        ok(h.get(f"{API}/{sub['sid']}.json"))
        ok(h.get(f"{API}/{sub['sid']}/IncomingPhoneNumbers/{world['sub_number']['sid']}.json"))
    with s.http(sub["sid"], sub["auth_token"]) as hs:
        ok(hs.get(f"{API}/{sub['sid']}.json"))


def test_a_restart_with_another_sid_demotes_the_old_main_account_and_reset_spares_it(backend, tmp_path_factory):
    old_sid, old_token = credentials()
    new_sid, new_token = credentials()
    with fresh_database(backend, tmp_path_factory) as db_url:
        with served(db_url, old_sid, old_token) as old:
            kept = populate(old)
        with served(db_url, new_sid, new_token) as new:
            old = Server(new.base_url, old_sid, old_token, db_url)  # the old credentials, on the new server
            assert {sid for sid, main in accounts_in(db_url).items() if main} == {new_sid}
            assert accounts_in(db_url)[old_sid] is False
            gone = populate(new)
            with old.http() as h:  # an ordinary account now: it signs in and sees its own, and only that
                still_there(old, kept)
                body = refused(h.post(RESET), 403, 20403)
                assert "main account" in body["message"]
                assert {a["sid"] for a in ok(h.get(STATE))["accounts"]} == {old_sid, kept["sub"]["sid"]}
            with new.http() as h:
                refused(h.get(f"{API}/{old_sid}.json"), 404, 20404)  # a stranger to the new main account
                assert {a["sid"] for a in ok(h.get(STATE))["accounts"]} == {new_sid, gone["sub"]["sid"]}
                ok(h.post(RESET), 204)
                assert ok(h.get(STATE))["accounts"] == [{"sid": new_sid, "owner_account_sid": new_sid,
                                                         "friendly_name": "numberpool main account",
                                                         "status": "active", "auth_token": new_token}]
                refused(h.get(f"{API}/{new_sid}/IncomingPhoneNumbers/{gone['number']['sid']}.json"), 404, 20404)
            with new.http(gone["sub"]["sid"], gone["sub"]["auth_token"]) as hs:
                refused(hs.get(f"{API}/{gone['sub']['sid']}.json"), 401, 20003)
            still_there(old, kept)  # the Reset left the former main account's tree alone
            assert set(accounts_in(db_url)) == {new_sid, old_sid, kept["sub"]["sid"]}
        with served(db_url, old_sid, old_token) as old:  # and back: the old SID is the main account again
            assert {sid for sid, main in accounts_in(db_url).items() if main} == {old_sid}
            still_there(old, kept)


def test_a_main_account_loads_nothing_of_a_demoted_former_main_account(backend, tmp_path_factory):
    old_sid, old_token = credentials()
    new_sid, new_token = credentials()
    with fresh_database(backend, tmp_path_factory) as db_url:
        with served(db_url, old_sid, old_token) as old:
            kept = populate(old)
            with old.http() as h:
                theirs = ok(h.get(STATE))
        with served(db_url, new_sid, new_token) as new:
            old = Server(new.base_url, old_sid, old_token, db_url)
            with new.http() as h:
                def load(doc: dict[str, Any]) -> httpx.Response:
                    return h.post(STATE, json={"version": 1, **doc})

                number = next(n for n in theirs["numbers"] if n["sid"] == kept["number"]["sid"])
                refused(load({"accounts": [a for a in theirs["accounts"] if a["sid"] == old_sid]}), 403, 20403)
                forged = {**number, "account_sid": new_sid, "phone_number": "+14155550000"}
                body = refused(load({"numbers": [forged]}), 404, 20404)
                assert number["phone_number"] not in body["message"] and old_sid not in body["message"]
                refused(load({"numbers": [number]}), 404, 20404)
                refused(load({"applications": [{**theirs["applications"][0], "account_sid": new_sid}]}), 404, 20404)
                ks = {**theirs["proxy_services"][0], "sid": "KS" + secrets.token_hex(16), "phone_numbers": []}
                assert ok(load({"proxy_services": [{**ks, "account_sid": new_sid}]}))  # its name is per account
                body = refused(load({"proxy_services": [ks]}), 404, 20404)  # in the old account: not looked at
                assert "shared-name" not in body["message"]
            still_there(old, kept)
            with old.http() as h:
                assert ok(h.get(STATE)) == theirs


def test_the_sid_of_a_subaccount_is_refused_in_one_line(tmp_path):
    main_sid, main_token = credentials()
    db_url = f"sqlite:///{tmp_path / 'np.db'}"
    with served(db_url, main_sid, main_token) as s, s.http() as h:
        sub = ok(h.post(f"{API}.json", data={"FriendlyName": "sub"}), 201)
    env = {**os.environ, "TWILIO_ACCOUNT_SID": sub["sid"], "TWILIO_AUTH_TOKEN": sub["auth_token"]}
    done = subprocess.run([sys.executable, "-m", "numberpool", "serve", "--port", str(free_port()), "--db", db_url],
                          env=env, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 2, done
    assert done.stderr == (f"numberpool: TWILIO_ACCOUNT_SID {sub['sid']} is a subaccount of {main_sid} in this database, "
                           "and a subaccount cannot be the main account: set it to another SID, or unset it\n")
    assert accounts_in(db_url) == {main_sid: True, sub["sid"]: False}


def _wait_serving(proc: subprocess.Popen, port: int) -> tuple[str, str]:
    """Wait until the server answers on ``port``; the SID and token it printed."""
    deadline = time.monotonic() + 60
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited early:\n{proc.stdout.read() if proc.stdout else ''}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                break
        except OSError:
            if time.monotonic() > deadline:
                raise RuntimeError("server did not start within 60 s") from None
            time.sleep(0.05)
    assert proc.stdout is not None
    printed: dict[str, str] = {}
    while "TWILIO_AUTH_TOKEN" not in printed:  # printed before the port was bound: no wait here
        line = proc.stdout.readline()
        assert line, printed
        if line.startswith("TWILIO_"):
            key, _, value = line.strip().partition("=")
            printed[key] = value
    return printed["TWILIO_ACCOUNT_SID"], printed["TWILIO_AUTH_TOKEN"]


def test_four_servers_started_at_once_on_an_empty_database_share_one_main_account(backend, tmp_path_factory):
    env = {k: v for k, v in os.environ.items() if k not in ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN")}
    ports: set[int] = set()
    while len(ports) < 4:
        ports.add(free_port())
    with fresh_database(backend, tmp_path_factory) as db_url:
        started: list[tuple[subprocess.Popen, int]] = []
        try:
            for port in ports:  # all four before waiting for any: they migrate and look for the main account together
                started.append((subprocess.Popen(
                    [sys.executable, "-m", "numberpool", "serve", "--host", "127.0.0.1", "--port", str(port),
                     "--db", db_url, "--no-access-log"],
                    env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True), port))
            printed = [_wait_serving(proc, port) for proc, port in started]
            assert len(set(printed)) == 1, printed
            sid, token = printed[0]
            assert accounts_in(db_url) == {sid: True}
            for _, port in started:
                with httpx.Client(base_url=f"http://127.0.0.1:{port}", auth=(sid, token), timeout=30) as h:
                    assert ok(h.get(f"{API}/{sid}.json"))["sid"] == sid
                    ok(h.post(f"{API}.json", data={"FriendlyName": f"made on {port}"}), 201)  # each one writes
            assert len(accounts_in(db_url)) == 5
        finally:
            for proc, _ in started:
                stop_server(proc)

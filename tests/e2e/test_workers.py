"""``serve --workers N``: N processes on one port, sharing one database."""

from __future__ import annotations

import secrets
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from tests.conftest import fresh_database, start_server, stop_server


def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(c) for c in (task / "children").read_text().split()]
    return found


def test_two_workers_on_one_port_keep_the_rules(backend, tmp_path_factory):
    sid, token = "AC" + secrets.token_hex(16), secrets.token_hex(16)
    with fresh_database(backend, tmp_path_factory) as db_url:
        proc, base_url = start_server(db_url, {"TWILIO_ACCOUNT_SID": sid, "TWILIO_AUTH_TOKEN": token}, workers=2)
        try:
            assert len(children(proc.pid)) >= 2  # the granian workers
            with httpx.Client(base_url=base_url, auth=(sid, token), timeout=30) as h:
                a = h.post("/messaging/v1/Services", data={"FriendlyName": "a"}).json()["sid"]
                b = h.post("/messaging/v1/Services", data={"FriendlyName": "b"}).json()["sid"]
                n = h.post(f"/2010-04-01/Accounts/{sid}/IncomingPhoneNumbers.json", data={"AreaCode": "415"}).json()["sid"]

            def add(i: int) -> tuple[int, int | None]:
                with httpx.Client(base_url=base_url, auth=(sid, token), timeout=30) as c:
                    r = c.post(f"/messaging/v1/Services/{a if i % 2 else b}/PhoneNumbers", data={"PhoneNumberSid": n})
                    return r.status_code, r.json().get("code")

            with ThreadPoolExecutor(32) as pool:
                outcomes = Counter(pool.map(add, range(32)))
            assert outcomes[(201, None)] == 1, outcomes
            assert outcomes[(409, 21710)] == 15 and outcomes[(409, 21712)] == 16, outcomes
        finally:
            stop_server(proc)

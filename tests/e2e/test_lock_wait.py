"""SQLite: a write that finds another process holding the write lock waits without stopping the
worker's event loop: reads go on being answered, and the write completes once the lock is free."""

from __future__ import annotations

import secrets
import sqlite3
import threading
import time

import httpx
from sqlalchemy.engine import make_url

from tests.conftest import fresh_database, start_server, stop_server


def test_reads_are_answered_while_a_write_waits_for_the_lock(tmp_path_factory):
    sid, token = "AC" + secrets.token_hex(16), secrets.token_hex(16)
    with fresh_database("sqlite", tmp_path_factory) as db_url:
        proc, base_url = start_server(db_url, {"TWILIO_ACCOUNT_SID": sid, "TWILIO_AUTH_TOKEN": token})
        try:
            with httpx.Client(base_url=base_url, auth=(sid, token), timeout=30) as h:
                assert h.get(f"/2010-04-01/Accounts/{sid}.json").status_code == 200
                holder = sqlite3.connect(make_url(db_url).database, timeout=0, isolation_level=None)
                holder.execute("BEGIN IMMEDIATE")  # another process takes the write lock
                written: list[httpx.Response] = []
                writer = threading.Thread(target=lambda: written.append(
                    httpx.post(f"{base_url}/2010-04-01/Accounts.json", auth=(sid, token), data={"FriendlyName": "w"},
                               timeout=30)))
                writer.start()
                time.sleep(0.3)  # the write is waiting for the lock by now
                slowest = 0.0
                for i in range(15):
                    started = time.monotonic()
                    r = h.get(f"/2010-04-01/Accounts/{sid}.json", params={"n": i})  # a new query: no cached answer
                    slowest = max(slowest, time.monotonic() - started)
                    assert r.status_code == 200
                    time.sleep(0.1)
                assert writer.is_alive(), "the write did not wait for the lock"
                assert slowest < 0.5, f"a read waited {slowest:.2f} s behind a write waiting for the lock"
                holder.execute("ROLLBACK")
                holder.close()
                writer.join(10)
                assert written and written[0].status_code == 201, written
        finally:
            stop_server(proc)

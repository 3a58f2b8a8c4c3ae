"""A database that is unreachable at start, or lost while serving."""

from __future__ import annotations

import subprocess
import sys
import time

import httpx
import pytest

from tests.conftest import server_behind_proxy


def serve_and_exit(db_url: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "numberpool", "serve", "--port", "1", "--db", db_url],
        capture_output=True, text=True, timeout=60, check=False,
    )


def test_unreachable_sqlite_at_start_gives_a_clear_message(tmp_path):
    done = serve_and_exit(f"sqlite:///{tmp_path}/no/such/dir/x.db")
    assert done.returncode == 2
    assert "cannot reach the database" in done.stderr and "Traceback" not in done.stderr


def test_unreachable_postgres_at_start_gives_a_clear_message():
    with_password = "postgresql://numberpool:secret-pw@127.0.0.1:9/numberpool"  # nothing listens on port 9
    done = serve_and_exit(with_password)
    assert done.returncode == 2
    assert "cannot reach the database" in done.stderr and "Traceback" not in done.stderr
    assert "secret-pw" not in done.stderr + done.stdout  # the password is never printed


def test_database_lost_while_serving_gives_503_then_recovers(tmp_path_factory):
    """A PostgreSQL scenario (SQLite is a file inside the server's own process): cut the
    network path to the database, expect 20503, restore it, expect the server to recover."""
    with server_behind_proxy(tmp_path_factory) as (proxy, server):
        sid, token, base_url = server.account_sid, server.auth_token, server.base_url
        with httpx.Client(base_url=base_url, auth=(sid, token), timeout=30) as h:
            numbers = f"/2010-04-01/Accounts/{sid}/IncomingPhoneNumbers.json"
            assert h.post(numbers, data={"AreaCode": "415"}).status_code == 201
            proxy.stop()
            for _ in range(3):
                r = h.get(numbers)
                assert r.status_code == 503, r.text
                assert r.json()["code"] == 20503 and set(r.json()) == {"code", "message", "more_info", "status"}
            proxy.start()
            deadline = time.monotonic() + 30
            while (r := h.get(numbers)).status_code != 200 and time.monotonic() < deadline:
                time.sleep(0.2)
            assert r.status_code == 200
            assert len(r.json()["incoming_phone_numbers"]) == 1  # nothing was lost
            assert h.post(numbers, data={"AreaCode": "415"}).status_code == 201


DEADLINE = 2.0  # the statement deadline the server runs with below (NUMBERPOOL_PG_STATEMENT_DEADLINE)
ANSWER_WITHIN = 6.0  # the deadline, its grace and the watchdog's tick, a connect timeout, and slack


@pytest.mark.parametrize("thaw", ["resume", "reset"])
def test_database_silent_while_serving_gives_503_within_the_deadline_then_recovers(tmp_path_factory, thaw):
    """The database's packets stop arriving, with no reset (a hung server, a half-open NAT): the
    proxy keeps the connections open and acknowledged but forwards nothing. Requests must not
    hang: each answers 20503 within the deadline, and the server recovers once the path forwards
    again (``resume``: the held connections flow again; ``reset``: they are all reset)."""
    with server_behind_proxy(tmp_path_factory, {"NUMBERPOOL_PG_STATEMENT_DEADLINE": str(DEADLINE)}) as (proxy, server):
        sid, token, base_url = server.account_sid, server.auth_token, server.base_url
        # a hang fails the test at this timeout instead of hanging it
        with httpx.Client(base_url=base_url, auth=(sid, token), timeout=ANSWER_WITHIN * 3) as h:
            numbers = f"/2010-04-01/Accounts/{sid}/IncomingPhoneNumbers.json"
            bought = h.post(numbers, data={"AreaCode": "415"})
            assert bought.status_code == 201
            assert h.get(numbers).status_code == 200
            proxy.freeze()
            for method in ("GET", "POST", "GET"):
                started = time.monotonic()
                r = h.request(method, numbers, data={"AreaCode": "415"} if method == "POST" else None)
                took = time.monotonic() - started
                assert r.status_code == 503, r.text
                assert r.json()["code"] == 20503
                assert took < ANSWER_WITHIN, f"{method} answered after {took:.1f} s"
            if thaw == "resume":
                proxy.thaw()
            else:
                proxy.stop()
                proxy.start()
            deadline = time.monotonic() + 30
            while (r := h.get(numbers)).status_code != 200 and time.monotonic() < deadline:
                time.sleep(0.2)
            assert r.status_code == 200
            sids = [n["sid"] for n in r.json()["incoming_phone_numbers"]]
            # nothing was lost; a 503 promises nothing either way, so the POST cut off in
            # flight may have been carried out once the database heard it
            assert bought.json()["sid"] in sids and len(sids) <= 2
            assert h.post(numbers, data={"AreaCode": "415"}).status_code == 201

"""PostgreSQL's waits never block a worker's event loop, and a request's waits are bounded as a
whole: with the database's packets stalled (no reset), 32 requests in flight on a two-worker
server, and the health check beside them, are each answered 503 (20503) within the deadline
plus a small constant, however many wait; when the network returns, requests succeed without a
restart."""

from __future__ import annotations

import threading
import time

import httpx

from tests.conftest import server_behind_proxy

DEADLINE = 2.0  # NUMBERPOOL_PG_STATEMENT_DEADLINE of the server below
ANSWER_WITHIN = 3.0  # the bound: the deadline plus a small constant
IN_FLIGHT = 32


def test_a_stalled_database_answers_every_request_within_the_deadline(tmp_path_factory):
    env = {"NUMBERPOOL_PG_STATEMENT_DEADLINE": str(DEADLINE)}
    with server_behind_proxy(tmp_path_factory, env, workers=2) as (proxy, server):
        sid, token = server.account_sid, server.auth_token
        numbers = f"/2010-04-01/Accounts/{sid}/IncomingPhoneNumbers.json"
        with httpx.Client(base_url=server.base_url, auth=(sid, token), timeout=30) as h:
            bought = h.post(numbers, data={"AreaCode": "415"})
            assert bought.status_code == 201, bought.text
            for _ in range(8):  # both workers have connections to lose
                assert h.get(numbers).status_code == 200
        # Every client connected (kept alive) and every thread started before the stall, so what
        # is timed is the server's answer, not this machine starting 32 threads and connections.
        clients = [httpx.Client(base_url=server.base_url, auth=(sid, token), timeout=30) for _ in range(IN_FLIGHT)]
        for c in clients:
            assert c.get("/numberpool/health").status_code == 200
        results: list[tuple[str, int, float, dict]] = []
        lock = threading.Lock()
        go = threading.Barrier(IN_FLIGHT + 1)

        def one(i: int) -> None:
            method, path = [("GET", numbers), ("POST", numbers), ("GET", f"/2010-04-01/Accounts/{sid}.json"),
                            ("GET", "/numberpool/health")][i % 4]
            go.wait()
            started = time.monotonic()
            r = clients[i].request(method, path, data={"AreaCode": "212"} if method == "POST" else None)
            took = time.monotonic() - started
            try:
                body = r.json()
            except ValueError:
                body = {"not JSON": r.text[:200], "headers": dict(r.headers)}
            with lock:
                results.append((f"{method} {path}", r.status_code, took, body))

        threads = [threading.Thread(target=one, args=(i,)) for i in range(IN_FLIGHT)]
        for t in threads:
            t.start()
        proxy.freeze()
        go.wait()
        for t in threads:
            t.join(60)
        for c in clients:
            c.close()
        assert len(results) == IN_FLIGHT
        print("slowest answer", round(max(took for _, _, took, _ in results), 2), "s")
        slow = [(what, status, round(took, 2)) for what, status, took, _ in results if took > ANSWER_WITHIN]
        assert slow == [], slow
        for what, status, _, body in results:
            assert status == 503, (what, body)
            if "health" in what:
                assert body["status"] == "unavailable"
            else:
                assert body["code"] == 20503, (what, body)

        proxy.thaw()
        with httpx.Client(base_url=server.base_url, auth=(sid, token), timeout=30) as h:
            deadline = time.monotonic() + 30
            while (r := h.get(numbers)).status_code != 200 and time.monotonic() < deadline:
                time.sleep(0.2)
            assert r.status_code == 200
            assert bought.json()["sid"] in [n["sid"] for n in r.json()["incoming_phone_numbers"]]
            assert h.post(numbers, data={"AreaCode": "415"}).status_code == 201
            assert h.get("/numberpool/health").status_code == 200

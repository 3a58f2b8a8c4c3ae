"""An acknowledged write is never lost: SIGKILL the server mid-stream, restart, check."""

from __future__ import annotations

import secrets
import threading
import time

import httpx

from tests.conftest import SMALL_LIMITS, fresh_database, kill_server, start_server, stop_server

WRITERS = 4
MAX_OPS = 300  # per writer; the kill comes long before


def test_sigkill_mid_stream_loses_no_acknowledged_write(backend, tmp_path_factory):
    sid, token = "AC" + secrets.token_hex(16), secrets.token_hex(16)
    env = {"TWILIO_ACCOUNT_SID": sid, "TWILIO_AUTH_TOKEN": token, **SMALL_LIMITS}
    with fresh_database(backend, tmp_path_factory) as db_url:
        proc, base_url = start_server(db_url, env)
        with httpx.Client(base_url=base_url, auth=(sid, token), timeout=30) as h:
            mg = h.post("/messaging/v1/Services", data={"FriendlyName": "durable"}).json()["sid"]
            ks = h.post("/proxy/v1/Services", data={"UniqueName": "durable"}).json()["sid"]

        acked: dict[str, set[str]] = {"provisioned": set(), "released": set(), "messaging": set(), "proxy": set()}
        # A release in flight when the server died may have committed without its 204 reaching us:
        # such a number may or may not be there afterwards, and may or may not have left its pools.
        in_flight_release: set[str] = set()
        lock = threading.Lock()
        stop = threading.Event()
        numbers = f"/2010-04-01/Accounts/{sid}/IncomingPhoneNumbers"

        def ack(kind: str, pn: str) -> None:
            with lock:
                acked[kind].add(pn)

        def writer(i: int) -> None:
            with httpx.Client(base_url=base_url, auth=(sid, token), timeout=10) as h:
                try:
                    for n in range(MAX_OPS):
                        if stop.is_set():
                            return
                        r = h.post(f"{numbers}.json", data={"AreaCode": "415"})
                        if r.status_code != 201:
                            continue
                        pn = r.json()["sid"]
                        ack("provisioned", pn)
                        if (n + i) % 3 == 0:
                            if h.post(f"/messaging/v1/Services/{mg}/PhoneNumbers", data={"PhoneNumberSid": pn}).status_code == 201:
                                ack("messaging", pn)
                        elif (n + i) % 3 == 1 and \
                                h.post(f"/proxy/v1/Services/{ks}/PhoneNumbers", data={"Sid": pn}).status_code == 201:
                            ack("proxy", pn)
                        if n % 4 == 3:
                            with lock:
                                in_flight_release.add(pn)
                            if h.delete(f"{numbers}/{pn}.json").status_code == 204:
                                ack("released", pn)
                            with lock:
                                in_flight_release.discard(pn)  # answered: released or not, we know which
                except httpx.HTTPError:
                    return  # the server was killed under us: whatever was in flight is unacknowledged

        threads = [threading.Thread(target=writer, args=(i,)) for i in range(WRITERS)]
        for t in threads:
            t.start()
        deadline = time.monotonic() + 30
        while len(acked["provisioned"]) < 60 and time.monotonic() < deadline:
            time.sleep(0.02)
        kill_server(proc)  # SIGKILL, mid-stream
        proc.wait()
        stop.set()
        for t in threads:
            t.join(timeout=30)
        assert len(acked["provisioned"]) >= 60

        proc, base_url = start_server(db_url, env)
        try:
            with httpx.Client(base_url=base_url, auth=(sid, token), timeout=30) as h:
                present = {n["sid"] for n in h.get(f"{numbers}.json", params={"PageSize": 1000}).json()["incoming_phone_numbers"]}
                in_mg = {n["sid"] for n in h.get(f"/messaging/v1/Services/{mg}/PhoneNumbers", params={"PageSize": 1000}).json()["phone_numbers"]}
                in_ks = {n["sid"] for n in h.get(f"/proxy/v1/Services/{ks}/PhoneNumbers", params={"PageSize": 1000}).json()["phone_numbers"]}
        finally:
            stop_server(proc)

    assert len(in_flight_release) <= WRITERS  # at most one request in flight per writer
    gone = acked["released"] | in_flight_release
    kept = acked["provisioned"] - gone
    assert kept <= present, "an acknowledged provisioning was lost"
    assert not (acked["released"] & present), "an acknowledged release was lost"
    assert acked["messaging"] - gone <= in_mg, "an acknowledged Messaging add was lost"
    assert acked["proxy"] - gone <= in_ks, "an acknowledged Proxy add was lost"
    assert in_mg <= present and in_ks <= present, "a pool holds a number that does not exist"
    assert len(in_mg) <= int(SMALL_LIMITS["NUMBERPOOL_MESSAGING_POOL_LIMIT"])
    assert len(in_ks) <= int(SMALL_LIMITS["NUMBERPOOL_PROXY_POOL_LIMIT"])

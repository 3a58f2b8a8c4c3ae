"""A read that starts after a write was acknowledged sees it, whichever process served either.

On SQLite each server process reuses GET answers until the database changes (see
numberpool.http.cache); these tests hammer exactly the cases where a stale answer would show.
"""

from __future__ import annotations

import secrets
import sqlite3

import httpx

from tests.conftest import fresh_database, start_server, stop_server

ROUNDS = 25


def test_fetch_and_list_see_writes_made_through_the_other_process(server_pair):
    a, b = server_pair
    numbers = f"/2010-04-01/Accounts/{a.account_sid}/IncomingPhoneNumbers"
    with a.http() as ha, b.http() as hb:
        pn = hb.post(numbers + ".json", data={"AreaCode": "415"}).json()["sid"]
        for i in range(ROUNDS):
            for _ in range(2):  # the second read would be answered from the cache
                assert ha.get(f"{numbers}/{pn}.json").status_code == 200
            name = f"round {i}"
            assert hb.post(f"{numbers}/{pn}.json", data={"FriendlyName": name}).status_code == 200
            assert ha.get(f"{numbers}/{pn}.json").json()["friendly_name"] == name
            listed = ha.get(numbers + ".json", params={"FriendlyName": name}).json()["incoming_phone_numbers"]
            assert [n["sid"] for n in listed] == [pn]
        before = {n["sid"] for n in ha.get(numbers + ".json", params={"PageSize": 1000}).json()["incoming_phone_numbers"]}
        new = hb.post(numbers + ".json", data={"AreaCode": "415"}).json()["sid"]
        after = {n["sid"] for n in ha.get(numbers + ".json", params={"PageSize": 1000}).json()["incoming_phone_numbers"]}
        assert after == before | {new}
        assert hb.delete(f"{numbers}/{new}.json").status_code == 204
        assert ha.get(f"{numbers}/{new}.json").status_code == 404


def test_pool_reads_see_pool_writes_made_through_the_other_process(server_pair):
    a, b = server_pair
    numbers = f"/2010-04-01/Accounts/{a.account_sid}/IncomingPhoneNumbers.json"
    with a.http() as ha, b.http() as hb:
        pn = hb.post(numbers, data={"AreaCode": "212"}).json()["sid"]
        mg = hb.post("/messaging/v1/Services", data={"FriendlyName": "raw"}).json()["sid"]
        member = f"/messaging/v1/Services/{mg}/PhoneNumbers/{pn}"
        for _ in range(5):
            assert ha.get(member).status_code == 404
            assert ha.get(member).status_code == 404
            assert hb.post(f"/messaging/v1/Services/{mg}/PhoneNumbers", data={"PhoneNumberSid": pn}).status_code == 201
            assert ha.get(member).status_code == 200
            assert ha.get(member).status_code == 200
            assert hb.delete(member).status_code == 204


def test_write_by_another_program_on_the_sqlite_file_is_seen(tmp_path_factory):
    """SQLite only, whatever the backend parameter: the file is the point (PostgreSQL never reuses answers)."""
    sid, token = "AC" + secrets.token_hex(16), secrets.token_hex(16)
    with fresh_database("sqlite", tmp_path_factory) as db_url:
        proc, base_url = start_server(db_url, {"TWILIO_ACCOUNT_SID": sid, "TWILIO_AUTH_TOKEN": token})
        try:
            numbers = f"/2010-04-01/Accounts/{sid}/IncomingPhoneNumbers"
            with httpx.Client(base_url=base_url, auth=(sid, token), timeout=30) as h:
                pn = h.post(numbers + ".json", data={"AreaCode": "718"}).json()["sid"]
                assert h.get(f"{numbers}/{pn}.json").json()["friendly_name"] != "edited by hand"
                assert h.get(f"{numbers}/{pn}.json").status_code == 200
                with sqlite3.connect(db_url.removeprefix("sqlite:///"), timeout=15) as conn:
                    conn.execute("UPDATE incoming_phone_numbers SET friendly_name = 'edited by hand' WHERE sid = ?", (pn,))
                assert h.get(f"{numbers}/{pn}.json").json()["friendly_name"] == "edited by hand"
        finally:
            stop_server(proc)

"""Deleting an API key revokes it at once in every server process sharing the database."""

from __future__ import annotations

import httpx


def test_a_deleted_key_is_refused_by_the_other_process_at_once(server_pair):
    a, b = server_pair
    with a.http() as main:
        sub = main.post("/2010-04-01/Accounts.json", data={"FriendlyName": "keys"}).json()
    with httpx.Client(base_url=a.base_url, auth=(sub["sid"], sub["auth_token"]), timeout=30) as owner:
        key = owner.post(f"/2010-04-01/Accounts/{sub['sid']}/Keys.json", data={"FriendlyName": "k"}).json()
        path = f"/2010-04-01/Accounts/{sub['sid']}/IncomingPhoneNumbers.json"
        with httpx.Client(base_url=b.base_url, auth=(key["sid"], key["secret"]), timeout=30) as by_key:
            for _ in range(5):  # process B has read the key, and may keep it for as long as nothing changes
                assert by_key.get(path).status_code == 200
            assert owner.delete(f"/2010-04-01/Accounts/{sub['sid']}/Keys/{key['sid']}.json").status_code == 204
            for _ in range(20):  # the first request after the ack already fails, and every later one
                r = by_key.get(path)
                assert (r.status_code, r.json()["code"]) == (401, 20003)

"""Concurrent clients: no number is ever owned twice."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx

CLIENTS = 32


def _post_all(server, jobs):
    """Run ``(sid, token, data)`` provisioning requests concurrently, one connection each."""
    def run(job):
        sid, token, data = job
        with httpx.Client(base_url=server.base_url, auth=(sid, token), timeout=60) as h:
            return sid, h.post(f"/2010-04-01/Accounts/{sid}/IncomingPhoneNumbers.json", data=data)

    with ThreadPoolExecutor(CLIENTS) as pool:
        return list(pool.map(run, jobs))


def test_two_accounts_race_for_one_number(server, client):
    a = client.api.v2010.accounts.create(friendly_name="race-a")
    b = client.api.v2010.accounts.create(friendly_name="race-b")
    e164 = client.available_phone_numbers("US").local.list(area_code=919, limit=1)[0].phone_number
    jobs = [(acc.sid, acc.auth_token, {"PhoneNumber": e164}) for acc in (a, b) for _ in range(CLIENTS // 2)]
    results = _post_all(server, jobs)
    winners = {sid for sid, r in results if r.status_code == 201}
    assert len(winners) == 1, [(sid, r.status_code) for sid, r in results]
    winner = winners.pop()
    for sid, r in results:
        if sid == winner:
            assert r.status_code == 201  # buying your own number again acts as an update
        else:
            assert (r.status_code, r.json()["code"]) == (400, 21422)
    sids = {r.json()["sid"] for sid, r in results if r.status_code == 201}
    assert len(sids) == 1
    owners = [acc.sid for acc in (a, b) if client.api.v2010.accounts(acc.sid).incoming_phone_numbers.list(phone_number=e164)]
    assert owners == [winner]


def test_area_code_race_gives_distinct_numbers(server, client):
    accounts = [client.api.v2010.accounts.create(friendly_name=f"race-ac-{i}") for i in range(4)]
    jobs = [(acc.sid, acc.auth_token, {"AreaCode": "980"}) for acc in accounts for _ in range(CLIENTS // 4)]
    results = _post_all(server, jobs)
    assert all(r.status_code == 201 for _, r in results), [r.text for _, r in results if r.status_code != 201][:3]
    numbers = [r.json()["phone_number"] for _, r in results]
    assert len(set(numbers)) == CLIENTS
    assert all(n.startswith("+1980") for n in numbers)

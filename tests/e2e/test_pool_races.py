"""Race tests: 32 concurrent clients against two server processes sharing one SQLite database.

Each test asserts the exact number of each outcome: the invariants are enforced by the
database (primary keys, locks inside one transaction), not by one process's memory.
"""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import httpx

CLIENTS = 32


def race(servers, account, requests):
    """Send ``(method, path, data)`` requests concurrently, alternating between the servers."""
    def run(item):
        i, (method, path, data) = item
        server = servers[i % len(servers)]
        with httpx.Client(base_url=server.base_url, auth=(account.sid, account.auth_token), timeout=60) as h:
            r = h.request(method, path, data=data)
            return r.status_code, (r.json().get("code") if r.content else None)

    with ThreadPoolExecutor(CLIENTS) as pool:
        return Counter(pool.map(run, enumerate(requests)))


def fresh(server_pair):
    main = server_pair[0].client()
    sub = main.api.v2010.accounts.create()
    return sub, server_pair[0].client(sub.sid, sub.auth_token)


def test_one_number_two_messaging_services(server_pair):
    sub, c = fresh(server_pair)
    a = c.messaging.v1.services.create(friendly_name="a").sid
    b = c.messaging.v1.services.create(friendly_name="b").sid
    n = c.incoming_phone_numbers.create(area_code="415").sid
    reqs = [("POST", f"/messaging/v1/Services/{a if i % 4 < 2 else b}/PhoneNumbers", {"PhoneNumberSid": n}) for i in range(CLIENTS)]
    outcomes = race(server_pair, sub, reqs)
    assert outcomes[(201, None)] == 1, outcomes
    assert outcomes[(409, 21710)] + outcomes[(409, 21712)] == CLIENTS - 1, outcomes
    assert outcomes[(409, 21710)] == 15 and outcomes[(409, 21712)] == 16
    total = len(c.messaging.v1.services(a).phone_numbers.list()) + len(c.messaging.v1.services(b).phone_numbers.list())
    assert total == 1


def test_filling_the_last_messaging_slot(server_pair):
    sub, c = fresh(server_pair)
    s = c.messaging.v1.services.create(friendly_name="last slot").sid
    made = [c.incoming_phone_numbers.create(area_code="646").sid for _ in range(9 + CLIENTS)]
    for n in made[:9]:  # the limit is 10 on these servers
        c.messaging.v1.services(s).phone_numbers.create(phone_number_sid=n)
    outcomes = race(server_pair, sub, [("POST", f"/messaging/v1/Services/{s}/PhoneNumbers", {"PhoneNumberSid": n}) for n in made[9:]])
    assert outcomes == Counter({(201, None): 1, (400, 21714): CLIENTS - 1}), outcomes
    assert len(c.messaging.v1.services(s).phone_numbers.list()) == 10


def test_releasing_while_adding(server_pair):
    sub, c = fresh(server_pair)
    s = c.messaging.v1.services.create(friendly_name="release race").sid
    made = [c.incoming_phone_numbers.create(area_code="212").sid for _ in range(CLIENTS // 2)]
    reqs = []
    for n in made:
        reqs.append(("POST", f"/messaging/v1/Services/{s}/PhoneNumbers", {"PhoneNumberSid": n}))
        reqs.append(("DELETE", f"/2010-04-01/Accounts/{sub.sid}/IncomingPhoneNumbers/{n}.json", None))
    outcomes = race(server_pair, sub, reqs)
    assert outcomes[(204, None)] == len(made), outcomes  # every release succeeds
    assert outcomes[(201, None)] + outcomes[(400, 21421)] == len(made), outcomes
    assert c.messaging.v1.services(s).phone_numbers.list() == []  # nothing half-done: no released number left in a pool
    assert c.incoming_phone_numbers.list() == []


def test_one_number_two_proxy_services(server_pair):
    sub, c = fresh(server_pair)
    a = c.proxy.v1.services.create(unique_name="ra").sid
    b = c.proxy.v1.services.create(unique_name="rb").sid
    n = c.incoming_phone_numbers.create(area_code="415").sid
    reqs = [("POST", f"/proxy/v1/Services/{a if i % 2 else b}/PhoneNumbers", {"Sid": n}) for i in range(CLIENTS)]
    outcomes = race(server_pair, sub, reqs)
    assert outcomes[(201, None)] == 1, outcomes
    assert outcomes[(400, 80104)] == 15 and outcomes[(400, 80101)] == 16, outcomes


def test_filling_the_proxy_pool(server_pair):
    sub, c = fresh(server_pair)
    s = c.proxy.v1.services.create(unique_name="fill").sid
    made = [c.incoming_phone_numbers.create(area_code="305").sid for _ in range(CLIENTS)]
    outcomes = race(server_pair, sub, [("POST", f"/proxy/v1/Services/{s}/PhoneNumbers", {"Sid": n}) for n in made])
    assert outcomes == Counter({(201, None): 5, (400, 80622): CLIENTS - 5}), outcomes  # unreserved limit 5 here
    assert len(c.proxy.v1.services(s).phone_numbers.list()) == 5


def test_messaging_and_proxy_race_keeps_the_rule(server_pair):
    """Four numbers, each sent four times to a Messaging Service and four times to a Proxy
    Service at once. Messaging always takes it once; Proxy takes it at most once, and only
    if it got there before the number joined the Messaging Service."""
    sub, c = fresh(server_pair)
    mg = c.messaging.v1.services.create(friendly_name="mix").sid
    ks = c.proxy.v1.services.create(unique_name="mix").sid
    made = [c.incoming_phone_numbers.create(area_code="617").sid for _ in range(4)]
    reqs = []
    for n in made:
        for _ in range(4):
            reqs.append(("POST", f"/messaging/v1/Services/{mg}/PhoneNumbers", {"PhoneNumberSid": n}))
            reqs.append(("POST", f"/proxy/v1/Services/{ks}/PhoneNumbers", {"Sid": n}))
    outcomes = race(server_pair, sub, reqs)
    in_messaging = {x.sid for x in c.messaging.v1.services(mg).phone_numbers.list()}
    in_proxy = {x.sid for x in c.proxy.v1.services(ks).phone_numbers.list()}
    assert in_messaging == set(made)
    assert outcomes[(201, None)] == len(made) + len(in_proxy), outcomes
    assert outcomes[(409, 21710)] == 3 * len(made), outcomes
    assert outcomes[(400, 80104)] + outcomes[(400, 80601)] == 4 * len(made) - len(in_proxy), outcomes
    assert sum(outcomes.values()) == CLIENTS

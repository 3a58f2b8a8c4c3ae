"""Race test: 64 Proxy participants added at once through two server processes sharing one
database, on one Service. The choice of a proxy number runs with the Service's row locked, so no
identifier ever holds one number twice among its active sessions, and each number's ``in_use``
matches a recount from the sessions. Both databases."""

from __future__ import annotations

from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor

import httpx

CLIENTS = 32
POOL = 5  # the unreserved pool limit of these servers (SMALL_LIMITS)
PEOPLE = [f"+1415555{i:04d}" for i in range(400, 408)]


def test_participants_added_at_once_never_share_a_number(server_pair):
    main = server_pair[0].client()
    sub = main.api.v2010.accounts.create()
    c = server_pair[0].client(sub.sid, sub.auth_token)
    s = c.proxy.v1.services.create(unique_name="race").sid
    pool = set()
    for _ in range(POOL):
        n = c.incoming_phone_numbers.create(area_code="415").sid
        c.proxy.v1.services(s).phone_numbers.create(sid=n)
        pool.add(n)
    sessions = [c.proxy.v1.services(s).sessions.create().sid for _ in range(CLIENTS)]
    # two distinct identifiers a session; each identifier in 8 sessions, with 5 numbers to hold
    requests = []
    for i, kc in enumerate(sessions):
        first, second = PEOPLE[i % 8], PEOPLE[(i + 1 + i // 8) % 8]
        assert first != second
        requests += [(kc, first), (kc, second)]

    def add(item):
        i, (kc, identifier) = item
        server = server_pair[i % len(server_pair)]
        with httpx.Client(base_url=server.base_url, auth=(sub.sid, sub.auth_token), timeout=60) as h:
            r = h.post(f"/proxy/v1/Services/{s}/Sessions/{kc}/Participants", data={"Identifier": identifier})
            return identifier, r.status_code, (r.json().get("code") if r.status_code != 201 else None)

    with ThreadPoolExecutor(CLIENTS) as workers:
        results = list(workers.map(add, enumerate(requests)))
    outcomes = Counter((status, code) for _, status, code in results)
    assert set(outcomes) <= {(201, None), (400, 80208), (409, 80623)}, outcomes  # never a 5xx
    assert sum(outcomes.values()) == 2 * CLIENTS

    holds: dict[str, list[str]] = defaultdict(list)
    in_session: dict[str, set[str]] = defaultdict(set)
    listed = 0
    for kc in sessions:
        session = c.proxy.v1.services(s).sessions(kc).fetch()
        assert session.status == "open"
        parts = c.proxy.v1.services(s).sessions(kc).participants.list()
        assert len(parts) <= 2 and len({p.identifier for p in parts}) == len(parts)
        listed += len(parts)
        for p in parts:
            assert p.date_deleted is None and p.proxy_identifier_sid in pool
            holds[p.identifier].append(p.proxy_identifier_sid)
            in_session[p.proxy_identifier_sid].add(kc)
    assert listed == outcomes[(201, None)]
    for identifier, held in holds.items():
        assert len(held) == len(set(held)), f"{identifier} holds one number twice: {sorted(held)}"
    lost = Counter(identifier for identifier, status, code in results if code == 80623)
    for identifier in PEOPLE:  # in 8 sessions, refused with 80208 only once it held every number
        assert POOL - lost[identifier] <= len(holds[identifier]) <= POOL, (identifier, holds[identifier])
    numbers = {x.sid: x.in_use for x in c.proxy.v1.services(s).phone_numbers.list()}
    assert numbers == {sid: len(in_session[sid]) for sid in pool}, "in_use differs from a recount of the sessions"

"""200 inbound messages to 20 numbers at once, through two server processes on one database,
while those numbers move between two Messaging Services: each message is delivered exactly once,
to a target that was valid at some moment of its event (service A's URL, service B's URL, or,
between a removal and the next add, the number's own sms_url), with the parameters of that target."""

from __future__ import annotations

import random
import threading
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.conftest import Server, _servers
from tests.receiver import Receiver, running

NUMBERS = 20
MESSAGES = 200


@pytest.fixture(scope="module")
def pair(backend, tmp_path_factory) -> Iterator[list[Server]]:
    yield from _servers(backend, tmp_path_factory, 2, {})


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with running() as r:
        yield r


def test_messages_race_numbers_moving_between_services(pair, receiver):
    main = pair[0].client()
    sub = main.api.v2010.accounts.create(friendly_name="race")
    c = pair[0].client(sub.sid, sub.auth_token)
    urls = {"a": receiver.answer("/race-a"), "b": receiver.answer("/race-b"), "own": receiver.answer("/race-own")}
    a = c.messaging.v1.services.create(friendly_name="a", inbound_request_url=urls["a"]).sid
    b = c.messaging.v1.services.create(friendly_name="b", inbound_request_url=urls["b"]).sid
    numbers = [c.incoming_phone_numbers.create(area_code="415", sms_url=urls["own"]) for _ in range(NUMBERS)]
    where = {}
    for i, n in enumerate(numbers):
        where[n.sid] = a if i % 2 else b
        c.messaging.v1.services(where[n.sid]).phone_numbers.create(phone_number_sid=n.sid)

    stop = threading.Event()
    moves = Counter()

    def mover(seed: int) -> None:
        rng = random.Random(seed)
        with httpx.Client(base_url=pair[seed % 2].base_url, auth=(sub.sid, sub.auth_token), timeout=60) as h:
            mine = numbers[seed::2]  # two movers, each with its own numbers: no move races another move
            while not stop.is_set():
                n = rng.choice(mine)
                old = where[n.sid]
                new = b if old == a else a
                r = h.delete(f"/messaging/v1/Services/{old}/PhoneNumbers/{n.sid}")
                assert r.status_code == 204, r.text
                r = h.post(f"/messaging/v1/Services/{new}/PhoneNumbers", data={"PhoneNumberSid": n.sid})
                assert r.status_code == 201, r.text
                where[n.sid] = new
                moves[seed] += 1

    def send(i: int) -> dict:
        n = numbers[i % NUMBERS]
        with httpx.Client(base_url=pair[i % 2].base_url, auth=(sub.sid, sub.auth_token), timeout=60) as h:
            r = h.post("/numberpool/v1/InboundMessages", data={"To": n.phone_number, "From": "+12125551234", "Body": f"m{i}"})
            assert r.status_code == 201, r.text
            return r.json()

    movers = [threading.Thread(target=mover, args=(seed,)) for seed in (0, 1)]
    for t in movers:
        t.start()
    try:
        with ThreadPoolExecutor(16) as pool:
            records = list(pool.map(send, range(MESSAGES)))
    finally:
        stop.set()
        for t in movers:
            t.join(timeout=60)
    assert sum(moves.values()) > 10, "the numbers hardly moved: the race was not run"

    routes = Counter()
    for rec in records:
        assert len(rec["deliveries"]) == 1, rec
        d = rec["deliveries"][0]
        assert d["status_code"] == 200 and d["error_code"] is None
        if rec["route"] == "messaging_service":
            expected = urls["a"] if rec["messaging_service_sid"] == a else urls["b"]
            assert rec["messaging_service_sid"] in (a, b) and d["url"] == expected
            assert d["params"]["MessagingServiceSid"] == rec["messaging_service_sid"]
        else:  # between a removal and the next add: in no service for that moment
            assert (rec["route"], rec["messaging_service_sid"], d["url"]) == ("number", None, urls["own"])
            assert "MessagingServiceSid" not in d["params"]
        routes[rec["route"]] += 1
    # exactly once: every message reached the receiver once, on the path its record names
    seen = Counter()
    for path in ("/race-a", "/race-b", "/race-own"):
        for s in receiver.requests(path):
            seen[(s.form["MessageSid"], path)] += 1
    assert sum(seen.values()) == MESSAGES
    assert all(count == 1 for count in seen.values())
    assert {sid for sid, _ in seen} == {rec["sid"] for rec in records}
    for rec in records:
        assert seen[(rec["sid"], "/" + rec["deliveries"][0]["url"].rsplit("/", 1)[1])] == 1
    # every record is stored once, with what the answer said
    with httpx.Client(base_url=pair[1].base_url, auth=(sub.sid, sub.auth_token), timeout=60) as h:
        stored = h.get("/numberpool/v1/InboundMessages", params={"PageSize": 1000}).json()["inbound_messages"]
    assert sorted(m["sid"] for m in stored) == sorted(rec["sid"] for rec in records)
    assert routes["messaging_service"] > 0

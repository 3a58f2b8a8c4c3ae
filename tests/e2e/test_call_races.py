"""Calling races: two server processes on one database placing many calls at once, each call's
work (ringing, answered, its Url's TwiML, completed) claimed from the shared ``message_work``
table by one process or the other. Real processes, a real receiver on 127.0.0.1 for the Url and
the status callbacks; both databases.

Every wait is bounded: HTTP timeouts and Settle's ``Timeout`` (never a sleep to synchronise).
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from twilio.request_validator import RequestValidator

from tests.e2e.test_sending_races import _http, _numbers, _subaccount
from tests.receiver import Receiver, Seen, running

SETTLE_TIMEOUT = "60"
CALLS = 200
THREADS = 8  # concurrent creates; thread k sends through server k % 2
EVENTS = ["initiated", "ringing", "answered", "completed"]
TWIML = "<Response><Say>hi</Say></Response>"


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    with running() as r:
        yield r


def _settle(h: httpx.Client) -> None:
    r = h.post("/numberpool/v1/Settle", data={"Timeout": SETTLE_TIMEOUT}, timeout=float(SETTLE_TIMEOUT) + 15)
    assert r.status_code == 200, f"Settle did not finish the pending work: {r.status_code} {r.text}"


def _signed(validator: RequestValidator, receiver: Receiver, seen: Seen) -> bool:
    params = seen.query if seen.method == "GET" else seen.form
    return validator.validate(receiver.base + seen.path, {} if seen.method == "GET" else params,
                              seen.headers.get("X-Twilio-Signature", ""))


def test_two_servers_placing_many_calls_complete_each_once_with_its_callbacks_in_sequence(server_pair, receiver):
    sid, token = _subaccount(server_pair[0])
    with _http(server_pair[0].base_url, sid, token) as h:
        caller = _numbers(h, sid, 1)[0]["phone_number"]
    tag = sid[-8:]  # paths of this test (and this backend) only
    url = receiver.answer(f"/answer-{tag}", body=TWIML)
    callback = receiver.url(f"/status-{tag}")

    def place(k: int) -> list[str]:
        """Thread ``k``: its share of the creates, all through server ``k % 2``; the SIDs."""
        made = []
        with _http(server_pair[k % 2].base_url, sid, token) as c:
            for i in range(k, CALLS, THREADS):
                to = f"+1415556{i:04d}"  # numbers nobody hosts: no inbound leg
                r = c.post(f"/2010-04-01/Accounts/{sid}/Calls.json",
                           data={"To": to, "From": caller, "Url": url, "StatusCallback": callback,
                                 "StatusCallbackEvent": EVENTS})
                assert r.status_code == 201, r.text
                assert r.json()["status"] == "queued", r.text
                made.append(r.json()["sid"])
        return made

    started = time.monotonic()
    with ThreadPoolExecutor(THREADS) as ex:
        placed = [s for made in ex.map(place, range(THREADS)) for s in made]
    assert len(placed) == CALLS and len(set(placed)) == CALLS

    for server in server_pair:
        with _http(server.base_url, sid, token) as h:
            _settle(h)
    took = time.monotonic() - started

    # -- every call completed, as the API shows it -------------------------------------------------
    statuses: Counter[str] = Counter()
    with _http(server_pair[1].base_url, sid, token) as h:
        for call_sid in placed:
            r = h.get(f"/2010-04-01/Accounts/{sid}/Calls/{call_sid}.json")
            assert r.status_code == 200, r.text
            statuses[r.json()["status"]] += 1
    assert statuses == {"completed": CALLS}, f"not every call completed: {dict(statuses)}"

    # -- the receiver: each Url fetched once, each call's callbacks 0..3, one completed ------------
    validator = RequestValidator(token)
    fetches: Counter[str] = Counter()
    for seen in receiver.requests(f"/answer-{tag}"):
        assert _signed(validator, receiver, seen), f"an invalid signature on a TwiML fetch: {seen}"
        params = seen.query if seen.method == "GET" else seen.form
        fetches[params.get("CallSid", "")] += 1
    assert set(fetches) == set(placed), f"calls whose Url was never fetched: {sorted(set(placed) - set(fetches))[:5]}"
    repeated = {s: n for s, n in fetches.items() if n != 1}
    assert not repeated, f"Urls fetched more than once (CallSid: fetches): {repeated}"

    callbacks: dict[str, list[dict[str, Any]]] = defaultdict(list)
    unsigned = []
    for seen in receiver.requests(f"/status-{tag}"):
        if not _signed(validator, receiver, seen):
            unsigned.append(seen.form)
        callbacks[seen.form.get("CallSid", "")].append(seen.form)
    assert not unsigned, f"{len(unsigned)} status callbacks carry an invalid signature, e.g. {unsigned[0]}"
    assert set(callbacks) == set(placed), f"stray callbacks: {sorted(set(callbacks) - set(placed))[:5]}"

    problems = []
    for call_sid in placed:
        got = callbacks[call_sid]
        sequence = sorted(int(f["SequenceNumber"]) for f in got)
        completed = [f for f in got if f["CallStatus"] == "completed"]
        by_number = {int(f["SequenceNumber"]): f["CallStatus"] for f in got}
        if sequence != list(range(len(EVENTS))) or len(completed) != 1:
            problems.append((call_sid, sequence, [f["CallStatus"] for f in got]))
            continue
        assert by_number == {0: "initiated", 1: "ringing", 2: "in-progress", 3: "completed"}, (call_sid, by_number)
        assert all(f["CallbackSource"] == "call-progress-events" and f["Timestamp"] for f in got), got
    assert not problems, (f"{len(problems)} calls' callbacks are not SequenceNumber 0..3 with one completed "
                          f"(CallSid, SequenceNumbers, CallStatuses), e.g. {problems[:5]}")
    assert took < 240, f"{CALLS} calls took {took:.0f} s to place and settle"

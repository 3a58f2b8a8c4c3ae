"""AvailablePhoneNumbers searches that cannot match: answered, bounded, and never in the way.

Requests run on the server's event loop, so one slow search delays every request behind it.
"""

from __future__ import annotations

import itertools
import re
import statistics
import threading
import time
from typing import Self

import httpx
import pytest

SEARCHERS = 8
FETCHES = 15
FETCH_BUDGET_S = 0.2  # the median account fetch while the searchers run


def _searches(account_sid: str, start: int) -> itertools.cycle:
    """Searches that can match nothing, each different (no reused answer, no remembered candidate):
    one that walks the inventory under its budget, and one answered without walking."""
    base = f"/2010-04-01/Accounts/{account_sid}/AvailablePhoneNumbers"
    return itertools.cycle(
        url
        for n in itertools.count(start * 100_000)
        for url in (
            f"{base}/US/TollFree.json?PageSize=1000&Contains=%2B1999{n:05d}",  # no toll-free code starts 999
            f"{base}/US/Local.json?PageSize=1000&FaxEnabled=true&Contains=*{n:05d}",  # US local numbers have no fax
            f"{base}/GB/Mobile.json?PageSize=1000&InRegion=Atlantis&Contains={n:05d}",  # a place no mobile is in
        )
    )


class Searchers:
    """Threads that keep impossible searches in flight until stopped (each stops on its own
    after ``limit`` searches, so a slow server cannot keep the test running)."""

    def __init__(self, server, count: int, limit: int = 400) -> None:
        self.stop = threading.Event()
        self.answers: list[tuple[int, int]] = []  # (status, number of results)
        self.started = threading.Barrier(count + 1, timeout=120)
        self.threads = [threading.Thread(target=self._run, args=(server, i, limit), daemon=True) for i in range(count)]

    def _run(self, server, i: int, limit: int) -> None:
        urls = _searches(server.account_sid, i)
        try:
            with server.http() as http:
                for n in range(limit):
                    if self.stop.is_set():
                        return
                    r = http.get(next(urls))
                    self.answers.append((r.status_code, len(r.json().get("available_phone_numbers", [None]))))
                    if n == 0:
                        self.started.wait()
        except Exception:
            self.started.abort()  # the test fails at once instead of waiting for this thread
            raise

    def __enter__(self) -> Self:
        for t in self.threads:
            t.start()
        self.started.wait()  # every thread has had one answer: from here all eight are in flight
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        for t in self.threads:
            t.join(timeout=60)


def _timed_fetch(http: httpx.Client, path: str) -> float:
    start = time.perf_counter()
    try:
        r = http.get(path, timeout=10)
        assert r.status_code == 200, r.text
    except httpx.TimeoutException:
        pass  # counts as the whole timeout
    return time.perf_counter() - start


def test_impossible_searches_do_not_hold_up_other_requests(server, http):
    path = f"/2010-04-01/Accounts/{server.account_sid}.json"
    _timed_fetch(http, path)  # a warm connection
    with Searchers(server, SEARCHERS) as searchers:
        waits: list[float] = []
        while len(waits) < FETCHES and sum(w >= FETCH_BUDGET_S for w in waits) <= FETCHES // 2:
            waits.append(_timed_fetch(http, path))
            time.sleep(0.02)
        in_flight = not searchers.stop.is_set() and all(t.is_alive() for t in searchers.threads)
    assert in_flight, "the searchers ran out before the fetches were done"
    print(f"account fetch with {SEARCHERS} searches in flight: {sorted(round(w, 3) for w in waits)} s")
    assert statistics.median(waits) < FETCH_BUDGET_S, f"account fetch took {sorted(waits)} s with searches in flight"
    assert searchers.answers and set(searchers.answers) == {(200, 0)}


@pytest.mark.parametrize("query", [
    "US/Local.json?Contains=%2B00",
    "US/Local.json?Contains=%2B999",
    "US/Local.json?Contains=%2B44",
    "US/Local.json?Contains=%2B10",  # no US area code starts with 0
    "US/Local.json?Contains=12345678901234567890",  # longer than any number
    "US/TollFree.json?Contains=%2B19999",
    "US/Local.json?AreaCode=415&Contains=%2B1212",
    "US/Local.json?AreaCode=999",
    "US/Local.json?FaxEnabled=true",
    "US/Local.json?VoiceEnabled=false",
    "GB/Local.json?SmsEnabled=true",
    "DE/Local.json?ExcludeAllAddressRequired=true",
    "US/Local.json?InLocality=Atlantis",
    "GB/Mobile.json?InRegion=Atlantis",
    "US/Local.json?NearNumber=%2B18005550199",  # toll-free: in no area code of the inventory
    "GB/Mobile.json?PageSize=1000&InRegion=Atlantis&Contains=12345",
])
def test_searches_that_cannot_match_answer_an_empty_page(http, server, query):
    started = time.perf_counter()
    r = http.get(f"/2010-04-01/Accounts/{server.account_sid}/AvailablePhoneNumbers/{query}")
    elapsed = time.perf_counter() - started
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["available_phone_numbers"] == [] and body["next_page_uri"] is None and body["end"] == 0
    assert elapsed < 2, elapsed  # walked 20,000 candidates (1-4 s) before the budget


@pytest.mark.parametrize("query, wanted", [
    ("US/Local.json?Contains=%2B1415", r"\+1415"),
    ("US/Local.json?Contains=%2B1*1*", r"\+1\d1"),
    ("GB/Local.json?Contains=%2B4420", r"\+4420"),
    ("US/TollFree.json?Contains=%2B1800", r"\+1800"),
])
def test_anchored_contains_still_finds_numbers(http, server, query, wanted):
    r = http.get(f"/2010-04-01/Accounts/{server.account_sid}/AvailablePhoneNumbers/{query}")
    found = [n["phone_number"] for n in r.json()["available_phone_numbers"]]
    assert r.status_code == 200 and len(found) == 50 and all(re.match(wanted, n) for n in found), found

"""The search: the candidates that are numbers of the country and type, pass the filters and
nobody owns (``is_taken`` removes numbers any account owns), in a fixed order.

A search runs on the server's event loop, so it is bounded: filters that no number of the
country and type can pass are answered at once, and the walk stops when its waste budget is
spent (see :func:`search`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from functools import lru_cache

import phonenumbers

from numberpool.domain.inventory.candidates import MAX_EXAMINED, candidates, raw_pattern, seeds
from numberpool.domain.inventory.countries import COUNTRIES, NANP, Country, area_codes
from numberpool.domain.inventory.facts import NumberFacts, facts, number_facts
from numberpool.domain.inventory.filters import Filters, contains_ok, matches, possible
from numberpool.domain.inventory.screen import screen

# The waste budget of one search, in work units (see `search`): a candidate refused by its digits
# alone costs SCREENED_OUT (made and refused in 2-5 µs), one refused after phonenumbers parsed it
# PARSED_OUT (~100 µs).
WASTE_BUDGET = 2048
WASTE_PER_MATCH = 64
SCREENED_OUT = 1
PARSED_OUT = 32


@lru_cache(maxsize=16384)
def _offered(e164: str, iso: str, number_type: str, cc_len: int) -> tuple[NumberFacts | None, int]:
    """A candidate's facts if it is a valid number of ``iso`` and ``number_type`` (else None), and
    what refusing it costs the budget: SCREENED_OUT when `screen` rules it out, else PARSED_OUT.
    Remembered, so a search asked again costs one lookup per candidate."""
    if not screen(iso, number_type)(e164[1 + cc_len:]):
        return None, SCREENED_OUT
    f = facts(e164)
    return (f if f is not None and f.iso_country == iso and f.number_type == number_type else None), PARSED_OUT


def _matching(
    walk: Iterator[str], country: Country, number_type: str, flt: Filters, near: NumberFacts | None
) -> Iterator[NumberFacts]:
    """The candidates that are valid numbers of the country and type and pass the filters, in order,
    until MAX_EXAMINED candidates are walked or the waste budget is spent (see `search`)."""
    cc_len = len(str(phonenumbers.country_code_for_region(country.iso)))
    seen: set[str] = set()
    waste, allowance = 0, WASTE_BUDGET
    for examined, e164 in enumerate(walk, 1):
        if examined > MAX_EXAMINED or waste > allowance:
            return
        if e164 in seen or not contains_ok(flt.contains, e164, cc_len):
            waste += SCREENED_OUT
            continue
        seen.add(e164)
        f, cost = _offered(e164, country.iso, number_type, cc_len)
        if f is None or not matches(f, flt, near):
            waste += cost
            continue
        allowance += WASTE_PER_MATCH
        yield f


def search(
    country: Country, number_type: str, filters: Filters, is_taken: Callable[[Sequence[str]], set[str]], limit: int
) -> list[NumberFacts]:
    """Up to ``limit`` available numbers matching every filter, in a fixed order.

    A search that no number can satisfy answers ``[]`` without walking: a type the country does
    not offer, an area code it does not have, a capability, address or Beta filter that the
    country and type never meet (those are fixed per country and type), or a ``Contains`` that
    cannot fit its numbers (longer than they are, or anchored with ``+`` on other leading digits).

    Otherwise the walk is bounded, deterministically (the same query over the same owned numbers
    stops at the same candidate, whatever is cached): besides ``MAX_EXAMINED`` candidates in all,
    it may spend ``WASTE_BUDGET`` work units on candidates it does not offer, plus
    ``WASTE_PER_MATCH`` for each match it meets (owned ones included). A candidate refused by its
    digits alone costs ``SCREENED_OUT`` unit, one refused after phonenumbers parsed it
    ``PARSED_OUT`` units: a search that finds nothing stops after 5-10 ms of CPU, and one that
    finds n numbers spends at most about twice their own parsing on refusals. When the budget runs
    out the search answers the available matches found so far, in order: possibly fewer than
    ``limit``, possibly none; never an error.
    """
    if not possible(country, number_type, filters):
        return []
    near = None
    if filters.near_number is not None:
        near_iso = phonenumbers.region_code_for_number(filters.near_number)
        near = number_facts(filters.near_number, near_iso, "Local") if near_iso else None
    walk = candidates(seeds(country.iso, number_type, filters, near), raw_pattern(filters.contains))
    found: list[NumberFacts] = []
    batch: list[NumberFacts] = []
    batch_size = max(limit, 20)  # candidates per ownership query
    for f in _matching(walk, country, number_type, filters, near):
        batch.append(f)
        if len(batch) >= batch_size:
            taken = is_taken([b.phone_number for b in batch])
            found += [b for b in batch if b.phone_number not in taken]
            batch = []
            if len(found) >= limit:
                break
            # Where most were owned, more owned numbers likely lie ahead: the next query asks about
            # twice as many, so walking past n owned numbers costs about log(n) queries.
            batch_size = max(limit - len(found), 20, min(2 * len(taken), 1000))
    if batch and len(found) < limit:
        taken = is_taken([b.phone_number for b in batch])
        found += [b for b in batch if b.phone_number not in taken]
    return found[:limit]


def number_for_area_code(area_code: str, is_taken: Callable[[Sequence[str]], set[str]]) -> NumberFacts | None:
    """The first available US or Canadian local number in ``area_code``."""
    for iso in NANP:
        if area_code in area_codes(iso):
            found = search(COUNTRIES[iso], "Local", Filters(area_code=area_code), is_taken, 1)
            return found[0] if found else None
    return None

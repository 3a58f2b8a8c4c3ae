"""The candidate generator: the digit strings a search walks, in a fixed order.

Candidates are generated from phonenumbers' own example number for each country and type:
its leading digits are kept and the rest walk a fixed permutation, so the same query over
the same owned numbers always answers the same list. North American numbers walk the
country's area codes instead, so ``AreaCode`` and ``InRegion`` are served directly, and a place
filter walks the geocoded prefixes of that place. A candidate is a string only: whether it is a
number of the type is for the search to find out (see `screen` and `facts`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from functools import cache
from typing import NamedTuple

import phonenumbers

from numberpool.domain.inventory.countries import NANP, TO_PN, area_codes
from numberpool.domain.inventory.facts import NumberFacts
from numberpool.domain.inventory.filters import Filters
from numberpool.domain.inventory.places import area_region, by_place, place_prefixes
from numberpool.domain.inventory.screen import screen

MAX_EXAMINED = 20_000  # candidates one search walks at most, owned numbers included


class Seed(NamedTuple):
    """Candidates are ``prefix`` filled with digits up to ``total`` digits (country code included).
    Every number of the seed begins with the first ``fixed`` digits of ``prefix``; the rest of the
    prefix is a starting point only, which an anchored ``Contains`` may overwrite."""

    prefix: str
    total: int
    fixed: int


@cache
def _area_seeds(iso: str) -> dict[str, Seed]:
    """A seed per NANP area code of ``iso``, in area code order."""
    return {a: Seed(f"1{a}", 11, 4) for a in area_codes(iso)}


_SAMPLE = range(0, MAX_EXAMINED, MAX_EXAMINED // 64)  # fill indexes spread over a whole walk


@cache
def _example_seed(iso: str, pn_type: int, number_type: str) -> Seed | None:
    """The seed from phonenumbers' example number of ``pn_type``: the example's leading digits,
    leaving 6 digits free, or fewer (never under 4) while under half the fills pass `screen`."""
    example = phonenumbers.example_number_for_type(iso, pn_type)
    if example is None:
        return None
    cc, nsn = str(example.country_code), phonenumbers.national_significant_number(example)
    total, passes = len(cc) + len(nsn), screen(iso, number_type)
    keep = max(len(nsn) - 6, 1)
    while keep < len(nsn) - 4 and 2 * sum(passes(_fill(cc + nsn[:keep], total, j)[len(cc):]) for j in _SAMPLE) < len(_SAMPLE):
        keep += 1
    return Seed(cc + nsn[:keep], total, len(cc))


def seeds(iso: str, number_type: str, flt: Filters, near: NumberFacts | None) -> list[Seed]:
    """The seeds to fill, in the order a search walks them round-robin."""
    if iso in NANP and number_type == "Local":
        if flt.area_code is not None:
            areas: Sequence[str] = (flt.area_code,)
        elif flt.near_number is not None and flt.near_number.country_code == 1:
            areas = (phonenumbers.national_significant_number(flt.near_number)[:3],)
        else:
            areas = area_codes(iso)
            if flt.in_region is not None:
                areas = [a for a in areas if (area_region(iso, a) or "").lower() == flt.in_region.lower()]
        own = _area_seeds(iso)  # a NearNumber may be in another NANP country, or toll-free
        if flt.in_locality is None:
            return [own[a] for a in areas if a in own]
        wanted = own.keys() & set(areas)
        return [Seed(p, 11, len(p)) for p in by_place(iso)[0].get(flt.in_locality.lower(), ()) if p[1:4] in wanted]
    found: list[Seed] = []
    for pn_type in TO_PN[number_type]:
        seed = _example_seed(iso, pn_type, number_type)
        if seed is None:
            continue
        if number_type == "Local" and (flt.in_locality or flt.in_region or near is not None):
            found += [Seed(p, seed.total, len(p)) for p in place_prefixes(iso, flt, near) if len(p) < seed.total - 3]
        else:
            found.append(seed)
    return found


def _fill(prefix: str, total: int, j: int) -> str:
    width = total - len(prefix)
    return prefix + f"{(j * 7919 + 1234) % (10 ** width):0{width}d}"


def _writer(pattern: str) -> Callable[[str, int], str]:
    """``write(digits, off)``: ``digits`` with ``pattern`` written at offset ``off``, where a ``*``
    keeps the digit under it (the pattern's runs of digits are spliced in, one slice each)."""
    runs = [(m.start(), m.group()) for m in re.finditer(r"[^*]+", pattern)]

    def write(digits: str, off: int) -> str:
        for start, run in runs:
            at = off + start
            digits = digits[:at] + run + digits[at + len(run):]
        return digits

    return write


def _fits(seed: Seed, contains: str | None) -> bool:
    """Whether ``contains`` (from `raw_pattern`) can be written into the numbers of ``seed``:
    anchored, it must agree with the fixed digits; otherwise it must fit in the free ones."""
    if contains is None:
        return True
    if contains.startswith("^"):
        body = contains[1:]
        return len(body) <= seed.total and all(p in ("*", d) for p, d in zip(body, seed.prefix[:seed.fixed]))
    return len(contains) <= seed.total - len(seed.prefix)


def candidates(seeds: list[Seed], contains: str | None) -> Iterator[str]:
    """Round-robin over the seeds, so a first page spreads over area codes and localities; with
    ``Contains``, the pattern is written into the free digits of each candidate (or over its
    first digits when anchored). Seeds the pattern cannot fit are left out. May repeat itself."""
    if contains is not None:
        seeds = [s for s in seeds if _fits(s, contains)]
    if not seeds:
        return
    rounds = max(1, MAX_EXAMINED // len(seeds))
    anchored = contains is not None and contains.startswith("^")
    pattern = (contains or "").removeprefix("^")
    write = _writer(pattern)
    for j in range(rounds):
        for k, seed in enumerate(seeds):
            digits = _fill(seed.prefix, seed.total, j * len(seeds) + k)
            if contains is None:
                yield "+" + digits
            elif anchored:
                yield "+" + write(digits, 0)
            else:
                for off in range(len(seed.prefix), seed.total - len(pattern) + 1):
                    yield "+" + write(digits, off)


def raw_pattern(pattern: re.Pattern[str] | None) -> str | None:
    """The Contains pattern as digits and ``*`` (``^`` first when anchored at the country code)."""
    return None if pattern is None else pattern.pattern.replace("[0-9]", "*")

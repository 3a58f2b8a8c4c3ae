"""Where numbers are: phonenumbers' geocoded digit prefixes by country, locality and region.

A search on ``InLocality``, ``InRegion`` or ``NearNumber`` walks only the prefixes of that place.
Everything here is derived once per process from phonenumbers' geodata.
"""

from __future__ import annotations

from functools import cache

import phonenumbers

from numberpool.domain.inventory.countries import COUNTRIES, NANP, area_codes
from numberpool.domain.inventory.data import REGION_CODES
from numberpool.domain.inventory.facts import NumberFacts, describe
from numberpool.domain.inventory.filters import Filters


@cache
def area_region(iso: str, npa: str) -> str | None:
    """The region of a NANP area code of ``iso``, as AvailablePhoneNumbers shows it."""
    return describe(phonenumbers.parse(f"+1{npa}2345678", None), iso)[1]


@cache
def _geodata() -> dict[str, list[tuple[str, str]]]:
    """phonenumbers' English place names for digit prefixes, as (prefix, name) pairs by the
    calling code of each offered country: one pass over the geodata, shared by every country."""
    from phonenumbers.geodata import GEOCODE_DATA

    out: dict[str, list[tuple[str, str]]] = {str(phonenumbers.country_code_for_region(iso)): [] for iso in COUNTRIES}
    for prefix, names in GEOCODE_DATA.items():
        text = names.get("en")
        if text is None:
            continue
        for n in (1, 2, 3):  # calling codes are prefix-free: at most one matches
            if len(prefix) > n and prefix[:n] in out:
                out[prefix[:n]].append((prefix, text))
                break
    return out


@cache
def _geo_prefixes(iso: str) -> dict[str, tuple[str | None, str | None]]:
    """Every geocoded digit prefix of ``iso`` -> (locality, region), from phonenumbers' geodata."""
    cc = str(phonenumbers.country_code_for_region(iso))
    out: dict[str, tuple[str | None, str | None]] = {}
    for prefix, text in _geodata()[cc]:
        if iso in NANP:
            if prefix[len(cc):len(cc) + 3] not in area_codes(iso):
                continue
            locality, _, region = text.rpartition(", ") if ", " in text else ("", "", text)
            out[prefix] = (locality or None, REGION_CODES.get(region, region))
        else:
            out[prefix] = (text, text)
    return out


@cache
def by_place(iso: str) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """The geocoded prefixes of ``iso`` in order, by lower-cased locality and by lower-cased region."""
    by_locality: dict[str, list[str]] = {}
    by_region: dict[str, list[str]] = {}
    for p, (loc, region) in sorted(_geo_prefixes(iso).items()):
        by_locality.setdefault((loc or "").lower(), []).append(p)
        by_region.setdefault((region or "").lower(), []).append(p)
    return by_locality, by_region


def place_prefixes(iso: str, flt: Filters, near: NumberFacts | None) -> list[str]:
    """The geocoded prefixes, in order, of the place that InLocality, InRegion and NearNumber name."""
    by_locality, by_region = by_place(iso)
    if flt.in_locality is not None:
        pool = by_locality.get(flt.in_locality.lower(), [])
    elif near is not None:
        pool = by_locality.get((near.locality or "").lower(), [])
    else:
        pool = by_region.get((flt.in_region or "").lower(), [])
    geo = _geo_prefixes(iso)
    return [p for p in pool if _in_place(*geo[p], flt, near)]


def _in_place(locality: str | None, region: str | None, flt: Filters, near: NumberFacts | None) -> bool:
    if flt.in_locality is not None and (locality or "").lower() != flt.in_locality.lower():
        return False
    if flt.in_region is not None and (region or "").lower() != flt.in_region.lower():
        return False
    return near is None or (locality, region) == (near.locality, near.region)

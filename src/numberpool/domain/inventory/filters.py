"""A search's filters, and the tests of them that need no candidate walk.

``possible`` decides what is fixed per country and type before a search walks anything;
``contains_ok`` tests a candidate's digits before it is parsed; ``matches`` tests the place of a
number that passed both.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import phonenumbers

from numberpool.domain import errors
from numberpool.domain.inventory.countries import NANP, Country, address, area_codes, capabilities
from numberpool.domain.inventory.data import KEYPAD
from numberpool.domain.inventory.facts import NumberFacts

MAX_CONTAINS = 64  # characters; E.164 numbers have at most 15 digits


@dataclass(frozen=True)
class Filters:
    area_code: str | None = None
    contains: re.Pattern[str] | None = None
    sms_enabled: bool | None = None
    mms_enabled: bool | None = None
    voice_enabled: bool | None = None
    fax_enabled: bool | None = None
    exclude_all_address_required: bool = False
    exclude_local_address_required: bool = False
    exclude_foreign_address_required: bool = False
    beta: bool = True
    near_number: phonenumbers.PhoneNumber | None = None
    in_region: str | None = None
    in_locality: str | None = None
    distance: int | None = None


def area_code(raw: str, iso: str) -> str:
    """``raw`` if it is an area code of ``iso``'s numbering plan (three ASCII digits, US or
    Canada); 21451 otherwise. Searching and buying by ``AreaCode`` both ask this."""
    if not (len(raw) == 3 and raw.isascii() and raw.isdigit()):
        raise errors.invalid_area_code(errors.shown(raw), "three digits are required")
    if iso not in NANP:
        raise errors.invalid_area_code(errors.shown(raw), f"area codes are US and Canadian, not {iso}")
    return raw


def contains_pattern(text: str) -> re.Pattern[str]:
    """``Contains`` as a pattern over a number's digits: letters stand for their keypad digit,
    ``*`` for any digit, and a leading ``+`` anchors it at the country code."""
    body = text.removeprefix("+")
    digits = "".join(KEYPAD.get(c.upper(), c) for c in body)
    pattern = digits.replace("*", "[0-9]")
    return re.compile(("^" if text.startswith("+") else "") + pattern)


def contains_ok(pattern: re.Pattern[str] | None, e164: str, country_code_len: int) -> bool:
    """``Contains`` on a candidate string, before any parsing: the whole number, or its national part."""
    if pattern is None:
        return True
    full = e164[1:]
    return bool(pattern.search(full) or (not pattern.pattern.startswith("^") and pattern.search(full[country_code_len:])))


def possible(country: Country, number_type: str, flt: Filters) -> bool:
    """Whether any number of ``country`` and ``number_type`` can pass the filters that depend on
    nothing else: the type offered, the area code, capabilities and address requirements are
    fixed per country and type, and no number is beta (so ``Beta=false`` excludes nothing)."""
    iso = country.iso
    if number_type not in country.types:
        return False
    if flt.area_code is not None and not (iso in NANP and number_type == "Local" and flt.area_code in area_codes(iso)):
        return False
    caps = capabilities(iso, number_type)
    for want, key in ((flt.sms_enabled, "sms"), (flt.mms_enabled, "mms"), (flt.voice_enabled, "voice"), (flt.fax_enabled, "fax")):
        if want is not None and (key in caps) != want:
            return False
    req = address(iso, number_type)
    return not ((flt.exclude_all_address_required and req != "none") or (flt.exclude_local_address_required and req == "local")
                or (flt.exclude_foreign_address_required and req == "foreign"))


def matches(f: NumberFacts, flt: Filters, near: NumberFacts | None) -> bool:
    """The filters that depend on the number itself (the rest were decided by `possible`)."""
    if flt.in_region is not None and (f.region or "").lower() != flt.in_region.lower():
        return False
    if flt.in_locality is not None and (f.locality or "").lower() != flt.in_locality.lower():
        return False
    return near is None or f.iso_country in NANP or (f.locality, f.region) == (near.locality, near.region)

"""The AvailablePhoneNumbers inventory: deterministic, valid per ``phonenumbers``, never owned.

Candidates are generated from phonenumbers' own example number for each country and type:
its leading digits are kept and the rest walk a fixed permutation, so the same query over
the same owned numbers always answers the same list. North American numbers walk the
country's area codes instead, so ``AreaCode`` and ``InRegion`` are served directly. Each
candidate must be valid and of the right type; ``is_taken`` removes numbers any account owns.

A search runs on the server's event loop, so it is bounded: filters that no number of the
country and type can pass are answered at once, and the walk stops when its waste budget is
spent (see :func:`search`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache, cached_property, lru_cache
from typing import NamedTuple

import phonenumbers
from phonenumbers import PhoneNumberType as T

from numberpool.domain import errors
from numberpool.domain.inventory_data import (
    COUNTRY_NAMES,
    COUNTRY_TYPES,
    GB_ADDRESS,
    KEYPAD,
    NANP_ADDRESS,
    NANP_CAPS,
    REGION_CODES,
    WORLD_ADDRESS,
    WORLD_CAPS,
)

NUMBER_TYPES: tuple[str, ...] = ("Local", "TollFree", "Mobile", "National", "Voip", "SharedCost", "MachineToMachine")
TYPE_KEYS: dict[str, str] = {
    "Local": "local", "TollFree": "toll_free", "Mobile": "mobile", "National": "national", "Voip": "voip",
    "SharedCost": "shared_cost", "MachineToMachine": "machine_to_machine",
}
_FROM_PN = {
    T.FIXED_LINE: "Local", T.FIXED_LINE_OR_MOBILE: "Local", T.MOBILE: "Mobile", T.TOLL_FREE: "TollFree",
    T.SHARED_COST: "SharedCost", T.VOIP: "Voip", T.UAN: "National", T.PERSONAL_NUMBER: "National",
}
_TO_PN = {ours: [t for t, o in _FROM_PN.items() if o == ours] for ours in set(_FROM_PN.values())}
NANP = ("US", "CA")
MAX_EXAMINED = 20_000  # candidates one search walks at most, owned numbers included
# The waste budget of one search, in work units (see `search`): a candidate refused by its digits
# alone costs SCREENED_OUT (made and refused in 2-5 µs), one refused after phonenumbers parsed it
# PARSED_OUT (~100 µs).
WASTE_BUDGET = 2048
WASTE_PER_MATCH = 64
SCREENED_OUT = 1
PARSED_OUT = 32
MAX_CONTAINS = 64  # characters; E.164 numbers have at most 15 digits


@dataclass(frozen=True)
class Country:
    iso: str
    name: str
    beta: bool
    types: tuple[str, ...]


@dataclass(frozen=True)
class NumberFacts:
    phone_number: str
    iso_country: str
    number_type: str
    friendly_name: str
    capabilities: dict[str, bool]
    address_requirements: str
    beta: bool
    # For the geocoder, asked only when a search shows or filters on the place: a number being
    # bought needs no place (an IncomingPhoneNumber has none), and geocoding costs ~30 µs.
    parsed: phonenumbers.PhoneNumber | None = field(default=None, compare=False, repr=False)
    pn_type: int | None = field(default=None, compare=False, repr=False)

    @cached_property
    def place(self) -> tuple[str | None, str | None]:
        """(locality, region), as AvailablePhoneNumbers shows them."""
        return (None, None) if self.parsed is None else _describe(self.parsed, self.iso_country, self.pn_type)

    @property
    def locality(self) -> str | None:
        return self.place[0]

    @property
    def region(self) -> str | None:
        return self.place[1]


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


_COUNTRIES = {iso: Country(iso, COUNTRY_NAMES[iso], False, types) for iso, types in COUNTRY_TYPES.items()}


def countries() -> list[Country]:
    return [_COUNTRIES[iso] for iso in sorted(_COUNTRIES)]


def country(iso: str) -> Country | None:
    return _COUNTRIES.get(iso.upper())


# -- facts about one number ----------------------------------------------------------------
def _describe(n: phonenumbers.PhoneNumber, iso: str, pn_type: int | None = None) -> tuple[str | None, str | None]:
    """(locality, region) from the geocoder: "San Francisco, CA" or "California" in North America.

    ``pn_type`` is phonenumbers' type of ``n`` when the caller knows it: this is
    ``geocoder.description_for_number`` without its second classification of the number."""
    from phonenumbers import geocoder  # its data takes a while to import: on the first place asked, not at start-up

    if pn_type is None:
        pn_type = phonenumbers.number_type(n)
    if pn_type == T.UNKNOWN:
        return None, None
    if n.country_code is not None and phonenumbers.is_number_type_geographical(pn_type, n.country_code):
        text = geocoder.description_for_valid_number(n, "en") or None
    else:
        text = geocoder.country_name_for_number(n, "en") or None
    if text is None:
        return None, None
    if iso in NANP:
        if ", " in text:
            locality, _, region = text.rpartition(", ")
            return locality, region
        return None, REGION_CODES.get(text, text)
    return text, text


def _capabilities(iso: str, number_type: str) -> frozenset[str]:
    """What every number of this country and type can do."""
    return (NANP_CAPS if iso in NANP else WORLD_CAPS).get(number_type, frozenset({"voice"}))


def _address(iso: str, number_type: str) -> str:
    """The address requirement of every number of this country and type."""
    if iso in NANP:
        return NANP_ADDRESS
    return (GB_ADDRESS if iso == "GB" else WORLD_ADDRESS).get(number_type, "any")


def _facts(n: phonenumbers.PhoneNumber, iso: str, number_type: str, pn_type: int | None = None) -> NumberFacts:
    caps = _capabilities(iso, number_type)
    address = _address(iso, number_type)
    return NumberFacts(
        phone_number=phonenumbers.format_number(n, phonenumbers.PhoneNumberFormat.E164),
        iso_country=iso,
        number_type=number_type,
        friendly_name=phonenumbers.format_number(n, phonenumbers.PhoneNumberFormat.NATIONAL),
        capabilities={k: k in caps for k in ("voice", "sms", "mms", "fax")},
        address_requirements=address,
        beta=False,
        parsed=n,
        pn_type=pn_type,
    )


@lru_cache(maxsize=16384)
def _candidate(e164: str) -> NumberFacts | None:
    """The facts of an inventory candidate, or None if it is not a valid number of an offered
    country and type. Remembered: the candidate order is fixed, so provisioning by area code
    walks the same owned numbers again and again, and parsing one costs ~100 µs."""
    n = phonenumbers.parse(e164, None)
    classified = _classify(n)
    return None if classified is None else _facts(n, *classified)


def _classify(n: phonenumbers.PhoneNumber) -> tuple[str, str, int] | None:
    """(country, our type, phonenumbers' type) for a valid number of an offered country and type.

    phonenumbers classifies a number by walking its regions' patterns, and each public call
    walks again: this asks for the region and the type once each. For the number's own region,
    ``is_valid_number`` is exactly ``number_type(n) != UNKNOWN`` (both test the same patterns)."""
    iso = phonenumbers.region_code_for_number(n)
    country = _COUNTRIES.get(iso) if iso is not None else None
    if iso is None or country is None:
        return None
    pn_type = phonenumbers.number_type(n)
    number_type = _FROM_PN.get(pn_type)  # UNKNOWN (an invalid number) maps to None
    if number_type not in country.types:
        return None
    return iso, number_type, pn_type


def facts(e164: str) -> NumberFacts | None:
    """What we know of a valid E.164 number of an offered country and type; None otherwise."""
    try:
        return _candidate(e164)  # remembered: a client usually buys a number it was just offered
    except phonenumbers.NumberParseException:
        return None


# -- filters -------------------------------------------------------------------------------
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


def _contains_ok(pattern: re.Pattern[str] | None, e164: str, country_code_len: int) -> bool:
    """``Contains`` on a candidate string, before any parsing: the whole number, or its national part."""
    if pattern is None:
        return True
    full = e164[1:]
    return bool(pattern.search(full) or (not pattern.pattern.startswith("^") and pattern.search(full[country_code_len:])))


def _possible(country: Country, number_type: str, flt: Filters) -> bool:
    """Whether any number of ``country`` and ``number_type`` can pass the filters that depend on
    nothing else: the type offered, the area code, capabilities and address requirements are
    fixed per country and type, and no number is beta (so ``Beta=false`` excludes nothing)."""
    iso = country.iso
    if number_type not in country.types:
        return False
    if flt.area_code is not None and not (iso in NANP and number_type == "Local" and flt.area_code in _area_codes(iso)):
        return False
    caps = _capabilities(iso, number_type)
    for want, key in ((flt.sms_enabled, "sms"), (flt.mms_enabled, "mms"), (flt.voice_enabled, "voice"), (flt.fax_enabled, "fax")):
        if want is not None and (key in caps) != want:
            return False
    req = _address(iso, number_type)
    return not ((flt.exclude_all_address_required and req != "none") or (flt.exclude_local_address_required and req == "local")
                or (flt.exclude_foreign_address_required and req == "foreign"))


def _matches(f: NumberFacts, flt: Filters, near: NumberFacts | None) -> bool:
    """The filters that depend on the number itself (the rest were decided by `_possible`)."""
    if flt.in_region is not None and (f.region or "").lower() != flt.in_region.lower():
        return False
    if flt.in_locality is not None and (f.locality or "").lower() != flt.in_locality.lower():
        return False
    return near is None or f.iso_country in NANP or (f.locality, f.region) == (near.locality, near.region)


# -- candidates ----------------------------------------------------------------------------
@cache
def _area_codes(iso: str) -> tuple[str, ...]:
    """The NANP area codes of ``iso`` (derived once from phonenumbers)."""
    found = []
    for npa in range(200, 1000):
        n = phonenumbers.parse(f"+1{npa}2345678", None)
        if phonenumbers.is_valid_number(n) and phonenumbers.region_code_for_number(n) == iso \
                and _FROM_PN.get(phonenumbers.number_type(n)) == "Local":
            found.append(str(npa))
    return tuple(found)


@cache
def _area_region(iso: str, npa: str) -> str | None:
    return _describe(phonenumbers.parse(f"+1{npa}2345678", None), iso)[1]


@cache
def _geodata() -> dict[str, list[tuple[str, str]]]:
    """phonenumbers' English place names for digit prefixes, as (prefix, name) pairs by the
    calling code of each offered country: one pass over the geodata, shared by every country."""
    from phonenumbers.geodata import GEOCODE_DATA

    out: dict[str, list[tuple[str, str]]] = {str(phonenumbers.country_code_for_region(iso)): [] for iso in _COUNTRIES}
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
            if prefix[len(cc):len(cc) + 3] not in _area_codes(iso):
                continue
            locality, _, region = text.rpartition(", ") if ", " in text else ("", "", text)
            out[prefix] = (locality or None, REGION_CODES.get(region, region))
        else:
            out[prefix] = (text, text)
    return out


# phonenumbers' types -> the metadata entry that describes their national numbers.
_DESCRIPTIONS = {
    T.FIXED_LINE: "fixed_line", T.FIXED_LINE_OR_MOBILE: "fixed_line", T.MOBILE: "mobile", T.TOLL_FREE: "toll_free",
    T.SHARED_COST: "shared_cost", T.VOIP: "voip", T.UAN: "uan", T.PERSONAL_NUMBER: "personal_number",
}
# The order in which phonenumbers tries those entries: a number is of the first type it matches
# (phonenumberutil._number_type_helper; one matching fixed_line is fixed line, or fixed line or mobile).
_PRECEDENCE = ("premium_rate", "toll_free", "shared_cost", "voip", "personal_number", "pager", "uan", "voicemail",
               "fixed_line", "mobile")


def _either(descs: Iterable[phonenumbers.PhoneNumberDesc | None]) -> Callable[[str], object] | None:
    """One compiled fullmatch for "matches one of these number descriptions" as phonenumbers tests
    it (possible lengths, then the pattern); None when no description can match anything."""
    sources = []
    for desc in descs:
        if desc is None or not desc.national_number_pattern:
            continue
        lengths = [n for n in desc.possible_length or () if n > 0]
        if desc.possible_length and not lengths:
            continue  # possible length -1: no number is of this type
        guard = "(?=" + "|".join(rf"\d{{{n}}}\Z" for n in lengths) + ")" if lengths else ""
        sources.append(f"{guard}(?:{desc.national_number_pattern})")
    return re.compile("|".join(f"(?:{s})" for s in sources)).fullmatch if sources else None


@cache
def _screen(iso: str, number_type: str) -> Callable[[str], bool]:
    """A test of national digits, tens of times cheaper than parsing, that every valid number of
    this country and type passes: they match the type's description in ``iso``'s metadata, and
    none that phonenumbers tries before it. Digits that start with a national prefix pass
    untested, since parsing may strip one: the screen only spares phonenumbers the candidates it
    would refuse anyway."""
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(iso)
    assert metadata is not None  # every offered country has metadata
    wanted = {_DESCRIPTIONS[t] for t in _TO_PN[number_type]}
    if metadata.same_mobile_and_fixed_line_pattern:
        wanted.discard("mobile")  # such a number is "fixed line or mobile", never MOBILE
    first = min((_PRECEDENCE.index(name) for name in wanted), default=0)
    mine = _either(getattr(metadata, name) for name in wanted)
    general = _either([metadata.general_desc])
    shadow = _either(getattr(metadata, name) for name in _PRECEDENCE[:first])
    prefix = metadata.national_prefix_for_parsing
    strippable = re.compile(prefix).match if prefix else None

    def screen(nsn: str) -> bool:
        if strippable is not None and strippable(nsn):
            return True
        return mine is not None and general is not None and mine(nsn) is not None and general(nsn) is not None \
            and (shadow is None or shadow(nsn) is None)

    return screen


class _Seed(NamedTuple):
    """Candidates are ``prefix`` filled with digits up to ``total`` digits (country code included).
    Every number of the seed begins with the first ``fixed`` digits of ``prefix``; the rest of the
    prefix is a starting point only, which an anchored ``Contains`` may overwrite."""

    prefix: str
    total: int
    fixed: int


@cache
def _area_seeds(iso: str) -> dict[str, _Seed]:
    """A seed per NANP area code of ``iso``, in area code order."""
    return {a: _Seed(f"1{a}", 11, 4) for a in _area_codes(iso)}


_SAMPLE = range(0, MAX_EXAMINED, MAX_EXAMINED // 64)  # fill indexes spread over a whole walk


@cache
def _example_seed(iso: str, pn_type: int, number_type: str) -> _Seed | None:
    """The seed from phonenumbers' example number of ``pn_type``: the example's leading digits,
    leaving 6 digits free, or fewer (never under 4) while under half the fills pass `_screen`."""
    example = phonenumbers.example_number_for_type(iso, pn_type)
    if example is None:
        return None
    cc, nsn = str(example.country_code), phonenumbers.national_significant_number(example)
    total, screen = len(cc) + len(nsn), _screen(iso, number_type)
    keep = max(len(nsn) - 6, 1)
    while keep < len(nsn) - 4 and 2 * sum(screen(_fill(cc + nsn[:keep], total, j)[len(cc):]) for j in _SAMPLE) < len(_SAMPLE):
        keep += 1
    return _Seed(cc + nsn[:keep], total, len(cc))


def _prefixes(iso: str, number_type: str, flt: Filters, near: NumberFacts | None) -> list[_Seed]:
    """The seeds to fill, in the order a search walks them round-robin."""
    if iso in NANP and number_type == "Local":
        if flt.area_code is not None:
            areas: Sequence[str] = (flt.area_code,)
        elif flt.near_number is not None and flt.near_number.country_code == 1:
            areas = (phonenumbers.national_significant_number(flt.near_number)[:3],)
        else:
            areas = _area_codes(iso)
            if flt.in_region is not None:
                areas = [a for a in areas if (_area_region(iso, a) or "").lower() == flt.in_region.lower()]
        own = _area_seeds(iso)  # a NearNumber may be in another NANP country, or toll-free
        if flt.in_locality is None:
            return [own[a] for a in areas if a in own]
        wanted = own.keys() & set(areas)
        return [_Seed(p, 11, len(p)) for p in _places(iso)[0].get(flt.in_locality.lower(), ()) if p[1:4] in wanted]
    found: list[_Seed] = []
    for pn_type in _TO_PN[number_type]:
        seed = _example_seed(iso, pn_type, number_type)
        if seed is None:
            continue
        if number_type == "Local" and (flt.in_locality or flt.in_region or near is not None):
            found += [_Seed(p, seed.total, len(p)) for p in _place_prefixes(iso, flt, near) if len(p) < seed.total - 3]
        else:
            found.append(seed)
    return found


@cache
def _places(iso: str) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """The geocoded prefixes of ``iso`` in order, by lower-cased locality and by lower-cased region."""
    by_locality: dict[str, list[str]] = {}
    by_region: dict[str, list[str]] = {}
    for p, (loc, region) in sorted(_geo_prefixes(iso).items()):
        by_locality.setdefault((loc or "").lower(), []).append(p)
        by_region.setdefault((region or "").lower(), []).append(p)
    return by_locality, by_region


def _place_prefixes(iso: str, flt: Filters, near: NumberFacts | None) -> list[str]:
    """The geocoded prefixes, in order, of the place that InLocality, InRegion and NearNumber name."""
    by_locality, by_region = _places(iso)
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


def _fits(seed: _Seed, contains: str | None) -> bool:
    """Whether ``contains`` (from `_raw_pattern`) can be written into the numbers of ``seed``:
    anchored, it must agree with the fixed digits; otherwise it must fit in the free ones."""
    if contains is None:
        return True
    if contains.startswith("^"):
        body = contains[1:]
        return len(body) <= seed.total and all(p in ("*", d) for p, d in zip(body, seed.prefix[:seed.fixed]))
    return len(contains) <= seed.total - len(seed.prefix)


def _candidates(seeds: list[_Seed], contains: str | None) -> Iterator[str]:
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


def _raw_pattern(pattern: re.Pattern[str] | None) -> str | None:
    """The Contains pattern as digits and ``*`` (``^`` first when anchored at the country code)."""
    return None if pattern is None else pattern.pattern.replace("[0-9]", "*")


@lru_cache(maxsize=16384)
def _offered(e164: str, iso: str, number_type: str, cc_len: int) -> tuple[NumberFacts | None, int]:
    """A candidate's facts if it is a valid number of ``iso`` and ``number_type`` (else None), and
    what refusing it costs the budget: SCREENED_OUT when `_screen` rules it out, else PARSED_OUT.
    Remembered, so a search asked again costs one lookup per candidate."""
    if not _screen(iso, number_type)(e164[1 + cc_len:]):
        return None, SCREENED_OUT
    f = facts(e164)
    return (f if f is not None and f.iso_country == iso and f.number_type == number_type else None), PARSED_OUT


def _matching(
    candidates: Iterator[str], country: Country, number_type: str, flt: Filters, near: NumberFacts | None
) -> Iterator[NumberFacts]:
    """The candidates that are valid numbers of the country and type and pass the filters, in order,
    until MAX_EXAMINED candidates are walked or the waste budget is spent (see `search`)."""
    cc_len = len(str(phonenumbers.country_code_for_region(country.iso)))
    seen: set[str] = set()
    waste, allowance = 0, WASTE_BUDGET
    for examined, e164 in enumerate(candidates, 1):
        if examined > MAX_EXAMINED or waste > allowance:
            return
        if e164 in seen or not _contains_ok(flt.contains, e164, cc_len):
            waste += SCREENED_OUT
            continue
        seen.add(e164)
        f, cost = _offered(e164, country.iso, number_type, cc_len)
        if f is None or not _matches(f, flt, near):
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
    if not _possible(country, number_type, filters):
        return []
    near = None
    if filters.near_number is not None:
        near_iso = phonenumbers.region_code_for_number(filters.near_number)
        near = _facts(filters.near_number, near_iso, "Local") if near_iso else None
    candidates = _candidates(_prefixes(country.iso, number_type, filters, near), _raw_pattern(filters.contains))
    found: list[NumberFacts] = []
    batch: list[NumberFacts] = []
    batch_size = max(limit, 20)  # candidates per ownership query
    for f in _matching(candidates, country, number_type, filters, near):
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
        if area_code in _area_codes(iso):
            found = search(_COUNTRIES[iso], "Local", Filters(area_code=area_code), is_taken, 1)
            return found[0] if found else None
    return None

"""The AvailablePhoneNumbers inventory: deterministic, valid per ``phonenumbers``, never owned.

Candidates are generated from phonenumbers' own example number for each country and type:
its leading digits are kept and the rest walk a fixed permutation, so the same query over
the same owned numbers always answers the same list. North American numbers walk the
country's area codes instead, so ``AreaCode`` and ``InRegion`` are served directly. Each
candidate must be valid and of the right type; ``is_taken`` removes numbers any account owns.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, cached_property, lru_cache

import phonenumbers
from phonenumbers import PhoneNumberType as T
from phonenumbers import geocoder

from numberpool.domain.errors import TwilioError, invalid_parameter
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
MAX_EXAMINED = 20_000  # a search that cannot match gives up after this many candidates
_UNSUPPORTED = ("InPostalCode", "InRateCenter", "InLata", "NearLatLong")


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
    if pn_type is None:
        pn_type = phonenumbers.number_type(n)
    if pn_type == T.UNKNOWN:
        return None, None
    if phonenumbers.is_number_type_geographical(pn_type, n.country_code):
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


def _facts(n: phonenumbers.PhoneNumber, iso: str, number_type: str, pn_type: int | None = None) -> NumberFacts:
    nanp = iso in NANP
    caps = (NANP_CAPS if nanp else WORLD_CAPS).get(number_type, frozenset({"voice"}))
    address = NANP_ADDRESS if nanp else (GB_ADDRESS if iso == "GB" else WORLD_ADDRESS).get(number_type, "any")
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
    country = _COUNTRIES.get(iso)  # type: ignore[arg-type]
    if country is None:
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
def _bool(params: Mapping[str, str], name: str) -> bool | None:
    raw = params.get(name)
    if raw is None:
        return None
    lowered = raw.lower()
    if lowered not in ("true", "false"):
        raise invalid_parameter(name, f"{raw!r} is not a boolean (true or false)")
    return lowered == "true"


def _contains(raw: str) -> re.Pattern[str]:
    body = raw.removeprefix("+")
    if len(body) < 2 or not all(c.isdigit() or c == "*" or ("A" <= c.upper() <= "Z") for c in body):
        raise invalid_parameter("Contains", f"{raw!r} must be at least two digits, letters or * (any one digit)")
    digits = "".join(KEYPAD.get(c.upper(), c) if c.isalpha() else c for c in body)
    pattern = digits.replace("*", "[0-9]")
    return re.compile(("^" if raw.startswith("+") else "") + pattern)


def parse_filters(params: Mapping[str, str], country: Country) -> Filters:
    """Validate the search parameters; each bad one is a 400 that names it."""
    for name in _UNSUPPORTED:
        if name in params:
            raise TwilioError(20001, 400, f"{name} is not supported by this server: phonenumbers has no postal-code, "
                                          "rate-center, LATA or coordinate data")
    area = params.get("AreaCode")
    if area is not None:
        if not (len(area) == 3 and area.isdigit()):
            raise TwilioError(21451, 400, f"AreaCode {area!r} is invalid: three digits are required")
        if country.iso not in NANP:
            raise TwilioError(21451, 400, f"AreaCode applies only to US and Canadian numbers, not {country.iso}")
    near = None
    if params.get("NearNumber"):
        try:
            near = phonenumbers.parse(params["NearNumber"], country.iso)
        except phonenumbers.NumberParseException:
            near = None
        if near is None or not phonenumbers.is_valid_number(near):
            raise TwilioError(21421, 400, f"NearNumber {params['NearNumber']!r} is not a valid phone number")
    distance = None
    if params.get("Distance") is not None:
        raw = params["Distance"]
        if not raw.isdigit() or int(raw) > 500:
            raise invalid_parameter("Distance", f"{raw!r} must be an integer from 0 to 500 (miles)")
        distance = int(raw)
    beta = _bool(params, "Beta")
    return Filters(
        area_code=area,
        contains=_contains(params["Contains"]) if params.get("Contains") is not None else None,
        sms_enabled=_bool(params, "SmsEnabled"),
        mms_enabled=_bool(params, "MmsEnabled"),
        voice_enabled=_bool(params, "VoiceEnabled"),
        fax_enabled=_bool(params, "FaxEnabled"),
        exclude_all_address_required=bool(_bool(params, "ExcludeAllAddressRequired")),
        exclude_local_address_required=bool(_bool(params, "ExcludeLocalAddressRequired")),
        exclude_foreign_address_required=bool(_bool(params, "ExcludeForeignAddressRequired")),
        beta=True if beta is None else beta,
        near_number=near,
        in_region=params.get("InRegion") or None,
        in_locality=params.get("InLocality") or None,
        distance=distance,
    )


def _contains_ok(pattern: re.Pattern[str] | None, e164: str, country_code_len: int) -> bool:
    """``Contains`` on a candidate string, before any parsing: the whole number, or its national part."""
    if pattern is None:
        return True
    full = e164[1:]
    return bool(pattern.search(full) or (not pattern.pattern.startswith("^") and pattern.search(full[country_code_len:])))


def _matches(f: NumberFacts, flt: Filters, near: NumberFacts | None) -> bool:
    caps = f.capabilities
    for want, key in ((flt.sms_enabled, "sms"), (flt.mms_enabled, "mms"), (flt.voice_enabled, "voice"), (flt.fax_enabled, "fax")):
        if want is not None and caps[key] != want:
            return False
    req = f.address_requirements
    if (flt.exclude_all_address_required and req != "none") or (flt.exclude_local_address_required and req == "local") \
            or (flt.exclude_foreign_address_required and req == "foreign"):
        return False
    if not flt.beta and f.beta:
        return False
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
def _geo_prefixes(iso: str) -> dict[str, tuple[str | None, str | None]]:
    """Every geocoded digit prefix of ``iso`` -> (locality, region), from phonenumbers' geodata."""
    from phonenumbers.geodata import GEOCODE_DATA

    cc = str(phonenumbers.country_code_for_region(iso))
    out: dict[str, tuple[str | None, str | None]] = {}
    for prefix, names in GEOCODE_DATA.items():
        if prefix.startswith(cc) and len(prefix) > len(cc) and "en" in names:
            text = names["en"]
            if iso in NANP:
                if prefix[len(cc):len(cc) + 3] not in _area_codes(iso):
                    continue
                locality, _, region = text.rpartition(", ") if ", " in text else ("", "", text)
                out[prefix] = (locality or None, REGION_CODES.get(region, region))
            else:
                out[prefix] = (text, text)
    return out


def _prefixes(iso: str, number_type: str, flt: Filters, near: NumberFacts | None) -> list[tuple[str, int]]:
    """Digit prefixes (country code included) to fill, each with its full digit count."""
    if iso in NANP and number_type == "Local":
        if flt.area_code is not None:
            areas: Sequence[str] = (flt.area_code,)
        elif flt.near_number is not None and flt.near_number.country_code == 1:
            areas = (phonenumbers.national_significant_number(flt.near_number)[:3],)
        else:
            areas = _area_codes(iso)
            if flt.in_region is not None:
                areas = [a for a in areas if (_area_region(iso, a) or "").lower() == flt.in_region.lower()]
        if flt.in_locality is None:
            return [(f"1{a}", 11) for a in areas]
        wanted = set(areas)
        return sorted((p, 11) for p, (loc, _) in _geo_prefixes(iso).items()
                      if p[1:4] in wanted and (loc or "").lower() == flt.in_locality.lower())
    found: list[tuple[str, int]] = []
    for pn_type in _TO_PN[number_type]:
        example = phonenumbers.example_number_for_type(iso, pn_type)
        if example is None:
            continue
        cc, nsn = str(example.country_code), phonenumbers.national_significant_number(example)
        total = len(cc) + len(nsn)
        if number_type == "Local" and (flt.in_locality or flt.in_region or near is not None):
            for p, (loc, region) in sorted(_geo_prefixes(iso).items()):
                if len(p) >= total - 3:
                    continue
                if flt.in_locality is not None and (loc or "").lower() != flt.in_locality.lower():
                    continue
                if flt.in_region is not None and (region or "").lower() != flt.in_region.lower():
                    continue
                if near is not None and (loc, region) != (near.locality, near.region):
                    continue
                found.append((p, total))
        else:
            found.append((cc + nsn[: max(len(nsn) - 6, 1)], total))
    return found


def _fill(prefix: str, total: int, j: int) -> str:
    width = total - len(prefix)
    return prefix + f"{(j * 7919 + 1234) % (10 ** width):0{width}d}"


def _overlay(digits: str, pattern: str, start: int) -> Iterator[str]:
    """``digits`` with ``pattern`` (``*`` keeps the digit) written at each offset from ``start``."""
    for off in range(start, len(digits) - len(pattern) + 1):
        yield digits[:off] + "".join(d if p == "*" else p for p, d in zip(pattern, digits[off:off + len(pattern)])) \
            + digits[off + len(pattern):]


def _candidates(prefixes: list[tuple[str, int]], contains: str | None) -> Iterator[str]:
    """Round-robin over the prefixes, so a first page spreads over area codes and localities;
    with ``Contains``, the pattern is written into the free digits of each candidate."""
    if not prefixes:
        return
    rounds = max(1, MAX_EXAMINED // len(prefixes))
    emitted: set[str] = set()
    for j in range(rounds):
        for k, (prefix, total) in enumerate(prefixes):
            digits = _fill(prefix, total, j * len(prefixes) + k)
            if contains is None:
                variants: Iterator[str] = iter((digits,))
            elif contains.startswith("^"):
                variants = iter(list(_overlay(digits, contains[1:], 0))[:1])
            else:
                variants = _overlay(digits, contains, len(prefix))
            for variant in variants:
                if variant not in emitted:
                    emitted.add(variant)
                    yield "+" + variant


def _raw_pattern(pattern: re.Pattern[str] | None) -> str | None:
    """The Contains pattern as digits and ``*`` (``^`` first when anchored at the country code)."""
    return None if pattern is None else pattern.pattern.replace("[0-9]", "*")


def search(
    country: Country, number_type: str, filters: Filters, is_taken: Callable[[Sequence[str]], set[str]], limit: int
) -> list[NumberFacts]:
    """Up to ``limit`` available numbers matching every filter, in a fixed order."""
    if number_type not in country.types:
        return []
    if filters.area_code is not None and not (country.iso in NANP and number_type == "Local"):
        return []
    near = None
    if filters.near_number is not None:
        near_iso = phonenumbers.region_code_for_number(filters.near_number)
        near = _facts(filters.near_number, near_iso, "Local") if near_iso else None
    candidates = _candidates(_prefixes(country.iso, number_type, filters, near), _raw_pattern(filters.contains))
    cc_len = len(str(phonenumbers.country_code_for_region(country.iso)))
    found: list[NumberFacts] = []
    batch: list[NumberFacts] = []
    seen = 0
    batch_size = max(limit, 20)  # candidates per ownership query
    for e164 in candidates:
        seen += 1
        if seen > MAX_EXAMINED:
            break
        if not _contains_ok(filters.contains, e164, cc_len):
            continue
        f = _candidate(e164)
        if f is None or f.iso_country != country.iso or f.number_type != number_type or not _matches(f, filters, near):
            continue
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

"""The parameters of an AvailablePhoneNumbers search, read into the domain's ``Filters``."""

from __future__ import annotations

import re
from collections.abc import Mapping

import phonenumbers

from numberpool.domain import errors
from numberpool.domain.errors import invalid_parameter, shown
from numberpool.domain.inventory.countries import Country
from numberpool.domain.inventory.filters import MAX_CONTAINS, Filters, area_code, contains_pattern
from numberpool.products import params as p

# phonenumbers has no postal-code, rate-center, LATA or coordinate data: refused, not ignored.
UNSUPPORTED = ("InPostalCode", "InRateCenter", "InLata", "NearLatLong")
ECHO = (
    "AreaCode", "Contains", "SmsEnabled", "MmsEnabled", "VoiceEnabled", "FaxEnabled",
    "ExcludeAllAddressRequired", "ExcludeLocalAddressRequired", "ExcludeForeignAddressRequired", "Beta",
    "NearNumber", "NearLatLong", "Distance", "InPostalCode", "InRegion", "InRateCenter", "InLata", "InLocality",
)
_CONTAINS = re.compile(rf"\+?[0-9A-Za-z*]{{2,{MAX_CONTAINS}}}")


def _bool(params: Mapping[str, str], name: str) -> bool | None:
    raw = params.get(name)
    return None if raw is None else p.boolean(name, raw)


def _contains(raw: str) -> re.Pattern[str]:
    if _CONTAINS.fullmatch(raw) is None:
        raise invalid_parameter("Contains", f"{shown(raw)} must be 2 to {MAX_CONTAINS} digits, letters or * "
                                            "(any one digit), after an optional +")
    return contains_pattern(raw)


def _near_number(raw: str | None, country: Country) -> phonenumbers.PhoneNumber | None:
    if not raw:
        return None
    try:
        near = phonenumbers.parse(raw, country.iso)
    except phonenumbers.NumberParseException:
        near = None
    if near is None or not phonenumbers.is_valid_number(near):
        raise errors.invalid_phone_number("NearNumber", shown(raw))
    return near


def _distance(raw: str | None) -> int | None:
    if raw is None:
        return None
    digits = raw.lstrip("0") or "0"
    if not (raw.isascii() and raw.isdigit() and len(digits) <= 3 and int(digits) <= 500):
        raise invalid_parameter("Distance", f"{shown(raw)} must be an integer from 0 to 500 (miles)")
    return int(digits)


def filters(params: Mapping[str, str], country: Country) -> Filters:
    """Validate the search parameters; each bad one is a 400 that names it."""
    for name in UNSUPPORTED:
        if name in params:
            raise errors.unsupported_search_filter(name)
    beta = _bool(params, "Beta")
    return Filters(
        area_code=area_code(params["AreaCode"], country.iso) if params.get("AreaCode") is not None else None,
        contains=_contains(params["Contains"]) if params.get("Contains") is not None else None,
        sms_enabled=_bool(params, "SmsEnabled"),
        mms_enabled=_bool(params, "MmsEnabled"),
        voice_enabled=_bool(params, "VoiceEnabled"),
        fax_enabled=_bool(params, "FaxEnabled"),
        exclude_all_address_required=bool(_bool(params, "ExcludeAllAddressRequired")),
        exclude_local_address_required=bool(_bool(params, "ExcludeLocalAddressRequired")),
        exclude_foreign_address_required=bool(_bool(params, "ExcludeForeignAddressRequired")),
        beta=True if beta is None else beta,
        near_number=_near_number(params.get("NearNumber"), country),
        in_region=params.get("InRegion") or None,
        in_locality=params.get("InLocality") or None,
        distance=_distance(params.get("Distance")),
    )

"""The countries the inventory offers, their number types, and what is fixed per country and type.

A number's type is one of Twilio's seven (``NUMBER_TYPES``), mapped from phonenumbers' own
classification; capabilities and address requirements depend only on the country and the type.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import phonenumbers
from phonenumbers import PhoneNumberType as T

from numberpool.domain.inventory.data import (
    COUNTRY_NAMES,
    COUNTRY_TYPES,
    GB_ADDRESS,
    NANP_ADDRESS,
    NANP_CAPS,
    WORLD_ADDRESS,
    WORLD_CAPS,
)

NUMBER_TYPES: tuple[str, ...] = ("Local", "TollFree", "Mobile", "National", "Voip", "SharedCost", "MachineToMachine")
TYPE_KEYS: dict[str, str] = {
    "Local": "local", "TollFree": "toll_free", "Mobile": "mobile", "National": "national", "Voip": "voip",
    "SharedCost": "shared_cost", "MachineToMachine": "machine_to_machine",
}
# phonenumbers' types -> ours, and ours -> the phonenumbers types that make it.
FROM_PN = {
    T.FIXED_LINE: "Local", T.FIXED_LINE_OR_MOBILE: "Local", T.MOBILE: "Mobile", T.TOLL_FREE: "TollFree",
    T.SHARED_COST: "SharedCost", T.VOIP: "Voip", T.UAN: "National", T.PERSONAL_NUMBER: "National",
}
TO_PN = {ours: [t for t, o in FROM_PN.items() if o == ours] for ours in set(FROM_PN.values())}
NANP = ("US", "CA")


@dataclass(frozen=True)
class Country:
    iso: str
    name: str
    beta: bool
    types: tuple[str, ...]


COUNTRIES: dict[str, Country] = {
    iso: Country(iso, COUNTRY_NAMES[iso], False, types) for iso, types in COUNTRY_TYPES.items()
}


def countries() -> list[Country]:
    return [COUNTRIES[iso] for iso in sorted(COUNTRIES)]


def country(iso: str) -> Country | None:
    return COUNTRIES.get(iso.upper())


def capabilities(iso: str, number_type: str) -> frozenset[str]:
    """What every number of this country and type can do."""
    return (NANP_CAPS if iso in NANP else WORLD_CAPS).get(number_type, frozenset({"voice"}))


def address(iso: str, number_type: str) -> str:
    """The address requirement of every number of this country and type."""
    if iso in NANP:
        return NANP_ADDRESS
    return (GB_ADDRESS if iso == "GB" else WORLD_ADDRESS).get(number_type, "any")


@cache
def area_codes(iso: str) -> tuple[str, ...]:
    """The NANP area codes of ``iso`` (derived once from phonenumbers)."""
    found = []
    for npa in range(200, 1000):
        n = phonenumbers.parse(f"+1{npa}2345678", None)
        if phonenumbers.is_valid_number(n) and phonenumbers.region_code_for_number(n) == iso \
                and FROM_PN.get(phonenumbers.number_type(n)) == "Local":
            found.append(str(npa))
    return tuple(found)

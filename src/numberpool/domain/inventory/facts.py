"""What the inventory knows of one number: its type, capabilities, address requirement and place."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property, lru_cache

import phonenumbers
from phonenumbers import PhoneNumberType as T

from numberpool.domain.inventory.countries import COUNTRIES, FROM_PN, NANP, address, capabilities
from numberpool.domain.inventory.data import REGION_CODES


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
        return (None, None) if self.parsed is None else describe(self.parsed, self.iso_country, self.pn_type)

    @property
    def locality(self) -> str | None:
        return self.place[0]

    @property
    def region(self) -> str | None:
        return self.place[1]


def describe(n: phonenumbers.PhoneNumber, iso: str, pn_type: int | None = None) -> tuple[str | None, str | None]:
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


def number_facts(n: phonenumbers.PhoneNumber, iso: str, number_type: str, pn_type: int | None = None) -> NumberFacts:
    """The facts of ``n``, known to be a number of ``iso`` and ``number_type``."""
    caps = capabilities(iso, number_type)
    requirement = address(iso, number_type)
    return NumberFacts(
        phone_number=phonenumbers.format_number(n, phonenumbers.PhoneNumberFormat.E164),
        iso_country=iso,
        number_type=number_type,
        friendly_name=phonenumbers.format_number(n, phonenumbers.PhoneNumberFormat.NATIONAL),
        capabilities={k: k in caps for k in ("voice", "sms", "mms", "fax")},
        address_requirements=requirement,
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
    return None if classified is None else number_facts(n, *classified)


def _classify(n: phonenumbers.PhoneNumber) -> tuple[str, str, int] | None:
    """(country, our type, phonenumbers' type) for a valid number of an offered country and type.

    phonenumbers classifies a number by walking its regions' patterns, and each public call
    walks again: this asks for the region and the type once each. For the number's own region,
    ``is_valid_number`` is exactly ``number_type(n) != UNKNOWN`` (both test the same patterns)."""
    iso = phonenumbers.region_code_for_number(n)
    country = COUNTRIES.get(iso) if iso is not None else None
    if iso is None or country is None:
        return None
    pn_type = phonenumbers.number_type(n)
    number_type = FROM_PN.get(pn_type)  # UNKNOWN (an invalid number) maps to None
    if number_type not in country.types:
        return None
    return iso, number_type, pn_type


def facts(e164: str) -> NumberFacts | None:
    """What we know of a valid E.164 number of an offered country and type; None otherwise."""
    try:
        return _candidate(e164)  # remembered: a client usually buys a number it was just offered
    except phonenumbers.NumberParseException:
        return None

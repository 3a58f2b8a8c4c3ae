"""Phone numbers a client names: E.164 validation and Twilio's test-credential numbers."""

from __future__ import annotations

import re

import phonenumbers

from numberpool.domain import errors
from numberpool.domain.errors import TwilioError
from numberpool.domain.inventory.facts import NumberFacts, facts

_E164 = re.compile(r"^\+[1-9][0-9]{1,14}$")
_PLUS_AS_SPACE = re.compile(r"^ [0-9]")

# Twilio's documented magic inputs (WIRE.md, "Test-credential numbers").
MAGIC_AVAILABLE = "+15005550006"
MAGIC_UNAVAILABLE = "+15005550000"
MAGIC_INVALID = "+15005550001"
MAGIC_AREA_CODE_OK = "500"
MAGIC_AREA_CODE_NONE = "533"


def invalid_number(raw: str, name: str = "PhoneNumber") -> TwilioError:
    hint = ""
    if _PLUS_AS_SPACE.match(raw):  # form encoding turned an unencoded '+' into a space
        hint = f"; the leading '+' arrived as a space: URL-encode it as %2B (curl: --data-urlencode '{name}=+...')"
    return errors.invalid_phone_number(name, raw, hint)


def is_e164(raw: str) -> bool:
    """``+`` and 2 to 15 digits, the first not 0."""
    return _E164.match(raw) is not None


def possible(raw: str) -> bool:
    """An E.164 number of a known country code and a possible length for it (phonenumbers'
    ``is_possible_number``: a fictional 555 number passes, as test authors use them; a number too
    short or too long for its country does not): a message's or a call's recipient."""
    if not is_e164(raw):
        return False
    if len(raw) == 12 and raw[1] == "1":  # +1 and ten digits: North America's one possible length (the common case,
        return True  # without a parse; tests/unit/test_phone.py checks it against phonenumbers)
    try:
        return phonenumbers.is_possible_number(phonenumbers.parse(raw, None))
    except phonenumbers.NumberParseException:
        return False


def shown(e164: str) -> str:
    """A number as Twilio shows a call's ``to_formatted``: national format for North America,
    international elsewhere."""
    try:
        parsed = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    if parsed.country_code == 1:
        return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def national_format(e164: str) -> str:
    """The default friendly name: ``(415) 867-5309`` for NANP, the national format elsewhere."""
    try:
        parsed = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)


def _magic_facts(e164: str) -> NumberFacts:
    return NumberFacts(
        phone_number=e164, iso_country="US", number_type="Local", friendly_name=national_format(e164),
        capabilities={"voice": True, "sms": True, "mms": True, "fax": True},
        address_requirements="none", beta=False,
    )


def provisionable(raw: str) -> NumberFacts:
    """Facts for a number a client asks to provision, or the Twilio error it earns."""
    if not _E164.match(raw):
        raise invalid_number(raw)
    if raw == MAGIC_AVAILABLE:
        return _magic_facts(raw)
    if raw == MAGIC_UNAVAILABLE:
        raise errors.number_unavailable(raw)
    if raw == MAGIC_INVALID:
        raise invalid_number(raw)
    found = facts(raw)
    if found is not None:
        return found
    try:
        valid = phonenumbers.is_valid_number(phonenumbers.parse(raw, None))
    except phonenumbers.NumberParseException:
        valid = False
    if valid:  # a real number, but not in a country this server offers
        raise errors.number_unavailable(raw)
    raise invalid_number(raw)


def magic_area_code_number() -> NumberFacts:
    return _magic_facts(MAGIC_AVAILABLE)

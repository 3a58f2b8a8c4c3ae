"""The parameters the 2010-04-01 resources take, and the list filters they answer."""

from __future__ import annotations

import re
from collections.abc import Mapping

from numberpool.domain.accounts import STATUSES
from numberpool.domain.errors import invalid_parameter
from numberpool.products import params as p
from numberpool.store.numbers import NumberFilter

ACCOUNT_CREATE = p.Form(p.params(FriendlyName=p.text(64)))
ACCOUNT_UPDATE = p.Form(p.params(FriendlyName=p.text(64), Status=p.enum(*STATUSES)))
ACCOUNT_LIST = ACCOUNT_UPDATE

NUMBER_CONFIG = p.Form(p.params(
    ApiVersion=p.enum("2010-04-01", "2008-08-01"), FriendlyName=p.text(64),
    SmsUrl=p.url, SmsMethod=p.method, SmsFallbackUrl=p.url, SmsFallbackMethod=p.method, SmsApplicationSid=p.sid("AP"),
    VoiceUrl=p.url, VoiceMethod=p.method, VoiceFallbackUrl=p.url, VoiceFallbackMethod=p.method,
    VoiceApplicationSid=p.sid("AP"), VoiceCallerIdLookup=p.boolean, VoiceReceiveMode=p.enum("voice", "fax"),
    StatusCallback=p.url, StatusCallbackMethod=p.method, TrunkSid=p.sid("TK"),
    EmergencyStatus=p.enum("Active", "Inactive"), EmergencyAddressSid=p.sid("AD"),
    IdentitySid=p.sid("RI"), AddressSid=p.sid("AD"), BundleSid=p.sid("BU"),
))
MOVE_TO = p.Form(p.params(AccountSid=p.sid("AC")))
NUMBER_LIST = p.Form(p.params(Beta=p.boolean, FriendlyName=p.text(4000), Origin=p.enum("twilio", "hosted")))
NUMBER_LIST_ECHO = ("FriendlyName", "Beta", "PhoneNumber", "Origin")

_PATTERN_STRIP = re.compile(r"[\s().-]")
_PATTERN_OK = re.compile(r"^\+?[0-9*]+$")


def phone_number_pattern(raw: str) -> str:
    """The ``PhoneNumber`` list filter as a LIKE pattern: partial match, ``*`` is any one digit."""
    cleaned = _PATTERN_STRIP.sub("", raw)
    if not _PATTERN_OK.match(cleaned):
        raise invalid_parameter("PhoneNumber", f"{raw!r} is not a phone number pattern (digits, an optional leading +, and * for any digit)")
    return "%" + cleaned.replace("*", "_") + "%"


def number_filter(query: Mapping[str, str], number_type: str | None) -> NumberFilter:
    values = NUMBER_LIST.parse(query)
    raw = query.get("PhoneNumber")
    return NumberFilter(number_type, values.get("beta"), values.get("friendly_name"),
                        phone_number_pattern(raw) if raw else None, values.get("origin"))

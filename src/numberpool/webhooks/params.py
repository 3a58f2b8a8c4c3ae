"""The parameters Twilio sends to a webhook for an inbound message or call (INBOUND.md, "The
request Twilio sends"), in the order Twilio's own requests list them.

Location fields come from ``phonenumbers``' geocoder: ``FromCity``/``FromState`` where its
description of the number reads "City, ST" (North America) or names a place other than the
country, ``FromCountry`` from the number's region. ``FromZip`` is always empty: phonenumbers has
no postal codes. A field Twilio would send empty when it cannot place a number is sent empty here.
"""

from __future__ import annotations

import math
import mimetypes
import time
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import phonenumbers

Params = list[tuple[str, str]]

_GSM = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM_EXTENDED = set("^{}\\[~]|€\f")


# phonenumbers describes some North American numbers by their state or province alone.
_NANP_REGIONS = dict(pair.split("=") for pair in (
    "Alabama=AL", "Alaska=AK", "Arizona=AZ", "Arkansas=AR", "California=CA", "Colorado=CO", "Connecticut=CT",
    "Delaware=DE", "Florida=FL", "Georgia=GA", "Hawaii=HI", "Idaho=ID", "Illinois=IL", "Indiana=IN", "Iowa=IA",
    "Kansas=KS", "Kentucky=KY", "Louisiana=LA", "Maine=ME", "Maryland=MD", "Massachusetts=MA", "Michigan=MI",
    "Minnesota=MN", "Mississippi=MS", "Missouri=MO", "Montana=MT", "Nebraska=NE", "Nevada=NV", "New Hampshire=NH",
    "New Jersey=NJ", "New Mexico=NM", "New York=NY", "North Carolina=NC", "North Dakota=ND", "Ohio=OH",
    "Oklahoma=OK", "Oregon=OR", "Pennsylvania=PA", "Rhode Island=RI", "South Carolina=SC", "South Dakota=SD",
    "Tennessee=TN", "Texas=TX", "Utah=UT", "Vermont=VT", "Virginia=VA", "Washington=WA", "West Virginia=WV",
    "Wisconsin=WI", "Wyoming=WY", "Washington D.C.=DC", "Puerto Rico=PR", "Alberta=AB", "British Columbia=BC",
    "Manitoba=MB", "New Brunswick=NB", "Newfoundland and Labrador=NL", "Nova Scotia=NS", "Ontario=ON",
    "Prince Edward Island=PE", "Quebec=QC", "Saskatchewan=SK", "Northwest Territories=NT", "Nunavut=NU", "Yukon=YT",
))


@lru_cache(maxsize=4096)
def location(number: str) -> tuple[str, str, str, str]:
    """``(city, state, zip, country)`` of a caller id, each empty when unknown."""
    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        return "", "", "", ""
    from phonenumbers import geocoder  # its data takes a while to import: not at start-up

    country = phonenumbers.region_code_for_number(parsed) or phonenumbers.region_code_for_country_code(parsed.country_code or 0)
    country = "" if country in ("ZZ", "001") else country
    place = geocoder.description_for_number(parsed, "en")
    city, sep, state = place.rpartition(", ")
    if sep and len(state) == 2 and state.isupper():
        return city, state, "", country
    if parsed.country_code == 1 and place in _NANP_REGIONS:
        return "", _NANP_REGIONS[place], "", country
    if place and place != geocoder.country_name_for_number(parsed, "en"):
        return place, "", "", country
    return "", "", "", country


def segments(body: str) -> int:
    """How many SMS segments ``body`` takes: GSM-7 (160, or 153 a part) when every character is in
    the GSM alphabet, UCS-2 (70, or 67 a part) otherwise; an empty body is one segment."""
    if all(ch in _GSM or ch in _GSM_EXTENDED for ch in body):
        units, single, part = sum(2 if ch in _GSM_EXTENDED else 1 for ch in body), 160, 153
    else:
        units, single, part = len(body.encode("utf-16-le")) // 2, 70, 67
    return 1 if units <= single else math.ceil(units / part)


def _places(prefix: str, number: str) -> Params:
    city, state, zip_code, country = location(number)
    return [(f"{prefix}City", city), (f"{prefix}State", state), (f"{prefix}Zip", zip_code), (f"{prefix}Country", country)]


def media_content_type(url: str) -> str:
    """numberpool does not fetch media (choice): the type is guessed from the URL's extension."""
    return mimetypes.guess_type(url.split("?", 1)[0])[0] or "application/octet-stream"


def message(sid: str, account_sid: str, to: str, from_: str, body: str, media_urls: Sequence[str],
            messaging_service_sid: str | None) -> Params:
    p: Params = [("ToCountry", ""), ("ToState", ""), ("SmsMessageSid", sid), ("NumMedia", str(len(media_urls))),
                 ("ToCity", ""), ("FromZip", ""), ("SmsSid", sid), ("FromState", ""), ("SmsStatus", "received"),
                 ("FromCity", ""), ("Body", body), ("FromCountry", ""), ("To", to), ("ToZip", ""),
                 ("NumSegments", str(segments(body))), ("MessageSid", sid), ("AccountSid", account_sid),
                 ("From", from_), ("ApiVersion", "2010-04-01")]
    places = dict(_places("From", from_) + _places("To", to))
    p = [(name, places.get(name, value)) for name, value in p]
    if messaging_service_sid:
        p.append(("MessagingServiceSid", messaging_service_sid))
    for i, url in enumerate(media_urls):
        p += [(f"MediaContentType{i}", media_content_type(url)), (f"MediaUrl{i}", url)]
    return p


def call(sid: str, account_sid: str, to: str, from_: str, api_version: str, caller_name: str | None) -> Params:
    p: Params = [("AccountSid", account_sid), ("ApiVersion", api_version), ("CallSid", sid), ("CallStatus", "ringing"),
                 ("Called", to)]
    p += _places("Called", to)
    p += [("Caller", from_)]
    p += _places("Caller", from_)
    p += [("Direction", "inbound"), ("From", from_)]
    p += _places("From", from_)
    p += [("To", to)]
    p += _places("To", to)
    if caller_name is not None:
        p.append(("CallerName", caller_name))
    return p


def completed(call_params: Params, duration: int) -> Params:
    """The status callback's parameters: the call's, with ``CallStatus=completed`` and ``CallDuration``."""
    p = [(name, "completed" if name == "CallStatus" else value) for name, value in call_params]
    return p + [("CallDuration", str(duration))]


def failed(params: Params, error_code: int, error_url: str) -> Params:
    """A fallback's parameters: the failed request's plus ``ErrorCode`` and ``ErrorUrl``."""
    return params + [("ErrorCode", str(error_code)), ("ErrorUrl", error_url)]


def proxy_interaction(interaction: Any, session: Any, kind: str, inbound_sid: str, data: dict[str, Any]) -> Params:
    """A Proxy callback's or intercept's parameters (camelCase, SENDING.md C): from the recorded
    ``interaction``, or, for an intercept asked before it exists, from the ``session`` and what
    came in."""
    import orjson

    def iso8601(ts: int) -> str:
        return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))

    if interaction is not None:
        i = interaction
        return [
            ("inboundParticipantSid", i.inbound_participant_sid or ""), ("inboundResourceSid", i.inbound_resource_sid or ""),
            ("inboundResourceStatus", i.inbound_resource_status or ""), ("inboundResourceType", i.inbound_resource_type or ""),
            ("inboundResourceUrl", i.inbound_resource_url or ""), ("interactionAccountSid", i.account_sid),
            ("interactionData", i.data or ""), ("interactionDateCreated", iso8601(i.date_created)),
            ("interactionDateUpdated", iso8601(i.date_updated)), ("interactionServiceSid", i.service_sid),
            ("interactionSessionSid", i.session_sid), ("interactionSid", i.sid), ("interactionType", i.type),
            ("outboundParticipantSid", i.outbound_participant_sid or ""),
            ("outboundResourceSid", i.outbound_resource_sid or ""),
            ("outboundResourceStatus", i.outbound_resource_status or ""),
            ("outboundResourceType", i.outbound_resource_type or ""), ("outboundResourceUrl", i.outbound_resource_url or ""),
        ]
    return [
        ("inboundParticipantSid", session.participant_sid), ("inboundResourceSid", inbound_sid),
        ("inboundResourceStatus", "delivered" if kind == "message" else "in-progress"),
        ("inboundResourceType", "Message" if kind == "message" else "Call"), ("interactionAccountSid", session.account_sid),
        ("interactionData", orjson.dumps(data).decode()), ("interactionServiceSid", session.service_sid),
        ("interactionSessionSid", session.sid), ("interactionType", kind),
    ]

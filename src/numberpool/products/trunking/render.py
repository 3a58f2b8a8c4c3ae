"""Trunks, their PhoneNumbers and their OriginationUrls as Twilio shows them (seed 002)."""

from __future__ import annotations

from typing import Any

from numberpool.http.request import Request
from numberpool.http.wire import iso8601
from numberpool.products.api2010.incoming import number_json
from numberpool.products.api2010.urls import INCOMING_PHONE_NUMBER
from numberpool.products.trunking.urls import ORIGINATION_URL, PHONE_NUMBER, TRUNK
from numberpool.products.v1 import columns
from numberpool.store.db import Row

# Of the links Twilio gives a Trunk (credential_lists, ip_access_control_lists, recordings, ...),
# the ones numberpool serves: a link that would answer 404 is left out.
TRUNK_LINKS = {"origination_urls": "OriginationUrls", "phone_numbers": "PhoneNumbers"}


def trunk_json(req: Request, t: Row) -> dict[str, Any]:
    url = req.base_url + TRUNK.format(Sid=t.sid)
    return {
        **columns(t, "sid", "account_sid", "domain_name", "disaster_recovery_method", "disaster_recovery_url",
                  "friendly_name", "secure", "cnam_lookup_enabled", "symmetric_rtp_enabled"),
        "recording": {"mode": t.recording_mode, "trim": t.recording_trim},
        "transfer_mode": t.transfer_mode,
        "transfer_caller_id": t.transfer_caller_id,
        "auth_type": "",
        "auth_type_set": [],
        "date_created": iso8601(t.date_created),
        "date_updated": iso8601(t.date_updated),
        "url": url,
        "links": {k: f"{url}/{v}" for k, v in TRUNK_LINKS.items()},
    }


# The trunk's view of an IncomingPhoneNumber shows these of its fields, in this order (seed 002).
_NUMBER_FIELDS = (
    "sid", "account_sid", "trunk_sid", "date_created", "date_updated", "friendly_name", "phone_number", "api_version",
    "voice_caller_id_lookup", "voice_url", "voice_method", "voice_fallback_url", "voice_fallback_method",
    "status_callback", "status_callback_method", "voice_application_sid", "sms_url", "sms_method", "sms_fallback_url",
    "sms_fallback_method", "sms_application_sid", "address_requirements", "beta", "capabilities",
)


def phone_number_json(req: Request, n: Row) -> dict[str, Any]:
    """The trunk's view of an IncomingPhoneNumber (seed 002): its fields as the 2010-04-01 API shows
    them, but with ISO 8601 dates and absolute URLs."""
    number = number_json(n)
    return {
        **{name: number[name] for name in _NUMBER_FIELDS},
        "date_created": iso8601(n.date_created),
        "date_updated": iso8601(n.date_updated),
        "url": req.base_url + PHONE_NUMBER.format(TrunkSid=n.trunk_sid, Sid=n.sid),
        "links": {"phone_number": req.origin + INCOMING_PHONE_NUMBER.format(AccountSid=n.account_sid, Sid=n.sid)},
    }


def origination_url_json(req: Request, o: Row) -> dict[str, Any]:
    """``trunking.v1.trunk.origination_url``: its fields in the spec's order, ISO 8601 dates."""
    return {
        **columns(o, "account_sid", "sid", "trunk_sid", "weight", "enabled", "sip_url", "friendly_name", "priority"),
        "date_created": iso8601(o.date_created),
        "date_updated": iso8601(o.date_updated),
        "url": req.base_url + ORIGINATION_URL.format(TrunkSid=o.trunk_sid, Sid=o.sid),
    }

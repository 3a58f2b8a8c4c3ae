"""Messaging Services and their PhoneNumbers as Twilio shows them (seed 000)."""

from __future__ import annotations

from typing import Any

from numberpool.http.request import Request
from numberpool.http.wire import iso8601
from numberpool.products.messaging.urls import PHONE_NUMBER, SERVICE
from numberpool.products.v1 import columns, member_json
from numberpool.store.db import Row

# Of the links Twilio gives a Service (short_codes, alpha_senders, messages, us_app_to_person, ...),
# the ones numberpool serves: a link that would answer 404 is left out.
SERVICE_LINKS = {"phone_numbers": "PhoneNumbers"}


def service_json(req: Request, s: Row) -> dict[str, Any]:
    url = req.base_url + SERVICE.format(Sid=s.sid)
    return {
        **columns(s, "account_sid", "sid"),
        "date_created": iso8601(s.date_created),
        "date_updated": iso8601(s.date_updated),
        **columns(s, "friendly_name", "inbound_request_url", "inbound_method", "fallback_url", "fallback_method",
                  "status_callback", "sticky_sender", "smart_encoding", "mms_converter", "fallback_to_long_code",
                  "scan_message_content", "area_code_geomatch", "validity_period", "synchronous_validation", "usecase"),
        "us_app_to_person_registered": False,
        "use_inbound_webhook_on_number": s.use_inbound_webhook_on_number,
        "links": {k: f"{url}/{v}" for k, v in SERVICE_LINKS.items()},
        "url": url,
    }


def phone_number_json(req: Request, n: Row) -> dict[str, Any]:
    caps = [name for name, on in (("MMS", n.cap_mms), ("SMS", n.cap_sms), ("Voice", n.cap_voice)) if on]
    return {
        **member_json(n),
        "country_code": n.iso_country,
        "capabilities": caps,
        "url": req.base_url + PHONE_NUMBER.format(ServiceSid=n.service_sid, Sid=n.phone_number_sid),
    }

"""Proxy Services and their PhoneNumbers as Twilio shows them (seed 003)."""

from __future__ import annotations

from typing import Any

from numberpool.http.request import Request
from numberpool.http.wire import iso8601
from numberpool.products.proxy.urls import PHONE_NUMBER, SERVICE
from numberpool.products.v1 import capabilities_object, columns, member_json
from numberpool.store.db import Row


def service_json(req: Request, s: Row) -> dict[str, Any]:
    url = req.base_url + SERVICE.format(Sid=s.sid)
    return {
        **columns(s, "sid", "account_sid", "chat_instance_sid", "unique_name", "default_ttl", "callback_url",
                  "geo_match_level", "number_selection_behavior", "intercept_callback_url", "out_of_session_callback_url"),
        "date_created": iso8601(s.date_created),
        "date_updated": iso8601(s.date_updated),
        "url": url,
        "links": {"phone_numbers": f"{url}/PhoneNumbers", "sessions": f"{url}/Sessions"},
    }


def phone_number_json(req: Request, n: Row) -> dict[str, Any]:
    return {
        **member_json(n),
        "friendly_name": n.friendly_name,
        "iso_country": n.iso_country,
        "capabilities": capabilities_object(n),
        "url": req.base_url + PHONE_NUMBER.format(ServiceSid=n.service_sid, Sid=n.phone_number_sid),
        "is_reserved": n.is_reserved,
        "in_use": n.in_use,
    }

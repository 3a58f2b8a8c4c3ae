"""The record of an inbound event as the API shows it: snake_case JSON, ISO 8601 dates.

A record is a stored row, or the values just written (``domain.inbound``): read by attribute."""

from __future__ import annotations

from typing import Any

import orjson

from numberpool.http.request import Request
from numberpool.http.wire import iso8601
from numberpool.products.control.urls import CALL, MESSAGE


def _common(e: Any) -> dict[str, Any]:
    return {
        "sid": e.sid, "account_sid": e.account_sid, "to": e.to_number, "from": e.from_number,
    }


def _routing(e: Any, url: str) -> dict[str, Any]:
    return {
        "date_created": iso8601(e.date_created),
        "url": url,
        "route": e.route,
        "messaging_service_sid": e.messaging_service_sid,
        "application_sid": e.application_sid,
        "trunk_sid": e.trunk_sid,
        "proxy_service_sid": e.proxy_service_sid,
        "sip_url": e.sip_url,
        "deliveries": orjson.loads(e.deliveries),
    }


def message_json(req: Request, e: Any) -> dict[str, Any]:
    url = req.base_url + MESSAGE.format(Sid=e.sid)
    media = orjson.loads(e.media_urls)
    return {
        **_common(e), "body": e.body, "num_media": len(media), "media_urls": media,
        **_routing(e, url), "replies": orjson.loads(e.replies),
    }


def call_json(req: Request, e: Any) -> dict[str, Any]:
    url = req.base_url + CALL.format(Sid=e.sid)
    return {**_common(e), "call_duration": e.call_duration, **_routing(e, url)}

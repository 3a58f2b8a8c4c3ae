"""proxy.twilio.com v1: Services and Services/{KS}/PhoneNumbers."""

from __future__ import annotations

from typing import Any

from numberpool.domain.pools import Pools
from numberpool.http.request import Request
from numberpool.http.router import Router
from numberpool.http.wire import iso8601
from numberpool.products.v1.common import capabilities_object, crud_routes, pool_routes
from numberpool.store.db import Row


def service_json(req: Request, s: Row) -> dict[str, Any]:
    url = f"{req.base_url}/v1/Services/{s.sid}"
    return {
        "sid": s.sid,
        "account_sid": s.account_sid,
        "chat_instance_sid": s.chat_instance_sid,
        "unique_name": s.unique_name,
        "default_ttl": s.default_ttl,
        "callback_url": s.callback_url,
        "geo_match_level": s.geo_match_level,
        "number_selection_behavior": s.number_selection_behavior,
        "intercept_callback_url": s.intercept_callback_url,
        "out_of_session_callback_url": s.out_of_session_callback_url,
        "date_created": iso8601(s.date_created),
        "date_updated": iso8601(s.date_updated),
        "url": url,
        "links": {"sessions": f"{url}/Sessions", "phone_numbers": f"{url}/PhoneNumbers"},
    }


def phone_number_json(req: Request, n: Row) -> dict[str, Any]:
    return {
        "sid": n.phone_number_sid,
        "account_sid": n.account_sid,
        "service_sid": n.service_sid,
        "date_created": iso8601(n.date_created),
        "date_updated": iso8601(n.date_updated),
        "phone_number": n.phone_number,
        "friendly_name": n.friendly_name,
        "iso_country": n.iso_country,
        "capabilities": capabilities_object(n),
        "url": f"{req.base_url}/v1/Services/{n.service_sid}/PhoneNumbers/{n.phone_number_sid}",
        "is_reserved": n.is_reserved,
        "in_use": n.in_use,
    }


def router(pools: Pools) -> Router:
    r = Router()
    crud_routes(r, pools.proxy_services, "/v1/Services", "services", service_json)
    pool_routes(r, "/v1/Services", phone_number_json, list_=pools.proxy_list, add=pools.proxy_add,
                fetch=pools.proxy_fetch, remove=pools.proxy_remove, update=pools.proxy_update,
                sid_field="phone_number_sid")
    return r

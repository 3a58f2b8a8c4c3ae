"""messaging.twilio.com v1: Services and Services/{MG}/PhoneNumbers."""

from __future__ import annotations

from typing import Any

from numberpool.domain.pools import Pools
from numberpool.http.request import Request
from numberpool.http.router import Router
from numberpool.http.wire import iso8601
from numberpool.products.v1.common import crud_routes, pool_routes
from numberpool.store.db import Row

SERVICE_LINKS = {
    "phone_numbers": "PhoneNumbers", "short_codes": "ShortCodes", "alpha_senders": "AlphaSenders",
    "messages": "Messages", "us_app_to_person": "Compliance/Usa2p",
    "us_app_to_person_usecases": "Compliance/Usa2p/Usecases", "channel_senders": "ChannelSenders",
    "destination_alpha_senders": "DestinationAlphaSenders",
}


def service_json(req: Request, s: Row) -> dict[str, Any]:
    url = f"{req.base_url}/v1/Services/{s.sid}"
    return {
        "account_sid": s.account_sid,
        "sid": s.sid,
        "date_created": iso8601(s.date_created),
        "date_updated": iso8601(s.date_updated),
        "friendly_name": s.friendly_name,
        "inbound_request_url": s.inbound_request_url,
        "inbound_method": s.inbound_method,
        "fallback_url": s.fallback_url,
        "fallback_method": s.fallback_method,
        "status_callback": s.status_callback,
        "sticky_sender": s.sticky_sender,
        "smart_encoding": s.smart_encoding,
        "mms_converter": s.mms_converter,
        "fallback_to_long_code": s.fallback_to_long_code,
        "scan_message_content": s.scan_message_content,
        "area_code_geomatch": s.area_code_geomatch,
        "validity_period": s.validity_period,
        "synchronous_validation": s.synchronous_validation,
        "usecase": s.usecase,
        "us_app_to_person_registered": False,
        "use_inbound_webhook_on_number": s.use_inbound_webhook_on_number,
        "links": {k: f"{url}/{v}" for k, v in SERVICE_LINKS.items()},
        "url": url,
    }


def phone_number_json(req: Request, n: Row) -> dict[str, Any]:
    caps = [name for name, on in (("MMS", n.cap_mms), ("SMS", n.cap_sms), ("Voice", n.cap_voice)) if on]
    return {
        "sid": n.phone_number_sid,
        "account_sid": n.account_sid,
        "service_sid": n.service_sid,
        "date_created": iso8601(n.date_created),
        "date_updated": iso8601(n.date_updated),
        "phone_number": n.phone_number,
        "country_code": n.iso_country,
        "capabilities": caps,
        "url": f"{req.base_url}/v1/Services/{n.service_sid}/PhoneNumbers/{n.phone_number_sid}",
    }


def router(pools: Pools) -> Router:
    r = Router()
    crud_routes(r, pools.messaging_services, "/v1/Services", "services", service_json)
    pool_routes(r, "/v1/Services", phone_number_json, list_=pools.messaging_list, add=pools.messaging_add,
                fetch=pools.messaging_fetch, remove=pools.messaging_remove, sid_field="phone_number_sid")
    return r

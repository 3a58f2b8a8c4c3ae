"""proxy.twilio.com v1: Services and Services/{KS}/PhoneNumbers."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row

from numberpool.domain.paging import parse_page
from numberpool.domain.pools import Pools
from numberpool.http.request import Request, Response
from numberpool.http.router import Router
from numberpool.http.wire import dumps, iso8601
from numberpool.products.v1.common import capabilities_object, crud_routes, page_response


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

    def list_numbers(req: Request, service_sid: str) -> Response:
        page = parse_page(req.query, "PN")
        rows, more = pools.proxy_list(req.caller, service_sid, page, req.full_path)
        return page_response(req, "phone_numbers", f"/v1/Services/{service_sid}/PhoneNumbers", page, rows, more,
                             phone_number_json, "phone_number_sid")

    def add_number(req: Request, service_sid: str) -> Response:
        return Response(201, dumps(phone_number_json(req, pools.proxy_add(req.caller, service_sid, req.form, req.full_path))))

    def fetch_number(req: Request, service_sid: str, sid: str) -> Response:
        return Response(200, dumps(phone_number_json(req, pools.proxy_fetch(req.caller, service_sid, sid, req.full_path))))

    def update_number(req: Request, service_sid: str, sid: str) -> Response:
        row = pools.proxy_update(req.caller, service_sid, sid, req.form, req.full_path)
        return Response(200, dumps(phone_number_json(req, row)))

    def remove_number(req: Request, service_sid: str, sid: str) -> Response:
        pools.proxy_remove(req.caller, service_sid, sid, req.full_path)
        return Response(204)

    crud_routes(r, pools.proxy_services, "/v1/Services", "services", service_json)
    r.add("/v1/Services/{ServiceSid}/PhoneNumbers", GET=list_numbers, POST=add_number)
    r.add("/v1/Services/{ServiceSid}/PhoneNumbers/{Sid}", GET=fetch_number, POST=update_number, DELETE=remove_number)
    return r

"""The routes of proxy v1."""

from __future__ import annotations

from numberpool.domain.backend import Backend
from numberpool.domain.errors import proxy_invalid_parameter
from numberpool.http.request import Request, Response
from numberpool.http.router import Router
from numberpool.http.wire import dumps
from numberpool.products.proxy import params, sessions, urls
from numberpool.products.proxy.render import phone_number_json, service_json
from numberpool.products.v1 import pool_product

PATHS = (urls.SERVICES, urls.SERVICE, urls.PHONE_NUMBERS, urls.PHONE_NUMBER)


def router(backend: Backend) -> Router:
    services = backend.proxy

    def add_number(req: Request, service_sid: str) -> Response:
        sid, e164 = req.form.get("Sid"), req.form.get("PhoneNumber")
        if bool(sid) == bool(e164):
            raise proxy_invalid_parameter("'Sid' is invalid. Give exactly one of Sid and PhoneNumber.")
        reserved = params.is_reserved(req.form) or False
        row = services.add(req.caller, service_sid, pn_sid=sid, e164=e164, reserved=reserved)
        return Response(201, dumps(phone_number_json(req, row)))

    def update_number(req: Request, service_sid: str, sid: str) -> Response:
        row = services.update(req.caller, service_sid, sid, reserved=params.is_reserved(req.form))
        return Response(200, dumps(phone_number_json(req, row)))

    r = pool_product(services, params.SERVICE, service_json, phone_number_json, PATHS,
                     key="services", name="Service", add=add_number, update=update_number)
    sessions.register(r, backend)  # Sessions, Participants, Interactions, MessageInteractions
    return r

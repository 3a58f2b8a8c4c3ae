"""The routes of messaging v1."""

from __future__ import annotations

from numberpool.domain.backend import Backend
from numberpool.http.router import Router
from numberpool.products.messaging import params, urls
from numberpool.products.messaging.render import phone_number_json, service_json
from numberpool.products.v1 import add_by_phone_number_sid, pool_product

PATHS = (urls.SERVICES, urls.SERVICE, urls.PHONE_NUMBERS, urls.PHONE_NUMBER)


def router(backend: Backend) -> Router:
    add = add_by_phone_number_sid(backend.messaging, phone_number_json)
    return pool_product(backend.messaging, params.SERVICE, service_json, phone_number_json, PATHS,
                        key="services", name="Service", add=add)

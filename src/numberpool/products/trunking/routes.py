"""The routes of trunking v1."""

from __future__ import annotations

from numberpool.domain.backend import Backend
from numberpool.http.router import Router
from numberpool.products.trunking import params, urls
from numberpool.products.trunking.render import phone_number_json, trunk_json
from numberpool.products.v1 import add_by_phone_number_sid, pool_product

PATHS = (urls.TRUNKS, urls.TRUNK, urls.PHONE_NUMBERS, urls.PHONE_NUMBER)


def router(backend: Backend) -> Router:
    add = add_by_phone_number_sid(backend.trunks, phone_number_json)
    return pool_product(backend.trunks, params.TRUNK, trunk_json, phone_number_json, PATHS,
                        key="trunks", name="Trunk", add=add)

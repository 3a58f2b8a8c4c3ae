"""The routes of trunking v1."""

from __future__ import annotations

from numberpool.domain import access
from numberpool.domain.backend import Backend
from numberpool.http.request import Request, Response
from numberpool.http.router import Router
from numberpool.http.wire import dumps
from numberpool.products.paging import parse_page
from numberpool.products.trunking import params, urls
from numberpool.products.trunking.render import origination_url_json, phone_number_json, trunk_json
from numberpool.products.v1 import add_by_phone_number_sid, page_response, pool_product

PATHS = (urls.TRUNKS, urls.TRUNK, urls.PHONE_NUMBERS, urls.PHONE_NUMBER)


def router(backend: Backend) -> Router:
    add = add_by_phone_number_sid(backend.trunks, phone_number_json)
    r = pool_product(backend.trunks, params.TRUNK, trunk_json, phone_number_json, PATHS,
                     key="trunks", name="Trunk", add=add)
    origination_url_routes(r, backend)
    return r


def origination_url_routes(r: Router, backend: Backend) -> None:
    """Trunks/{TrunkSid}/OriginationUrls: list, create, fetch, update, delete."""
    ou = backend.origination_urls
    form = params.ORIGINATION_URL

    def list_urls(req: Request, trunk: str) -> Response:
        page = parse_page(req.query, "OU")
        rows, more = ou.list(req.caller, trunk, page)
        path = urls.ORIGINATION_URLS.format(TrunkSid=trunk)
        return page_response(req, "origination_urls", path, page, rows, more, origination_url_json)

    def create(req: Request, trunk: str) -> Response:
        row = ou.create(req.caller, trunk, form.for_create(req.form))
        return Response(201, dumps(origination_url_json(req, row)))

    def fetch(req: Request, trunk: str, sid: str) -> Response:
        return Response(200, dumps(origination_url_json(req, ou.fetch(req.caller, trunk, sid))))

    def update(req: Request, trunk: str, sid: str) -> Response:
        row = ou.update(req.caller, trunk, sid, form.for_update(req.form))
        return Response(200, dumps(origination_url_json(req, row)))

    def delete(req: Request, trunk: str, sid: str) -> Response:
        ou.delete(req.caller, trunk, sid)
        return Response(204)

    r.add(urls.ORIGINATION_URLS, access=access.OWN,
          GET=("ListOriginationUrl", list_urls), POST=("CreateOriginationUrl", create))
    r.add(urls.ORIGINATION_URL, access=access.OWN,
          GET=("FetchOriginationUrl", fetch), POST=("UpdateOriginationUrl", update),
          DELETE=("DeleteOriginationUrl", delete))

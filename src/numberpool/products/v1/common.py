"""What the three v1 products share: ISO dates, absolute URLs, the ``meta`` envelope, CRUD routes."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from numberpool.domain.paging import PageRequest, parse_page
from numberpool.domain.resources import Resources
from numberpool.http.request import Request, Response
from numberpool.http.router import Router
from numberpool.http.wire import dumps, v1_page
from numberpool.store.db import Row

Render = Callable[[Request, Row], dict[str, Any]]


def page_response(
    req: Request, key: str, path: str, page: PageRequest, rows: Sequence[Row], more: bool, render: Render, sid_field: str = "sid"
) -> Response:
    """A v1 list page; ``sid_field`` names the column the page token seeks on."""
    body = v1_page(
        key, [render(req, r) for r in rows], req.base_url, path, [], page,
        getattr(rows[0], sid_field) if rows else None, getattr(rows[-1], sid_field) if rows else None, more,
    )
    return Response(200, dumps(body))


def crud_routes(r: Router, resources: Resources, collection: str, key: str, render: Render) -> None:
    """List, create, fetch, update and delete routes for one account-scoped parent resource."""
    prefix = resources.spec.prefix

    def list_items(req: Request) -> Response:
        page = parse_page(req.query, prefix)
        rows, more = resources.list(req.caller, page)
        return page_response(req, key, collection, page, rows, more, render)

    def create(req: Request) -> Response:
        return Response(201, dumps(render(req, resources.create(req.caller, req.form))))

    def fetch(req: Request, sid: str) -> Response:
        return Response(200, dumps(render(req, resources.fetch(req.caller, sid, req.full_path))))

    def update(req: Request, sid: str) -> Response:
        return Response(200, dumps(render(req, resources.update(req.caller, sid, req.form, req.full_path))))

    def delete(req: Request, sid: str) -> Response:
        resources.delete(req.caller, sid, req.full_path)
        return Response(204)

    r.add(collection, GET=list_items, POST=create)
    r.add(collection + "/{Sid}", GET=fetch, POST=update, DELETE=delete)


def capabilities_object(row: Row) -> dict[str, bool]:
    return {"voice": row.cap_voice, "sms": row.cap_sms, "mms": row.cap_mms, "fax": row.cap_fax}


def pool_routes(
    r: Router,
    collection: str,
    render: Render,
    *,
    list_: Callable[..., tuple[Sequence[Row], bool]],
    add: Callable[..., Row],
    fetch: Callable[..., Row],
    remove: Callable[..., None],
    update: Callable[..., Row] | None = None,
    sid_field: str = "sid",
) -> None:
    """List, add, fetch, (update) and remove routes for a parent's PhoneNumbers pool.

    Each domain callable takes ``(caller, parent_sid, ..., path)`` as the Pools methods do."""

    def list_numbers(req: Request, parent: str) -> Response:
        page = parse_page(req.query, "PN")
        rows, more = list_(req.caller, parent, page, req.full_path)
        return page_response(req, "phone_numbers", f"{collection}/{parent}/PhoneNumbers", page, rows, more, render, sid_field)

    def add_number(req: Request, parent: str) -> Response:
        return Response(201, dumps(render(req, add(req.caller, parent, req.form, req.full_path))))

    def fetch_number(req: Request, parent: str, sid: str) -> Response:
        return Response(200, dumps(render(req, fetch(req.caller, parent, sid, req.full_path))))

    def remove_number(req: Request, parent: str, sid: str) -> Response:
        remove(req.caller, parent, sid, req.full_path)
        return Response(204)

    instance: dict[str, Callable[..., Response]] = {"GET": fetch_number, "DELETE": remove_number}
    if update is not None:
        def update_number(req: Request, parent: str, sid: str) -> Response:
            return Response(200, dumps(render(req, update(req.caller, parent, sid, req.form, req.full_path))))

        instance["POST"] = update_number
    r.add(collection + "/{Parent}/PhoneNumbers", GET=list_numbers, POST=add_number)
    r.add(collection + "/{Parent}/PhoneNumbers/{Sid}", **instance)

"""What the three v1 products share: the ``meta`` list envelope, and the routes of an
account-scoped parent resource and of the pool of numbers under it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol

from numberpool.domain import access
from numberpool.domain.accounts import Account
from numberpool.domain.errors import missing_parameter
from numberpool.domain.pools.base import NumberPool, Resources
from numberpool.http.request import Request, Response
from numberpool.http.router import Handler, Path, Router
from numberpool.http.wire import dumps, iso8601, v1_page
from numberpool.products.paging import parse_page
from numberpool.products.params import Form
from numberpool.store.db import Row
from numberpool.store.paging import PageRequest

Render = Callable[[Request, Row], dict[str, Any]]


def page_response(
    req: Request, key: str, path: str, page: PageRequest, rows: Sequence[Row], more: bool, render: Render,
    sid_field: str = "sid",
) -> Response:
    """A v1 list page; ``sid_field`` names the column the page token seeks on."""
    body = v1_page(
        key, [render(req, r) for r in rows], req.base_url, path, [], page,
        getattr(rows[0], sid_field) if rows else None, getattr(rows[-1], sid_field) if rows else None, more,
    )
    return Response(200, dumps(body))


def crud_routes(
    r: Router, resources: Resources, form: Form, render: Render, *, collection: Path, instance: Path, key: str,
    name: str,
) -> None:
    """List, create, fetch, update and delete of one parent resource (operationIds ``{verb}{name}``)."""
    prefix = resources.spec.prefix

    def list_items(req: Request) -> Response:
        page = parse_page(req.query, prefix)
        rows, more = resources.list(req.caller, page)
        return page_response(req, key, collection.format(), page, rows, more, render)

    def create(req: Request) -> Response:
        return Response(201, dumps(render(req, resources.create(req.caller, form.for_create(req.form)))))

    def fetch(req: Request, sid: str) -> Response:
        return Response(200, dumps(render(req, resources.fetch(req.caller, sid))))

    def update(req: Request, sid: str) -> Response:
        return Response(200, dumps(render(req, resources.update(req.caller, sid, form.for_update(req.form)))))

    def delete(req: Request, sid: str) -> Response:
        resources.delete(req.caller, sid)
        return Response(204)

    r.add(collection, access=access.OWN, GET=(f"List{name}", list_items), POST=(f"Create{name}", create))
    r.add(instance, access=access.OWN,
          GET=(f"Fetch{name}", fetch), POST=(f"Update{name}", update), DELETE=(f"Delete{name}", delete))


class AddsBySid(NumberPool, Protocol):
    def add(self, account: Account, parent_sid: str, pn_sid: str) -> Row: ...


def add_by_phone_number_sid(pool: AddsBySid, render: Render) -> Handler:
    """The add handler of a pool that takes the number as ``PhoneNumberSid`` (Messaging, Trunking)."""

    def add_number(req: Request, parent: str) -> Response:
        pn_sid = req.form.get("PhoneNumberSid")
        if not pn_sid:
            raise missing_parameter("PhoneNumberSid")
        return Response(201, dumps(render(req, pool.add(req.caller, parent, pn_sid))))

    return add_number


def columns(row: Row, *names: str) -> dict[str, Any]:
    """The fields a resource shows exactly as stored, in the order given."""
    return {name: getattr(row, name) for name in names}


def member_json(n: Row) -> dict[str, Any]:
    """The fields every pool membership shows first (Messaging and Proxy PhoneNumbers)."""
    return {
        "sid": n.phone_number_sid,
        "account_sid": n.account_sid,
        "service_sid": n.service_sid,
        "date_created": iso8601(n.date_created),
        "date_updated": iso8601(n.date_updated),
        "phone_number": n.phone_number,
    }


def capabilities_object(row: Row) -> dict[str, bool]:
    return {"voice": row.cap_voice, "sms": row.cap_sms, "mms": row.cap_mms, "fax": row.cap_fax}


def pool_routes(
    r: Router, pool: NumberPool, render: Render, *, collection: Path, instance: Path, add: Handler,
    update: Handler | None = None,
) -> None:
    """List, add, fetch, (update) and remove of the numbers of a parent (operationIds ``{verb}PhoneNumber``).

    ``add`` and ``update`` are the product's own handlers ``(req, parent_sid[, sid])``: what they
    take from the request differs per product (see :func:`add_by_phone_number_sid`)."""

    def list_numbers(req: Request, parent: str) -> Response:
        page = parse_page(req.query, "PN")
        rows, more = pool.list(req.caller, parent, page)
        path = collection.format(**{collection.params[0]: parent})
        return page_response(req, "phone_numbers", path, page, rows, more, render, pool.member_key)

    def fetch_number(req: Request, parent: str, sid: str) -> Response:
        return Response(200, dumps(render(req, pool.fetch(req.caller, parent, sid))))

    def remove_number(req: Request, parent: str, sid: str) -> Response:
        pool.remove(req.caller, parent, sid)
        return Response(204)

    r.add(collection, access=access.OWN, GET=("ListPhoneNumber", list_numbers), POST=("CreatePhoneNumber", add))
    methods: dict[str, tuple[str, Handler]] = {"GET": ("FetchPhoneNumber", fetch_number),
                                               "DELETE": ("DeletePhoneNumber", remove_number)}
    if update is not None:
        methods["POST"] = ("UpdatePhoneNumber", update)
    r.add(instance, access=access.OWN, **methods)


def pool_product(
    pool: NumberPool, form: Form, parent_json: Render, number_json: Render, paths: tuple[Path, Path, Path, Path], *,
    key: str, name: str, add: Handler, update: Handler | None = None,
) -> Router:
    """The router of a v1 product that is a parent resource with a pool of numbers under it:
    ``paths`` are the collection and instance of the parent, then of its PhoneNumbers."""
    r = Router()
    crud_routes(r, pool.parents, form, parent_json, collection=paths[0], instance=paths[1], key=key, name=name)
    pool_routes(r, pool, number_json, collection=paths[2], instance=paths[3], add=add, update=update)
    return r

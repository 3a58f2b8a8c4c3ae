"""The routes every kind of numberpool rule by ``To`` has (DeliveryRules, CallRules): create
(201; a rule for the same ``To`` replaces the account's former one), list (v1 paging), fetch and
delete (204), each the caller's own: another account's rule does not exist (20404)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from numberpool.domain import access, errors
from numberpool.domain.backend import Backend
from numberpool.domain.clock import now
from numberpool.domain.sids import is_sid, new_sid
from numberpool.http.request import Request, Response
from numberpool.http.router import Path, Router
from numberpool.http.wire import dumps, v1_page
from numberpool.products.paging import parse_page
from numberpool.store.rules import RuleTable


def register(r: Router, b: Backend, *, name: str, key: str, prefix: str, collection: Path, item: Path,
             table: RuleTable, fields: Callable[[Request], dict[str, Any]],
             render: Callable[[Request, Any], dict[str, Any]]) -> None:
    """``name``: the operations' noun (``DeliveryRule``); ``key``: the list's (``delivery_rules``);
    ``fields(req)``: the columns the form gives, checked (400 naming the field)."""

    def create(req: Request) -> Response:
        values = fields(req)
        ts = now()
        sid = new_sid(prefix)
        with b.db.write() as conn:
            table.insert(conn, {"sid": sid, "account_sid": req.caller.sid, **values, "date_created": ts,
                                "date_updated": ts})
        return Response(201, dumps(render(req, table.get(b.db, sid))))

    def own(req: Request, sid: str) -> Any:
        row = table.get(b.db, sid) if is_sid(sid, prefix) else None
        if row is None or row.account_sid != req.caller.sid:
            raise errors.not_found()
        return row

    def list_rules(req: Request) -> Response:
        page = parse_page(req.query, prefix)
        rows, more = table.page(b.db, req.caller.sid, page)
        body = v1_page(key, [render(req, x) for x in rows], req.base_url, collection.format(), [], page,
                       rows[0].sid if rows else None, rows[-1].sid if rows else None, more)
        return Response(200, dumps(body))

    def fetch(req: Request, sid: str) -> Response:
        return Response(200, dumps(render(req, own(req, sid))))

    def delete(req: Request, sid: str) -> Response:
        own(req, sid)
        with b.db.write() as conn:
            table.delete(conn, sid)
        return Response(204)

    r.add(collection, access=access.FAMILY, GET=(f"List{name}", list_rules), POST=(f"Create{name}", create))
    r.add(item, access=access.FAMILY, GET=(f"Fetch{name}", fetch), DELETE=(f"Delete{name}", delete))

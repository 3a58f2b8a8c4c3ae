"""The routes of numberpool's own API: send an inbound message or call, and read the records."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from numberpool.domain import access
from numberpool.domain.backend import Backend
from numberpool.http.request import Request, Response
from numberpool.http.router import Path, Router
from numberpool.http.wire import dumps, v1_page
from numberpool.products.control import calls, params, sending, state, urls
from numberpool.products.control.render import call_json, message_json
from numberpool.products.paging import parse_page
from numberpool.store.inbound import EventFilter

Render = Callable[[Request, Any], dict[str, Any]]


def router(backend: Backend) -> Router:
    inbound = backend.inbound
    r = Router()

    async def create_message(req: Request) -> Response:
        event = params.message(req.form, req.form_list("MediaUrl"))
        return Response(201, dumps(message_json(req, await inbound.message(req.caller, event))))

    async def create_call(req: Request) -> Response:
        record = await inbound.call(req.caller, params.call(req.form))
        return Response(201, dumps(call_json(req, record)))

    def collection(kind: str, key: str, path: Path, render: Render) -> tuple[Callable[..., Response], Callable[..., Response]]:
        prefix = "SM" if kind == "message" else "CA"

        def list_events(req: Request) -> Response:
            page = parse_page(req.query, prefix)
            which = EventFilter(req.query.get("To") or None, req.query.get("From") or None)
            rows, more = inbound.list(req.caller, kind, which, page)
            echo = [(name, req.query[name]) for name in ("To", "From") if req.query.get(name)]
            body = v1_page(key, [render(req, row) for row in rows], req.base_url, path.format(), echo, page,
                           rows[0].sid if rows else None, rows[-1].sid if rows else None, more)
            return Response(200, dumps(body))

        def fetch_event(req: Request, sid: str) -> Response:
            return Response(200, dumps(render(req, inbound.fetch(req.caller, kind, sid))))

        return list_events, fetch_event

    list_messages, fetch_message = collection("message", "inbound_messages", urls.MESSAGES, message_json)
    list_calls, fetch_call = collection("call", "inbound_calls", urls.CALLS, call_json)
    r.add(urls.MESSAGES, access=access.FAMILY,
          GET=("ListInboundMessage", list_messages), POST=("CreateInboundMessage", create_message))
    r.add(urls.MESSAGE, access=access.FAMILY, GET=("FetchInboundMessage", fetch_message))
    r.add(urls.CALLS, access=access.FAMILY,
          GET=("ListInboundCall", list_calls), POST=("CreateInboundCall", create_call))
    r.add(urls.CALL, access=access.FAMILY, GET=("FetchInboundCall", fetch_call))
    state.register(r, backend)  # State and Reset
    sending.register(r, backend)  # Settle, DeliveryRules, the Messages view
    calls.register(r, backend)  # CallRules, the Calls view
    return r

"""Inbound messages and calls: route them (domain.routing), run the route through a transport
(webhooks.http over the network), and keep a record of each.

Running a route is Twilio's conversation with the user's webhooks: the primary URL; when it
cannot be retrieved or its TwiML cannot be executed, the fallback URL at once with ``ErrorCode``
and ``ErrorUrl``; HTTP redirects and TwiML ``<Redirect>`` followed (at most 10 each); for a call,
the status callback when it ends. Every request made is kept as a delivery, in order.

Bounds: the whole event (every request, fallback and status callback included) has one deadline,
``EVENT_DEADLINE`` seconds, beside each request's own limit (the transport's, 15 s). At the
deadline the request in flight is cut off with 11205; a request due later is recorded with 11205
and not sent, and the event ends there: no fallback, no further redirect, no status callback.
An event produces at most ``MAX_REPLIES`` replies: the document that would exceed them is marked
14109, its replies past the tenth are dropped and nothing of the event's TwiML runs after it (a
warning, as Twilio's 14109 is: no fallback). An answer refused as not TwiML (12100, 12300) keeps
its status, content type and length, but not its body, so no webhook answer that is not TwiML
can be read back through the records (an internal URL's answer, say).
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any, Protocol
from urllib.parse import urljoin

import orjson

from numberpool.domain import access, errors, routing
from numberpool.domain import received as messages_of
from numberpool.domain.accounts import Account, holds
from numberpool.domain.clock import now
from numberpool.domain.routing import Route, Webhook
from numberpool.domain.sids import is_sid, new_sid
from numberpool.store import inbound as q
from numberpool.store.db import Connection, Database
from numberpool.store.errors import DatabaseFailure, busy
from numberpool.store.inbound import EventFilter, RoutingState
from numberpool.store.paging import PageRequest
from numberpool.webhooks import params as wire
from numberpool.webhooks import twiml
from numberpool.webhooks.cookies import EventCookies
from numberpool.webhooks.http import Exchange
from numberpool.webhooks.params import Params

MAX_REDIRECTS = 10
MAX_REPLIES = 10  # TwiML replies one incoming message may produce (Twilio's limit, error 14109)
EVENT_DEADLINE = 60.0  # seconds one event may take, all its requests together (each one: the transport's 15 s)
CLOCK_SLACK = 0.01  # a timer may fire this much before the deadline it was set for
RESPONSE_KEPT = 64 * 1024  # of each answer, the record keeps this much
LOCK_WAIT = 15.0
TWIML_TYPES = ("text/xml", "application/xml", "text/html")
TOO_MANY_REDIRECTS = 11215
TWIML_UNPARSABLE = 12100
TWIML_WRONG_TYPE = 12300
TOO_MANY_REPLIES = 14109  # a warning: the replies past the tenth are not sent
NOT_TWIML = (TWIML_UNPARSABLE, TWIML_WRONG_TYPE)  # answers whose body the record does not keep
KINDS = {"message": "SM", "call": "CA"}
Replies = list[dict[str, Any]]
Then = Callable[[Connection], None]


class Transport(Protocol):
    """What sends one signed webhook request: ``webhooks.http.HttpTransport``, or an in-process app."""

    timeout: float  # seconds a request may take (error 11205 beyond)

    async def send(self, url: str, method: str, params: Params, auth_token: str, cookies: EventCookies,
                   timeout: float | None = None) -> Exchange: ...

    async def close(self) -> None: ...


@dataclass
class Conversation:
    """The requests one event made, and what its TwiML said."""

    token: str
    deadline: float  # time.monotonic() at which the event stops
    deliveries: list[dict[str, Any]] = field(default_factory=list)
    replies: list[twiml.Reply] = field(default_factory=list)
    cookies: EventCookies = field(default_factory=EventCookies)

    def time_left(self) -> float:
        return self.deadline - time.monotonic()

    def out_of_time(self) -> bool:
        return self.time_left() <= CLOCK_SLACK


@dataclass(frozen=True)
class MessageIn:
    to: str
    from_: str
    body: str = ""
    media_urls: Sequence[str] = ()


@dataclass(frozen=True)
class CallIn:
    to: str
    from_: str
    duration: int = 0


class Inbound:
    def __init__(self, db: Database, transport: Transport, deadline: float = EVENT_DEADLINE) -> None:
        self.db = db
        self.transport = transport
        self.deadline = deadline  # seconds each event may take (EVENT_DEADLINE; a test may set less)
        self.on_queued: Callable[[], None] = lambda: None  # messages were queued: their work may start
        # Proxy sessions (domain.pools.sessions), given by the Backend: the active session of a
        # sender on a number, and relaying an interaction through it.
        self.session_for: Callable[[str, str], Any] | None = None
        self.relay: Callable[..., Any] | None = None
        # Every inbound call is a Call of the receiving account (domain.calls), written with its record.
        self.call_record: Callable[[Connection, dict[str, Any]], None] | None = None

    async def close(self) -> None:
        await self.transport.close()

    # -- reading the records ----------------------------------------------------------------

    def fetch(self, caller: Account, kind: str, sid: str) -> Any:
        row = q.fetch(self.db, kind, sid) if is_sid(sid, KINDS[kind]) else None
        if row is None or not holds(self.db, caller, row.account_sid):
            raise errors.not_found()
        return row

    def list(self, caller: Account, kind: str, which: EventFilter, req: PageRequest) -> tuple[list[Any], bool]:
        return q.page(self.db, caller.sid, kind, which, req)

    # -- receiving ----------------------------------------------------------------------------

    def _state(self, caller: Account, to: str) -> RoutingState:
        state = q.routing_state(self.db, to)
        if state is None or not access.may_see(caller, state.owner):
            raise errors.not_found(f"phone number {to}")  # another account's number is no number at all
        return state

    async def message(self, caller: Account, event: MessageIn) -> SimpleNamespace:
        state = await self.db.call(self._state, caller, event.to)
        return await self.receive(state, event)

    async def receive(self, state: RoutingState, event: MessageIn, then: Then | None = None) -> SimpleNamespace:
        """A message to a number some account owns (``state``): its webhooks run, and the record,
        the receiving account's inbound Message (the same SID) and a Message per reply are
        written in one transaction, with ``then(conn)`` (a hosted sender's message marked
        delivered) and the opt-out a keyword (STOP, START) asks for (``domain.received``). To a
        Proxy number from a participant of an active session, the message is relayed instead of
        going out of session (``_relay``)."""
        route = routing.route_message(state)
        sid = new_sid("SM")
        talk = Conversation(state.owner.auth_token, time.monotonic() + self.deadline)
        session = await self._session(state, route, event.from_)
        blocked = False
        if session is not None:
            route = dataclasses.replace(route, route="proxy")  # in session: Proxy answers, whatever its URLs
            blocked = await self._intercept(talk, state, session, "message", sid, {"body": event.body})
        elif route.primary is not None:
            sent = wire.message(sid, state.owner.sid, event.to, event.from_, event.body, event.media_urls,
                                route.messaging_service_sid)
            await self._run(talk, route.purpose, route.primary, route.fallback, sent)
        replies = [{"to": r.to or event.from_, "from": r.from_ or event.to, "body": r.body} for r in talk.replies]
        values = {"to_number": event.to, "from_number": event.from_, "body": event.body,
                  "media_urls": orjson.dumps(list(event.media_urls)).decode(), "call_duration": None}
        callbacks = [r.status_callback for r in talk.replies]
        relayed: list[Any] = []
        queued = [0]

        def messages(conn: Connection, record: dict[str, Any]) -> None:
            queued[0] = messages_of.received(conn, record, state, route.messaging_service_sid, replies, callbacks)
            if session is not None and not blocked and self.relay is not None:
                uri = f"/2010-04-01/Accounts/{state.owner.sid}/Messages/{sid}.json"
                relayed.append(self.relay(conn, session.sid, session.participant_sid, "message", {
                    "resource_sid": sid, "resource_status": "delivered", "resource_type": "Message",
                    "resource_url": uri}, {"body": event.body}))
            if then is not None:
                then(conn)

        record = await self._store(sid, "message", state, route, talk, replies, values, messages)
        if relayed and relayed[0] is not None:
            await self._proxy_callback(state, record, relayed[0])
        if queued[0] or relayed:
            self.on_queued()  # replies, an auto-reply or a relay to send
        return record

    async def _session(self, state: RoutingState, route: Route, sender: str) -> Any:
        """The active Proxy session the sender is a participant of on this number, if the traffic
        reaches a Proxy Service."""
        if route.proxy_service_sid is None or self.session_for is None:
            return None
        return await self.db.call(self.session_for, state.number.sid, sender)

    async def _intercept(self, talk: Conversation, state: RoutingState, session: Any, kind: str, sid: str,
                         data: dict[str, Any]) -> bool:
        """The Service's ``intercept_callback_url``, asked before a relay: a 403 blocks it."""
        service = state.proxy_service
        hook = routing.Webhook(service.intercept_callback_url, "POST") if service.intercept_callback_url else None
        if hook is None:
            return False
        params = wire.proxy_interaction(None, session, kind, sid, data)
        exchange = await self._request(talk, "intercept", hook, params)
        talk.deliveries[-1]["response_body"] = ""  # not TwiML: its body is never kept
        return exchange.status_code == 403

    async def _proxy_callback(self, state: RoutingState, record: SimpleNamespace, interaction: Any) -> None:
        """The Service's ``callback_url`` hears of the interaction; the request is kept on the record."""
        service = state.proxy_service
        if not service.callback_url:
            return
        talk = Conversation(state.owner.auth_token, time.monotonic() + self.deadline)
        await self._request(talk, "callback", routing.Webhook(service.callback_url, "POST"),
                            wire.proxy_interaction(interaction, None, interaction.type, "", {}))
        talk.deliveries[-1]["response_body"] = ""  # informational: its answer is not TwiML
        deliveries = [*orjson.loads(record.deliveries), *talk.deliveries]
        record.deliveries = orjson.dumps(deliveries).decode()
        await self._waiting(q.set_deliveries, self.db, record.sid, record.deliveries)

    async def call(self, caller: Account, event: CallIn) -> SimpleNamespace:
        state = await self.db.call(self._state, caller, event.to)
        route = routing.route_call(state)
        sid = new_sid("CA")
        talk = Conversation(state.owner.auth_token, time.monotonic() + self.deadline)
        number = state.number
        session = await self._session(state, route, event.from_)
        if session is not None:  # a call between participants: a voice interaction
            route = dataclasses.replace(route, route="proxy")
            if not await self._intercept(talk, state, session, "voice", sid, {"duration": str(event.duration)}):
                relayed: list[Any] = []

                def interaction(conn: Connection, record: dict[str, Any]) -> None:
                    if self.relay is not None:
                        relayed.append(self.relay(conn, session.sid, session.participant_sid, "voice", {
                            "resource_sid": sid, "resource_status": "in-progress", "resource_type": "Call"},
                            {"duration": str(event.duration)}))

                record = await self._store(sid, "call", state, route, talk, [], {
                    "to_number": event.to, "from_number": event.from_, "body": "", "media_urls": "[]",
                    "call_duration": event.duration}, interaction)
                if relayed and relayed[0] is not None:
                    self.on_queued()  # the call to the other participant
                    await self._proxy_callback(state, record, relayed[0])
                return record
        elif route.primary is not None:
            caller_name = "" if number.voice_caller_id_lookup else None
            sent = wire.call(sid, state.owner.sid, event.to, event.from_, number.api_version, caller_name)
            await self._run(talk, route.purpose, route.primary, route.fallback, sent)
            if route.status_callback is not None and not talk.out_of_time():
                await self._request(talk, "status_callback", route.status_callback, wire.completed(sent, event.duration))
        return await self._store(sid, "call", state, route, talk, [], {
            "to_number": event.to, "from_number": event.from_, "body": "", "media_urls": "[]",
            "call_duration": event.duration})

    async def _run(self, talk: Conversation, purpose: str, primary: Webhook, fallback: Webhook | None,
                   sent: Params) -> None:
        """The primary webhook and the TwiML it leads to; the fallback when either fails."""
        failed = await self._execute(talk, purpose, primary, sent)
        if failed is not None and fallback is not None and not talk.out_of_time():
            await self._execute(talk, "fallback", fallback, wire.failed(sent, *failed))

    async def _execute(self, talk: Conversation, purpose: str, hook: Webhook, sent: Params) -> tuple[int, str] | None:
        """Request ``hook`` and run its TwiML, following ``<Redirect>``; ``(error code, failed
        URL)`` when a document could not be retrieved or executed. Replies past ``MAX_REPLIES``
        are dropped, the document marked 14109, and its TwiML stops there (not a failure)."""
        for _ in range(MAX_REDIRECTS + 1):
            exchange, error = await self._retrieve(talk, purpose, hook, sent)
            if error is not None:
                return error, exchange.url
            try:
                doc = twiml.parse(exchange.body)
            except twiml.TwimlError:
                refuse(talk.deliveries[-1], TWIML_UNPARSABLE)
                return TWIML_UNPARSABLE, exchange.url
            room = MAX_REPLIES - len(talk.replies)
            talk.replies += doc.replies[:room]
            if len(doc.replies) > room:
                talk.deliveries[-1]["error_code"] = TOO_MANY_REPLIES
                return None
            if doc.redirect is None:
                return None
            hook, purpose = Webhook(urljoin(exchange.url, doc.redirect.url), doc.redirect.method), "redirect"
        return None  # an eleventh <Redirect> is not followed

    async def _retrieve(self, talk: Conversation, purpose: str, hook: Webhook,
                        sent: Params) -> tuple[Exchange, int | None]:
        """One document: the request, and each HTTP redirect after it (up to 10, else 11215)."""
        for hops in range(MAX_REDIRECTS + 1):
            exchange = await self._request(talk, purpose, hook, sent)
            if exchange.error_code is not None:
                return exchange, exchange.error_code
            if exchange.status_code is not None and 300 <= exchange.status_code < 400 and exchange.location:
                if hops == MAX_REDIRECTS:
                    talk.deliveries[-1]["error_code"] = TOO_MANY_REDIRECTS
                    return exchange, TOO_MANY_REDIRECTS
                method = hook.method if exchange.status_code in (307, 308) else "GET"
                hook, purpose = Webhook(urljoin(exchange.url, exchange.location), method), "redirect"
                continue
            media_type = exchange.content_type.split(";", 1)[0].strip().lower()
            if exchange.body.strip() and media_type not in TWIML_TYPES:
                refuse(talk.deliveries[-1], TWIML_WRONG_TYPE)
                return exchange, TWIML_WRONG_TYPE
            return exchange, None
        raise AssertionError("unreachable")

    async def _request(self, talk: Conversation, purpose: str, hook: Webhook, sent: Params) -> Exchange:
        """One request, within what is left of the event's time (none left: not sent, 11205)."""
        left = talk.time_left()
        exchange = await self.transport.send(hook.url, hook.method, sent, talk.token, talk.cookies,
                                             timeout=left if left > CLOCK_SLACK else 0)
        talk.deliveries.append(delivery(purpose, exchange, body=True))
        return exchange

    async def _store(self, sid: str, kind: str, state: RoutingState, route: Route, talk: Conversation,
                     replies: Replies, values: dict[str, Any], more: Callable[[Connection, dict[str, Any]], None] | None = None,
                     ) -> SimpleNamespace:
        """Write the record (and ``more(conn, record)`` in its transaction), the deliveries made."""
        row = {
            "sid": sid, "kind": kind, "account_sid": state.owner.sid, **values, "route": route.route,
            "messaging_service_sid": route.messaging_service_sid, "application_sid": route.application_sid,
            "trunk_sid": route.trunk_sid, "proxy_service_sid": route.proxy_service_sid, "sip_url": route.sip_url,
            "deliveries": orjson.dumps(talk.deliveries).decode(), "replies": orjson.dumps(replies).decode(),
            "date_created": now(),
        }
        if kind == "call" and self.call_record is not None:
            record_call, also = self.call_record, more

            def more(conn: Connection, record: dict[str, Any]) -> None:
                record_call(conn, record)
                if also is not None:
                    also(conn, record)

        await self._waiting(_write, self.db, row, more)
        return SimpleNamespace(**row)

    async def _waiting(self, fn: Callable[..., Any], *args: Any) -> Any:
        """``fn(*args)``, a write: a busy SQLite (another process or thread holds its lock) is
        waited for here, on the loop, rather than by re-running the request (which would deliver
        twice)."""
        delay, deadline = 0.001, time.monotonic() + LOCK_WAIT
        while True:
            try:
                return await self.db.call(fn, *args)
            except DatabaseFailure as exc:
                if not busy(exc) or time.monotonic() > deadline:
                    raise
                await asyncio.sleep(delay)
                delay = min(delay * 2, 0.05)


def _write(db: Database, row: dict[str, Any], more: Callable[[Connection, dict[str, Any]], None] | None) -> None:
    if more is None:
        q.insert(db, row)
        return
    with db.write() as conn:
        conn.execute(q.t.insert(), row)
        more(conn, row)


def delivery(purpose: str, exchange: Exchange, *, status: str | None = None, body: bool = False) -> dict[str, Any]:
    """One request made for a record, as the record keeps it (inbound events, messages, calls):
    what it was for (and, for a status callback, the status it told), where, what was sent and
    signed, and the answer; its body (the first ``RESPONSE_KEPT`` bytes) only with ``body``: a
    webhook's TwiML, never a status callback's answer."""
    kept: dict[str, Any] = {"purpose": purpose}
    if status is not None:
        kept["status"] = status
    kept.update({
        "url": exchange.url, "method": exchange.method, "params": dict(exchange.params),
        "signature": exchange.signature, "status_code": exchange.status_code, "error_code": exchange.error_code,
        "duration_ms": exchange.duration_ms, "response_content_type": exchange.content_type,
        "response_length": len(exchange.body),
    })
    if body:
        kept["response_body"] = exchange.body[:RESPONSE_KEPT].decode("utf-8", "replace")
    return kept


def refuse(delivery: dict[str, Any], code: int) -> None:
    """An answer refused as not TwiML: its error, and no body kept (its status, content type and
    length stay), so the records never show what a URL that is not a webhook answered."""
    delivery["error_code"] = code
    delivery["response_body"] = ""

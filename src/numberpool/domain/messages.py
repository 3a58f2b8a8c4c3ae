"""Sending messages (2010-04-01 Messages): the checks a create makes, a Messaging Service choosing
the sender, and a message's life after the create has answered.

A create checks, in this order (Twilio does not document its own): the recipient, the sender
(``From`` and/or ``MessagingServiceSid``), the content, the callback and validity settings, the
schedule, and what the Service's pool shows now. It then writes the message and its pending work
(``store.messages``) in one transaction, and answers: ``queued`` with ``From``, ``accepted``
through a Service, ``scheduled`` with ``SendAt``.

The work (:class:`Sending`) takes each message through Twilio's statuses, one committed write
per change, each written before its status callback is sent:

- through a Service without ``From``: ``accepted`` → ``queued`` once the sender is chosen (or
  ``failed`` when the pool changed since the create and nothing qualifies any more);
- ``queued`` → ``sent`` (or ``failed``) → ``delivered`` (or ``undelivered``), as the matching
  DeliveryRule says (default ``delivered``); a rule ``sent`` leaves it ``sent``, final.

Status callbacks go to the message's callback URL (its ``StatusCallback``, else the Service's,
else its Application's ``message_status_callback``), one per status after the first, POST,
signed with the account's token; each request is recorded on the message, never retried.
"""

from __future__ import annotations

import asyncio
import builtins
import functools
import logging
import os
import socket
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson
import phonenumbers

from numberpool.domain import clock, errors, received, rules
from numberpool.domain.accounts import Account, holds
from numberpool.domain.clock import now, now_ms
from numberpool.domain.errors import TwilioError
from numberpool.domain.inbound import Inbound, MessageIn, delivery
from numberpool.domain.segments import num_segments, smart_encode
from numberpool.domain.sids import is_sid, new_sid
from numberpool.store import accounts as accounts_store
from numberpool.store import applications as applications_store
from numberpool.store import clock as clock_store
from numberpool.store import inbound as inbound_store
from numberpool.store import messages as q
from numberpool.store import numbers as numbers_store
from numberpool.store import onloop
from numberpool.store import pools as pools_store
from numberpool.store.db import Connection, Database
from numberpool.store.errors import DatabaseFailure, busy
from numberpool.store.messages import MessageFilter
from numberpool.store.paging import PageRequest
from numberpool.webhooks.cookies import EventCookies
from numberpool.webhooks.params import Params, media_content_type

log = logging.getLogger(__name__)

PRICE_PER_SEGMENT = "0.00790"  # USD, shown negative once sent (Twilio's US long-code price; a choice)
MAX_VALIDITY = 36_000
SEND_AT_MIN, SEND_AT_MAX = 300, 3_024_000  # seconds ahead (Twilio's 35114)
FINAL = frozenset({"delivered", "undelivered", "failed", "canceled", "received"})
LEASE_MS = 30_000  # a claim lapses after this long without renewal (a process died)
BATCH = 16  # work rows one claim takes
POLL = 0.25  # seconds between a process's looks for due work
CREATED_FAILED = (received.LOOP_ERROR, received.OPTED_OUT_ERROR)  # codes a message may be created failed with

# Twilio's documented test numbers (SENDING.md, "Test-credential magic numbers").
MAGIC_FROM_OK = "+15005550006"
MAGIC_FROM: dict[str, Callable[[str], TwilioError]] = {
    "+15005550001": errors.invalid_from_number,  # 21212
    "+15005550007": errors.not_a_sender_of_account,  # 21606
    "+15005550008": lambda _: errors.queue_full(),  # 21611
}
MAGIC_TO = {"+15005550001": 21211, "+15005550002": 21612, "+15005550003": 21408, "+15005550004": 21610,
            "+15005550009": 21614}

DELIVERY_MESSAGES = {
    30001: "Queue overflow", 30002: "Account suspended", 30003: "Unreachable destination handset",
    30004: "Message blocked", 30005: "Unknown destination handset", 30006: "Landline or unreachable carrier",
    30007: "Message filtered", 30008: "Unknown error", 30034: "Message from an unregistered number",
    30036: "Validity period expired", 30410: "Provider timeout error", 21704: "The Messaging Service contains no "
    "phone numbers", 21703: "The Messaging Service does not have a phone number available to send a message",
    21621: "The From number has not been enabled for MMS", 21701: "The Messaging Service does not exist",
}


@dataclass(frozen=True)
class Outgoing:
    """A create's parameters, as the wire layer read them (each checked for its form there)."""

    to: str
    from_: str | None
    service_sid: str | None
    body: str
    media: Sequence[str]
    content_sid: str | None
    status_callback: str | None
    application_sid: str | None
    validity_period: int | None
    send_at: int | None  # seconds, already read from ISO 8601
    schedule_type: str | None
    smart_encoded: bool | None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Choice:
    """The sender a Service chose, and why."""

    number: Any
    rule: str  # given, sticky, area_code, country, us, any
    least_used: bool


def _region(e164: str) -> str | None:
    try:
        return phonenumbers.region_code_for_number(phonenumbers.parse(e164, None))
    except phonenumbers.NumberParseException:
        return None


Find = Callable[..., Sequence[Any]]
"""``find(mms=..., sid=..., countries=..., area_code=...)``: at most two matching pool numbers,
least recently used first (``store.messages.candidates`` for one Service)."""


def choose(find: Find, to: str, *, media: bool, mms_converter: bool, sticky_sid: str | None) -> Choice | None:
    """The sender for ``to`` by the order the README states: the sticky sender (``sticky_sid``,
    when it can still send this message); media needs an MMS-capable number (with the converter
    on, an SMS-capable one when the pool has none); a US/CA ``To`` tries its area code first
    (``area_code``, when the Service's area-code geomatch is on), then any US/CA number; the
    ``To``'s country (``country``), else a US number (``us``), else any (``any``). Among equals
    the least recently used; ``least_used`` says whether there was more than one."""
    mms = media and bool(find(mms=True, limit=1))
    if media and not mms and not mms_converter:
        return None
    if sticky_sid is not None:
        found = find(mms=mms, sid=sticky_sid)
        if found:
            return Choice(found[0], "sticky", False)
    region = _region(to)
    groups: list[tuple[str, dict[str, Any]]] = []
    if region in ("US", "CA") and to[2:5].isdigit():
        groups.append(("area_code", {"area_code": to[2:5], "countries": ("US", "CA")}))
        groups.append(("country", {"countries": ("US", "CA")}))
    elif region is not None:
        groups.append(("country", {"countries": (region,)}))
    groups += [("us", {"countries": ("US",)}), ("any", {})]
    for rule, where in groups:
        found = find(mms=mms, **where)
        if found:
            return Choice(found[0], rule, len(found) > 1)
    return None


class Messages:
    def __init__(self, db: Database) -> None:
        self.db = db
        self.alone_inserts = q.alone_inserts(db)

    # -- create ---------------------------------------------------------------------------------

    def create(self, account: Account, out: Outgoing) -> Any:
        """Check ``out`` and write the message with its pending work (none for a magic ``From``
        with no owner: Twilio's test credentials send nothing); the row written, or, for a message
        delivered at once, an :class:`AtOnce` that ``finish`` writes."""
        magic = MAGIC_TO.get(out.to)
        if magic is not None:
            raise _magic_to(magic, out.to)
        if out.from_ is None and out.service_sid is None:
            raise errors.from_or_service_required()
        if out.service_sid is None and out.application_sid is None:
            # Every read of a create from a number is a one-statement hot read, and a Service's pool or
            # an Application is all a transaction would be held for: none here. The writes take one.
            return self._create(None, account, out)
        with self.db.write() as conn:
            return self._create(conn, account, out)

    def _create(self, conn: Connection | None, account: Account, out: Outgoing) -> Any:
        """``create``'s checks and writes; ``conn``: the transaction held for a Service's pool or an
        Application (None: there is neither)."""
        if conn is None and self.db.offload is not None:
            plain = self._plain(account, out)
            if plain is not None:
                return plain
        service = self._service(_held(conn), account, out.service_sid) if out.service_sid is not None else None
        sender = self._sender(conn, account, out, service) if out.from_ is not None else None
        if not out.body and not out.media and not out.content_sid:
            raise errors.message_content_required()
        if out.media and sender is not None and not sender.cap_mms:
            raise errors.sender_without_mms()
        if out.from_ is not None and out.from_ == out.to:
            raise errors.to_equals_from()
        # a sender read through no Service came with the answers of the next reads (store.messages.from_number)
        asked = sender if sender is not None and hasattr(sender, "recent") else None
        keys = received.senders(out.from_, service.sid if service is not None else None) if out.from_ else (
            [service.sid] if service is not None else [])
        if keys and (asked.opted_out if asked is not None else q.opted_out(self.db, keys, out.to)):
            raise errors.unsubscribed_recipient()
        if out.schedule_type is not None and out.send_at is None:
            raise errors.send_at_required()
        if out.send_at is not None:
            if out.schedule_type != "fixed":
                raise errors.invalid_schedule_type()
            if service is None:
                raise errors.schedule_needs_service()
            ahead = out.send_at - now()
            if not SEND_AT_MIN <= ahead <= SEND_AT_MAX:
                raise errors.send_at_out_of_range()
        if service is not None and sender is None:
            total, mms = q.pool_size(_held(conn), service.sid)
            if total == 0:
                raise errors.service_pool_empty()
            if out.media and mms == 0 and not service.mms_converter:
                raise errors.sender_without_mms()
        callback = out.status_callback
        if callback is None and service is not None:
            callback = service.status_callback
        if callback is None and out.application_sid is not None:
            app = applications_store.application.get(_held(conn), out.application_sid)
            if app is None or app.account_sid != account.sid:
                raise errors.application_not_of_account("ApplicationSid", out.application_sid, account.sid)
            callback = app.message_status_callback
        ts = now()
        status = "scheduled" if out.send_at is not None else "queued" if sender is not None else "accepted"
        unowned_magic = out.from_ == MAGIC_FROM_OK and sender is not None and sender.sid is None
        row = _row(account, out, service, sender.phone_number if sender is not None else None, status, callback, ts)
        due = None if unowned_magic else (out.send_at * 1000 if out.send_at is not None else now_ms())
        if unowned_magic:  # Twilio's test credentials: answered queued, nothing is sent
            row["status"] = "queued"
        elif sender is not None and (asked.recent if asked is not None else q.between(
                self.db, sender.phone_number, out.to, ts - received.LOOP_WINDOW)) >= received.LOOP_LIMIT:
            row.update(status="failed", error_code=received.LOOP_ERROR,  # the chain ends here; its callback follows
                       error_message=received.ERROR_MESSAGES[received.LOOP_ERROR])
        elif status == "queued" and not callback and not (asked.to_hosted if asked is not None else q.hosted(self.db, out.to)):
            return self._delivered_at_once(conn, account, row, may_rule=asked is None or asked.may_rule)
        if conn is not None:
            return q.insert(conn, row, due)
        with self.db.write() as tx:  # the message and its pending work: both or neither
            return q.insert(tx, row, due)

    def _plain(self, account: Account, out: Outgoing) -> Any:
        """PostgreSQL, a message from a number through no Service: the message delivered at once
        (``_delivered_at_once``, no DeliveryRule) written by one statement that inserts it only if
        every check the create makes of the database passes as for a plain message (the sender
        is the account's and can send it, the recipient did not opt out of it, the pair is under
        the reply-loop limit, nobody hosts the recipient, no DeliveryRule of the account or its
        parent could decide it): one round trip where reading first took two. The row answered, or
        None: nothing written, the create reads and decides as for any message. Only a message
        with nothing else to decide is tried (no callback, no schedule, its checks that need no
        database passed), so the errors keep their order."""
        if (out.from_ is None or out.from_ in MAGIC_FROM or out.from_ == MAGIC_FROM_OK or out.status_callback is not None
                or out.schedule_type is not None or out.send_at is not None or out.from_ == out.to
                or not (out.body or out.media or out.content_sid)):
            return None
        ts = now()
        row = _row(account, out, None, out.from_, "queued", None, ts)
        final = {**row, **_sent(row["num_segments"], ts), **_delivery(None, ts)}
        if not q.insert_plain(self.db, q.keyed(final), chain=rules.chain(account), since=ts - received.LOOP_WINDOW,
                              limit=received.LOOP_LIMIT, mms=bool(out.media)):
            return None
        return q.insert_shown(row)

    def _delivered_at_once(self, conn: Connection | None, account: Account, row: dict[str, Any], *,
                           may_rule: bool) -> Any:
        """A message with its sender, no callback URL, to a number no account hosts: nothing can
        observe its statuses between ``queued`` and the final one, so it reaches the final one (as
        its DeliveryRule says, else ``delivered``) in the create's own write, with no
        pending work. The answer still shows it ``queued``, as Twilio's create does."""
        outcome = _rule(self.db, account, row["to_number"]) if may_rule else None
        ts = row["date_created"]
        final = dict(row)
        if outcome is not None and outcome.status == "failed":
            final.update(_failed(outcome.error_code, ts))
        else:
            final.update(_sent(row["num_segments"], ts))
            if outcome is None or outcome.status != "sent":
                final.update(_delivery(outcome, ts))
        if conn is None:  # one row and nothing else: ``finish`` writes it in one autocommit statement
            return AtOnce(q.keyed(final), q.insert_shown(row))
        q.insert(conn, final, None)
        return q.insert_shown(row)

    async def finish(self, created: Any) -> Any:
        """``create``'s answer, with its message written: an :class:`AtOnce` message is inserted
        in one autocommit statement, on SQLite shared with the other rows of this turn of the event
        loop (store.group: a commit costs more than the row it carries), on PostgreSQL alone on the
        request's thread (the create runs there to its end: ``router.database_only``); the answer
        is sent after it committed."""
        if not isinstance(created, AtOnce):
            return created
        if not await self.alone_inserts.insert_if_free(created.values):
            # refused in the group (never a taken SID; an account closed meanwhile): alone, in a
            # transaction, so that the error is this request's own
            await self.db.call(self._insert_final, created.values)
        return created.shown

    def _insert_final(self, values: dict[str, Any]) -> None:
        with self.db.write() as conn:
            q.insert(conn, {k: v for k, v in values.items() if k != "created_key"}, None)

    def _service(self, conn: Connection, account: Account, service_sid: str) -> Any:
        if not is_sid(service_sid, "MG"):
            raise errors.service_invalid(service_sid)
        service = pools_store.messaging.get(conn, service_sid)
        if service is None or service.account_sid != account.sid:
            raise errors.service_not_found(service_sid)
        return service

    def _sender(self, conn: Connection | None, account: Account, out: Outgoing, service: Any) -> Any:
        """The ``From`` number's row (an object with sid None for Twilio's magic sender)."""
        assert out.from_ is not None
        refused = MAGIC_FROM.get(out.from_)
        if refused is not None:
            raise refused(out.from_)
        if service is None:  # the hot read, with the next ones' answers (outside any transaction)
            row = q.from_number(self.db, out.from_, out.to, now() - received.LOOP_WINDOW, rules.chain(account))
        else:
            row = numbers_store.fetch_by_number(self.db, out.from_)  # outside the transaction's statements
        if row is None and out.from_ == MAGIC_FROM_OK:
            return _MagicSender(out.from_)
        if row is None or row.account_sid != account.sid or not (row.cap_sms or row.cap_mms):
            raise errors.not_a_sender_of_account(out.from_)
        if service is not None and not q.lock_member(_held(conn), service.sid, row.sid):
            raise errors.sender_not_in_service(out.from_)
        return row

    def send_in(self, conn: Connection, account_sid: str, from_: str, to: str, body: str) -> tuple[str, str]:
        """An ``outbound-api`` Message from a number of the account, queued in the caller's
        transaction (a Proxy MessageInteraction, a relay): its SID and URI."""
        sid = new_sid("SM")
        q.insert(conn, received.row(sid=sid, account_sid=account_sid, service_sid=None, from_=from_, to=to, body=body,
                                    status="queued", direction="outbound-api", media=[], ts=now()), now_ms())
        return sid, f"/2010-04-01/Accounts/{account_sid}/Messages/{sid}.json"

    # -- reading --------------------------------------------------------------------------------

    def fetch(self, account: Account, sid: str) -> Any:
        row = q.fetch(self.db, sid) if _is_message_sid(sid) else None
        if row is None or row.account_sid != account.sid:
            raise errors.not_found()
        return row

    def list(self, account: Account, which: MessageFilter, req: PageRequest) -> tuple[builtins.list[Any], bool]:
        return q.page(self.db, [account.sid], which, req)

    def view(self, caller: Account, sid: str) -> Any:
        """numberpool's own view: the message if the caller's account or an ancestor holds it."""
        row = q.fetch(self.db, sid) if _is_message_sid(sid) else None
        if row is None or not holds(self.db, caller, row.account_sid):
            raise errors.not_found()
        return row

    def family_list(self, caller: Account, which: MessageFilter, req: PageRequest) -> tuple[builtins.list[Any], bool]:
        return q.page(self.db, q.family(caller.sid), which, req)

    # -- update and delete ----------------------------------------------------------------------

    def update(self, account: Account, sid: str, body: str | None, status: str | None) -> Any:
        """``Body=""`` redacts; ``Status=canceled`` cancels a scheduled message (its callback
        follows, as the work's last step)."""
        with self.db.write() as conn:
            row = _owned(conn, account, sid)
            values: dict[str, Any] = {}
            if body is not None:
                if body != "":
                    raise errors.body_only_redacted()
                if row.status not in FINAL and row.status != "sent":
                    raise errors.redact_unfinished()
                values["body"] = ""
            if status is not None:
                if status != "canceled":
                    raise errors.invalid_message_status(status)
                if row.status != "scheduled":
                    raise errors.cancel_not_scheduled(row.status)
                values["status"] = "canceled"
                q.reschedule(conn, sid, now_ms())  # due now: the work sends the canceled callback
            if values:
                values["date_updated"] = now()
                q.change(conn, sid, values)
            return q.get(conn, sid)

    def media(self, account: Account, sid: str) -> tuple[Any, builtins.list[dict[str, Any]]]:
        """The message and its media records (sid, url, content_type, date_created)."""
        row = self.fetch(account, sid)
        return row, orjson.loads(row.media_urls)

    def delete_media(self, account: Account, sid: str, media_sid: str) -> None:
        with self.db.write() as conn:
            row = _owned(conn, account, sid)
            media = orjson.loads(row.media_urls)
            kept = [m for m in media if m["sid"] != media_sid]
            if len(kept) == len(media):
                raise errors.not_found()
            q.change(conn, sid, {"media_urls": orjson.dumps(kept).decode(), "date_updated": now()})

    def delete(self, account: Account, sid: str) -> None:
        with self.db.write() as conn:
            row = _owned(conn, account, sid)
            if row.status not in FINAL and (row.status != "sent" or q.has_work(conn, sid)):
                raise errors.message_not_final(row.status)
            q.remove(conn, sid)


def _row(account: Account, out: Outgoing, service: Any, from_number: str | None, status: str, callback: str | None,
         ts: int) -> dict[str, Any]:
    """The messages row of a create: ``from_number``, the sender's (None until a Service chooses)."""
    smart = out.smart_encoded if out.smart_encoded is not None else bool(service and service.smart_encoding)
    return {
        "sid": new_sid("MM" if out.media else "SM"), "account_sid": account.sid,
        "messaging_service_sid": service.sid if service is not None else None,
        "from_number": from_number, "to_number": out.to,
        "body": out.body, "status": status, "direction": "outbound-api",
        "num_segments": num_segments(out.body, smart=smart) if status == "queued" else 0,
        "num_media": len(out.media), "media_urls": orjson.dumps([
            {"sid": new_sid("ME"), "url": u, "content_type": media_content_type(u), "date_created": ts}
            for u in out.media]).decode(),
        "price": None, "price_unit": "USD", "error_code": None, "error_message": None,
        "status_callback": callback, "application_sid": out.application_sid,
        "validity_period": out.validity_period or (service.validity_period if service is not None else MAX_VALIDITY),
        "smart_encoded": smart,
        "selection": orjson.dumps({"rule": "given", "least_used": False}).decode() if service and from_number else None,
        "deliveries": "[]", "extra": orjson.dumps(out.extra).decode(),
        "date_created": ts, "date_updated": ts, "date_sent": None,
    }


@dataclass(frozen=True)
class AtOnce:
    """A message ``Messages.create`` checked and will not write in a transaction: one delivered
    at once, with no pending work; ``Messages.finish`` writes ``values`` and answers ``shown``."""

    values: dict[str, Any]
    shown: Any


def _held(conn: Connection | None) -> Connection:
    """The create's transaction, where one is held (a Service or an Application: ``Messages.create``)."""
    assert conn is not None
    return conn


def _is_message_sid(sid: str) -> bool:
    return is_sid(sid, "SM") or is_sid(sid, "MM")


def _owned(conn: Connection, account: Account, sid: str) -> Any:
    """The account's message, locked for the change that follows; 20404 as if absent otherwise."""
    row = q.get(conn, sid, lock=True) if _is_message_sid(sid) else None
    if row is None or row.account_sid != account.sid:
        raise errors.not_found()
    return row


@dataclass(frozen=True)
class _MagicSender:
    phone_number: str
    sid: None = None
    cap_sms: bool = True
    cap_mms: bool = True


def _magic_to(code: int, to: str) -> TwilioError:
    return {
        21211: lambda: errors.invalid_to_number(to),
        21612: errors.unroutable_pair,
        21408: errors.region_not_enabled,
        21610: errors.unsubscribed_recipient,
        21614: errors.not_mobile,
    }[code]()


# -- the work after the create ---------------------------------------------------------------------

@dataclass
class Step:
    """What one committed change did: the row after it, and the callback it calls for."""

    row: Any
    callback: str | None  # the status to report, None: no callback
    done: bool
    token: str = ""
    ours: bool = True  # False: the claim is no longer this process's (it lapsed and was taken over)
    hosted: Any = None  # the routing state of the hosted number the message is to be delivered to
    finished: bool = False  # the work row was deleted with this change: nothing left to record


class Sending:
    """Runs the pending work of messages: claimed from the table, so any process of any host may
    run it, a crashed one's taken over when its claim lapses."""

    def __init__(self, db: Database, inbound: Inbound) -> None:
        self.db = db
        self.inbound = inbound  # delivers to hosted numbers; its transport sends the callbacks
        # Where the work runs: the loop of whoever kicks it (a server's worker), or, when set,
        # the loop this gives (the mock's background thread: a sync test has no loop running).
        self.home: Callable[[], asyncio.AbstractEventLoop] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None  # the loop of the latest kick
        self._poller: dict[asyncio.AbstractEventLoop, asyncio.Task[None]] = {}
        self._wake: dict[asyncio.AbstractEventLoop, asyncio.Event] = {}
        self._running: set[str] = set()  # messages this process is working on
        self.claimant = f"{socket.gethostname()}:{os.getpid()}"
        self.sessions: Any = None  # domain.pools.sessions.Sessions: expires Proxy sessions when due
        self.calls: Any = None  # domain.calls.CallWork: runs calls' work
        # Whether to follow the clock offset other processes write (a server's); a mock's database
        # is its own, so its clock moves only by its own advances.
        self.follow_clock = True

    async def recover(self) -> None:
        """At start-up: the claims of this host's processes that are gone (a server killed and
        started again) are due again at once, not when their lease lapses."""
        host = self.claimant.rsplit(":", 1)[0] + ":"
        try:
            for claimant in await self.db.background(q.claimants, self.db, host, int(time.time() * 1000)):
                pid = claimant.rsplit(":", 1)[1]
                if pid.isdigit() and not _alive(int(pid)):
                    await self._write(q.release, claimant)
        except Exception:
            log.exception("could not free the claims of stopped processes")
        self.kick()

    # -- scheduling -------------------------------------------------------------------------------

    def kick(self) -> None:
        """Due work may be waiting: the process's poller looks now (started on first need), on
        the running loop or on ``home``'s."""
        if self.home is not None:
            home = self.home()
            home.call_soon_threadsafe(self._kick_on, home)
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # a request thread (PostgreSQL: a database-only handler run there to its end)
            known = self._loop
            if known is not None and not known.is_closed():
                known.call_soon_threadsafe(self._kick_on, known)
            return
        self._kick_on(loop)

    def _kick_on(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop  # the loop a request thread's kick goes to (the server's, kicked at start-up)
        task = self._poller.get(loop)
        if task is None or task.done():
            self._wake[loop] = asyncio.Event()
            self._poller[loop] = loop.create_task(self._poll(self._wake[loop]))
        self._wake[loop].set()

    async def _poll(self, wake: asyncio.Event) -> None:
        """Look for due work now and then, and whenever kicked, until cancelled (the loop's end)."""
        ticked = True
        while True:
            wake.clear()
            try:
                if ticked and self.follow_clock:  # on the timer: another process may have advanced the clock
                    await self.read_clock()
                await self.run_due(None)
            except Exception:  # a database hiccup: look again at the next poll
                log.exception("message work poll failed")
            try:
                async with asyncio.timeout(POLL):  # not wait_for: on 3.11 it can swallow a cancellation
                    await wake.wait()
                ticked = False
            except TimeoutError:
                ticked = True

    async def _read(self, fn: Callable[..., Any], *args: Any) -> Any:
        """A one-statement read of the work: on PostgreSQL on the event loop with a lent connection
        (as a GET's), so a server that sends nothing opens no background connection for its
        looks; on a background thread when none is to be had on the loop."""
        if self.db.loop_connections:
            try:
                return await self.db.on_loop(fn, *args)
            except onloop.NeedsThread:
                pass
        return await self.db.background(fn, *args)

    async def read_clock(self) -> None:
        """Follow the database's clock offset (another process may have advanced it)."""
        clock.set_offset_ms(await self._read(clock_store.offset, self.db))

    async def advance_clock(self, seconds: float, account_sids: Any, timeout: float) -> list[Any]:
        """Advance the server clock by ``seconds``, then run what became due and settle it (the
        work still pending at ``timeout``, else [])."""
        clock.set_offset_ms(await self._write(clock_store.advance, round(seconds * 1000)))
        self.kick()
        return await self.settle(account_sids, timeout)

    def reset_clock(self) -> None:
        with self.db.write() as conn:
            clock_store.reset(conn)
        clock.set_offset_ms(0)

    async def close(self) -> None:
        for task in self._poller.values():
            task.cancel()
        self._poller.clear()

    async def run_due(self, account_sids: Any) -> int:
        """Claim what is due (of ``account_sids`` only, when given) and run it to its end; the
        number of messages worked on."""
        done = 0
        while True:
            if not await self._read(q.anything_due, self.db, now_ms(), int(time.time() * 1000), account_sids):
                return done  # one read, no write transaction, when there is nothing to claim
            started = await self._write(self._claim_and_start, account_sids)
            if not started:
                return done
            await asyncio.gather(*(self.calls.run(sid) if seen.get("call") else self._run(sid, step, seen)
                                   for sid, step, seen in started if step is not None))
            done += len(started)

    def _claim_and_start(self, conn: Connection, account_sids: Any) -> list[tuple[str, Step | None, dict[str, Any]]]:
        """Claim a batch of due work and take each through its first change, in one transaction:
        a message with no callback URL ends here, its work row gone. Each message's change is a
        savepoint of its own, so one that fails is left to its claim's lapse, not the batch. For
        each claimed SID: the step to go on from (None: nothing left to do here), and what its run
        read."""
        sids = q.claim(conn, now_ms(), int(time.time() * 1000), LEASE_MS, BATCH, account_sids, self.claimant)
        started: list[tuple[str, Step | None, dict[str, Any]]] = []
        for sid in sids:
            seen: dict[str, Any] = {}
            try:
                with conn.begin_nested():
                    if sid.startswith("KC"):  # a Proxy session's expiry
                        self._expire_session(conn, sid)
                        step: Step | None = None
                    elif sid.startswith("CA"):  # a call: its work runs as a whole (domain.calls)
                        step, seen["call"] = Step(None, None, False), True
                    else:
                        step = self._advance(conn, sid, seen)
                        if not step.ours or step.finished:
                            step = None
            except DatabaseFailure:
                raise  # the whole transaction: busy, or the database away
            except Exception:
                log.exception("message %s: work failed", sid)
                step = None
            started.append((sid, step, seen))
        return started

    async def settle(self, account_sids: Any, timeout: float) -> list[Any]:
        """Run this family's due work until none is left (other processes' too: waited for);
        the work still pending at ``timeout``, else []. Work this call started and did not see
        finish goes on after it has answered."""
        deadline = time.monotonic() + timeout
        delay = 0.005
        while True:
            run = asyncio.ensure_future(self.run_due(account_sids))
            run.add_done_callback(_retrieved)  # one that fails after the timeout: logged there, not lost
            try:
                await asyncio.wait_for(asyncio.shield(run), max(deadline - time.monotonic(), 0))
            except TimeoutError:
                pass
            except Exception:  # a step that failed (a database hiccup): its claim lapses, wait for it
                log.exception("settle: running due work failed")
            left = await self.db.call(q.pending, self.db, account_sids, now_ms(), int(time.time() * 1000))
            if not left or time.monotonic() >= deadline:
                return left
            await asyncio.sleep(min(delay, max(deadline - time.monotonic(), 0)))
            delay = min(delay * 2, 0.1)

    # -- one message ----------------------------------------------------------------------------

    async def _run(self, sid: str, first: Step, seen: dict[str, Any]) -> None:
        """A message's work from ``first``, its change already committed, to its end."""
        self._running.add(sid)
        step: Step | None = first
        try:
            while True:
                if step is None:
                    step = await self._write(self._advance, sid, seen)
                if not step.ours or step.finished:
                    return
                if step.hosted is not None:  # to a number some account owns: it receives the message
                    row = step.row
                    event = MessageIn(row.to_number, row.from_number, row.body,
                                      tuple(m["url"] for m in orjson.loads(row.media_urls)))
                    await self.inbound.receive(step.hosted, event, then=functools.partial(_delivered, sid))
                    step = Step(await self.db.background(q.fetch, self.db, sid), "delivered", True, step.token)
                delivery = None
                if step.callback is not None and step.row.status_callback:
                    delivery = await self._callback(step)
                    if not step.done:
                        await self._write(_record, sid, delivery, self.claimant)
                if step.done:
                    await self._write(_finish, sid, delivery, self.claimant)
                    return
                step = None
        except Exception:
            log.exception("message %s: work failed", sid)
        finally:
            self._running.discard(sid)

    def _expire_session(self, conn: Connection, sid: str) -> None:
        if not q.hold(conn, sid, self.claimant, int(time.time() * 1000) + LEASE_MS):
            return
        q.finish(conn, sid)
        if self.sessions is not None:
            self.sessions.expire(conn, sid)  # closes it, or schedules it again when it moved on

    def _advance(self, conn: Connection, sid: str, seen: dict[str, Any]) -> Step:
        """The message's next status changes, in one transaction: one, when its callback is to
        be sent (so each status is committed before its callback); all of them to the final one
        when it has no callback URL (nothing can see the statuses in between); up to a hosted
        recipient's delivery. The work row stays until the last change's callback has been
        recorded (``_finish``): Settle waits for that too. ``seen``: what this run read before
        (the owner's token, the DeliveryRule), read once per message."""
        if not q.hold(conn, sid, self.claimant, int(time.time() * 1000) + LEASE_MS):  # a callback takes 15 s at most
            return Step(None, None, True, ours=False)
        row = q.get(conn, sid, lock=True)
        if row is None:
            return Step(None, None, True)
        if "token" not in seen:
            owner = accounts_store.get(conn, row.account_sid)
            seen["owner"], seen["token"] = owner, owner.auth_token if owner is not None else ""
        while True:
            step = self._step(conn, row, seen)
            if step.done or step.hosted is not None or (step.callback is not None and step.row.status_callback):
                if step.done and not (step.callback is not None and step.row.status_callback):
                    q.finish(conn, sid)  # nothing to record after it: the work ends in this transaction
                    step.finished = True
                return step
            row = step.row

    def _step(self, conn: Connection, row: Any, seen: dict[str, Any]) -> Step:
        """One status change of ``row``."""
        token, owner = seen["token"], seen["owner"]
        ts = now()
        if row.status == "canceled":
            return Step(row, "canceled", True, token)
        if row.status in ("accepted", "scheduled"):
            if row.from_number is not None:  # scheduled with a given From
                return Step(q.changed(conn, row, {"status": "queued", "date_updated": ts}), "queued", False, token)
            return self._select(conn, row, token)
        if row.status in ("queued", "sent") and "rule" not in seen:
            seen["rule"] = _rule(self.db, owner, row.to_number)
        outcome = seen.get("rule")
        if row.status == "queued":
            if outcome is not None and outcome.status == "failed":
                return Step(q.changed(conn, row, _failed(outcome.error_code, ts)), "failed", True, token)
            sent = q.changed(conn, row, _sent(row.num_segments, ts))
            return Step(sent, "sent", outcome is not None and outcome.status == "sent", token)
        if row.status == "sent":
            if outcome is None or outcome.status == "delivered":
                hosted = inbound_store.routing_state(self.db, row.to_number) if q.hosted(self.db, row.to_number) else None
                if hosted is not None and hosted.owner.status == "active":
                    return Step(row, None, False, token, hosted=hosted)
            if outcome is not None and outcome.status == "sent":
                return Step(row, None, True, token)
            delivered = q.changed(conn, row, _delivery(outcome, ts))
            return Step(delivered, delivered.status, True, token)
        if row.status == "failed" and row.error_code in CREATED_FAILED and row.deliveries == "[]":
            return Step(row, "failed", True, token)  # created failed (a reply loop, an opt-out): its callback
        return Step(row, None, True, token)

    def _select(self, conn: Connection, row: Any, token: str) -> Step:
        """A Service's message gets its sender: ``queued``, or ``failed`` when nothing qualifies."""
        ts = now()
        # The Service's row locked: its selections run one at a time, so two processes choosing
        # at once still spread over the pool and never lose a sticky mapping.
        service = pools_store.messaging.get(conn, row.messaging_service_sid, lock=True)
        media = row.num_media > 0
        if service is None:
            return self._fail(conn, row, 21701, token)
        total, _ = q.pool_size(conn, service.sid)
        if total == 0:
            return self._fail(conn, row, 21704, token)
        sticky = q.sticky(conn, service.sid, row.to_number) if service.sticky_sender else None

        def find(*, mms: bool, area_code: str | None = None, **where: Any) -> Sequence[Any]:
            if area_code is not None and not service.area_code_geomatch:
                return ()
            return q.candidates(conn, service.sid, mms=mms, area_code=area_code, **where)

        for _ in range(3):  # the chosen number locked in the pool; one that left it meanwhile: choose again
            choice = choose(find, row.to_number, media=media, mms_converter=service.mms_converter, sticky_sid=sticky)
            if choice is None:
                return self._fail(conn, row, 21621 if media else 21703, token)
            if q.lock_member(conn, service.sid, choice.number.sid):
                break
        else:
            return self._fail(conn, row, 21703, token)
        q.used(conn, service.sid, choice.number.sid, now_ms())
        if service.sticky_sender:
            q.stick(conn, service.sid, row.to_number, choice.number.sid, ts)
        body = smart_encode(row.body) if row.smart_encoded else row.body
        queued = q.changed(conn, row, {
            "status": "queued", "from_number": choice.number.phone_number, "date_updated": ts,
            "num_segments": num_segments(body),
            "selection": orjson.dumps({"rule": choice.rule, "least_used": choice.least_used,
                                       "phone_number_sid": choice.number.sid}).decode(),
        })
        return Step(queued, "queued", False, token)

    def _fail(self, conn: Connection, row: Any, code: int, token: str) -> Step:
        return Step(q.changed(conn, row, _failed(code, now())), "failed", True, token)

    async def _callback(self, step: Step) -> dict[str, Any]:
        row = step.row
        params = status_params(row, step.callback or row.status)
        exchange = await self.inbound.transport.send(row.status_callback, "POST", params, step.token, EventCookies())
        return delivery("status_callback", exchange, status=step.callback)

    async def _write(self, fn: Any, *args: Any) -> Any:
        """``fn(conn, *args)`` in a write transaction, on the background threads on PostgreSQL;
        SQLite's lock, held by another process, waited for here without blocking the loop."""
        delay, deadline = 0.001, time.monotonic() + 15
        while True:
            try:
                return await self.db.background(_in_write, self.db, fn, args)
            except DatabaseFailure as exc:
                if not busy(exc) or time.monotonic() > deadline:
                    raise
                await asyncio.sleep(delay)
                delay = min(delay * 2, 0.05)


def _alive(pid: int) -> bool:
    """Whether process ``pid`` of this host still runs: a zombie (killed, not yet reaped by its
    new parent, which in a container may never happen) does not."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            state = f.read().rsplit(b")", 1)[1].split()[0]
        return state not in (b"Z", b"X")
    except (FileNotFoundError, ProcessLookupError):
        return False
    except (OSError, IndexError):  # no /proc (not Linux): ask the process table
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True


def _in_write(db: Database, fn: Any, args: tuple[Any, ...]) -> Any:
    with db.write() as conn:
        return fn(conn, *args)


def _retrieved(task: asyncio.Future[Any]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("due work failed: %r", task.exception())


def _delivered(sid: str, conn: Connection) -> None:
    """The hosted recipient has the message: in the transaction that keeps its inbound record."""
    q.change(conn, sid, {"status": "delivered", "date_updated": now()})


def _record(conn: Connection, sid: str, delivery: dict[str, Any], claimant: str) -> None:
    """A status callback request, kept on its message, while ``claimant`` still holds its work (a
    process whose claim lapsed and was taken over writes nothing more)."""
    if not q.hold(conn, sid, claimant, int(time.time() * 1000) + LEASE_MS):
        return
    row = q.get(conn, sid, lock=True)
    if row is not None:
        q.change(conn, sid, {"deliveries": orjson.dumps([*orjson.loads(row.deliveries), delivery]).decode()})


def _finish(conn: Connection, sid: str, delivery: dict[str, Any] | None, claimant: str) -> None:
    """The message is final: its last callback recorded, its work row gone, in one transaction
    (by the process that holds the work only)."""
    if not q.hold(conn, sid, claimant, int(time.time() * 1000) + LEASE_MS):
        return
    if delivery is not None:
        _record(conn, sid, delivery, claimant)
    q.finish(conn, sid)


def _sent(num_segments: int, ts: int) -> dict[str, Any]:
    """A message accepted by the carrier: ``sent``, dated, priced per segment."""
    price = f"-{float(PRICE_PER_SEGMENT) * max(num_segments, 1):.5f}"
    return {"status": "sent", "date_sent": ts, "date_updated": ts, "price": price}


def _delivery(outcome: Any, ts: int) -> dict[str, Any]:
    """A sent message's end: ``undelivered`` with its code when a DeliveryRule says so, else ``delivered``."""
    if outcome is not None and outcome.status == "undelivered":
        return {"status": "undelivered", "error_code": outcome.error_code,
                "error_message": DELIVERY_MESSAGES.get(outcome.error_code), "date_updated": ts}
    return {"status": "delivered", "date_updated": ts}


def _failed(code: int | None, ts: int) -> dict[str, Any]:
    return {"status": "failed", "error_code": code, "error_message": DELIVERY_MESSAGES.get(code or 0),
            "date_updated": ts}


def _rule(db: Database, owner: Any, to: str) -> Any:
    """The DeliveryRule that decides a message to ``to`` (``domain.rules``), or None."""
    return rules.deciding(q.rules, db, owner, to)


def status_params(row: Any, status: str) -> Params:
    """A status callback's parameters (SENDING.md, A5)."""
    params: Params = [
        ("AccountSid", row.account_sid), ("ApiVersion", "2010-04-01"), ("From", row.from_number or ""),
        ("To", row.to_number), ("MessageSid", row.sid), ("SmsSid", row.sid), ("MessageStatus", status),
        ("SmsStatus", status),
    ]
    if row.messaging_service_sid:
        params.append(("MessagingServiceSid", row.messaging_service_sid))
    if status in ("failed", "undelivered") and row.error_code is not None:
        params.append(("ErrorCode", str(row.error_code)))
    if status in ("delivered", "undelivered"):
        params.append(("RawDlrDoneDate", time.strftime("%y%m%d%H%M", time.gmtime(row.date_updated))))
    return params

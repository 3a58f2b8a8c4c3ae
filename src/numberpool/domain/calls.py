"""Calls (2010-04-01 Calls): the checks a create makes, a call's life after the create has
answered, and the TwiML it runs.

A create checks the recipient, the caller ID, what handles the call (``Url``, ``Twiml`` or an
Application), and writes the call ``queued`` with its pending work (a ``message_work`` row keyed
by its SID, run by :class:`~numberpool.domain.messages.Sending` as a message's is).

The work (:class:`CallWork`) takes the call through Twilio's statuses, each written before its
status callback is sent: ``ringing`` (the ``initiated`` and ``ringing`` events), then the outcome
its CallRule gives (``answered`` by default; ``busy``, ``no-answer``, ``failed``) after the
rule's ``RingSeconds`` on the server clock. Answered, the call is ``in-progress`` (``answered``),
held for the rule's ``HoldSeconds``, then its TwiML runs: the ``Url`` (or the Application's voice
URL, or ``Twiml``) fetched as an inbound call's webhook is, with ``Direction=outbound-api`` and
``CallStatus=in-progress``, and each verb executed and recorded. The call ends ``completed``
(``completed`` event) with its duration: the seconds it was held plus what its TwiML took
(``<Pause>``, a ``<Gather>`` that timed out, a ``<Dial>``ed leg), counted without waiting.

A call to a number some active account owns is received there: an inbound leg (a Call of that
account, ``direction`` ``inbound``, and its InboundCalls record) whose webhook, asked with
``CallStatus=ringing``, answers or ``<Reject>``s it. Answered, both legs run their TwiML and end
together, the longer of the two deciding the duration (numberpool's choice).
"""

from __future__ import annotations

import builtins
import logging
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from email.utils import formatdate
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import urljoin

import orjson
import phonenumbers

from numberpool.domain import errors, routing, rules
from numberpool.domain.accounts import Account, holds
from numberpool.domain.clock import now, now_ms
from numberpool.domain.inbound import Conversation, Inbound, delivery, refuse
from numberpool.domain.routing import Webhook
from numberpool.domain.sids import is_sid, new_sid
from numberpool.store import accounts as accounts_store
from numberpool.store import applications as applications_store
from numberpool.store import calls as q
from numberpool.store import inbound as inbound_store
from numberpool.store import messages as work_store
from numberpool.store import numbers as numbers_store
from numberpool.store.calls import CallFilter
from numberpool.store.db import Connection, Database
from numberpool.store.paging import PageRequest
from numberpool.webhooks import params as wire
from numberpool.webhooks import twiml
from numberpool.webhooks.cookies import EventCookies
from numberpool.webhooks.params import Params

if TYPE_CHECKING:
    from numberpool.domain.messages import Sending

log = logging.getLogger(__name__)

EVENTS = ("initiated", "ringing", "answered", "completed")
FINAL = frozenset({"completed", "busy", "no-answer", "failed", "canceled"})
OUTCOMES = ("answered", "busy", "no-answer", "failed")
SIP_CODES = {"busy": "486", "no-answer": "487", "failed": "404", "canceled": "487"}
MAX_LEGS = 10  # legs one call tree may hold (the next <Dial> fails with TREE_FULL)
TREE_FULL = 13212  # "Dial: Cannot Dial out from a Dial Call Segment": numberpool's code for a full tree
DIAL_INVALID_NUMBER = 13223
MAX_DOCUMENTS = 50  # TwiML documents one leg may fetch: a <Redirect> or <Gather> loop ends there
LEASE_MS = 120_000  # a running call renews its claim for this long (a document and its fallback: 30 s)
PRICE_PER_MINUTE = "0.01400"  # USD, shown negative once completed (Twilio's US outbound price; a choice)

# Twilio's documented test numbers for calls (SENDING.md, "Test-credential magic numbers").
MAGIC_FROM_OK = "+15005550006"
MAGIC_TO = {"+15005550001": errors.invalid_call_to, "+15005550002": errors.unroutable_call_to,
            "+15005550003": errors.call_geo_permission, "+15005550004": errors.call_to_blocked}


@dataclass(frozen=True)
class OutgoingCall:
    """A create's parameters, as the wire layer read them (each checked for its form there)."""

    to: str
    from_: str
    url: str | None
    method: str
    fallback_url: str | None
    fallback_method: str
    twiml: str | None
    application_sid: str | None
    status_callback: str | None
    status_callback_method: str
    events: tuple[str, ...]
    timeout: int
    machine_detection: str | None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Redirect:
    """An UpdateCall's new instructions: a URL and its method, or a TwiML document."""

    url: str | None = None
    method: str = "POST"
    twiml: str | None = None


def is_call_sid(sid: str) -> bool:
    return is_sid(sid, "CA")


def leg_row(*, sid: str, account_sid: str, to: str, from_: str, direction: str, status: str, root_sid: str,
            parent_call_sid: str | None = None, phone_number_sid: str | None = None, url: str | None = None,
            method: str = "POST", fallback_url: str | None = None, fallback_method: str = "POST",
            twiml_text: str | None = None, application_sid: str | None = None, status_callback: str | None = None,
            status_callback_method: str = "POST", events: Sequence[str] = ("completed",), timeout: int = 60,
            machine_detection: str | None = None, extra: dict[str, Any] | None = None, phase: str = "queued",
            start_time: int | None = None, trunk_sid: str | None = None, sip_url: str | None = None,
            peer_sid: str | None = None) -> dict[str, Any]:
    """A calls row with every column, as the create, a <Dial> and an inbound leg write it."""
    ts = now()
    return {
        "sid": sid, "account_sid": account_sid, "parent_call_sid": parent_call_sid, "root_sid": root_sid,
        "peer_sid": peer_sid, "to_number": to, "from_number": from_, "phone_number_sid": phone_number_sid,
        "status": status, "direction": direction, "answered_by": None, "start_time": start_time, "end_time": None,
        "answered_at": None, "duration": None, "price": None, "trunk_sid": trunk_sid, "sip_url": sip_url,
        "application_sid": application_sid, "url": url, "method": method, "fallback_url": fallback_url,
        "fallback_method": fallback_method, "twiml": twiml_text, "status_callback": status_callback,
        "status_callback_method": status_callback_method, "events": orjson.dumps(list(events)).decode(),
        "timeout": timeout, "machine_detection": machine_detection, "phase": phase, "redirect": None, "resume": None,
        "sequence": 0,
        "elapsed": 0, "digits_used": 0, "rule": None, "verbs": "[]", "deliveries": "[]",
        "extra": orjson.dumps(extra or {}).decode(), "date_created": ts, "date_updated": ts,
    }


class Calls:
    def __init__(self, db: Database) -> None:
        self.db = db

    # -- create ---------------------------------------------------------------------------------

    def create(self, account: Account, out: OutgoingCall) -> Any:
        """Check ``out`` and write the call with its pending work (none for Twilio's magic caller
        ID with no owner: Twilio's test credentials place nothing)."""
        refused = MAGIC_TO.get(out.to)
        if refused is not None:
            raise refused(out.to)
        if out.from_ == "+15005550001":
            raise errors.invalid_from_number(out.from_)
        number = numbers_store.fetch_by_number(self.db, out.from_)
        magic = number is None and out.from_ == MAGIC_FROM_OK
        if not magic and (number is None or number.account_sid != account.sid or not number.cap_voice):
            raise errors.call_from_not_verified(out.from_)
        url, method, fallback_url, fallback_method = out.url, out.method, out.fallback_url, out.fallback_method
        callback, callback_method = out.status_callback, out.status_callback_method
        twiml_text = out.twiml if out.url is None else None  # "If both twiml and url are provided then twiml is ignored"
        with self.db.write() as conn:
            if out.application_sid is not None:  # the Application's URLs; the request's are ignored
                app = applications_store.application.get(conn, out.application_sid)
                if app is None or app.account_sid != account.sid:
                    raise errors.application_not_of_account("ApplicationSid", out.application_sid, account.sid)
                if not app.voice_url:
                    raise errors.application_without_voice_url(app.sid)
                url, method, twiml_text = app.voice_url, app.voice_method, None
                fallback_url, fallback_method = app.voice_fallback_url, app.voice_fallback_method
                callback, callback_method = app.status_callback, app.status_callback_method
            elif url is None and twiml_text is None:
                raise errors.call_url_required()
            sid = new_sid("CA")
            row = leg_row(
                sid=sid, account_sid=account.sid, to=out.to, from_=out.from_, direction="outbound-api", status="queued",
                root_sid=sid, phone_number_sid=number.sid if number is not None else None, url=url, method=method,
                fallback_url=fallback_url, fallback_method=fallback_method, twiml_text=twiml_text,
                application_sid=out.application_sid, status_callback=callback, status_callback_method=callback_method,
                events=out.events, timeout=out.timeout, machine_detection=out.machine_detection, extra=out.extra)
            return q.insert(conn, row, None if magic else now_ms())

    def place_in(self, conn: Connection, account_sid: str, from_: str, to: str, from_sid: str | None = None,
                 url: str | None = None) -> tuple[str, str]:
        """An ``outbound-api`` Call from a number of the account, queued in the caller's
        transaction (a Proxy voice interaction's outbound leg): its SID and URI. With no ``url``
        the answered call runs an empty document (the participants talk; nothing is asked)."""
        sid = new_sid("CA")
        q.insert(conn, leg_row(sid=sid, account_sid=account_sid, to=to, from_=from_, direction="outbound-api",
                               status="queued", root_sid=sid, phone_number_sid=from_sid, url=url,
                               twiml_text=None if url else "<Response/>"), now_ms())
        return sid, f"/2010-04-01/Accounts/{account_sid}/Calls/{sid}.json"

    def record_inbound(self, conn: Connection, record: dict[str, Any]) -> None:
        """The Call of an inbound call received through ``POST /numberpool/v1/InboundCalls`` (its
        InboundCalls ``record`` being written in ``conn``): ``inbound``, completed with the
        record's duration, its requests the record's."""
        ts, seconds = record["date_created"], record["call_duration"] or 0
        number = numbers_store.get_by_number(conn, record["to_number"])
        row = leg_row(sid=record["sid"], account_sid=record["account_sid"], to=record["to_number"],
                      from_=record["from_number"], direction="inbound", status="completed", root_sid=record["sid"],
                      phone_number_sid=number.sid if number is not None else None, phase="done", start_time=ts,
                      application_sid=record["application_sid"], trunk_sid=record["trunk_sid"],
                      sip_url=record["sip_url"])
        row.update(answered_at=ts, end_time=ts + seconds, duration=seconds, deliveries=record["deliveries"],
                   price=_price(seconds) if seconds else None,
                   verbs=orjson.dumps(_heard(orjson.loads(record["deliveries"]))).decode())
        q.insert(conn, row, None)

    # -- reading --------------------------------------------------------------------------------

    def fetch(self, account: Account, sid: str) -> Any:
        row = q.fetch(self.db, sid) if is_call_sid(sid) else None
        if row is None or row.account_sid != account.sid:
            raise errors.not_found()
        return row

    def list(self, account: Account, which: CallFilter, req: PageRequest) -> tuple[builtins.list[Any], bool]:
        return q.page(self.db, [account.sid], which, req)

    def view(self, caller: Account, sid: str) -> Any:
        """numberpool's own view: the call if the caller's account or an ancestor holds it."""
        row = q.fetch(self.db, sid) if is_call_sid(sid) else None
        if row is None or not holds(self.db, caller, row.account_sid):
            raise errors.not_found()
        return row

    def family_list(self, caller: Account, which: CallFilter, req: PageRequest) -> tuple[builtins.list[Any], bool]:
        return q.page(self.db, work_store.family(caller.sid), which, req)

    # -- update and delete ----------------------------------------------------------------------

    def update(self, account: Account, sid: str, status: str | None, redirect: Redirect | None,
               status_callback: tuple[str, str] | None) -> Any:
        """``Status=canceled`` (queued or ringing: a queued call fires no callback), ``Status=completed``
        (in progress), or new instructions (``redirect``, in progress: a held call's hold ends).
        Anything else on a call in another status: 21220. The work reads the change at its next
        step and sends what follows (the ``completed`` callback)."""
        with self.db.write() as conn:
            row = q.get(conn, sid, lock=True) if is_call_sid(sid) else None
            if row is None or row.account_sid != account.sid:
                raise errors.not_found()
            ts = now()
            values: dict[str, Any] = {}
            if status == "canceled":
                if row.status not in ("queued", "ringing"):
                    raise errors.call_not_ringing(row.status)
                values = {"status": "canceled", "end_time": ts, "duration": 0}
                if row.status == "queued":  # "no status callbacks are fired"
                    values["phase"] = "done"
                    work_store.finish(conn, sid)
                else:
                    q.wake(conn, sid, now_ms())
            elif status == "completed" or redirect is not None:
                if row.status != "in-progress":
                    raise errors.call_not_in_progress()
                if status == "completed":
                    values = {"status": "completed", "end_time": ts}
                else:
                    assert redirect is not None
                    values = {"redirect": orjson.dumps(vars(redirect)).decode()}
                    if status_callback is not None:
                        values["status_callback"], values["status_callback_method"] = status_callback
                q.wake(conn, sid, now_ms())
            if values:
                values["date_updated"] = ts
                q.change(conn, sid, values)
            return q.get(conn, sid)

    def delete(self, account: Account, sid: str) -> None:
        with self.db.write() as conn:
            row = q.get(conn, sid, lock=True) if is_call_sid(sid) else None
            if row is None or row.account_sid != account.sid:
                raise errors.not_found()
            if row.status not in FINAL or work_store.has_work(conn, sid):
                raise errors.call_still_active(row.status)
            q.remove(conn, sid)


# -- the work after the create ---------------------------------------------------------------------

class _Lost(Exception):
    """This process holds the call's work no more (its claim lapsed and was taken over)."""


@dataclass
class Leg:
    """One leg being run: its row as last written, and what is being added to it."""

    row: Any
    token: str  # the leg's account's auth token: signs its requests
    deliveries: list[dict[str, Any]]
    verbs: list[dict[str, Any]]
    rule: dict[str, Any]
    ended: bool = False  # its TwiML hung up, or UpdateCall ended it
    redirect: Redirect | None = None

    def __post_init__(self) -> None:
        if hasattr(self.row, "_asdict"):  # a database row: the run changes it in place
            self.row = SimpleNamespace(**self.row._asdict())

    @classmethod
    def of(cls, row: Any, token: str, rule: dict[str, Any] | None = None) -> Leg:
        return cls(row, token, orjson.loads(row.deliveries), orjson.loads(row.verbs),
                   rule if rule is not None else (orjson.loads(row.rule) if row.rule else default_rule()))


def default_rule() -> dict[str, Any]:
    return {"status": "answered", "ring_seconds": 0, "hold_seconds": 0, "digits": [], "duration": 0,
            "answered_by": "human"}


def rule_values(row: Any) -> dict[str, Any]:
    return {"status": row.status, "ring_seconds": row.ring_seconds, "hold_seconds": row.hold_seconds,
            "digits": orjson.loads(row.digits), "duration": row.duration, "answered_by": row.answered_by}


def voice_params(row: Any, status: str) -> Params:
    """The parameters of a request about the leg ``row`` (its TwiML fetch, a status callback):
    an inbound call's set (INBOUND.md) with the leg's direction and ``CallStatus``."""
    p = wire.call(row.sid, row.account_sid, row.to_number, row.from_number, "2010-04-01", None)
    p = [(name, status if name == "CallStatus" else row.direction if name == "Direction" else value)
         for name, value in p]
    if row.parent_call_sid:
        p.append(("ParentCallSid", row.parent_call_sid))
    return p


def status_params(row: Any, status: str, sequence: int) -> Params:
    """A call progress callback's parameters (SENDING.md, D)."""
    p = voice_params(row, status)
    p += [("CallbackSource", "call-progress-events"), ("SequenceNumber", str(sequence)),
          ("Timestamp", _rfc2822(now()))]
    if row.machine_detection and row.answered_by:
        p.append(("AnsweredBy", row.answered_by))
    if status in FINAL:
        p.append(("CallDuration", str(row.duration or 0)))
        if status == "completed":
            p.append(("Duration", str(math.ceil((row.duration or 0) / 60))))
        else:
            p.append(("SipResponseCode", SIP_CODES[status]))
    return p


def _rfc2822(ts: int) -> str:
    """``Mon, 07 Dec 2026 04:43:52 +0000``, as Twilio's callbacks date them (locale-independent)."""
    return formatdate(ts, usegmt=True).replace("GMT", "+0000")


def _price(seconds: int) -> str:
    return f"-{float(PRICE_PER_MINUTE) * max(math.ceil(seconds / 60), 1):.5f}"


class CallWork:
    """Runs calls' pending work, claimed by :class:`~numberpool.domain.messages.Sending`."""

    def __init__(self, db: Database, inbound: Inbound, sending: Sending) -> None:
        self.db = db
        self.inbound = inbound
        self.sending = sending

    # -- writing ----------------------------------------------------------------------------------

    def _hold(self, conn: Connection, work: str) -> None:
        if not work_store.hold(conn, work, self.sending.claimant, int(time.time() * 1000) + LEASE_MS):
            raise _Lost(work)

    async def _save(self, work: str, leg: Leg, values: dict[str, Any] | None = None, *,
                    then: Any = None) -> None:
        """Write ``values`` and what the leg gathered (verbs, deliveries) while ``work`` is ours;
        an UpdateCall written meanwhile is read back: a call it ended ends (its status change
        here is dropped), a redirect it asked for is taken."""
        values = dict(values or {})

        def tx(conn: Connection) -> Any:
            self._hold(conn, work)
            current = q.get(conn, leg.row.sid, lock=True)
            if current is None:
                raise _Lost(work)
            changes = {**values, "verbs": orjson.dumps(leg.verbs).decode(),
                       "deliveries": orjson.dumps(leg.deliveries).decode(), "sequence": leg.row.sequence,
                       "elapsed": leg.row.elapsed, "digits_used": leg.row.digits_used, "date_updated": now()}
            if current.status != leg.row.status and current.status in FINAL:  # ended by UpdateCall
                for name in ("status", "answered_at", "answered_by", "start_time"):
                    changes.pop(name, None)
                changes.update(status=current.status, end_time=current.end_time)
                leg.ended = True
            if current.redirect:
                leg.redirect = Redirect(**orjson.loads(current.redirect))
                changes["redirect"] = None
                changes["resume"] = current.redirect  # taken: the call goes on with it, even after a restart
            leg.row = q.changed(conn, current, changes)
            if then is not None:
                then(conn)

        await self.sending._write(tx)

    async def _finish(self, work: str, leg: Leg, values: dict[str, Any] | None = None) -> None:
        await self._save(work, leg, values, then=lambda conn: work_store.finish(conn, work))

    async def _wait(self, work: str, leg: Leg, values: dict[str, Any], seconds: int) -> None:
        """The call waits on the server clock: its claim let go, its work due in ``seconds``."""
        due = now_ms() + seconds * 1000
        await self._save(work, leg, values, then=lambda conn: work_store.reschedule(conn, work, due))

    # -- status callbacks -------------------------------------------------------------------------

    async def _event(self, leg: Leg, event: str) -> None:
        """The call progress ``event``'s callback, if the leg asked for it; kept on the leg (the
        next write stores it, with the next SequenceNumber)."""
        row = leg.row
        if not row.status_callback or event not in orjson.loads(row.events):
            return
        status = "initiated" if event == "initiated" else row.status
        params = status_params(row, status, row.sequence)
        exchange = await self.inbound.transport.send(row.status_callback, row.status_callback_method, params,
                                                     leg.token, EventCookies())
        leg.deliveries.append(delivery("status_callback", exchange, status=status))
        row.sequence += 1

    # -- one call ---------------------------------------------------------------------------------

    async def run(self, sid: str) -> None:
        """A claimed call's work, from where it stands to its next wait or its end."""
        try:
            loaded = await self.sending._write(self._load, sid)
            if loaded is None:
                return
            row, owner, rang = loaded
            leg = Leg.of(row, owner.auth_token if owner is not None else "")
            leg.ended = row.status in FINAL  # ended by UpdateCall while it waited on the clock
            await self._life(leg, rang)
        except _Lost:
            return
        except Exception:
            log.exception("call %s: work failed", sid)

    def _owner(self, account_sid: str) -> Any:
        with self.db.read() as conn:
            return accounts_store.get(conn, account_sid)

    def _load(self, conn: Connection, sid: str) -> tuple[Any, Any, bool] | None:
        """The call and its owner, the claim renewed; a queued call starts ringing in the same
        transaction (its CallRule read and kept on it). None when the call is gone."""
        self._hold(conn, sid)
        row = q.get(conn, sid, lock=True)
        if row is None:
            work_store.finish(conn, sid)
            return None
        owner = accounts_store.get(conn, row.account_sid)
        if row.phase != "queued" or row.status != "queued":
            return row, owner, False
        rule = self._rule(owner, row.to_number)
        if rule["ring_seconds"] >= row.timeout:  # it would ring past the create's Timeout: no answer then
            rule.update(status="no-answer", ring_seconds=row.timeout)
        rang = q.changed(conn, row, {"status": "ringing", "start_time": now(), "phase": "ringing",
                                     "rule": orjson.dumps(rule).decode(), "date_updated": now()})
        return rang, owner, True

    async def _life(self, leg: Leg, rang: bool) -> None:
        work = leg.row.sid
        if leg.row.phase == "queued":  # canceled while queued: no callbacks
            await self._finish(work, leg, {"phase": "done"})
            return
        if rang:
            await self._event(leg, "initiated")
            await self._event(leg, "ringing")
            if leg.rule["ring_seconds"] > 0:
                await self._wait(work, leg, {}, leg.rule["ring_seconds"])
                return
        if leg.row.phase == "ringing":
            if leg.row.status == "canceled":
                await self._end(work, leg, None)
                return
            outcome, callee = leg.rule["status"], None
            if outcome == "answered":
                callee = await self._ring_callee(work, leg)
                if callee is not None and callee.row.status != "ringing":
                    outcome = callee.row.status  # busy or no-answer: the callee's <Reject>
            if outcome != "answered":
                await self._unanswered(work, leg, outcome)
                if callee is not None:
                    await self._end_callee(work, callee, callee.row.status)
                return
            await self._answer(work, leg, {"phase": "run"})
            await self._event(leg, "answered")
            if callee is not None:
                await self._answer(work, callee)
            hold = leg.rule["hold_seconds"]
            if leg.ended:
                await self._end(work, leg, callee)
                return
            if hold > 0 and leg.redirect is None:
                await self._wait(work, leg, {"phase": "hold"}, hold)
                return
        if leg.row.phase == "hold":
            await self._save(work, leg, {"phase": "run"})
        if leg.row.phase == "run":
            callee = await self._peer(leg)
            if not leg.ended:
                await self._run_twiml(work, leg)
            if callee is not None and leg.row.status == "in-progress":  # not when UpdateCall ended the call
                await self._run_twiml(work, callee)
            await self._end(work, leg, callee)
        elif leg.row.phase == "done":
            await self._finish(work, leg)

    def _rule(self, owner: Any, to: str) -> dict[str, Any]:
        """What the CallRule deciding a call to ``to`` says (``domain.rules``), else the default."""
        found = rules.deciding(q.rules, self.db, owner, to)
        return rule_values(found) if found is not None else default_rule()

    async def _answer(self, work: str, leg: Leg, more: dict[str, Any] | None = None) -> None:
        values: dict[str, Any] = {"status": "in-progress", "answered_at": now(), **(more or {})}
        if leg.row.machine_detection:
            values["answered_by"] = leg.rule["answered_by"]
        if leg.row.start_time is None:
            values["start_time"] = values["answered_at"]
        await self._save(work, leg, values)

    async def _unanswered(self, work: str, leg: Leg, status: str) -> None:
        """busy, no-answer or failed: final at once, with its ``completed`` callback."""
        await self._save(work, leg, {"status": status, "end_time": now(), "duration": 0, "phase": "done"})
        await self._event(leg, "completed")
        if leg.row.sid == work:
            await self._finish(work, leg)
        else:
            await self._save(work, leg)

    async def _end(self, work: str, leg: Leg, callee: Leg | None) -> None:
        """The call ends: ``completed`` (or the status UpdateCall gave it), its duration the time
        it was in progress plus what its TwiML (and its peer's) took; the ``completed`` callback;
        the work row gone with the last write."""
        if leg.row.status in ("canceled", "busy", "no-answer", "failed"):
            values = {"phase": "done", "end_time": leg.row.end_time or now(), "duration": 0}
        else:
            seconds = self._seconds(leg, callee)
            values = {"status": "completed", "duration": seconds, "price": _price(seconds), "phase": "done",
                      "end_time": (leg.row.answered_at or now()) + seconds}
            if callee is not None:
                await self._end_callee(work, callee, "completed", seconds)
        if not (leg.row.status_callback and "completed" in orjson.loads(leg.row.events)):
            await self._finish(work, leg, values)  # no callback to record after it: one write
            return
        await self._save(work, leg, values)
        await self._event(leg, "completed")
        await self._finish(work, leg)

    def _seconds(self, leg: Leg, callee: Leg | None) -> int:
        """How long the call lasted: the part of its hold that passed on the server clock (all of
        it, or until a redirect or UpdateCall ended it), then what its TwiML (and its peer's)
        took, counted without waiting. Nothing else counts: how long this machine took to fetch
        and run the TwiML is not the call's time."""
        hold = leg.rule.get("hold_seconds", 0)
        held = min(max(now() - (leg.row.answered_at or now()), 0), hold) if hold else 0
        return held + max(leg.row.elapsed, callee.row.elapsed if callee is not None else 0)

    async def _peer(self, leg: Leg) -> Leg | None:
        if not leg.row.peer_sid:
            return None
        row = await self.db.background(q.fetch, self.db, leg.row.peer_sid)
        if row is None or row.direction != "inbound":
            return None
        owner = await self.db.background(self._owner, row.account_sid)
        return Leg.of(row, owner.auth_token if owner is not None else "", leg.rule)

    # -- the callee's side: a number some account hosts -------------------------------------------

    async def _ring_callee(self, work: str, caller: Leg) -> Leg | None:
        """The inbound leg of a call to a hosted number: written ``ringing``, its webhook asked
        (``CallStatus=ringing``) and its answer kept as the leg's TwiML; a ``<Reject>`` first
        makes it ``busy`` or ``no-answer``. None when no active account hosts the number."""
        state = await self.db.background(inbound_store.routing_state, self.db, caller.row.to_number)
        if state is None or state.owner.status != "active":
            return None
        route = routing.route_call(state)
        sid = new_sid("CA")
        row = SimpleNamespace(**leg_row(
            sid=sid, account_sid=state.owner.sid, to=caller.row.to_number, from_=caller.row.from_number,
            direction="inbound", status="ringing", root_sid=caller.row.root_sid, phone_number_sid=state.number.sid,
            url=route.primary.url if route.primary else None, method=route.primary.method if route.primary else "POST",
            status_callback=route.status_callback.url if route.status_callback else None,
            status_callback_method=route.status_callback.method if route.status_callback else "POST",
            application_sid=route.application_sid, phase="run", start_time=now(), trunk_sid=route.trunk_sid,
            sip_url=route.sip_url, peer_sid=caller.row.sid))
        row.created_key = sid[2:]
        leg = Leg(row, state.owner.auth_token, [], [], caller.rule)
        if route.primary is not None:
            talk = Conversation(leg.token, time.monotonic() + self.inbound.deadline)
            fallback = route.fallback
            doc, base = await self._document(talk, route.purpose, route.primary, fallback,
                                             voice_params(row, "ringing"))
            leg.deliveries += talk.deliveries
            if doc and doc[0].name == "Reject":
                reason = doc[0].attributes.get("reason", "rejected")
                leg.verbs.append(_record(doc[0], {"status": "busy" if reason == "busy" else "no-answer"}))
                row.status = "busy" if reason == "busy" else "no-answer"
            else:
                row.twiml = _unparse(doc)
                row.url = base or row.url
        elif route.sip_url is None:
            row.twiml = "<Response/>"  # no handler: answered, and it ends at once (numberpool's choice)
        else:
            row.elapsed = caller.rule["duration"]  # to a SIP trunk: it lasts as a leg with no TwiML does

        deliveries = orjson.dumps(leg.deliveries).decode()
        record = {  # its InboundCalls record, as POST /numberpool/v1/InboundCalls writes one
            "sid": sid, "kind": "call", "account_sid": row.account_sid, "to_number": row.to_number,
            "from_number": row.from_number, "body": "", "media_urls": "[]", "call_duration": None,
            "route": route.route, "messaging_service_sid": None, "application_sid": route.application_sid,
            "trunk_sid": route.trunk_sid, "proxy_service_sid": route.proxy_service_sid, "sip_url": route.sip_url,
            "deliveries": deliveries, "replies": "[]", "date_created": row.date_created,
        }

        def tx(conn: Connection) -> Any:
            self._hold(conn, work)
            values = {k: v for k, v in vars(row).items() if k != "created_key"}
            values.update(verbs=orjson.dumps(leg.verbs).decode(), deliveries=deliveries,
                          rule=orjson.dumps(caller.rule).decode())
            inserted = q.insert(conn, values, None)
            q.change(conn, caller.row.sid, {"peer_sid": sid})
            conn.execute(inbound_store.t.insert(), record)
            return inserted

        inserted = await self.sending._write(tx)
        caller.row.peer_sid = sid
        return Leg(inserted, leg.token, leg.deliveries, leg.verbs, leg.rule)

    async def _end_callee(self, work: str, callee: Leg, status: str, seconds: int = 0) -> None:
        """The inbound leg ends with its caller: its status, its number's status callback
        (``completed``, as every inbound call's), and its InboundCalls record's requests and duration."""
        values: dict[str, Any] = {"status": status, "end_time": now(), "duration": seconds, "phase": "done"}
        if status == "completed":
            values["end_time"] = (callee.row.answered_at or now()) + seconds
        await self._save(work, callee, values)
        await self._event(callee, "completed")
        row = callee.row
        deliveries = orjson.dumps(callee.deliveries).decode()

        def tx(conn: Connection) -> None:
            self._hold(conn, work)
            q.change(conn, row.sid, {"deliveries": deliveries, "sequence": row.sequence})
            inbound_store.call_ended(conn, row.sid, deliveries, seconds)

        await self.sending._write(tx)

    # -- TwiML ------------------------------------------------------------------------------------

    async def _document(self, talk: Conversation, purpose: str, hook: Webhook, fallback: Webhook | None,
                        sent: Params) -> tuple[list[twiml.Verb], str]:
        """A document fetched (with its fallback when it fails): its verbs and its URL (the base
        of relative URLs in it). A document neither could give is empty: the call ends, as
        Twilio's does after "an application error has occurred"."""
        for attempt, (which, params) in enumerate(((hook, sent), (fallback, None))):
            if which is None or talk.out_of_time():
                break
            exchange, error = await self.inbound._retrieve(talk, purpose if attempt == 0 else "fallback", which,
                                                           params if params is not None else sent)
            if error is None:
                try:
                    return twiml.voice(exchange.body), exchange.url
                except twiml.TwimlError:
                    refuse(talk.deliveries[-1], 12100)
                    error = 12100
            sent = wire.failed(sent, error, exchange.url)
        return [], hook.url

    async def _run_twiml(self, work: str, leg: Leg) -> None:
        """The leg's TwiML, document after document, each verb recorded; the leg's progress
        written after each document (its claim renewed, an UpdateCall read back)."""
        row = leg.row
        base = row.url or ""
        source: Webhook | Redirect | None
        purpose, extra = "primary", cast(Params, [])
        if leg.redirect is not None:
            source, leg.redirect, purpose = leg.redirect, None, "redirect"
        elif row.resume:  # taken over after its process died: the document it was at
            at = orjson.loads(row.resume)
            if at.get("twiml") is not None:
                source = Redirect(twiml=at["twiml"])
            else:
                source = Webhook(at["url"], at.get("method", "POST"))
                purpose, extra = at.get("purpose", "redirect"), [tuple(p) for p in at.get("extra", [])]
                base = at.get("base", base)
        elif row.twiml is not None and (row.direction != "outbound-api" or not row.url):
            source = Redirect(twiml=row.twiml)
        elif row.url:
            source = Webhook(row.url, row.method)
        else:
            return
        for _ in range(MAX_DOCUMENTS):
            sent = voice_params(leg.row, "in-progress") + extra
            if isinstance(source, Redirect) and source.twiml is not None:
                try:
                    doc = twiml.voice(source.twiml.encode())
                except twiml.TwimlError:
                    doc = []
            else:
                hook = source if isinstance(source, Webhook) else Webhook(source.url or "", source.method)
                talk = Conversation(leg.token, time.monotonic() + self.inbound.deadline)
                fallback = Webhook(row.fallback_url, row.fallback_method) if purpose == "primary" and row.fallback_url else None
                doc, base = await self._document(talk, purpose, hook, fallback, sent)
                leg.deliveries += talk.deliveries
            source, purpose, extra = None, "redirect", []
            for verb in doc:
                step = await self._verb(work, leg, verb, base)
                if step is None:
                    continue
                if step == "hangup":
                    leg.ended = True
                    break
                source, purpose, extra = step
                break
            if leg.ended or source is None:
                return  # what follows the TwiML (the call's end) writes what it gathered
            await self._save(work, leg, {"resume": _resume_at(source, purpose, extra, base)})
            if leg.redirect is not None:  # UpdateCall asked for new instructions
                source, purpose, extra, leg.redirect = leg.redirect, "redirect", [], None
            if leg.ended:
                return
        leg.verbs.append({"verb": "Redirect", "attributes": {}, "text": "", "result": {"error_code": 11215}})

    async def _verb(self, work: str, leg: Leg, verb: twiml.Verb, base: str) -> Any:
        """Execute one verb: None to go on with the next, ``"hangup"`` to end, or the next
        document to fetch ``(source, purpose, extra parameters)``."""
        row, attrs = leg.row, verb.attributes
        name = verb.name
        if name in ("Say", "Play"):
            leg.verbs.append(_record(verb, {}))
            return None
        if name == "Pause":
            seconds = _int(attrs.get("length"), 1, 0, 3600)
            row.elapsed += seconds
            leg.verbs.append(_record(verb, {"seconds": seconds}))
            return None
        if name == "Gather":
            digits_all = leg.rule.get("digits") or []
            action = Webhook(urljoin(base, attrs["action"]) if attrs.get("action") else base,
                             (attrs.get("method") or "POST").upper())
            if row.digits_used < len(digits_all):
                digits = str(digits_all[row.digits_used])
                row.digits_used += 1
                leg.verbs.append(_record(verb, {"digits": digits}))
                if action.url:
                    return action, "action", [("Digits", digits), ("FinishedOnKey", "")]
                return None
            row.elapsed += _int(attrs.get("timeout"), 5, 0, 600)
            leg.verbs.append(_record(verb, {"digits": ""}))
            if attrs.get("actionOnEmptyResult", "").lower() == "true" and action.url:
                return action, "action", [("Digits", ""), ("FinishedOnKey", "")]
            return None
        if name == "Redirect":
            target = urljoin(base, verb.text)
            leg.verbs.append(_record(verb, {}))
            if not verb.text:
                return "hangup"
            return Webhook(target, (attrs.get("method") or "POST").upper()), "redirect", []
        if name in ("Hangup", "Reject"):
            leg.verbs.append(_record(verb, {}))
            return "hangup"
        if name == "Dial":
            return await self._dial(work, leg, verb, base)
        leg.verbs.append(_record(verb, {"unsupported": True}))  # recorded, and the next verb runs
        return None

    async def _dial(self, work: str, parent: Leg, verb: twiml.Verb, base: str) -> Any:
        """``<Dial>``: each ``<Number>`` (or the number in its text) called in turn until one
        answers, as a child leg (``outbound-dial``); its result names the child. The call goes
        on with the ``action``'s document (``DialCallStatus``, ``DialCallSid``,
        ``DialCallDuration``), else with the next verb."""
        attrs = verb.attributes
        numbers = [n for n in verb.children if n.name == "Number"]
        if not numbers and verb.text:
            numbers = [twiml.Verb("Number", {}, verb.text)]
        timeout = _int(attrs.get("timeout"), 30, 1, 600)
        time_limit = _int(attrs.get("timeLimit"), 14_400, 1, 14_400)
        caller_id = attrs.get("callerId") or parent.row.from_number
        result: dict[str, Any] = {"call_sid": None, "status": "failed", "duration": 0}
        for number in numbers:
            to = number.text.strip()
            if not _valid(to):
                result = {"call_sid": None, "status": "failed", "duration": 0, "error_code": DIAL_INVALID_NUMBER}
                continue
            result = await self._child(work, parent, number, to, caller_id, timeout, time_limit, base)
            if result["status"] == "completed" or result.get("error_code") == TREE_FULL:
                break
        unsupported = [n.name for n in verb.children if n.name != "Number"]
        if unsupported:
            result["unsupported"] = unsupported
        parent.verbs.append(_record(verb, result))
        if attrs.get("action"):
            action = Webhook(urljoin(base, attrs["action"]), (attrs.get("method") or "POST").upper())
            extra = [("DialCallStatus", result["status"]), ("DialCallSid", result["call_sid"] or ""),
                     ("DialCallDuration", str(result["duration"]))]
            return action, "action", extra
        return None

    async def _child(self, work: str, parent: Leg, number: twiml.Verb, to: str, caller_id: str, timeout: int,
                     time_limit: int, base: str) -> dict[str, Any]:
        """One ``<Number>``: the child leg, "initiated right away and never queued", its rule's
        outcome after its ring (counted, not waited for; ringing past the Dial's ``timeout`` is
        ``no-answer``), and, answered, the time it lasts: its rule's ``Duration``, or the TwiML
        of the hosted number it reached."""
        owner = await self.db.background(self._owner, parent.row.account_sid)
        rule = await self.db.background(self._rule, owner, to)
        hosted = await self.db.background(work_store.hosted, self.db, to)
        attrs = number.attributes
        events = (attrs.get("statusCallbackEvent") or "completed").replace(",", " ").split()
        sid = new_sid("CA")
        values = leg_row(
            sid=sid, account_sid=parent.row.account_sid, to=to, from_=caller_id, direction="outbound-dial",
            status="ringing", root_sid=parent.row.root_sid, parent_call_sid=parent.row.sid,
            status_callback=urljoin(base, attrs["statusCallback"]) if attrs.get("statusCallback") else None,
            status_callback_method=(attrs.get("statusCallbackMethod") or "POST").upper(),
            events=[e for e in events if e in EVENTS], timeout=timeout, phase="run", start_time=now())
        values["rule"] = orjson.dumps(rule).decode()

        def tx(conn: Connection) -> Any:
            """The child leg as written; None when the call tree is full."""
            self._hold(conn, work)
            if q.tree_size(conn, parent.row.root_sid) + (2 if hosted else 1) > MAX_LEGS:
                return None
            return q.insert(conn, values, None)

        row = await self.sending._write(tx)
        if row is None:
            return {"call_sid": None, "status": "failed", "duration": 0, "error_code": TREE_FULL}
        child = Leg(row, parent.token, [], [], rule)
        await self._event(child, "initiated")
        await self._event(child, "ringing")
        ring = rule["ring_seconds"]
        outcome = rule["status"] if ring < timeout else "no-answer"
        parent.row.elapsed += min(ring, timeout)
        callee = None
        if outcome == "answered":
            callee = await self._ring_callee(work, child)
            if callee is not None and callee.row.status != "ringing":
                outcome = callee.row.status
        if outcome != "answered":
            await self._unanswered(work, child, outcome)
            if callee is not None:
                await self._end_callee(work, callee, callee.row.status)
            return {"call_sid": sid, "status": outcome, "duration": 0}
        await self._answer(work, child)
        await self._event(child, "answered")
        if callee is not None:
            await self._answer(work, callee)
            await self._run_twiml(work, callee)
            seconds = callee.row.elapsed
        else:
            seconds = rule["duration"]
        seconds = min(seconds, time_limit)
        await self._save(work, child, {"status": "completed", "duration": seconds, "price": _price(seconds),
                                       "end_time": (child.row.answered_at or now()) + seconds, "phase": "done"})
        if callee is not None:
            await self._end_callee(work, callee, "completed", seconds)
        await self._event(child, "completed")
        await self._save(work, child)
        parent.row.elapsed += seconds
        return {"call_sid": sid, "status": "completed", "duration": seconds}


def _resume_at(source: Webhook | Redirect, purpose: str, extra: Params, base: str) -> str:
    """The ``resume`` column for the next document: what a process taking the call over fetches."""
    if isinstance(source, Redirect) and source.twiml is not None:
        return orjson.dumps({"twiml": source.twiml}).decode()
    hook = source if isinstance(source, Webhook) else Webhook(source.url or "", source.method)
    return orjson.dumps({"url": hook.url, "method": hook.method, "purpose": purpose, "extra": list(extra),
                         "base": base}).decode()


def _heard(deliveries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The verbs of the TwiML documents an InboundCalls call's webhooks answered, in order, each
    document's up to its ``<Redirect>``: what the caller heard. InboundCalls follows redirects and
    nothing else, so a ``<Gather>`` or ``<Dial>`` there is recorded ``{"not_run": true}``."""
    heard: list[dict[str, Any]] = []
    for d in deliveries:
        if d.get("purpose") not in ("primary", "fallback", "redirect", "disaster_recovery") or d.get("error_code"):
            continue
        try:
            doc = twiml.voice((d.get("response_body") or "").encode())
        except twiml.TwimlError:
            continue
        for verb in doc:
            if verb.name == "Pause":
                heard.append(_record(verb, {"seconds": _int(verb.attributes.get("length"), 1, 0, 3600)}))
            elif verb.name in ("Say", "Play", "Redirect", "Hangup", "Reject"):
                heard.append(_record(verb, {}))
            else:
                heard.append(_record(verb, {"not_run": True}))
            if verb.name in ("Redirect", "Hangup", "Reject"):
                break
    return heard


def _record(verb: twiml.Verb, result: dict[str, Any]) -> dict[str, Any]:
    """A verb as the call's record shows it (nested verbs, a <Gather>'s <Say>, as ``children``)."""
    shown: dict[str, Any] = {"verb": verb.name, "attributes": verb.attributes, "text": verb.text, "result": result}
    if verb.children:
        shown["children"] = [{"verb": c.name, "attributes": c.attributes, "text": c.text} for c in verb.children]
    return shown


def _unparse(doc: list[twiml.Verb]) -> str:
    """A document back to TwiML (the inbound leg keeps what its webhook answered, to run it once answered)."""
    import xml.etree.ElementTree as ET

    root = ET.Element("Response")

    def add(parent: ET.Element, verb: twiml.Verb) -> None:
        el = ET.SubElement(parent, verb.name, verb.attributes)
        el.text = verb.text or None
        for child in verb.children:
            add(el, child)

    for verb in doc:
        add(root, verb)
    return ET.tostring(root, encoding="unicode")


def _int(raw: str | None, default: int, low: int, high: int) -> int:
    try:
        value = int(raw) if raw is not None else default
    except ValueError:
        value = default
    return max(low, min(value, high))


def _valid(e164: str) -> bool:
    """A ``<Number>`` to dial: ``+`` and a number phonenumbers finds possible."""
    try:
        return e164.startswith("+") and phonenumbers.is_possible_number(phonenumbers.parse(e164, None))
    except phonenumbers.NumberParseException:
        return False

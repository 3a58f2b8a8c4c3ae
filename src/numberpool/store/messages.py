"""Messages: the rows, an account's list pages, their pending work, DeliveryRules, and what a
Messaging Service's sender selection reads (its pool with each number's last send, and the
sticky senders).

Pending work is a row of ``message_work`` per message not yet final. A process claims due rows by
setting ``claimed_until`` (PostgreSQL: ``FOR UPDATE SKIP LOCKED``, so two processes never claim
one row; SQLite: inside a write transaction, which serialises them), works on them, and deletes
a row when its message is final. A claim that lapsed (its process died) is due again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Connection, bindparam, case, cast, delete, exists, func, or_, select, update

from numberpool.store.access import family_sids
from numberpool.store.db import Database
from numberpool.store.paging import PageRequest
from numberpool.store.rules import RuleTable
from numberpool.store.schema import (
    delivery_rules,
    incoming_numbers,
    message_work,
    messages,
    messaging_numbers,
    opt_outs,
    sticky_senders,
)
from numberpool.store.worked import WorkedTable

t = messages
w = message_work

_rows = WorkedTable(t)
fetch, get, insert, alone_inserts, keyed, change, changed, remove = (
    _rows.fetch, _rows.get, _rows.insert, _rows.alone_inserts, _rows.keyed, _rows.change, _rows.changed, _rows.remove)


def insert_shown(row: dict[str, Any]) -> Any:
    """``row`` as ``insert`` answers it, without writing it (the create's answer of a message
    already written further along)."""
    shown = SimpleNamespace(**{**row, "created_key": row["sid"][2:]})
    shown.pending = False
    return shown


@dataclass(frozen=True)
class MessageFilter:
    to_number: str | None = None
    from_number: str | None = None
    sent_on: tuple[int, int] | None = None  # [start, end) of DateSent, seconds
    sent_from: int | None = None  # DateSent> (on or after), seconds
    sent_before: int | None = None  # DateSent< (before the end of that day), seconds
    body_contains: str | None = None
    direction: str | None = None
    status: str | None = None


def page(db: Database, account_sids: Any, which: MessageFilter, req: PageRequest) -> tuple[list[Any], bool]:
    """Messages of the accounts ``account_sids`` (a list, or a subquery) newest first, in creation
    order (``created_key``: SM and MM SIDs' time-ordered digits). ``after`` tokens lead to older
    records, ``before`` to newer ones, as in every list."""
    stmt = select(t).where(t.c.account_sid.in_(account_sids))
    if which.to_number is not None:
        stmt = stmt.where(t.c.to_number == which.to_number)
    if which.from_number is not None:
        stmt = stmt.where(t.c.from_number == which.from_number)
    if which.sent_on is not None:
        stmt = stmt.where(t.c.date_sent >= which.sent_on[0], t.c.date_sent < which.sent_on[1])
    if which.sent_from is not None:
        stmt = stmt.where(t.c.date_sent >= which.sent_from)
    if which.sent_before is not None:
        stmt = stmt.where(t.c.date_sent < which.sent_before)
    if which.body_contains is not None:
        pattern = "%" + which.body_contains.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        stmt = stmt.where(func.lower(t.c.body).like(pattern, escape="\\"))
    if which.direction is not None:
        stmt = stmt.where(t.c.direction == which.direction)
    if which.status is not None:
        stmt = stmt.where(t.c.status == which.status)
    return _rows.page(db, stmt, req)


def family(viewer_sid: str) -> Any:
    return family_sids(viewer_sid)


# -- Pending work ------------------------------------------------------------------------------

_HOLD = w.update().where(w.c.message_sid == bindparam("b_sid"), w.c.claimed_by == bindparam("b_by"))
_FINISH = w.delete().where(w.c.message_sid == bindparam("sid"))


def hold(conn: Connection, sid: str, claimant: str, until: int) -> bool:
    """Renew ``claimant``'s claim on the message's work until ``until``: False when it holds it no
    more (the work is done, or its claim lapsed and another process took it over)."""
    return conn.execute(_HOLD, {"b_sid": sid, "b_by": claimant, "claimed_until": until}).rowcount == 1


def claim(conn: Connection, now_ms: int, wall_ms: int, lease_ms: int, limit: int,
          account_sids: Any = None, claimant: str = "") -> list[str]:
    """Up to ``limit`` due, unclaimed work rows (of ``account_sids`` only, when given), claimed by
    ``claimant`` until ``wall_ms + lease_ms``: their message SIDs, oldest due first."""
    stmt = select(w.c.message_sid).where(w.c.due <= now_ms, w.c.claimed_until <= wall_ms)
    if account_sids is not None:
        stmt = stmt.where(w.c.account_sid.in_(account_sids))
    stmt = stmt.order_by(w.c.due, w.c.message_sid).limit(limit)
    if conn.dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    sids = [r.message_sid for r in conn.execute(stmt)]
    if sids:
        conn.execute(update(w).where(w.c.message_sid.in_(sids))
                     .values(claimed_until=wall_ms + lease_ms, claimed_by=claimant))
    return sids


_DUE = select(w.c.message_sid).where(w.c.due <= bindparam("now"), w.c.claimed_until <= bindparam("wall")).limit(1)


def anything_due(db: Database, now_ms: int, wall_ms: int, account_sids: Any = None) -> bool:
    """Whether some work is due and unclaimed (any account's: a cheap look before a claim)."""
    return db.one(_DUE, now=now_ms, wall=wall_ms) is not None


def claimants(db: Database, host_prefix: str, wall_ms: int) -> list[str]:
    """The processes of this host (``host:`` prefix) holding claims now."""
    stmt = select(w.c.claimed_by).where(w.c.claimed_until > wall_ms, w.c.claimed_by.like(host_prefix + "%")).distinct()
    with db.read() as conn:
        return [row.claimed_by for row in conn.execute(stmt)]


def release(conn: Connection, claimant: str) -> None:
    """The claims of a process that is gone: due again at once."""
    conn.execute(update(w).where(w.c.claimed_by == claimant).values(claimed_until=0, claimed_by=None))


def work(conn: Connection, sid: str) -> Any:
    """The message's work row, locked (PostgreSQL) for the change that follows."""
    stmt = select(w).where(w.c.message_sid == sid)
    if conn.dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    return conn.execute(stmt).first()


def reschedule(conn: Connection, sid: str, due: int) -> None:
    """The work waits until ``due`` (server clock, milliseconds: a scheduled send, a call ringing
    or held), unclaimed: whichever process looks when it is due goes on with it."""
    conn.execute(update(w).where(w.c.message_sid == sid).values(due=due, claimed_until=0, claimed_by=None))


def has_work(conn: Connection, sid: str) -> bool:
    return conn.execute(select(w.c.message_sid).where(w.c.message_sid == sid)).first() is not None


def finish(conn: Connection, sid: str) -> None:
    conn.execute(_FINISH, {"sid": sid})


def pending(db: Database, account_sids: Any, now_ms: int, wall_ms: int) -> list[Any]:
    """The work of ``account_sids`` due now (claimed or not), or claimed now (in flight, whatever
    its due time says: a wall clock set back while it ran): (message_sid, account_sid) rows."""
    stmt = select(w.c.message_sid, w.c.account_sid).where(
        w.c.account_sid.in_(account_sids), or_(w.c.due <= now_ms, w.c.claimed_until > wall_ms))
    with db.read() as conn:
        return list(conn.execute(stmt.order_by(w.c.message_sid)))


# -- Sender selection -----------------------------------------------------------------------

_n = incoming_numbers
_m = messaging_numbers


def candidates(conn: Connection, service_sid: str, *, mms: bool, sid: str | None = None,
               countries: Sequence[str] | None = None, area_code: str | None = None, limit: int = 2) -> list[Any]:
    """The Service's numbers that can send (SMS or MMS; ``mms``: MMS only) and match the filters
    (one ``sid``; ``countries``; a North American ``area_code``), least recently used first (never
    used first, then by SID): at most ``limit``. One statement over the Service's members (its
    index), however large its sticky map."""
    stmt = (
        select(_n.c.sid, _n.c.phone_number, _n.c.iso_country, _m.c.last_sent)
        .join(_m, _m.c.phone_number_sid == _n.c.sid)
        .where(_m.c.service_sid == service_sid)
        .where(_n.c.cap_mms if mms else or_(_n.c.cap_sms, _n.c.cap_mms))
    )
    if sid is not None:
        stmt = stmt.where(_n.c.sid == sid)
    if countries is not None:
        stmt = stmt.where(_n.c.iso_country.in_(list(countries)))
    if area_code is not None:
        stmt = stmt.where(_n.c.phone_number.like(f"+1{area_code}%"))
    stmt = stmt.order_by(func.coalesce(_m.c.last_sent, -1), _n.c.sid).limit(limit)
    return list(conn.execute(stmt))


def pool_size(conn: Connection, service_sid: str) -> tuple[int, int]:
    """(numbers, MMS-capable numbers) in the Service."""
    stmt = (
        select(func.count(), func.coalesce(func.sum(case((_n.c.cap_mms, 1), else_=0)), 0))
        .select_from(_m.join(_n, _n.c.sid == _m.c.phone_number_sid))
        .where(_m.c.service_sid == service_sid)
    )
    total, mms = conn.execute(stmt).one()
    return int(total), int(mms)


def lock_member(conn: Connection, service_sid: str, pn_sid: str) -> bool:
    """Lock the number's membership in the Service: False when it has left it."""
    stmt = select(_m.c.phone_number_sid).where(_m.c.service_sid == service_sid, _m.c.phone_number_sid == pn_sid)
    if conn.dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    return conn.execute(stmt).first() is not None


def used(conn: Connection, service_sid: str, pn_sid: str, ms: int) -> None:
    conn.execute(update(_m).where(_m.c.service_sid == service_sid, _m.c.phone_number_sid == pn_sid)
                 .values(last_sent=ms))


def sticky(conn: Connection, service_sid: str, to: str) -> str | None:
    stmt = select(sticky_senders.c.phone_number_sid).where(sticky_senders.c.service_sid == service_sid,
                                                           sticky_senders.c.to_number == to)
    return conn.execute(stmt).scalar()


def stick(conn: Connection, service_sid: str, to: str, pn_sid: str, now: int) -> None:
    """The recipient's sticky sender in the Service is ``pn_sid`` (inserted or replaced)."""
    s = sticky_senders
    values = {"service_sid": service_sid, "to_number": to, "phone_number_sid": pn_sid, "date_updated": now}
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        conn.execute(pg_insert(s).values(values).on_conflict_do_update(
            index_elements=[s.c.service_sid, s.c.to_number], set_={"phone_number_sid": pn_sid, "date_updated": now}))
    else:
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        conn.execute(sqlite_insert(s).values(values).on_conflict_do_update(
            index_elements=[s.c.service_sid, s.c.to_number], set_={"phone_number_sid": pn_sid, "date_updated": now}))


# -- DeliveryRules ---------------------------------------------------------------------------

rules = RuleTable(delivery_rules)


# -- the reply-loop limit and opt-outs -------------------------------------------------------------

def _one_way(to: str, from_: str) -> Any:
    return select(func.count()).select_from(t).where(
        t.c.to_number == bindparam(to), t.c.from_number == bindparam(from_), t.c.date_created >= bindparam("since"),
        t.c.direction != "inbound").scalar_subquery()


# What a message from number ``a`` to ``b`` asks of the database (bound names ``a``, ``b``,
# ``since``, and the rules' ``own``, ``parent``, ``to``): read as columns by ``from_number``, and
# required by ``insert_plain``, so that the two ask the same.
_RECENT = _one_way("a", "b") + _one_way("b", "a")  # messages between the two since ``since``
_OPTED_OUT_OF_A = exists().where(opt_outs.c.sender == bindparam("a"), opt_outs.c.recipient == bindparam("b"))
_h = incoming_numbers.alias("hosted_to")
_B_HOSTED = exists().where(_h.c.phone_number == bindparam("b"))
_MAY_RULE = exists().where(rules.could_match())  # a DeliveryRule of the account or its parent could decide it

_BETWEEN = select(_RECENT.label("n"))
_OPTED_OUT = select(opt_outs.c.sender).where(opt_outs.c.sender.in_([bindparam("number"), bindparam("service")]),
                                             opt_outs.c.recipient == bindparam("recipient"))


_FROM_NUMBER = select(
    incoming_numbers, _OPTED_OUT_OF_A.label("opted_out"), _RECENT.label("recent"), _B_HOSTED.label("to_hosted"),
    _MAY_RULE.label("may_rule"),
).where(incoming_numbers.c.phone_number == bindparam("a"))


def _asked(e164: str, to: str, since: int, chain: Sequence[str]) -> dict[str, Any]:
    """The bound values of those questions."""
    return {"a": e164, "b": to, "since": since, "own": chain[0], "parent": chain[-1], "to": to}


def from_number(db: Database, e164: str, to: str, since: int, chain: Sequence[str]) -> Any:
    """The number ``e164`` as ``numbers.fetch_by_number`` reads it, with what a message from it
    to ``to`` through no Service asks next, in the same statement (one read instead of five,
    outside any transaction): ``opted_out`` (``opted_out([e164], to)``), ``recent``
    (``between(e164, to, since)``), ``to_hosted`` (``hosted(to)``) and ``may_rule`` (whether a
    DeliveryRule of ``chain``, the account and its parent, may decide it: else none does). None
    when nobody owns it."""
    return db.one(_FROM_NUMBER, **_asked(e164, to, since, chain))


def insert_plain(db: Database, values: dict[str, Any], *, chain: Sequence[str], since: int, limit: int,
                 mms: bool) -> bool:
    """PostgreSQL: the message ``values`` (from ``from_number`` to ``to_number``, with its
    ``created_key``) inserted by one autocommit statement only if what ``from_number`` reads
    would let a create write it as it is: the number is the account's and can send it (SMS or
    MMS; MMS when ``mms``), the recipient did not opt out of it, fewer than ``limit`` messages
    went between the two since ``since``, nobody hosts the recipient, and no DeliveryRule of
    ``chain`` could decide it. Whether it was written."""
    shape = tuple(values)

    def build() -> Any:
        capable = _n.c.cap_mms if mms else or_(_n.c.cap_sms, _n.c.cap_mms)
        checks = select(*(cast(bindparam(f"v_{c}"), t.c[c].type) for c in shape)).where(
            exists().where(_n.c.phone_number == bindparam("a"), _n.c.account_sid == bindparam("acct"), capable),
            ~_OPTED_OUT_OF_A, _RECENT < bindparam("limit"), ~_B_HOSTED, ~_MAY_RULE,
        )
        return t.insert().from_select(list(shape), checks).returning(t.c.sid)

    params = {f"v_{c}": v for c, v in values.items()}
    params.update(_asked(values["from_number"], values["to_number"], since, chain), acct=values["account_sid"],
                  limit=limit)
    return bool(db.autocommit_returning(("messages-plain", shape, mms), build, params))


def between(db: Database, a: str, b: str, since: int) -> int:
    """Messages sent between ``a`` and ``b`` (either direction; a hosted recipient's inbound copy
    is not counted again) created at ``since`` or later: one statement, two index ranges, read
    outside any transaction (the limit is a guard against loops, not a count to the unit)."""
    return int(db.reader.one(db.prepared(_BETWEEN), a=a, b=b, since=since).n)


def between_in(conn: Connection, a: str, b: str, since: int) -> int:
    """``between`` in the caller's transaction (replies written with the record that caused them)."""
    return int(conn.execute(_BETWEEN, {"a": a, "b": b, "since": since}).scalar_one())


def opted_out_in(conn: Connection, senders: Sequence[str], recipient: str) -> bool:
    """``opted_out`` in the caller's transaction: it sees an opt-out written earlier in it."""
    return conn.execute(_OPTED_OUT, {"number": senders[0], "service": senders[-1],
                                     "recipient": recipient}).first() is not None


def opted_out(db: Database, senders: Sequence[str], recipient: str) -> bool:
    """Whether ``recipient`` opted out of any of ``senders`` (a number, and its Service)."""
    return db.reader.one(db.prepared(_OPTED_OUT), number=senders[0], service=senders[-1],
                         recipient=recipient) is not None


_HOSTED = select(incoming_numbers.c.sid).where(incoming_numbers.c.phone_number == bindparam("e164"))


def hosted(db: Database, e164: str) -> bool:
    """Whether some account owns ``e164`` (one index lookup, before the routing state's join)."""
    return db.one(_HOSTED, e164=e164) is not None


def opt_out(conn: Connection, senders: Sequence[str], recipient: str, now: int) -> None:
    for sender in senders:
        conn.execute(delete(opt_outs).where(opt_outs.c.sender == sender, opt_outs.c.recipient == recipient))
        conn.execute(opt_outs.insert(), {"sender": sender, "recipient": recipient, "date_created": now})


def opt_in(conn: Connection, senders: Sequence[str], recipient: str) -> None:
    conn.execute(delete(opt_outs).where(opt_outs.c.sender.in_(list(senders)), opt_outs.c.recipient == recipient))

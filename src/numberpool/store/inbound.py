"""Inbound events: the configuration an event is routed by, read at one moment, and the records.

:func:`routing_state` reads a number and everything its routing may consult in one statement.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Connection, Select, Table, bindparam, select

from numberpool.store.access import family_sids
from numberpool.store.db import Database
from numberpool.store.paging import PageRequest, finish_page
from numberpool.store.schema import (
    accounts,
    applications,
    inbound_events,
    incoming_numbers,
    messaging_numbers,
    messaging_services,
    origination_urls,
    proxy_numbers,
    proxy_services,
    trunks,
)

t = inbound_events


@dataclass(frozen=True)
class RoutingState:
    """A number, its owner, and every resource that can decide where its traffic goes."""

    number: Any
    owner: Any  # the account that owns the number: its auth token signs the requests
    messaging_service: Any = None
    proxy_service: Any = None
    sms_application: Any = None
    voice_application: Any = None
    trunk: Any = None
    origination_urls: Sequence[Any] = field(default_factory=tuple)


# One statement, so one snapshot on either database (a number moving between pools while a
# message arrives is seen before or after the move, never half-way), and one round trip: the
# number joined with everything its routing may consult, a row per origination URL of its trunk.
_PARTS: dict[str, Table] = {
    "number": incoming_numbers, "owner": accounts, "messaging_service": messaging_services,
    "proxy_service": proxy_services, "sms_application": applications, "voice_application": applications,
    "trunk": trunks, "origination_url": origination_urls,
}


def _routing_statement() -> Select:
    n = incoming_numbers
    parts = {name: table.alias(name) if name != "number" else n for name, table in _PARTS.items()}
    mn, pn = messaging_numbers.alias("mn"), proxy_numbers.alias("pn")
    o, ms, ps, sa, va, tr, ou = (parts[k] for k in ("owner", "messaging_service", "proxy_service", "sms_application",
                                                    "voice_application", "trunk", "origination_url"))
    columns = [c.label(f"{name}__{c.name}") for name, table in parts.items() for c in table.columns]
    joined = (
        n.join(o, o.c.sid == n.c.account_sid)
        .outerjoin(mn, mn.c.phone_number_sid == n.c.sid).outerjoin(ms, ms.c.sid == mn.c.service_sid)
        .outerjoin(pn, pn.c.phone_number_sid == n.c.sid).outerjoin(ps, ps.c.sid == pn.c.service_sid)
        .outerjoin(sa, sa.c.sid == n.c.sms_application_sid).outerjoin(va, va.c.sid == n.c.voice_application_sid)
        .outerjoin(tr, tr.c.sid == n.c.trunk_sid).outerjoin(ou, ou.c.trunk_sid == tr.c.sid)
    )
    return select(*columns).select_from(joined).where(n.c.phone_number == bindparam("e164"))


_routing = functools.cache(_routing_statement)  # built on the first event, not at start-up
_FIELDS = {name: [(f"{name}__{c.name}", c.name) for c in table.columns] for name, table in _PARTS.items()}


def _part(row: Any, name: str) -> SimpleNamespace | None:
    values = {field: getattr(row, label) for label, field in _FIELDS[name]}
    return SimpleNamespace(**values) if values["sid"] is not None else None


def routing_state(db: Database, e164: str) -> RoutingState | None:
    """Everything the routing of traffic to ``e164`` depends on, as one moment saw it; None when
    no account owns the number."""
    rows = db.reader.all(db.prepared(_routing()), e164=e164)
    if not rows:
        return None
    first = rows[0]
    urls = tuple(u for u in (_part(r, "origination_url") for r in rows) if u is not None)
    return RoutingState(
        _part(first, "number"), _part(first, "owner"), _part(first, "messaging_service"), _part(first, "proxy_service"),
        _part(first, "sms_application"), _part(first, "voice_application"), _part(first, "trunk"), urls,
    )


def insert(db: Database, values: dict[str, Any]) -> None:
    """The record, in an autocommit statement of its own."""
    db.autocommit_returning(("inbound_events",), lambda: _INSERT.returning(t.c.sid), values)


_INSERT = t.insert()


def call_ended(conn: Connection, sid: str, deliveries: str, duration: int) -> None:
    """A call's record, written when it rang (a hosted number called), as it ended: every request
    made for it and its duration."""
    conn.execute(t.update().where(t.c.sid == sid).values(deliveries=deliveries, call_duration=duration))


def set_deliveries(db: Database, sid: str, deliveries: str) -> None:
    """The record's deliveries, with those made after it was written (a Proxy callback)."""
    with db.write() as conn:
        conn.execute(t.update().where(t.c.sid == sid).values(deliveries=deliveries))
_BY_SID = select(t).where(t.c.sid == bindparam("sid"), t.c.kind == bindparam("kind"))


def fetch(db: Database, kind: str, sid: str) -> Any:
    return db.one(_BY_SID, sid=sid, kind=kind)


@dataclass(frozen=True)
class EventFilter:
    to_number: str | None = None
    from_number: str | None = None


def page(db: Database, viewer_sid: str, kind: str, which: EventFilter, req: PageRequest) -> tuple[list[Any], bool]:
    """Events of ``kind`` on numbers of the viewer's account or its subaccounts, newest first.

    Tokens keep the meaning they have in every list: ``after`` is the last record of the page
    before (so here: older than it), ``before`` the first record of the page after (newer)."""
    stmt = select(t).where(t.c.account_sid.in_(family_sids(bindparam("viewer"))), t.c.kind == bindparam("kind"))
    params: dict[str, Any] = {"viewer": viewer_sid, "kind": kind}
    if which.to_number is not None:
        stmt = stmt.where(t.c.to_number == bindparam("to"))
        params["to"] = which.to_number
    if which.from_number is not None:
        stmt = stmt.where(t.c.from_number == bindparam("from_"))
        params["from_"] = which.from_number
    if req.before is not None:
        stmt = stmt.where(t.c.sid > bindparam("before")).order_by(t.c.sid).limit(req.size)
        params["before"] = req.before
    else:
        if req.after is not None:
            stmt = stmt.where(t.c.sid < bindparam("after"))
            params["after"] = req.after
        elif req.page:
            stmt = stmt.offset(req.page * req.size)
        stmt = stmt.order_by(t.c.sid.desc()).limit(req.size + 1)
    with db.read() as conn:
        rows = list(conn.execute(stmt, params))
    return finish_page(rows, req)

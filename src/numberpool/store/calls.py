"""Calls: the rows, an account's list pages, the size of a call tree, and CallRules.

A call's pending work is a row of ``message_work`` keyed by the call's SID (``store.messages``
claims, holds and finishes it for every kind of work). A call waiting on the server clock (ringing,
held in progress) has its work due later and unclaimed; ``wake`` makes it due now without taking
over a claim a running process holds.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Connection, bindparam, delete, func, or_, select, update

from numberpool.store.db import Database
from numberpool.store.paging import PageRequest, finish_page
from numberpool.store.rules import RuleTable
from numberpool.store.schema import call_rules, calls, message_work

t = calls
w = message_work

_GET = select(t).where(t.c.sid == bindparam("sid"))
_GET_LOCKED = _GET.with_for_update()
_CHANGE = t.update().where(t.c.sid == bindparam("b_sid"))


def fetch(db: Database, sid: str) -> Any:
    """The call outside any transaction."""
    return db.one(_GET, sid=sid)


def get(conn: Connection, sid: str, *, lock: bool = False) -> Any:
    return conn.execute(_GET_LOCKED if lock else _GET, {"sid": sid}).first()


def insert(conn: Connection, row: dict[str, Any], due: int | None) -> Any:
    """The call, and its pending work due at ``due`` (milliseconds; None: none): the row as it now reads."""
    values = {**row, "created_key": row["sid"][2:]}
    conn.execute(t.insert(), values)
    if due is not None:
        conn.execute(w.insert(), {"message_sid": row["sid"], "account_sid": row["account_sid"], "due": due,
                                  "claimed_until": 0})
    shown = SimpleNamespace(**values)
    shown.pending = due is not None
    return shown


def change(conn: Connection, sid: str, values: dict[str, Any]) -> None:
    conn.execute(_CHANGE, {"b_sid": sid, **values})


def changed(conn: Connection, row: Any, values: dict[str, Any]) -> Any:
    """``change``, and the row as it now reads."""
    change(conn, row.sid, values)
    before = row._asdict() if hasattr(row, "_asdict") else vars(row)
    return SimpleNamespace(**{**before, **values})


def remove(conn: Connection, sid: str) -> None:
    conn.execute(delete(w).where(w.c.message_sid == sid))
    conn.execute(delete(t).where(t.c.sid == sid))


def wait_until(conn: Connection, sid: str, due: int) -> None:
    """The call's work waits until ``due`` (server clock, milliseconds), unclaimed: its process
    lets it go, and whichever process looks when it is due goes on with it."""
    conn.execute(update(w).where(w.c.message_sid == sid).values(due=due, claimed_until=0, claimed_by=None))


def wake(conn: Connection, sid: str, due: int) -> bool:
    """The call's work is due at ``due`` (an UpdateCall): a claim a process holds is left to it,
    which reads the change at its next step. False when the call has no pending work."""
    return conn.execute(update(w).where(w.c.message_sid == sid).values(due=due)).rowcount == 1


def tree_size(conn: Connection, root_sid: str) -> int:
    return int(conn.execute(select(func.count()).select_from(t).where(t.c.root_sid == root_sid)).scalar_one())


def children(db: Database, sid: str) -> list[Any]:
    """The legs a call dialled or reached (its <Dial> children, its hosted peer), oldest first."""
    with db.read() as conn:
        return list(conn.execute(select(t).where(or_(t.c.parent_call_sid == sid, t.c.peer_sid == sid))
                                 .order_by(t.c.created_key)))


@dataclass(frozen=True)
class CallFilter:
    to_number: str | None = None
    from_number: str | None = None
    parent_call_sid: str | None = None
    status: str | None = None
    started: tuple[int | None, int | None] = (None, None)  # [on or after, before) of start_time, seconds
    ended: tuple[int | None, int | None] = (None, None)  # the same of end_time
    direction: str | None = None


def page(db: Database, account_sids: Any, which: CallFilter, req: PageRequest) -> tuple[list[Any], bool]:
    """Calls of the accounts ``account_sids`` newest first, in creation order; ``after`` tokens
    lead to older records, ``before`` to newer ones, as in every list."""
    stmt = select(t).where(t.c.account_sid.in_(account_sids))
    for column, value in ((t.c.to_number, which.to_number), (t.c.from_number, which.from_number),
                          (t.c.parent_call_sid, which.parent_call_sid), (t.c.status, which.status),
                          (t.c.direction, which.direction)):
        if value is not None:
            stmt = stmt.where(column == value)
    for column, (low, high) in ((t.c.start_time, which.started), (t.c.end_time, which.ended)):
        if low is not None:
            stmt = stmt.where(column >= low)
        if high is not None:
            stmt = stmt.where(column < high)
    key = t.c.created_key
    if req.before is not None:
        stmt = stmt.where(key > req.before[2:]).order_by(key).limit(req.size)
    else:
        if req.after is not None:
            stmt = stmt.where(key < req.after[2:])
        elif req.page:
            stmt = stmt.offset(req.page * req.size)
        stmt = stmt.order_by(key.desc()).limit(req.size + 1)
    with db.read() as conn:
        rows = list(conn.execute(stmt))
    return finish_page(rows, req)


# -- CallRules -------------------------------------------------------------------------------------

rules = RuleTable(call_rules)

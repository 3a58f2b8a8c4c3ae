"""Calls: the rows, an account's list pages, the size of a call tree, and CallRules.

A call's pending work is a row of ``message_work`` keyed by the call's SID (``store.messages``
claims, holds and finishes it for every kind of work). A call waiting on the server clock (ringing,
held in progress) has its work due later and unclaimed; ``wake`` makes it due now without taking
over a claim a running process holds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, func, select, update

from numberpool.store.db import Database
from numberpool.store.paging import PageRequest
from numberpool.store.rules import RuleTable
from numberpool.store.schema import call_rules, calls, message_work
from numberpool.store.worked import WorkedTable

t = calls
w = message_work

_rows = WorkedTable(t)
fetch, get, insert, change, changed, remove = (_rows.fetch, _rows.get, _rows.insert, _rows.change, _rows.changed,
                                               _rows.remove)


def wake(conn: Connection, sid: str, due: int) -> bool:
    """The call's work is due at ``due`` (an UpdateCall): a claim a process holds is left to it,
    which reads the change at its next step. False when the call has no pending work."""
    return conn.execute(update(w).where(w.c.message_sid == sid).values(due=due)).rowcount == 1


def tree_size(conn: Connection, root_sid: str) -> int:
    return int(conn.execute(select(func.count()).select_from(t).where(t.c.root_sid == root_sid)).scalar_one())


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
    return _rows.page(db, stmt, req)


# -- CallRules -------------------------------------------------------------------------------------

rules = RuleTable(call_rules)

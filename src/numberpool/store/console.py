"""Reads for the console (``numberpool.console``): one account family's resources at a glance.

The family of a viewer is its own account and the accounts it owns (its subaccounts), the
accounts its credentials reach (``store.access.family_sids``, the access rule's SQL form). Every
read is bounded by a ``limit``; each returns at most one row more than the limit, so the caller
can say that more exist.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, exists, func, or_, select

from numberpool.store.access import family_sids
from numberpool.store.db import Database
from numberpool.store.schema import (
    accounts,
    calls,
    incoming_numbers,
    messaging_numbers,
    messaging_services,
    origination_urls,
    proxy_numbers,
    proxy_services,
    trunks,
)

n = incoming_numbers
MEMBERS_SHOWN = 500  # numbers read per kind of pool, over all the pools of that kind shown


def family_accounts(db: Database, viewer_sid: str, limit: int) -> list[Any]:
    """The viewer's account first, then its subaccounts in creation (SID) order."""
    own = accounts.c.sid == viewer_sid
    stmt = (select(accounts).where(accounts.c.sid.in_(family_sids(viewer_sid)))
            .order_by(own.desc(), accounts.c.sid).limit(limit + 1))
    with db.read() as conn:
        return list(conn.execute(stmt))


def _like(text: str) -> str:
    """``%text%`` for LIKE with ``\\`` as the escape character."""
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def family_numbers(db: Database, viewer_sid: str, digits: str | None, text: str | None, limit: int) -> list[Any]:
    """The family's numbers in number order; with a search, those whose E.164 number contains
    ``digits`` or whose friendly name contains ``text`` (case-insensitive)."""
    stmt = select(n).where(n.c.account_sid.in_(family_sids(viewer_sid)))
    matches: list[ColumnElement[bool]] = []
    if digits:
        matches.append(n.c.phone_number.like(_like(digits), escape="\\"))
    if text:
        matches.append(func.lower(n.c.friendly_name).like(_like(text.lower()), escape="\\"))
    if matches:
        stmt = stmt.where(or_(*matches))
    with db.read() as conn:
        return list(conn.execute(stmt.order_by(n.c.phone_number).limit(limit + 1)))


@dataclass
class Pool:
    """A Messaging Service, trunk or Proxy Service, with its numbers (and a trunk's origination URLs)."""

    row: Any
    numbers: list[Any] = field(default_factory=list)  # the first MEMBERS_SHOWN of each kind, over all its pools
    count: int = 0  # how many numbers it has
    origination_urls: list[Any] = field(default_factory=list)


@dataclass
class Pools:
    messaging: list[Pool]
    trunks: list[Pool]
    proxy: list[Pool]
    more: bool  # some kind had more than the limit


def _pools(conn: Any, table: Any, viewer_sid: str, limit: int) -> tuple[list[Pool], bool]:
    stmt = select(table).where(table.c.account_sid.in_(family_sids(viewer_sid))).order_by(table.c.sid).limit(limit + 1)
    rows = list(conn.execute(stmt))
    return [Pool(r) for r in rows[:limit]], len(rows) > limit


def _members(conn: Any, pools: Sequence[Pool], key: Any, joined: Any, extra: Sequence[Any] = ()) -> None:
    """Each pool's number count and first numbers: ``key`` is the column naming the pool in
    ``joined`` (a membership table joined with the numbers, or the numbers themselves)."""
    if not pools:
        return
    by_sid = {p.row.sid: p for p in pools}
    sids = list(by_sid)
    for pool_sid, count in conn.execute(select(key, func.count()).select_from(joined).where(key.in_(sids))
                                        .group_by(key)):
        by_sid[pool_sid].count = count
    stmt = (select(key.label("pool_sid"), n.c.sid, n.c.phone_number, n.c.friendly_name, *extra).select_from(joined)
            .where(key.in_(sids)).order_by(key, n.c.phone_number).limit(MEMBERS_SHOWN))
    for row in conn.execute(stmt):
        by_sid[row.pool_sid].numbers.append(row)


def family_pools(db: Database, viewer_sid: str, limit: int) -> Pools:
    """The family's Messaging Services, trunks (with origination URLs) and Proxy Services, each
    with its numbers; at most ``limit`` of each kind, read in one transaction."""
    with db.read() as conn:
        messaging, more_m = _pools(conn, messaging_services, viewer_sid, limit)
        trunk_list, more_t = _pools(conn, trunks, viewer_sid, limit)
        proxy, more_p = _pools(conn, proxy_services, viewer_sid, limit)
        mn, pn = messaging_numbers, proxy_numbers
        _members(conn, messaging, mn.c.service_sid, mn.join(n, n.c.sid == mn.c.phone_number_sid))
        _members(conn, proxy, pn.c.service_sid, pn.join(n, n.c.sid == pn.c.phone_number_sid), (pn.c.is_reserved,))
        _members(conn, trunk_list, n.c.trunk_sid, n)
        if trunk_list:
            by_sid = {p.row.sid: p for p in trunk_list}
            ou = origination_urls
            for row in conn.execute(select(ou).where(ou.c.trunk_sid.in_(list(by_sid)))
                                    .order_by(ou.c.priority, ou.c.weight.desc(), ou.c.sid)):
                by_sid[row.trunk_sid].origination_urls.append(row)
    return Pools(messaging, trunk_list, proxy, more_m or more_t or more_p)


@dataclass
class CallTree:
    """A call as the console shows it: ``row``, the first call of its tree (one ``root_sid``: the
    call placed and what it led to) the family holds, and ``legs``, the tree's other calls the
    family holds (``<Dial>`` children, a hosted callee's inbound leg), oldest first."""

    row: Any
    legs: list[Any] = field(default_factory=list)


def family_calls(db: Database, viewer_sid: str, limit: int) -> list[CallTree]:
    """The family's newest calls, newest first, each with its legs: a call is shown on its own
    when no earlier call of its tree is the family's (a call placed, an inbound call, and the
    inbound leg of a call another account placed to the family's number); the legs of another
    account are not read. In one read transaction."""
    c, o = calls, calls.alias("earlier")
    family = family_sids(viewer_sid)
    earlier = exists(select(o.c.sid).where(o.c.root_sid == c.c.root_sid, o.c.created_key < c.c.created_key,
                                           o.c.account_sid.in_(family_sids(viewer_sid))))
    stmt = (select(c).where(c.c.account_sid.in_(family), ~earlier)
            .order_by(c.c.created_key.desc()).limit(limit + 1))
    with db.read() as conn:
        trees = [CallTree(row) for row in conn.execute(stmt)]
        if trees:
            by_root = {t.row.root_sid: t for t in trees}
            shown = {t.row.sid for t in trees}
            legs = (select(c).where(c.c.root_sid.in_(list(by_root)), c.c.account_sid.in_(family_sids(viewer_sid)))
                    .order_by(c.c.root_sid, c.c.created_key))
            for row in conn.execute(legs):
                if row.sid not in shown:
                    by_root[row.root_sid].legs.append(row)
    return trees

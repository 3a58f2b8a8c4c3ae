"""The whole state at once: what an account and its subaccounts hold, read in one transaction; the
main account's tree emptied (a Reset); and the lookups a state document's load needs.

A load or a reset is one write transaction that no other writer may interleave with: on PostgreSQL
:func:`lock_writers` takes every table the state covers in EXCLUSIVE mode (plain reads go on;
writers wait for the commit), so counts and uniqueness read during the load stay true until it
commits. SQLite's ``BEGIN IMMEDIATE`` serialises writers already.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Table, delete, or_, select

from numberpool.store import access
from numberpool.store.access import family_sids
from numberpool.store.db import Database
from numberpool.store.deadline import unbounded
from numberpool.store.schema import (
    accounts,
    api_keys,
    applications,
    call_rules,
    calls,
    delivery_rules,
    inbound_events,
    incoming_numbers,
    message_work,
    messages,
    messaging_numbers,
    messaging_services,
    opt_outs,
    origination_urls,
    proxy_interactions,
    proxy_numbers,
    proxy_participants,
    proxy_services,
    proxy_sessions,
    sticky_senders,
    trunks,
)

# Children before parents: the order rows must be deleted in (foreign keys, and migration 0004's
# trigger that refuses deleting a trunk numbers still name), and the order tables are locked in.
_CHILDREN_FIRST: tuple[Table, ...] = (
    message_work, messages, sticky_senders, opt_outs, delivery_rules, calls, call_rules, inbound_events,
    proxy_interactions, proxy_participants, proxy_sessions,
    messaging_numbers, proxy_numbers, origination_urls, incoming_numbers,
    trunks, messaging_services, proxy_services, applications, api_keys, accounts,
)


@dataclass(frozen=True)
class Snapshot:
    """Rows, each list in SID order (memberships by service, then number)."""

    accounts: Sequence[Any]
    applications: Sequence[Any]
    numbers: Sequence[Any]
    messaging_services: Sequence[Any]
    messaging_members: Sequence[Any]
    trunks: Sequence[Any]
    origination_urls: Sequence[Any]
    proxy_services: Sequence[Any]
    proxy_members: Sequence[Any]
    delivery_rules: Sequence[Any]
    call_rules: Sequence[Any]


def _rows(conn: Connection, table: Table, caller_sid: str) -> Sequence[Any]:
    stmt = select(table).where(table.c.account_sid.in_(family_sids(caller_sid))).order_by(table.c.sid)
    return conn.execute(stmt).all()


def _members(conn: Connection, members: Table, services: Table, caller_sid: str) -> Sequence[Any]:
    stmt = (
        select(members)
        .join(services, services.c.sid == members.c.service_sid)
        .where(services.c.account_sid.in_(family_sids(caller_sid)))
        .order_by(members.c.service_sid, members.c.phone_number_sid)
    )
    return conn.execute(stmt).all()


def snapshot(db: Database, caller_sid: str) -> Snapshot:
    """Everything of the caller's account and its subaccounts, as of one moment (PostgreSQL reads
    it in one REPEATABLE READ transaction; an SQLite read transaction is one snapshot already)."""
    with db.read(one_snapshot=True) as conn:
        return _snapshot(conn, caller_sid)


def _snapshot(conn: Connection, caller_sid: str) -> Snapshot:
    return Snapshot(
        accounts=conn.execute(select(accounts).where(accounts.c.sid.in_(family_sids(caller_sid)))
                              .order_by(accounts.c.sid)).all(),
        applications=_rows(conn, applications, caller_sid),
        numbers=_rows(conn, incoming_numbers, caller_sid),
        messaging_services=_rows(conn, messaging_services, caller_sid),
        messaging_members=_members(conn, messaging_numbers, messaging_services, caller_sid),
        trunks=_rows(conn, trunks, caller_sid),
        origination_urls=_rows(conn, origination_urls, caller_sid),
        proxy_services=_rows(conn, proxy_services, caller_sid),
        proxy_members=_members(conn, proxy_numbers, proxy_services, caller_sid),
        delivery_rules=_rows(conn, delivery_rules, caller_sid),
        call_rules=_rows(conn, call_rules, caller_sid),
    )


def lock_writers(conn: Connection) -> None:
    """PostgreSQL: no other writer until this transaction ends (plain reads go on); see the module doc."""
    if conn.dialect.name == "postgresql":
        names = ", ".join(table.name for table in _CHILDREN_FIRST)
        conn.exec_driver_sql(f"LOCK TABLE {names} IN EXCLUSIVE MODE")


def delete_tree(conn: Connection, main_sid: str) -> bool:
    """The subaccounts of ``main_sid`` and every row they and ``main_sid`` hold, children first; the
    account ``main_sid`` itself stays, and so does every other account (one that is not a
    subaccount of it, such as a demoted former main account) with all it holds. False, and nothing
    deleted, unless ``main_sid`` is the main account once every writer is locked out (a server
    starting with another ``TWILIO_ACCOUNT_SID`` may have demoted it since the request began).
    Without the statement deadline (a million numbers take longer to delete than a request may take)."""
    tree = family_sids(main_sid)
    services = {messaging_numbers: messaging_services, proxy_numbers: proxy_services}
    with unbounded(conn):
        lock_writers(conn)
        if not _is_main(conn, main_sid):
            return False
        for table in _CHILDREN_FIRST:
            if table is accounts:
                stmt = delete(accounts).where(access.subaccounts_clause(main_sid))
            elif table is opt_outs:  # by the sender: a number or a Service of the accounts
                stmt = delete(table).where(or_(
                    table.c.sender.in_(select(incoming_numbers.c.phone_number).where(incoming_numbers.c.account_sid.in_(tree))),
                    table.c.sender.in_(select(messaging_services.c.sid).where(messaging_services.c.account_sid.in_(tree))),
                ))
            elif table is sticky_senders:  # by its service's account
                owned = select(messaging_services.c.sid).where(messaging_services.c.account_sid.in_(tree))
                stmt = delete(table).where(table.c.service_sid.in_(owned))
            elif table in services:  # a membership: by its service's account, or its number's
                parent = services[table]
                stmt = delete(table).where(or_(
                    table.c.service_sid.in_(select(parent.c.sid).where(parent.c.account_sid.in_(tree))),
                    table.c.phone_number_sid.in_(select(incoming_numbers.c.sid).where(incoming_numbers.c.account_sid.in_(tree))),
                ))
            else:
                stmt = delete(table).where(table.c.account_sid.in_(tree))
            conn.execute(stmt)
    return True


def _is_main(conn: Connection, sid: str) -> bool:
    a = accounts.c
    row = conn.execute(select(a.sid, a.is_main, a.owner_account_sid).where(a.sid == sid)).first()
    return row is not None and access.is_main(row)


# -- what a load looks up ---------------------------------------------------------------------

def member_sids(conn: Connection, members: Table, service_sid: str) -> list[str]:
    """The numbers of one Messaging or Proxy Service (``messaging_numbers`` / ``proxy_numbers``)."""
    stmt = select(members.c.phone_number_sid).where(members.c.service_sid == service_sid)
    return [r[0] for r in conn.execute(stmt)]


def origination_url_sids(conn: Connection, trunk_sid: str) -> list[str]:
    return [r[0] for r in conn.execute(select(origination_urls.c.sid).where(origination_urls.c.trunk_sid == trunk_sid))]


def proxy_unique_name_holder(conn: Connection, account_sid: str, unique_name: str) -> str | None:
    """The SID of the account's Proxy Service named ``unique_name``, if any."""
    c = proxy_services.c
    return conn.execute(select(c.sid).where(c.account_sid == account_sid, c.unique_name == unique_name)).scalar()

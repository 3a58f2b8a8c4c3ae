"""Pool queries: the parent tables (Messaging Services, Trunks, Proxy Services) and their numbers.

Messaging and Proxy Services keep their numbers in a membership table whose primary key is the
number, so a number is in at most one pool of each kind whatever the processes do;
:class:`Membership` holds every query such a table needs, once. A trunk's numbers are the
numbers whose ``trunk_sid`` names it, so one trunk per number is one column.

Each add runs inside the caller's write transaction after the parent row has been locked
(``FOR UPDATE`` on PostgreSQL; SQLite's ``BEGIN IMMEDIATE`` already serialises writers), so a
count followed by an insert cannot overshoot a limit.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Row, Table, bindparam, func, select, update

from numberpool.store.crud import Crud
from numberpool.store.db import Database
from numberpool.store.paging import PageRequest, page, page_statement
from numberpool.store.schema import (
    incoming_numbers,
    messaging_numbers,
    messaging_services,
    proxy_numbers,
    proxy_services,
    sticky_senders,
    trunks,
)

_ipn = incoming_numbers

messaging = Crud(messaging_services)
trunk = Crud(trunks)
proxy = Crud(proxy_services)


class Membership:
    """The numbers of one kind of pool: a table keyed by ``phone_number_sid`` with a ``service_sid``,
    read joined with each number's own columns (``number_columns``). ``mappings``: a table of rows
    keyed by (``service_sid``, ``phone_number_sid``) that a number leaving its pool takes with it
    (a Messaging Service's sticky senders)."""

    def __init__(self, table: Table, number_columns: Sequence[str], mappings: Table | None = None) -> None:
        self.table = table
        self.mappings = mappings
        c = table.c
        self._by_number = select(table).where(c.phone_number_sid == bindparam("pn"))
        self._joined = (
            select(*table.columns, *(_ipn.c[name] for name in number_columns))
            .join(_ipn, _ipn.c.sid == c.phone_number_sid)
            .where(c.service_sid == bindparam("service"))
        )
        self._one = self._joined.where(c.phone_number_sid == bindparam("pn"))
        self._update = table.update().where(c.service_sid == bindparam("b_service"), c.phone_number_sid == bindparam("b_pn"))

    def of_number(self, conn: Connection, pn_sid: str) -> Row | None:
        """The number's membership in any pool of this kind."""
        return conn.execute(self._by_number, {"pn": pn_sid}).first()

    def count(self, conn: Connection, service_sid: str, **equal: Any) -> int:
        stmt = select(func.count()).select_from(self.table).where(self.table.c.service_sid == service_sid)
        for name, value in equal.items():
            stmt = stmt.where(self.table.c[name] == value)
        return conn.execute(stmt).scalar_one()

    def add(self, conn: Connection, values: dict[str, Any]) -> None:
        conn.execute(self.table.insert(), values)

    def update(self, conn: Connection, service_sid: str, pn_sid: str, values: dict[str, Any]) -> None:
        conn.execute(self._update, {"b_service": service_sid, "b_pn": pn_sid, **values})

    def remove(self, conn: Connection, service_sid: str, pn_sid: str) -> int:
        """The number leaves the pool, then its mappings: the membership's delete waits for a
        sender choice that holds it, so a mapping that choice wrote is seen and deleted too."""
        c = self.table.c
        removed = conn.execute(self.table.delete().where(c.service_sid == service_sid, c.phone_number_sid == pn_sid)).rowcount
        if self.mappings is not None:
            m = self.mappings.c
            conn.execute(self.mappings.delete().where(m.service_sid == service_sid, m.phone_number_sid == pn_sid))
        return removed

    def get(self, conn: Connection, service_sid: str, pn_sid: str) -> Row | None:
        return conn.execute(self._one, {"service": service_sid, "pn": pn_sid}).first()

    def fetch(self, db: Database, service_sid: str, pn_sid: str) -> Any:
        """Outside any transaction: a read on the hot path."""
        return db.one(self._one, service=service_sid, pn=pn_sid)

    def page(self, db: Database, service_sid: str, req: PageRequest) -> tuple[Sequence[Any], bool]:
        build = lambda: page_statement(self._joined, self.table.c.phone_number_sid, req)
        return page(db, (self.table.name,), build, req, service=service_sid)

    def delete_service(self, conn: Connection, service_sid: str) -> None:
        conn.execute(self.table.delete().where(self.table.c.service_sid == service_sid))
        if self.mappings is not None:
            conn.execute(self.mappings.delete().where(self.mappings.c.service_sid == service_sid))

    def leave(self, conn: Connection, pn_sids: Sequence[str]) -> None:
        conn.execute(self.table.delete().where(self.table.c.phone_number_sid.in_(list(pn_sids))))
        if self.mappings is not None:  # after: as in remove
            conn.execute(self.mappings.delete().where(self.mappings.c.phone_number_sid.in_(list(pn_sids))))


_CAPABILITIES = ("cap_voice", "cap_sms", "cap_mms", "cap_fax")
messaging_members = Membership(messaging_numbers, ("account_sid", "phone_number", "iso_country", *_CAPABILITIES),
                               sticky_senders)
proxy_members = Membership(proxy_numbers, ("account_sid", "phone_number", "friendly_name", "iso_country", *_CAPABILITIES))


# -- Trunking -------------------------------------------------------------------------------
def trunk_numbers_page(db: Database, trunk_sid: str, req: PageRequest) -> tuple[Sequence[Any], bool]:
    build = lambda: page_statement(select(_ipn).where(_ipn.c.trunk_sid == bindparam("trunk")), _ipn.c.sid, req)
    return page(db, ("trunk_numbers",), build, req, trunk=trunk_sid)


def trunk_clear(conn: Connection, trunk_sid: str, now: int) -> None:
    conn.execute(update(_ipn).where(_ipn.c.trunk_sid == trunk_sid).values(trunk_sid=None, date_updated=now))


def trunk_domain_taken(conn: Connection, domain: str, except_sid: str | None) -> bool:
    stmt = select(trunks.c.sid).where(trunks.c.domain_name == domain)
    if except_sid is not None:
        stmt = stmt.where(trunks.c.sid != except_sid)
    return conn.execute(stmt).first() is not None


# -- Cascades -------------------------------------------------------------------------------
def leave_all_pools(conn: Connection, pn_sids: Sequence[str]) -> None:
    """Take numbers out of every Messaging and Proxy Service (their trunk is a column of the number)."""
    if pn_sids:
        messaging_members.leave(conn, pn_sids)
        proxy_members.leave(conn, pn_sids)

"""Pool membership queries: Messaging Service, Trunk and Proxy Service numbers.

Each add runs inside the caller's write transaction after the parent row has
been locked (``FOR UPDATE`` on PostgreSQL; SQLite's ``BEGIN IMMEDIATE`` already
serialises writers), so a count followed by an insert cannot overshoot a limit.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Row, bindparam, func, select, update

from numberpool.domain.paging import PageRequest
from numberpool.store.crud import Crud
from numberpool.store.db import Database
from numberpool.store.paging import page, page_statement
from numberpool.store.schema import (
    incoming_numbers,
    messaging_numbers,
    messaging_services,
    proxy_numbers,
    proxy_services,
    trunks,
)

messaging = Crud(messaging_services)
trunk = Crud(trunks)
proxy = Crud(proxy_services)

_ipn = incoming_numbers


# -- Messaging ------------------------------------------------------------------------------
def messaging_membership(conn: Connection, pn_sid: str) -> Row | None:
    return conn.execute(select(messaging_numbers).where(messaging_numbers.c.phone_number_sid == pn_sid)).first()


def messaging_count(conn: Connection, service_sid: str) -> int:
    stmt = select(func.count()).select_from(messaging_numbers).where(messaging_numbers.c.service_sid == service_sid)
    return conn.execute(stmt).scalar_one()


def messaging_add(conn: Connection, values: dict[str, Any]) -> None:
    conn.execute(messaging_numbers.insert(), values)


def messaging_remove(conn: Connection, service_sid: str, pn_sid: str) -> int:
    t = messaging_numbers
    return conn.execute(t.delete().where(t.c.service_sid == service_sid, t.c.phone_number_sid == pn_sid)).rowcount


_MESSAGING_JOINED = select(
    messaging_numbers.c.phone_number_sid, messaging_numbers.c.service_sid, messaging_numbers.c.date_created,
    messaging_numbers.c.date_updated, _ipn.c.account_sid, _ipn.c.phone_number, _ipn.c.iso_country,
    _ipn.c.cap_voice, _ipn.c.cap_sms, _ipn.c.cap_mms, _ipn.c.cap_fax,
).join(_ipn, _ipn.c.sid == messaging_numbers.c.phone_number_sid).where(messaging_numbers.c.service_sid == bindparam("service"))
_MESSAGING_ONE = _MESSAGING_JOINED.where(messaging_numbers.c.phone_number_sid == bindparam("pn"))


def messaging_get(conn: Connection, service_sid: str, pn_sid: str) -> Row | None:
    return conn.execute(_MESSAGING_ONE, {"service": service_sid, "pn": pn_sid}).first()


def messaging_fetch(db: Database, service_sid: str, pn_sid: str) -> Any:
    return db.one(_MESSAGING_ONE, service=service_sid, pn=pn_sid)


def messaging_page(db: Database, service_sid: str, req: PageRequest) -> tuple[Sequence[Any], bool]:
    build = lambda: page_statement(_MESSAGING_JOINED, messaging_numbers.c.phone_number_sid, req)
    return page(db, ("messaging_numbers",), build, req, service=service_sid)


def messaging_delete_service(conn: Connection, service_sid: str) -> None:
    conn.execute(messaging_numbers.delete().where(messaging_numbers.c.service_sid == service_sid))


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


# -- Proxy ----------------------------------------------------------------------------------
def proxy_membership(conn: Connection, pn_sid: str) -> Row | None:
    return conn.execute(select(proxy_numbers).where(proxy_numbers.c.phone_number_sid == pn_sid)).first()


def proxy_count(conn: Connection, service_sid: str, reserved: bool) -> int:
    t = proxy_numbers
    stmt = select(func.count()).select_from(t).where(t.c.service_sid == service_sid, t.c.is_reserved.is_(reserved))
    return conn.execute(stmt).scalar_one()


def proxy_add(conn: Connection, values: dict[str, Any]) -> None:
    conn.execute(proxy_numbers.insert(), values)


_PROXY_UPDATE = proxy_numbers.update().where(
    proxy_numbers.c.service_sid == bindparam("b_service"), proxy_numbers.c.phone_number_sid == bindparam("b_pn")
)


def proxy_update(conn: Connection, service_sid: str, pn_sid: str, values: dict[str, Any]) -> None:
    conn.execute(_PROXY_UPDATE, {"b_service": service_sid, "b_pn": pn_sid, **values})


def proxy_remove(conn: Connection, service_sid: str, pn_sid: str) -> int:
    t = proxy_numbers
    return conn.execute(t.delete().where(t.c.service_sid == service_sid, t.c.phone_number_sid == pn_sid)).rowcount


_PROXY_JOINED = select(
    proxy_numbers.c.phone_number_sid, proxy_numbers.c.service_sid, proxy_numbers.c.is_reserved, proxy_numbers.c.in_use,
    proxy_numbers.c.date_created, proxy_numbers.c.date_updated, _ipn.c.account_sid, _ipn.c.phone_number,
    _ipn.c.friendly_name, _ipn.c.iso_country, _ipn.c.cap_voice, _ipn.c.cap_sms, _ipn.c.cap_mms, _ipn.c.cap_fax,
).join(_ipn, _ipn.c.sid == proxy_numbers.c.phone_number_sid).where(proxy_numbers.c.service_sid == bindparam("service"))
_PROXY_ONE = _PROXY_JOINED.where(proxy_numbers.c.phone_number_sid == bindparam("pn"))


def proxy_get(conn: Connection, service_sid: str, pn_sid: str) -> Row | None:
    return conn.execute(_PROXY_ONE, {"service": service_sid, "pn": pn_sid}).first()


def proxy_fetch(db: Database, service_sid: str, pn_sid: str) -> Any:
    return db.one(_PROXY_ONE, service=service_sid, pn=pn_sid)


def proxy_page(db: Database, service_sid: str, req: PageRequest) -> tuple[Sequence[Any], bool]:
    build = lambda: page_statement(_PROXY_JOINED, proxy_numbers.c.phone_number_sid, req)
    return page(db, ("proxy_numbers",), build, req, service=service_sid)


def proxy_delete_service(conn: Connection, service_sid: str) -> None:
    conn.execute(proxy_numbers.delete().where(proxy_numbers.c.service_sid == service_sid))


# -- Cascades -------------------------------------------------------------------------------
def leave_all_pools(conn: Connection, pn_sids: Sequence[str]) -> None:
    """Take numbers out of every Messaging and Proxy Service (their trunk is a column of the number)."""
    if not pn_sids:
        return
    conn.execute(messaging_numbers.delete().where(messaging_numbers.c.phone_number_sid.in_(list(pn_sids))))
    conn.execute(proxy_numbers.delete().where(proxy_numbers.c.phone_number_sid.in_(list(pn_sids))))

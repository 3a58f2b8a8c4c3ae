"""Account queries."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Row, bindparam, or_, select

from numberpool.domain.paging import PageRequest
from numberpool.store.db import Database
from numberpool.store.paging import fetch_page
from numberpool.store.schema import accounts



BY_SID = select(accounts).where(accounts.c.sid == bindparam("sid"))


def get(conn: Connection, sid: str) -> Row | None:
    return conn.execute(BY_SID, {"sid": sid}).first()


def fetch(db: Database, sid: str) -> Any:
    """The account outside any transaction (the per-request authentication read)."""
    return db.one(BY_SID, sid=sid)


def get_main(conn: Connection) -> Row | None:
    return conn.execute(select(accounts).where(accounts.c.is_main.is_(True)).order_by(accounts.c.sid)).first()


def insert(conn: Connection, values: dict[str, Any]) -> None:
    conn.execute(accounts.insert().values(**values))


def update(conn: Connection, sid: str, values: dict[str, Any]) -> None:
    conn.execute(accounts.update().where(accounts.c.sid == sid).values(**values))


def list_visible(
    conn: Connection, caller_sid: str, friendly_name: str | None, status: str | None, req: PageRequest
) -> tuple[Sequence[Row], bool]:
    """The caller's own account and its subaccounts."""
    stmt = select(accounts).where(or_(accounts.c.sid == caller_sid, accounts.c.owner_account_sid == caller_sid))
    if friendly_name is not None:
        stmt = stmt.where(accounts.c.friendly_name == friendly_name)
    if status is not None:
        stmt = stmt.where(accounts.c.status == status)
    return fetch_page(conn, stmt, accounts.c.sid, req)

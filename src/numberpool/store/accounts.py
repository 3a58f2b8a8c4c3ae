"""Account queries."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Row, Select, bindparam, select

from numberpool.store.access import family_clause
from numberpool.store.db import Database
from numberpool.store.paging import PageRequest, page, page_statement
from numberpool.store.schema import accounts

BY_SID = select(accounts).where(accounts.c.sid == bindparam("sid"))


def get(conn: Connection, sid: str) -> Row | None:
    return conn.execute(BY_SID, {"sid": sid}).first()


def fetch(db: Database, sid: str) -> Any:
    """The account outside any transaction (the per-request authentication read)."""
    return db.one(BY_SID, sid=sid)


_STATUS_SHARED = select(accounts.c.status).where(accounts.c.sid == bindparam("sid")).with_for_update(read=True)


def lock_status(conn: Connection, sid: str) -> str | None:
    """The account's status, its row held ``FOR SHARE`` until the transaction ends (PostgreSQL;
    SQLite serialises writers already): a close cannot commit between this read and our writes."""
    return conn.execute(_STATUS_SHARED, {"sid": sid}).scalar()


def get_main(conn: Connection) -> Row | None:
    """The main account (``uq_accounts_one_main``: there is at most one)."""
    return conn.execute(select(accounts).where(accounts.c.is_main.is_(True))).first()


def demote_main(conn: Connection, keep_sid: str, ts: int) -> None:
    """The main account, unless it is ``keep_sid``, becomes an ordinary top-level account (its
    subaccounts and data stay its own): first, so that ``keep_sid`` may then be made main."""
    a = accounts.c
    conn.execute(accounts.update().where(a.is_main.is_(True), a.sid != keep_sid).values(is_main=False, date_updated=ts))


def insert(conn: Connection, values: dict[str, Any]) -> None:
    conn.execute(accounts.insert(), values)


_UPDATE = accounts.update().where(accounts.c.sid == bindparam("b_sid"))


def update(conn: Connection, sid: str, values: dict[str, Any]) -> None:
    conn.execute(_UPDATE, {"b_sid": sid, **values})


def list_visible(
    db: Database, caller_sid: str, friendly_name: str | None, status: str | None, req: PageRequest
) -> tuple[Sequence[Any], bool]:
    """The caller's own account and its subaccounts."""
    a = accounts.c

    def build() -> Select:
        stmt = select(accounts).where(family_clause(bindparam("caller")))
        if friendly_name is not None:
            stmt = stmt.where(a.friendly_name == bindparam("friendly_name"))
        if status is not None:
            stmt = stmt.where(a.status == bindparam("status"))
        return page_statement(stmt, a.sid, req)

    params = {"caller": caller_sid, "friendly_name": friendly_name, "status": status}
    return page(db, ("accounts", friendly_name is not None, status is not None), build, req,
                **{k: v for k, v in params.items() if v is not None})

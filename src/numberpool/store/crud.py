"""Account-scoped rows of one table: the queries every parent resource (Service, Trunk) shares."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Row, Select, Table, bindparam, select

from numberpool.store.db import Database
from numberpool.store.paging import PageRequest, page, page_statement


class Crud:
    def __init__(self, table: Table) -> None:
        self.table = table
        self.sid = table.c.sid
        self.by_sid = select(table).where(table.c.sid == bindparam("sid"))
        self._locked = self.by_sid.with_for_update()
        self._shared = self.by_sid.with_for_update(read=True)
        self._insert = table.insert()
        self._update = table.update().where(table.c.sid == bindparam("b_sid"))

    def get(self, conn: Connection, sid: str, *, lock: bool = False, share: bool = False) -> Row | None:
        """Inside a write transaction (row locks are PostgreSQL's; SQLite serialises writers):
        ``lock`` takes the row for update (before a pool is counted, or the row deleted),
        ``share`` keeps it from being deleted or changed until the transaction ends."""
        stmt = self._locked if lock else self._shared if share else self.by_sid
        return conn.execute(stmt, {"sid": sid}).first()

    def fetch(self, db: Database, sid: str) -> Any:
        """Outside any transaction: a read on the hot path."""
        return db.one(self.by_sid, sid=sid)

    def insert(self, conn: Connection, values: dict[str, Any]) -> None:
        conn.execute(self._insert, values)

    def update(self, conn: Connection, sid: str, values: dict[str, Any]) -> None:
        conn.execute(self._update, {"b_sid": sid, **values})

    def delete(self, conn: Connection, sid: str) -> int:
        return conn.execute(self.table.delete().where(self.sid == sid)).rowcount

    def list_page(self, db: Database, account_sid: str, req: PageRequest) -> tuple[Sequence[Any], bool]:
        def build() -> Select:
            return page_statement(select(self.table).where(self.table.c.account_sid == bindparam("owner")), self.sid, req)

        return page(db, (self.table.name,), build, req, owner=account_sid)

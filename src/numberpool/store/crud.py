"""Account-scoped rows of one table: the queries every parent resource (Service, Trunk) shares."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Row, Table, select

from numberpool.domain.paging import PageRequest
from numberpool.store.paging import fetch_page


class Crud:
    def __init__(self, table: Table) -> None:
        self.table = table
        self.sid = table.c.sid

    def get(self, conn: Connection, sid: str, *, lock: bool = False) -> Row | None:
        stmt = select(self.table).where(self.sid == sid)
        if lock:
            stmt = stmt.with_for_update()
        return conn.execute(stmt).first()

    def insert(self, conn: Connection, values: dict[str, Any]) -> None:
        conn.execute(self.table.insert().values(**values))

    def update(self, conn: Connection, sid: str, values: dict[str, Any]) -> None:
        conn.execute(self.table.update().where(self.sid == sid).values(**values))

    def delete(self, conn: Connection, sid: str) -> int:
        return conn.execute(self.table.delete().where(self.sid == sid)).rowcount

    def list_page(self, conn: Connection, account_sid: str, req: PageRequest) -> tuple[Sequence[Row], bool]:
        stmt = select(self.table).where(self.table.c.account_sid == account_sid)
        return fetch_page(conn, stmt, self.sid, req)

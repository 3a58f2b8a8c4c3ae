"""A table of records with pending work (messages, calls): rows keyed by ``sid``, listed newest
first by ``created_key`` (the SID's 32 time-ordered digits), each with a row of ``message_work``
keyed by the same SID while its work is pending. The statements of the sending path are built
once (a statement built per call costs SQLAlchemy more than running it)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from sqlalchemy import Connection, Select, Table, bindparam, delete, select

from numberpool.store.db import Database
from numberpool.store.group import GroupInsert
from numberpool.store.paging import PageRequest, finish_page
from numberpool.store.schema import message_work

w = message_work


class WorkedTable:
    def __init__(self, table: Table) -> None:
        self.t = table
        self._get = select(table).where(table.c.sid == bindparam("sid"))
        self._get_locked = self._get.with_for_update()
        self._insert = table.insert()
        self._work_insert = w.insert()
        self._change = table.update().where(table.c.sid == bindparam("b_sid"))

    def fetch(self, db: Database, sid: str) -> Any:
        """The record outside any transaction."""
        return db.one(self._get, sid=sid)

    def get(self, conn: Connection, sid: str, *, lock: bool = False) -> Any:
        return conn.execute(self._get_locked if lock else self._get, {"sid": sid}).first()

    def insert(self, conn: Connection, row: dict[str, Any], due: int | None) -> Any:
        """The record, and its pending work due at ``due`` (milliseconds; None: none): the row as
        it now reads (every column, by attribute, and ``pending``: whether work waits, so the
        caller may kick it)."""
        values = self.keyed(row)
        conn.execute(self._insert, values)
        if due is not None:
            conn.execute(self._work_insert, {"message_sid": row["sid"], "account_sid": row["account_sid"], "due": due,
                                             "claimed_until": 0})
        shown = SimpleNamespace(**values)
        shown.pending = due is not None
        return shown

    def alone_inserts(self, db: Database) -> GroupInsert:
        """Inserts of records with no pending work, each in an autocommit statement of its own or
        shared with other requests' (store.group): the write of a create that needs no transaction.
        A record's values carry its ``created_key`` (``keyed``)."""
        return GroupInsert.unless_taken(db, self.t, self.t.c.sid, self.t.c.sid, f"{self.t.name}-alone")

    @staticmethod
    def keyed(row: dict[str, Any]) -> dict[str, Any]:
        """``row`` with its ``created_key``, as ``insert`` writes it."""
        return {**row, "created_key": row["sid"][2:]}

    def change(self, conn: Connection, sid: str, values: dict[str, Any]) -> None:
        conn.execute(self._change, {"b_sid": sid, **values})

    def changed(self, conn: Connection, row: Any, values: dict[str, Any]) -> Any:
        """``change``, and the row as it now reads."""
        self.change(conn, row.sid, values)
        before = row._asdict() if hasattr(row, "_asdict") else vars(row)
        return SimpleNamespace(**{**before, **values})

    def remove(self, conn: Connection, sid: str) -> None:
        """The record and its pending work."""
        conn.execute(delete(w).where(w.c.message_sid == sid))
        conn.execute(delete(self.t).where(self.t.c.sid == sid))

    def page(self, db: Database, stmt: Select[Any], req: PageRequest) -> tuple[list[Any], bool]:
        """One page of ``stmt`` (this table's rows, filtered) newest first in creation order:
        ``after`` tokens lead to older records, ``before`` to newer ones, as in every list."""
        key = self.t.c.created_key
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

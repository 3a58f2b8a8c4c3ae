"""numberpool's rules by ``To`` (DeliveryRules, CallRules): a table of rows with ``sid``,
``account_sid`` and ``to_pattern`` (an E.164 number, or a prefix ending in ``*``), one per account
and ``To``, and the reads and writes both kinds share."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Table, and_, bindparam, delete, literal_column, or_, select

from numberpool.store import paging
from numberpool.store.db import Database
from numberpool.store.paging import PageRequest, page_statement


class RuleTable:
    def __init__(self, table: Table) -> None:
        self.t = table
        # The pattern is written into the SQL: SQLite prepares a statement anew at every run whose
        # LIKE pattern is a bound parameter (it may plan by the pattern), which tripled this read.
        self._for = select(table).where(self.could_match())

    def could_match(self) -> Any:
        """The condition of the rules ``for_to`` reads, with the same bound names (``own``,
        ``parent``, ``to``): for a statement that only asks whether any exists."""
        table = self.t
        prefix_rule = table.c.to_pattern.like(literal_column("'%*'"))
        return and_(table.c.account_sid.in_([bindparam("own"), bindparam("parent")]),
                    or_(table.c.to_pattern == bindparam("to"), prefix_rule))

    @staticmethod
    def _matching(rows: Any, to: str) -> list[Any]:
        """The rules among ``rows`` whose ``To`` is ``to``, or a prefix of it ending in ``*``."""
        return [row for row in rows
                if row.to_pattern == to or (row.to_pattern.endswith("*") and to.startswith(row.to_pattern[:-1]))]

    def for_to(self, db: Database, account_sids: Sequence[str], to: str) -> list[Any]:
        """The rules of ``account_sids`` (an account, then its parent) that match ``to``: a
        one-statement read outside any transaction (rules are configuration: a hot read)."""
        own, parent = account_sids[0], account_sids[-1]
        return self._matching(db.reader.all(db.prepared(self._for), own=own, parent=parent, to=to), to)

    def insert(self, conn: Connection, row: dict[str, Any]) -> None:
        """A rule, replacing the account's rule for the same ``To``."""
        conn.execute(delete(self.t).where(self.t.c.account_sid == row["account_sid"],
                                          self.t.c.to_pattern == row["to_pattern"]))
        conn.execute(self.t.insert(), row)

    def holder(self, conn: Connection, account_sid: str, to: str) -> str | None:
        """The SID of the account's rule for exactly ``to``, if any."""
        c = self.t.c
        return conn.execute(select(c.sid).where(c.account_sid == account_sid, c.to_pattern == to)).scalar()

    def get(self, db: Database, sid: str) -> Any:
        with db.read() as conn:
            return conn.execute(select(self.t).where(self.t.c.sid == sid)).first()

    def delete(self, conn: Connection, sid: str) -> int:
        return conn.execute(delete(self.t).where(self.t.c.sid == sid)).rowcount

    def page(self, db: Database, account_sid: str, req: PageRequest) -> tuple[list[Any], bool]:
        """One page of the account's rules, by SID (the keyset paging of every list)."""
        build = lambda: page_statement(select(self.t).where(self.t.c.account_sid == bindparam("owner")), self.t.c.sid, req)
        return paging.page(db, (self.t.name,), build, req, owner=account_sid)

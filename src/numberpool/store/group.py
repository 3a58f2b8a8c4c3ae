"""Group commit: the inserts that arrive in one turn of the event loop share one statement.

A commit costs far more than the row it carries: SQLite takes its locks and writes every page
the insert touched (table and five indexes) to the WAL, PostgreSQL makes a round trip and
flushes its WAL, and each database call hands the GIL to the server's threads and back. Under
load, requests to buy numbers arrive together, so :class:`GroupInsert` queues each row and, once
the loop has run every request that is ready, writes the queue as one autocommit
``INSERT ... VALUES (...), (...) ON CONFLICT (key) DO NOTHING RETURNING sid``. Every request
then learns whether its own row went in, exactly as if it had inserted alone: the statement is
atomic, and a row whose number is owned (by anyone, or by an earlier row of the same statement)
is skipped without affecting the others. A row refused by another constraint would fail the
whole statement; the group then inserts its rows one by one, so that only that row is refused.

Each response is sent only after the statement that holds its row committed: a 201 is as
durable as before. A lone request waits for no one: the flush runs as soon as the loop has run
the callbacks that were ready with it (on PostgreSQL, on the request threads: ``store.offload``).
"""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import Column, Insert, Table, bindparam

from numberpool.store.db import Database
from numberpool.store.errors import ConstraintViolation
from numberpool.store.offload import inline

MAX_ROWS = 64  # rows per statement; a larger group is written as several statements
Waiter = tuple[dict[str, Any], "asyncio.Future[bool]"]  # a row and the future of its request
Chunk = tuple[tuple[str, ...], list[Waiter]]  # rows of one shape (their columns), one statement


class GroupInsert:
    """Insert-unless-taken for one table, grouped per event-loop turn (one per Database)."""

    @classmethod
    def unless_taken(cls, db: Database, table: Table, unique: Column, key: Column, name: str) -> GroupInsert:
        """Rows of ``table`` inserted unless ``unique`` is taken, each named by ``key``."""
        stmt: Insert
        if db.engine.dialect.name == "sqlite":  # each dialect's module is imported only where it serves
            from sqlalchemy.dialects.sqlite import insert as sqlite_insert

            stmt = sqlite_insert(table).on_conflict_do_nothing(index_elements=[unique])
        else:
            from sqlalchemy.dialects.postgresql import insert as pg_insert

            stmt = pg_insert(table).on_conflict_do_nothing(index_elements=[unique])
        return cls(db, stmt, key, name)

    def __init__(self, db: Database, insert: Insert, key: Column, name: str) -> None:
        self.db = db
        self.insert = insert  # INSERT INTO table ... ON CONFLICT DO NOTHING, for the dialect; rows added per group
        self.key = key  # the column RETURNING names each inserted row by
        self.name = name
        # Rows waiting for their loop's next flush, per event loop: a server worker runs one loop,
        # but nothing here should mix futures of two loops (threads, tests).
        self._pending: dict[asyncio.AbstractEventLoop, list[tuple[tuple[str, ...], dict[str, Any], asyncio.Future[bool]]]] = {}
        self.statements = 0  # statements written (the tests read it)
        self._writing: set[asyncio.Task[None]] = set()  # offloaded flushes, held until done

    async def insert_if_free(self, values: dict[str, Any]) -> bool:
        """Whether ``values`` was inserted; False when the row was refused (its number taken)."""
        if inline():  # a request thread running its handler to its end: no loop to group on
            return self._write(tuple(sorted(values)), [values])[0]
        loop = asyncio.get_running_loop()
        done: asyncio.Future[bool] = loop.create_future()
        pending = self._pending.get(loop)
        if pending is None:
            pending = self._pending[loop] = []
            loop.call_soon(self._flush, loop)  # after every callback already ready in this turn
        pending.append((tuple(sorted(values)), values, done))  # rows group by their columns
        return await done

    def _flush(self, loop: asyncio.AbstractEventLoop) -> None:
        pending = self._pending.pop(loop, [])
        shapes: dict[tuple[str, ...], list[tuple[dict[str, Any], asyncio.Future[bool]]]] = {}
        for shape, values, done in pending:
            shapes.setdefault(shape, []).append((values, done))
        chunks = [(shape, group[start : start + MAX_ROWS])
                  for shape, group in shapes.items() for start in range(0, len(group), MAX_ROWS)]
        if self.db.offload is None:  # SQLite: written here and now
            self._answer(self._write_chunks(chunks))
        else:  # PostgreSQL: on the request threads, the loop serving meanwhile
            task = loop.create_task(self._flush_offloaded(chunks))
            self._writing.add(task)
            task.add_done_callback(self._writing.discard)

    async def _flush_offloaded(self, chunks: list[Chunk]) -> None:
        assert self.db.offload is not None
        try:
            outcomes = await self.db.offload.request(self._write_chunks, chunks)
        except Exception as exc:  # noqa: BLE001 - the bound ran out: every waiter hears of it
            outcomes = [(chunk, exc) for _, chunk in chunks]
        self._answer(outcomes)

    def _write_chunks(self, chunks: list[Chunk]) -> list[tuple[list[Waiter], list[bool] | BaseException]]:
        """Each chunk's outcome: whether each row went in, or what failed the chunk."""
        outcomes: list[tuple[list[Waiter], list[bool] | BaseException]] = []
        for shape, chunk in chunks:
            try:
                outcomes.append((chunk, self._write(shape, [values for values, _ in chunk])))
            except Exception as exc:  # noqa: BLE001 - every waiter of the chunk must hear of it
                outcomes.append((chunk, exc))
        return outcomes

    @staticmethod
    def _answer(outcomes: list[tuple[list[Waiter], list[bool] | BaseException]]) -> None:
        for chunk, outcome in outcomes:
            for i, (_, done) in enumerate(chunk):
                if done.done():  # a waiter that was cancelled has no one to tell
                    continue
                if isinstance(outcome, BaseException):
                    done.set_exception(outcome)
                else:
                    done.set_result(outcome[i])

    def _write(self, shape: tuple[str, ...], rows: list[dict[str, Any]]) -> list[bool]:
        try:
            inserted = self._statement(shape, rows)
        except ConstraintViolation:
            if len(rows) == 1:
                return [False]
            return [self._write(shape, [row])[0] for row in rows]  # find the one row refused
        key = self.key.key
        return [row[key] in inserted for row in rows]

    def _statement(self, shape: tuple[str, ...], rows: list[dict[str, Any]]) -> set[Any]:
        """One autocommit statement inserting ``rows``; the keys of the rows it inserted."""
        n = len(rows)

        def build() -> Insert:
            rows: list[dict[str, Any]] = [{c: bindparam(f"r{i}_{c}") for c in shape} for i in range(n)]
            return self.insert.values(rows).returning(self.key)

        params = {f"r{i}_{c}": row[c] for i, row in enumerate(rows) for c in shape}
        self.statements += 1
        found = self.db.autocommit_returning((self.name, shape, n), build, params)
        return {r[0] for r in found}

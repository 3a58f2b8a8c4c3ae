"""The database handle: one engine, read and write transactions.

On SQLite, writes open with ``BEGIN IMMEDIATE`` so that two server processes
sharing the file serialise their writes instead of failing to upgrade a read
lock; the file runs in WAL mode so readers never wait for a writer.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar
from urllib.parse import quote

from sqlalchemy import Connection, Insert, Row, Select, Text, create_engine, event, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from numberpool.store import deadline, offload, onloop
from numberpool.store.changes import ChangeWatch, SnapshotWatch
from numberpool.store.offload import SLACK, Offload
from numberpool.store.prepared import Prepared, Reader

T = TypeVar("T")
LOOP_CONNECTIONS = 4  # PostgreSQL: connections per server process lent to reads on the event loop
_SNAPSHOT = select(func.pg_current_snapshot().cast(Text).label("snapshot"))  # PostgreSQL's change stamp

__all__ = ["Connection", "Database", "Row", "present"]  # the layers above name a transaction and a row by these


def present(row: Row | None) -> Row:
    """A row the caller's own transaction has just written or locked, read back: it is there."""
    if row is None:
        raise LookupError("a row this transaction wrote is missing")
    return row

_IMMEDIATE = "numberpool_immediate"


def _enable_wal(cursor: Any, wait_ms: int) -> None:
    """WAL mode, a property of the file that the first connection to a new file sets. Processes
    opening a new file at the same moment (servers started together) race to convert it, and
    SQLite refuses the losers at once ("database is locked", without its busy handler): retry for
    as long as the connection may wait for a lock (at least a second)."""
    deadline = time.monotonic() + max(wait_ms, 1000) / 1000
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)


def _sqlite_setup(engine: Engine, busy_timeout_ms: int) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Hand transaction control to the "begin" hook below.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        _enable_wal(cursor, busy_timeout_ms)
        # NORMAL in WAL mode: a committed transaction survives the process
        # being killed (the WAL is in the OS), at a fraction of FULL's cost.
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={busy_timeout_ms}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        immediate = conn.get_execution_options().get(_IMMEDIATE, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


class Database:
    """Owns the engine; every statement runs inside ``read()`` or ``write()``.

    ``wait_for_lock=False`` (the server's workers): an SQLite statement that finds the write lock
    taken by another process fails at once with a busy error (``store.errors.busy``) instead of
    sleeping in SQLite's busy handler, which would stop the whole event loop; the HTTP layer waits
    asynchronously and runs the request again. Tools and tests wait up to 15 s inside SQLite."""

    def __init__(self, url: str, *, wait_for_lock: bool = True, limits: deadline.Limits | None = None) -> None:
        if url.startswith(("postgresql://", "postgres://")):
            url = "postgresql+psycopg://" + url.split("://", 1)[1]  # psycopg 3
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        self._limits = limits or deadline.Limits()
        kwargs: dict[str, Any] = {}
        self.offload: Offload | None = None  # where PostgreSQL's work runs, off the event loop
        self.loop_connections = 0  # PostgreSQL: connections lent to reads run on the event loop
        if self.is_sqlite:
            kwargs["connect_args"] = {"check_same_thread": False, "timeout": 15 if wait_for_lock else 0}
        else:
            limits = self._limits
            self.offload = Offload(None if limits.deadline is None else limits.deadline + SLACK)
            kwargs["pool_pre_ping"] = True  # a connection lost with the database is replaced, not reused
            # Enough connections for every thread's reader and transaction; a checkout that still
            # finds none waits the deadline at most (then 20503), never forever.
            # Reads run on the event loop (store.onloop) where every wait can be the loop's: with
            # the deadline on (its guarded connections); the loop's connections come from the pool.
            self.loop_connections = LOOP_CONNECTIONS if limits.deadline is not None else 0
            kwargs.update(pool_size=self.offload.connections + self.loop_connections, max_overflow=0,
                          pool_timeout=limits.deadline or deadline.MAX_CONNECT_TIMEOUT)
            kwargs.update(deadline.engine_options(url, limits))  # time limits on every wait
        self.engine = create_engine(url, **kwargs)
        if self.is_sqlite:
            _sqlite_setup(self.engine, 15000 if wait_for_lock else 0)
        self.reader = Reader(self.engine, self.loop_connections)
        self._prepared: dict[int, tuple[Select, Prepared]] = {}
        self._shapes: dict[tuple, Prepared] = {}
        self._watch: ChangeWatch | SnapshotWatch | None = None

    def prepared(self, stmt: Select, make: Callable[[tuple], Any] | None = None) -> Prepared:
        """``stmt`` compiled for this database, once. Keyed by identity (statements are module-level
        constants); the entry holds the statement, so its id cannot be reused by another one.
        ``make``: what each row becomes (``Prepared``), the same at every call for one statement."""
        found = self._prepared.get(id(stmt))
        if found is None:
            found = self._prepared[id(stmt)] = (stmt, Prepared(self.engine, stmt, make))
        return found[1]

    def prepared_shape(self, key: tuple, build: Callable[[], Select | Insert],
                       make: Callable[[tuple], Any] | None = None) -> Prepared:
        """A statement whose shape varies (which filters are present, which columns an INSERT
        is given, how many rows): compiled once per shape."""
        found = self._shapes.get(key)
        if found is None:
            found = self._shapes[key] = Prepared(self.engine, build(), make)
        return found

    def change_watch(self) -> ChangeWatch | SnapshotWatch | None:
        """Commit detection (store.changes): SQLite's WAL-index header, read from memory; on
        PostgreSQL (with ``offload``, the server's) the snapshot, read once per request."""
        if self._watch is None:
            if self.is_sqlite:
                self._watch = ChangeWatch.for_url_database(self.engine.url.database)
            elif self.offload is not None:
                from numberpool.store.snapshot import SnapshotReader

                reader = SnapshotReader(self.engine.url, self._limits, self.offload.bound)
                reader.on_loss = self.reader.lost
                self._watch = SnapshotWatch(self._snapshot, reader)
        return self._watch

    def _snapshot(self) -> bytes:
        return str(self.reader.one(self.prepared(_SNAPSHOT)).snapshot).encode()

    def autocommit_returning(self, key: tuple, build: Callable[[], Insert], values: dict[str, Any]) -> list[tuple]:
        """One INSERT ... RETURNING as its own transaction, compiled once per ``key``: its rows."""
        return self.reader.returning(self.prepared_shape(key, build), values)

    async def call(self, fn: Callable[..., T], *args: Any) -> T:
        """``fn(*args)``, database work of a request's async code: on PostgreSQL on the request
        threads (``store.offload``), on SQLite here and now."""
        if self.offload is None or offload.inline():
            return fn(*args)
        return await self.offload.request(fn, *args)

    async def background(self, fn: Callable[..., T], *args: Any) -> T:
        """``fn(*args)``, database work of background work (deliveries, callbacks, timers): on
        PostgreSQL on the background threads (``store.offload``), on SQLite here and now."""
        if self.offload is None:
            return fn(*args)
        return await self.offload.background(fn, *args)

    def one(self, stmt: Select, **params: Any) -> Any:
        """A single-statement read outside any transaction: the hot path."""
        return self.reader.one(self.prepared(stmt), **params)

    async def on_loop(self, fn: Callable[..., T], *args: Any) -> T:
        """``fn(*args)``, a GET's work, in a greenlet on the event loop (``store.onloop``); raises
        ``onloop.NeedsThread`` (before anything else ran) when it needs a request thread."""
        return await onloop.run(fn, *args, release=self.reader.release)

    @contextmanager
    def read(self, *, one_snapshot: bool = False) -> Iterator[Connection]:
        """A read transaction; ``one_snapshot``: every statement of it sees the same moment
        (PostgreSQL's REPEATABLE READ; an SQLite read transaction is one snapshot already)."""
        if self.loop_connections and onloop.in_greenlet():
            raise onloop.NeedsThread  # SQLAlchemy's pool and connections wait as a thread does
        with self.engine.connect() as conn:
            if one_snapshot and not self.is_sqlite:
                conn = conn.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin():
                yield conn

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """A transaction that takes the write lock up front (SQLite) and commits on exit."""
        if self.loop_connections and onloop.in_greenlet():
            raise onloop.NeedsThread
        with self.engine.connect() as conn:
            if self.is_sqlite:
                conn = conn.execution_options(**{_IMMEDIATE: True})
            with conn.begin():
                yield conn

    def reachable(self) -> bool:
        """Whether the database answers now. PostgreSQL: ``SELECT 1`` on a pooled connection
        (checked first, so a lost server fails it, within the time limits of ``store.deadline``).
        SQLite: a new connection to the file, which must exist, and a read of its schema: the
        pool's open connections would go on reading a file that was removed or replaced. (SQLite
        keeps its file locks across the close: it holds the descriptor while other connections of
        the process lock the file.)"""
        path = self.engine.url.database or ""
        try:
            if self.is_sqlite and path not in ("", ":memory:") and not path.startswith("file:"):
                probe = sqlite3.connect(f"file:{quote(path)}?mode=rw", uri=True, timeout=1, check_same_thread=False)
                try:
                    probe.execute("SELECT count(*) FROM sqlite_master").fetchone()
                finally:
                    probe.close()
            else:
                with self.engine.connect() as conn:
                    conn.exec_driver_sql("SELECT 1")
        except (sqlite3.Error, SQLAlchemyError, OSError):
            return False
        return True

    def dispose(self) -> None:
        if self.offload is not None:
            self.offload.close()
        self.reader.close()
        self.engine.dispose()
        if self._watch is not None:  # last: closing its descriptor drops the process's SQLite locks
            self._watch.close()
            self._watch = None

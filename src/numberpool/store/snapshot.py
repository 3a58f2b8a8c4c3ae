"""PostgreSQL's change stamp, read on the event loop, one round trip shared by the requests waiting.

A GET on PostgreSQL needs the database's snapshot (``store.changes.SnapshotWatch``) before
anything else: with it, a stored answer or account is served without touching a thread or a
connection of the pool. This reader asks for it with psycopg's asynchronous connection on the
worker's event loop, so the loop goes on serving while the answer travels, and it coalesces:
a request waits for the next read that *starts after it arrived* (one already under way may have
left the database before the request's own write was acknowledged), and every request that
arrived meanwhile shares that read. Under load a worker therefore asks once per round trip, not
once per request, and the promise holds: a stamp is always read after its request arrived, so a
write acknowledged before a request was sent is in the snapshot its answer is keyed by.

Waits are bounded as the request threads' are: a request waits ``bound`` seconds at most (then the
database counts as unavailable, 20503); a read with no answer within ``cut_after`` has its socket
shut down, which fails it at once, and the next read connects afresh (within libpq's
``connect_timeout``), so the server recovers when the network does.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from collections.abc import Callable
from typing import Any

from sqlalchemy.engine import URL
from sqlalchemy.exc import OperationalError

from numberpool.store.deadline import Limits
from numberpool.store.offload import WaitedTooLong

log = logging.getLogger(__name__)

QUERY = "SELECT pg_current_snapshot()::text"
_PREPARED = b"numberpool_stamp"
_TUPLES_OK = 2  # psycopg.pq.ExecStatus.TUPLES_OK, without importing psycopg on SQLite


async def _ready(loop: asyncio.AbstractEventLoop, fd: int, watch: Any, unwatch: Any) -> None:
    """Until ``fd`` is ready (``watch``: the loop's add_reader or add_writer)."""
    ready = loop.create_future()
    watch(fd, _set, ready)
    try:
        await ready
    finally:
        unwatch(fd)


def _set(ready: asyncio.Future[None]) -> None:
    if not ready.done():
        ready.set_result(None)


def conninfo(url: URL) -> str:
    """libpq's URI for an engine's URL (psycopg's own, without SQLAlchemy's driver name)."""
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def _as_unavailable(exc: Exception) -> Exception:
    """psycopg's failure as the store's (``store.errors.unavailable``): the stamp could not be read."""
    import psycopg

    if isinstance(exc, psycopg.Error | OSError):
        return OperationalError(QUERY, None, exc)
    return exc


class _Batch:
    """Requests waiting for one read; each waits ``bound`` seconds at most from the batch's start
    (its first arrival), by one timer for all of them."""

    __slots__ = ("_bound", "_timer", "waiters")

    def __init__(self, loop: asyncio.AbstractEventLoop, bound: float | None) -> None:
        self.waiters: list[asyncio.Future[bytes]] = []
        self._bound = bound
        self._timer = None if bound is None else loop.call_later(bound, self._expire)

    def serve(self, stamp: bytes) -> None:
        if self._timer is not None:
            self._timer.cancel()
        for waiter in self.waiters:
            if not waiter.done():
                waiter.set_result(stamp)

    def fail(self, exc: Exception) -> None:
        if self._timer is not None:
            self._timer.cancel()
        for waiter in self.waiters:
            if not waiter.done():
                waiter.set_exception(exc)

    def _expire(self) -> None:
        assert self._bound is not None
        for waiter in self.waiters:
            if not waiter.done():
                waiter.set_exception(WaitedTooLong(self._bound))


class SnapshotReader:
    """``await read()``: the snapshot's text, read after the call began; one per server process,
    bound to the event loop of its first read (a new loop, in tests, gets a new connection)."""

    def __init__(self, url: URL, limits: Limits, bound: float | None) -> None:
        self._conninfo = conninfo(url)
        self._settings = limits.libpq_settings(url.query)
        self._cut_after = limits.cut_after
        self._bound = bound
        self._loop: asyncio.AbstractEventLoop | None = None
        self._conn: Any = None  # psycopg.AsyncConnection, or None until connected
        self._guard: socket.socket | None = None  # a duplicate of its socket, to cut it with
        self._next: _Batch | None = None  # the requests waiting for a read not started yet
        self._task: asyncio.Task[None] | None = None  # the reads' task, while there are any to do
        self.reads = 0  # round trips made (tests and the benchmark count them)
        self.on_loss: Callable[[], None] | None = None  # told when a read fails (store.prepared.Reader.lost)

    async def read(self) -> bytes:
        loop = asyncio.get_running_loop()
        if loop is not self._loop:
            if self._loop is not None:
                self._abandon()
            self._loop = loop
        batch = self._next
        if batch is None:
            batch = self._next = _Batch(loop, self._bound)
            if self._task is None:
                self._task = loop.create_task(self._reads())
        waiter: asyncio.Future[bytes] = loop.create_future()  # its own: a request cancelled cancels only it
        batch.waiters.append(waiter)
        return await waiter

    async def _reads(self) -> None:
        """Serves the waiting batch, then the one formed while it was served, until none waits."""
        try:
            while self._next is not None:
                batch, self._next = self._next, None
                try:
                    stamp = await self._read_once()
                except Exception as exc:  # noqa: BLE001 - every waiter gets the failure
                    batch.fail(_as_unavailable(exc))
                else:
                    batch.serve(stamp)
        finally:
            self._task = None

    async def _read_once(self) -> bytes:
        """A round trip; one that failed on the connection held from before (the server restarted,
        or the network dropped it while idle) is made again on a new connection, once."""
        held = self._conn is not None
        try:
            return await self._round_trip()
        except Exception:
            self._drop()
            if self.on_loss is not None:
                self.on_loss()
            if not held:
                raise
        try:
            return await self._round_trip()
        except Exception:
            self._drop()
            raise

    async def _round_trip(self) -> bytes:
        """One execution of the prepared query, driven through libpq's asynchronous calls
        (``psycopg.pq``) on the loop: the statement, one readiness wait or a few, the row."""
        conn = self._conn
        if conn is None:
            conn = await self._connect()
        pgconn = conn.pgconn
        loop = asyncio.get_running_loop()
        cut = loop.call_later(self._cut_after, self._cut) if self._cut_after != float("inf") else None
        try:
            pgconn.send_query_prepared(_PREPARED, None)
            while pgconn.flush():  # the socket's buffer was full: wait until it drains
                await _ready(loop, pgconn.socket, loop.add_writer, loop.remove_writer)
            while True:
                await _ready(loop, pgconn.socket, loop.add_reader, loop.remove_reader)
                pgconn.consume_input()
                if not pgconn.is_busy():
                    break
            result = pgconn.get_result()
            while pgconn.get_result() is not None:  # to the end of the answer: the connection is idle again
                pass
        finally:
            if cut is not None:
                cut.cancel()
        if result is None or result.status != _TUPLES_OK or result.ntuples != 1:
            import psycopg

            raise psycopg.OperationalError((result.error_message if result is not None else b"no answer").decode())
        self.reads += 1
        return bytes(result.get_value(0, 0) or b"")

    async def _connect(self) -> Any:
        import psycopg

        conn = await psycopg.AsyncConnection.connect(self._conninfo, autocommit=True, **self._settings)
        self._conn = conn
        self._guard = socket.socket(fileno=os.dup(conn.pgconn.socket))
        await conn.execute(f"PREPARE {_PREPARED.decode()} AS {QUERY}")
        return conn

    def _cut(self) -> None:
        """The read is overdue: shut its socket down, so it fails now rather than when TCP gives up."""
        log.warning("no answer from the database within %.1f s: the change stamp's connection cut", self._cut_after)
        if self._guard is not None:
            try:
                self._guard.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def _drop(self) -> None:
        """Forget the connection after a failure (the next read connects afresh)."""
        conn, self._conn = self._conn, None
        guard, self._guard = self._guard, None
        if guard is not None:
            guard.close()
        if conn is not None:
            conn.pgconn.finish()  # no round trip: the connection may be the broken one

    def _abandon(self) -> None:
        """A new event loop: what belonged to the last one cannot be awaited any more."""
        self._drop()
        self._next = None
        self._task = None

    def close(self) -> None:
        self._drop()

"""PostgreSQL's change stamp, read on the event loop, one round trip shared by the requests waiting.

A GET on PostgreSQL needs the database's snapshot (``store.changes.SnapshotWatch``) before
anything else: with it, a stored answer or account is served without touching a thread or a
connection of the pool. This reader asks for it on connections of its own (``PARALLEL`` at most),
driving libpq's asynchronous calls on the worker's event loop, so the loop goes on serving while
the answer travels, and it coalesces:
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
PARALLEL = 8  # connections per process reading the stamp at most
GAP = 0.00025  # seconds the latest read must have been out before another starts beside it
FAR = 0.001  # seconds a read takes on average beyond which reads overlap
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
        self.fail(WaitedTooLong(self._bound))


class _Link:
    """One connection of the reader: psycopg's, driven by hand through libpq's asynchronous calls."""

    __slots__ = ("conn", "guard")

    def __init__(self) -> None:
        self.conn: Any = None  # psycopg.AsyncConnection, or None until connected
        self.guard: socket.socket | None = None  # a duplicate of its socket, to cut it with

    def cut(self, after: float) -> None:
        """The read is overdue: shut its socket down, so it fails now rather than when TCP gives up."""
        log.warning("no answer from the database within %.1f s: a change stamp connection cut", after)
        if self.guard is not None:
            try:
                self.guard.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def drop(self) -> None:
        """Forget the connection after a failure (the next read on this link connects afresh)."""
        conn, self.conn = self.conn, None
        guard, self.guard = self.guard, None
        if guard is not None:
            guard.close()
        if conn is not None:
            conn.pgconn.finish()  # no round trip: the connection may be the broken one


class SnapshotReader:
    """``await read()``: the snapshot's text, read after the call began; one per server process,
    bound to the event loop of its first read (a new loop, in tests, gets new connections).

    One read at a time while the database is close by (reads take less than ``far`` seconds on
    average): a request waits for the one under way to end and the next, a short time, and the
    requests arriving meanwhile share one round trip, so a busy process reads as seldom as it can.
    Farther, reads overlap on up to ``parallel`` connections, one starting each ``gap`` seconds
    at most, so a request waits about one round trip, not two."""

    def __init__(self, url: URL, limits: Limits, bound: float | None, *, parallel: int = PARALLEL,
                 gap: float = GAP, far: float = FAR) -> None:
        self._conninfo = conninfo(url)
        self._settings = limits.libpq_settings(url.query)
        self._cut_after = limits.cut_after
        self._bound = bound
        self._parallel, self._gap, self._far = parallel, gap, far
        self._rtt = 0.0  # seconds a read took, on average of late
        self._loop: asyncio.AbstractEventLoop | None = None
        self._idle: list[_Link] = []  # links not reading now
        self._busy = 0  # reads under way
        self._started = 0.0  # loop time the latest read started
        self._timer: asyncio.TimerHandle | None = None  # to start a read once the gap is over
        self._soon = False  # a dispatch is due at the end of this turn of the loop
        self._next: _Batch | None = None  # the requests waiting for a read not started yet
        self._tasks: set[asyncio.Task[None]] = set()  # the reads under way (held: the loop keeps weak references)
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
        waiter: asyncio.Future[bytes] = loop.create_future()  # its own: a request cancelled cancels only it
        batch.waiters.append(waiter)
        if not self._soon:  # at the end of this turn of the loop: the requests arriving in it share the read
            self._soon = True
            loop.call_soon(self._turn_over)
        return await waiter

    def _turn_over(self) -> None:
        self._soon = False
        self._dispatch()

    def _dispatch(self) -> None:
        """Start a read for the waiting batch, if a link is free and the gap is over."""
        if self._next is None or self._busy >= self._parallel:
            return
        if self._timer is not None:
            if self._busy:
                return  # the gap's timer starts it
            self._timer.cancel()  # nothing under way any more: no gap to keep
            self._timer = None
        loop = self._loop
        assert loop is not None
        if self._busy:
            if self._rtt < self._far:
                return  # a database close by: the read under way is back soon, its end starts the next
            wait = self._started + self._gap - loop.time()
            if wait > 0:
                self._timer = loop.call_later(wait, self._gap_over)
                return
        batch, self._next = self._next, None
        self._busy += 1
        self._started = loop.time()
        link = self._idle.pop() if self._idle else _Link()
        task = loop.create_task(self._serve(link, batch))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _gap_over(self) -> None:
        self._timer = None
        self._dispatch()

    async def _serve(self, link: _Link, batch: _Batch) -> None:
        """Read for ``batch``, then for the batch formed meanwhile, on this link, until none waits
        (a busy process thus reads back to back in one task); then the link is free."""
        loop = self._loop
        assert loop is not None
        current: _Batch | None = batch
        try:
            while current is not None:
                started = loop.time()
                self._started = started
                try:
                    stamp = await self._read_once(link)
                except Exception as exc:  # noqa: BLE001 - every waiter gets the failure
                    current.fail(_as_unavailable(exc))
                else:
                    self._rtt += (loop.time() - started - self._rtt) / 8  # the round trip's recent average
                    current.serve(stamp)
                current, self._next = self._next, None
        finally:
            self._busy -= 1
            self._idle.append(link)
            self._dispatch()

    async def _read_once(self, link: _Link) -> bytes:
        """A round trip; one that failed on the connection held from before (the server restarted,
        or the network dropped it while idle) is made again on a new connection, once."""
        held = link.conn is not None
        try:
            return await self._round_trip(link)
        except Exception:
            self._drop(link)
            if self.on_loss is not None:
                self.on_loss()
            if not held:
                raise
        try:
            return await self._round_trip(link)
        except Exception:
            self._drop(link)
            raise

    async def _round_trip(self, link: _Link) -> bytes:
        """One execution of the prepared query, driven through libpq's asynchronous calls
        (``psycopg.pq``) on the loop: the statement, one readiness wait or a few, the row."""
        conn = link.conn
        if conn is None:
            conn = await self._connect(link)
        pgconn = conn.pgconn
        loop = asyncio.get_running_loop()
        cut = loop.call_later(self._cut_after, link.cut, self._cut_after) if self._cut_after != float("inf") else None
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

    async def _connect(self, link: _Link) -> Any:
        import psycopg

        conn = await psycopg.AsyncConnection.connect(self._conninfo, autocommit=True, **self._settings)
        link.conn = conn
        link.guard = socket.socket(fileno=os.dup(conn.pgconn.socket))
        await conn.execute(f"PREPARE {_PREPARED.decode()} AS {QUERY}")
        return conn

    def _drop(self, link: _Link) -> None:
        link.drop()

    def _abandon(self) -> None:
        """A new event loop: what belonged to the last one cannot be awaited any more."""
        self.close()
        self._busy = 0
        self._next = None
        self._timer = None
        self._soon = False
        self._tasks = set()

    def close(self) -> None:
        idle, self._idle = self._idle, []
        for link in idle:
            link.drop()

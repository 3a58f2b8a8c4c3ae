"""Time limits on PostgreSQL, so that no request waits on the database for long.

When the database's packets stop arriving without a reset (a hung server, a half-open NAT
entry, a network partition, a proxy that still acknowledges TCP but forwards nothing), a
statement would wait forever, and the worker serving it with it. Three layers bound every wait.
All follow from one number, the statement deadline D (:data:`DEFAULT_DEADLINE`, or
the server's ``pg_statement_deadline`` setting; see :class:`Limits`):

* The kernel, through libpq (:data:`TCP_SETTINGS`): ``connect_timeout`` bounds connecting (D, at
  most 5 s); keepalives find a silent peer on an idle connection; ``tcp_user_timeout`` drops a
  connection whose sent data has gone unacknowledged.
* The server: ``statement_timeout`` = D cancels a statement that runs longer and leaves the
  connection usable; ``idle_in_transaction_session_timeout`` ends the session of a client that
  vanished mid-transaction, which releases its row locks.
* The client, for the failures that defeat both of those: every wait on a connection (a
  statement's round trip, a commit, a rollback, the pool's ping) is stamped with the time it must
  end by, D plus a grace that lets the server's own cancel come first. A watchdog thread per
  engine shuts down the socket of a connection whose wait is overdue. The blocked call then fails
  with an OperationalError (a 503 with code 20503 to an HTTP client) and the connection is
  discarded (the hot-path Reader drops it; SQLAlchemy invalidates it), so later requests connect
  afresh and the server recovers when the network does.

A request that meets an unreachable database thus answers within about D + grace + a tick, plus
the connect timeout when it also needs a new connection. Work that may legitimately take longer
(a migration, a bulk load) lifts the limits for its transaction with :func:`unbounded`. SQLite,
a file inside the server's own process, has none of this.
"""

from __future__ import annotations

import functools
import logging
import math
import os
import socket
import threading
import time
import weakref
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, event
from sqlalchemy.dialects import plugins
from sqlalchemy.engine import URL, CreateEnginePlugin, Engine, make_url

log = logging.getLogger(__name__)

DEFAULT_DEADLINE = 10.0  # seconds a statement may run, and a wait on a connection may last
MAX_GRACE = 1.0  # seconds the client gives the server's statement_timeout to act before cutting
MAX_CONNECT_TIMEOUT = 5  # seconds; libpq counts whole seconds, psycopg waits at least 2
IDLE_IN_TRANSACTION_MS = 60_000  # a session idle this long inside a transaction is ended by the server
TCP_SETTINGS: dict[str, int] = {
    "keepalives": 1,
    "keepalives_idle": 5,  # seconds of silence before the kernel probes the peer
    "keepalives_interval": 2,  # seconds between unanswered probes
    "keepalives_count": 3,  # unanswered probes before the connection is dropped: ~11 s in all
    "tcp_user_timeout": 10_000,  # ms sent data may go unacknowledged before the connection is dropped
}

_PLUGIN = "numberpool_deadline"
_LIMITS_KWARG = "numberpool_limits"


@dataclass(frozen=True)
class Limits:
    """The time limits on one PostgreSQL database; ``deadline`` None turns off the server's
    timeouts and the watchdog (the TCP settings stay)."""

    deadline: float | None = DEFAULT_DEADLINE

    @property
    def grace(self) -> float:
        """Seconds past the deadline before a cut: the server's own cancel keeps the connection."""
        return min(MAX_GRACE, (self.deadline or 0) / 4)

    @property
    def cut_after(self) -> float:
        """Seconds a wait on a connection may last before the watchdog cuts the connection."""
        return math.inf if self.deadline is None else self.deadline + self.grace

    @property
    def tick(self) -> float:
        """Seconds between the watchdog's looks: a cut comes at most this late."""
        return max(0.01, self.grace / 2)

    @property
    def connect_timeout(self) -> int:
        if self.deadline is None:
            return MAX_CONNECT_TIMEOUT
        return min(MAX_CONNECT_TIMEOUT, max(2, math.ceil(self.deadline)))

    def libpq_settings(self, url_query: Mapping[str, str | tuple[str, ...]]) -> dict[str, Any]:
        """Connection parameters for libpq. A parameter the URL sets is left to the URL, and
        options the URL gives come after ours, so that theirs win."""
        settings: dict[str, Any] = {"connect_timeout": self.connect_timeout, **TCP_SETTINGS}
        settings = {k: v for k, v in settings.items() if k not in url_query}
        options = []
        if self.deadline is not None:
            options += [
                f"-c statement_timeout={math.ceil(self.deadline * 1000)}",
                f"-c idle_in_transaction_session_timeout={IDLE_IN_TRANSACTION_MS}",
            ]
        given = url_query.get("options")
        if given:
            options += [given] if isinstance(given, str) else list(given)
        if options:
            settings["options"] = " ".join(options)
        return settings


def engine_options(url: str, limits: Limits) -> dict[str, Any]:
    """``create_engine`` arguments that put a PostgreSQL engine under ``limits``: libpq's
    settings, and the watchdog unless the deadline is off."""
    options: dict[str, Any] = {"connect_args": limits.libpq_settings(make_url(url).query)}
    if limits.deadline is not None:
        options["plugins"] = [_PLUGIN]
        options[_LIMITS_KWARG] = limits
    return options


class DeadlinePlugin(CreateEnginePlugin):
    """Gives the engine its watchdog (SQLAlchemy's hook for adding events to a new engine)."""

    def __init__(self, url: URL, kwargs: dict[str, Any]) -> None:
        super().__init__(url, kwargs)
        self.limits: Limits = kwargs.pop(_LIMITS_KWARG)

    def update_url(self, url: URL) -> URL:
        return url

    def engine_created(self, engine: Engine) -> None:
        event.listen(engine, "do_connect", Watchdog(self.limits).connect)


plugins.register(_PLUGIN, __name__, "DeadlinePlugin")


class Watchdog:
    """Cuts the connections of one engine whose current wait is overdue, and its idle ones with them.

    Stamping a wait costs two attribute stores and a clock read on the waiting thread, no lock:
    the thread writes its connection's due time, the watchdog only reads it. The lock guards what
    a cut touches, a duplicate of the connection's socket, which this object owns and closes only
    under the lock: a cut can never reach a descriptor number the system has handed to someone
    else. The thread runs while the engine has connections, and starts again with the next one.
    """

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.cuts = 0  # connections cut so far
        self._lock = threading.Lock()
        self._conns: weakref.WeakSet[Any] = weakref.WeakSet()
        self._thread: threading.Thread | None = None

    def connect(self, _dialect: Any, _record: Any, cargs: list[Any], cparams: dict[str, Any]) -> Any:
        """The engine's ``do_connect`` hook: a watched psycopg connection."""
        conn = guarded_connection_class().connect(*cargs, **cparams)
        try:
            self.watch(conn)
        except BaseException:
            conn.close()
            raise
        return conn

    def watch(self, conn: Any) -> None:
        conn._guard = socket.socket(fileno=os.dup(conn.pgconn.socket))
        conn._limit = self.limits.cut_after
        conn._watchdog = self
        with self._lock:
            self._conns.add(conn)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="numberpool-pg-watchdog", daemon=True)
                self._thread.start()

    def forget(self, conn: Any) -> None:
        """``conn`` is closing: stop watching it and close its socket's duplicate."""
        with self._lock:
            self._conns.discard(conn)
            guard, conn._guard = conn._guard, None
            if guard is not None:
                guard.close()

    def _run(self) -> None:
        while True:
            time.sleep(self.limits.tick)
            with self._lock:
                conns = [conn for conn in self._conns if conn._guard is not None and conn._limit < math.inf]
                if not self._conns:
                    self._thread = None
                    return
                now = time.monotonic()
                if any(0 < conn._due <= now for conn in conns):
                    self._cut([conn for conn in conns if conn._due <= now])

    def _cut(self, conns: list[Any]) -> None:
        """Cut the overdue connections, and the idle ones with them: the server did not answer
        even with its own statement_timeout, so the database or the path to it is lost, and an
        idle connection is found dead at its next use at once instead of after a deadline more.
        (A connection in the middle of a wait that is not overdue yet keeps its chance, and one
        whose transaction is :func:`unbounded` is left alone.)"""
        for conn in conns:
            guard, conn._guard = conn._guard, None
            try:
                guard.shutdown(socket.SHUT_RDWR)  # a waiting thread wakes to the end of the stream
            except OSError:
                pass  # already disconnected
            guard.close()
        self.cuts += len(conns)
        log.warning(
            "no answer from the database within %.1f s: %d connection(s) cut", self.limits.cut_after, len(conns)
        )


@functools.cache
def guarded_connection_class() -> type[Any]:
    """psycopg's Connection, with each wait stamped for the watchdog. Built on first use, so
    that a server on SQLite never imports psycopg."""
    import psycopg

    from numberpool.store import onloop

    in_greenlet = onloop.in_greenlet
    base: Any = psycopg.Connection
    base_wait, base_close, monotonic = base.wait, base.close, time.monotonic  # bound once: wait is the hot path

    class GuardedConnection(base[Any]):
        """Every blocking operation of a psycopg connection goes through ``wait``: a statement's
        round trip, a commit, a rollback (connecting does not: ``connect_timeout`` bounds it)."""

        __qualname__ = "GuardedConnection"  # as it reads in a repr, not as built
        _due = 0.0  # monotonic time the current wait must end by; 0 when not waiting
        _limit = math.inf  # seconds a wait may last
        _guard: socket.socket | None = None  # a duplicate of the socket, to cut it with
        _watchdog: Watchdog | None = None

        def wait(self, gen: Any, *args: Any, **kwargs: Any) -> Any:
            self._due = monotonic() + self._limit
            try:
                if in_greenlet():  # a request's greenlet on the event loop (store.onloop): the loop waits
                    return onloop.wait(gen, self.pgconn.socket, *args, **kwargs)
                return base_wait(self, gen, *args, **kwargs)
            finally:
                self._due = 0.0

        def close(self) -> None:
            if self._watchdog is not None:
                self._watchdog.forget(self)
            base_close(self)

    return GuardedConnection


@contextmanager
def unbounded(conn: Connection) -> Iterator[Connection]:
    """Lift the time limits for the rest of ``conn``'s transaction, for work that may rightly
    take longer than the deadline (a migration, a bulk load). The kernel's limits stay, so a lost
    network is still found. Nothing to lift on SQLite or with the deadline off."""
    driver = conn.connection.driver_connection
    if getattr(driver, "_watchdog", None) is None:
        yield conn
        return
    conn.exec_driver_sql(
        "SELECT set_config('statement_timeout', '0', true), set_config('idle_in_transaction_session_timeout', '0', true)"
    )
    assert driver is not None
    limit, driver._limit = driver._limit, math.inf
    try:
        yield conn
    finally:
        driver._limit = limit

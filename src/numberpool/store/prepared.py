"""Hot-path reads: SQL compiled once by SQLAlchemy, run on a held DBAPI connection.

A fetch is one indexed statement; going through SQLAlchemy's Connection for it costs far
more than the query itself (checkout, events, result wrapping). So a statement written in
SQLAlchemy Core is compiled for the engine's dialect the first time it runs, and kept
(``Database.prepared``); single-statement reads run in autocommit on a per-thread DBAPI
connection taken from the engine's pool.
Rows come back as named tuples, so callers read ``row.sid`` exactly as from a Row.
"""

from __future__ import annotations

import asyncio
import threading
from collections import namedtuple
from collections.abc import Callable
from typing import Any

from sqlalchemy import Boolean, Insert, Select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, OperationalError

from numberpool.store import onloop


class Prepared:
    """One SELECT, compiled for one dialect, with its bind parameter order and row type; or one
    INSERT, whose RETURNING rows are plain tuples."""

    def __init__(self, engine: Engine, stmt: Select | Insert, make: Callable[[tuple], Any] | None = None) -> None:
        """``make``: what each row of the result becomes, instead of a named tuple of its columns
        (a row selected as one value the caller decodes)."""
        compiled = stmt.compile(dialect=engine.dialect)
        self.sql = compiled.string
        self.positional = compiled.positiontup  # None for named paramstyles (psycopg)
        self.defaults = {k: v.value for k, v in compiled.binds.items() if v.value is not None}
        if make is not None:
            self.make: Callable[[tuple], Any] = make
            return
        if isinstance(stmt, Insert):
            self.make = tuple  # the rows of an INSERT ... RETURNING, as they come
            return
        columns = list(stmt.selected_columns)
        row_type: Any = namedtuple("Row", [c.key for c in columns])  # type: ignore[misc]
        self.row_type = row_type
        sqlite = engine.dialect.name == "sqlite"
        bools = [i for i, c in enumerate(columns) if sqlite and isinstance(c.type, Boolean)]
        make = row_type._make
        if bools:
            def convert(raw: tuple) -> tuple:
                values = list(raw)
                for i in bools:
                    if values[i] is not None:
                        values[i] = bool(values[i])
                return make(values)
            self.make = convert
        else:
            self.make = make

    def params(self, values: dict[str, Any]) -> Any:
        merged = {**self.defaults, **values}
        if self.positional is not None:
            return tuple(merged[name] for name in self.positional)
        return merged


class Reader:
    """Autocommit single-statement reads on one held DBAPI connection per thread; and, with
    ``loop_connections``, on the event loop: a request run in a greenlet there (``store.onloop``)
    is lent one of at most that many connections for its duration."""

    def __init__(self, engine: Engine, loop_connections: int = 0) -> None:
        self.engine = engine
        self._dbapi = engine.dialect.loaded_dbapi
        self._local = threading.local()
        self._on_loop = loop_connections > 0
        self._loop_max, self._loop_open = loop_connections, 0
        self._idle: list[Any] = []  # loop connections not lent
        self._waiting: list[asyncio.Future[Any]] = []  # requests waiting for one to come back
        self.losses = 0  # connection failures seen (``lost``)

    def lost(self) -> None:
        """A connection to the database failed (the network, or the server, went away): every
        held connection is asked whether it still answers before its next statement (a
        statement sent on a dead one would fail its request; the pool's own connections are
        pinged at each checkout). Costs nothing while no connection fails."""
        self.losses += 1

    def _connect(self) -> Any:
        conn = self.engine.raw_connection()  # pinged by the pool at checkout
        if self.engine.dialect.name != "sqlite":
            driver: Any = conn.driver_connection
            driver.autocommit = True  # each read is its own snapshot
        conn.info[_SEEN] = self.losses
        return conn

    def _answers(self, conn: Any) -> bool:
        """Whether a held connection may be used: it was known good since the last loss, or it
        answers a ping now."""
        if conn.info.get(_SEEN) == self.losses:
            return True
        try:
            cursor = conn.cursor()
            try:
                cursor.execute("SELECT 1")
            finally:
                cursor.close()
        except self._dbapi.Error:
            return False
        conn.info[_SEEN] = self.losses
        return True

    def _cursor(self) -> Any:
        if self._on_loop and onloop.in_greenlet():
            return self._lent().cursor()
        conn = getattr(self._local, "conn", None)
        if conn is not None and not self._answers(conn):
            self._local.conn = None
            _invalidate(conn)
            conn = None
        if conn is None:
            conn = self._local.conn = self._connect()
        return conn.cursor()

    def _lent(self) -> Any:
        """The loop connection lent to this request's greenlet: an idle one, or a new one
        (connecting on a thread: connecting is not a wait the loop can take over), or, all of them
        lent, the next one given back (each is lent for a request's statements, not its life)."""
        here = greenlet_getcurrent()
        conn = getattr(here, _LENT, None)
        if conn is not None:
            return conn
        while conn is None:
            while self._idle:
                candidate = self._idle.pop()
                if self._answers(candidate):
                    conn = candidate
                    break
                self._loop_open -= 1
                _invalidate(candidate)
            if conn is not None:
                break
            if self._loop_open < self._loop_max:
                self._loop_open += 1
                try:
                    conn = onloop.await_(asyncio.to_thread(self._connect))
                except BaseException:
                    self._loop_open -= 1
                    raise
            else:  # every one is lent: wait for the next to come back (within the request's bound)
                returned = asyncio.get_running_loop().create_future()
                self._waiting.append(returned)
                try:
                    conn = onloop.await_(returned)  # None: one was discarded, open another
                except BaseException:
                    if returned.done() and not returned.cancelled() and returned.result() is not None:
                        self._give_back(returned.result())  # handed over as this request gave up
                    raise
        setattr(here, _LENT, conn)
        return conn

    def _hand(self, conn: Any) -> bool:
        """``conn`` (None: leave to open one) to the first request still waiting; False if none waits."""
        while self._waiting:
            waiter = self._waiting.pop(0)
            if not waiter.done():
                waiter.set_result(conn)
                return True
        return False

    def _give_back(self, conn: Any) -> None:
        """An idle loop connection: to the first request still waiting for one, or to the idle."""
        if not self._hand(conn):
            self._idle.append(conn)

    def _discard(self, conn: Any) -> None:
        """A lent loop connection that may not be lent again: closed, and its place freed for the
        first request waiting."""
        self._loop_open -= 1
        _invalidate(conn)
        self._hand(None)

    def release(self) -> None:
        """At the end of a request's greenlet (however it ended: a request that goes on on a
        thread, an error answered): its lent connection goes back when it is idle, or, cut off
        in the middle of a statement (a cancellation) or broken, is discarded."""
        here = greenlet_getcurrent()
        conn = getattr(here, _LENT, None)
        if conn is None:
            return
        setattr(here, _LENT, None)
        if conn.driver_connection.pgconn.transaction_status == _IDLE:
            self._give_back(conn)
        else:
            self._discard(conn)

    def _drop(self) -> None:
        """The connection this request (or thread) reads on failed: it is closed."""
        if self._on_loop and onloop.in_greenlet():
            here = greenlet_getcurrent()
            lent = getattr(here, _LENT, None)
            setattr(here, _LENT, None)
            if lent is not None:
                self._discard(lent)
            return
        conn = getattr(self._local, "conn", None)
        self._local.conn = None
        if conn is not None:
            _invalidate(conn)

    def _run(self, prepared: Prepared, values: dict[str, Any], many: bool) -> Any:
        try:
            cursor = self._cursor()
            try:
                cursor.execute(prepared.sql, prepared.params(values))
                if many:
                    return [prepared.make(r) for r in cursor.fetchall()]
                raw = cursor.fetchone()
                return None if raw is None else prepared.make(raw)
            finally:
                cursor.close()
        except (self._dbapi.OperationalError, self._dbapi.InterfaceError) as exc:
            self._drop()  # the connection may be gone: the next read takes a fresh one
            self.lost()  # and the others held may be gone with it
            raise OperationalError(prepared.sql, None, exc) from exc
        except self._dbapi.IntegrityError as exc:
            raise IntegrityError(prepared.sql, None, exc) from exc

    def one(self, prepared: Prepared, **values: Any) -> Any:
        return self._run(prepared, values, False)

    def all(self, prepared: Prepared, **values: Any) -> list[Any]:
        return self._run(prepared, values, True)

    def returning(self, prepared: Prepared, values: dict[str, Any]) -> list[tuple]:
        """One data-changing statement with RETURNING, in autocommit: the rows it returned. Never
        on the event loop: a request run there runs again on a thread, so it must not have written."""
        if self._on_loop and onloop.in_greenlet():
            raise onloop.NeedsThread
        return self._run(prepared, values, True)

    def close(self) -> None:
        self._drop()
        idle, self._idle = self._idle, []
        for conn in idle:
            _invalidate(conn)


_LENT = "numberpool_lent"  # the greenlet's attribute holding its lent connection
_SEEN = "numberpool_seen"  # a connection's info: the count of losses when it last answered
_IDLE = 0  # psycopg.pq.TransactionStatus.IDLE: no statement running, no transaction open


def greenlet_getcurrent() -> Any:
    from greenlet import getcurrent

    return getcurrent()


def _invalidate(conn: Any) -> None:
    try:
        conn.invalidate()
    except Exception:  # noqa: BLE001, S110 - the connection is already gone
        pass

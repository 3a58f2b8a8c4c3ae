"""Hot-path reads: SQL compiled once by SQLAlchemy, run on a held DBAPI connection.

A fetch is one indexed statement; going through SQLAlchemy's Connection for it costs far
more than the query itself (checkout, events, result wrapping). So a statement written in
SQLAlchemy Core is compiled for the engine's dialect the first time it runs, and kept
(``Database.prepared``); single-statement reads run in autocommit on a per-thread DBAPI
connection taken from the engine's pool.
Rows come back as named tuples, so callers read ``row.sid`` exactly as from a Row.
"""

from __future__ import annotations

import threading
from collections import namedtuple
from collections.abc import Callable
from typing import Any

from sqlalchemy import Boolean, Insert, Select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, OperationalError


class Prepared:
    """One SELECT, compiled for one dialect, with its bind parameter order and row type; or one
    INSERT, whose RETURNING rows are plain tuples."""

    def __init__(self, engine: Engine, stmt: Select | Insert) -> None:
        compiled = stmt.compile(dialect=engine.dialect)
        self.sql = compiled.string
        self.positional = compiled.positiontup  # None for named paramstyles (psycopg)
        self.defaults = {k: v.value for k, v in compiled.binds.items() if v.value is not None}
        if isinstance(stmt, Insert):
            self.make: Callable[[tuple], Any] = tuple  # the rows of an INSERT ... RETURNING, as they come
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
    """Autocommit single-statement reads on one held DBAPI connection per thread."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._dbapi = engine.dialect.loaded_dbapi
        self._local = threading.local()

    def _cursor(self) -> Any:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self.engine.raw_connection()
            if self.engine.dialect.name != "sqlite":
                driver: Any = conn.driver_connection
                driver.autocommit = True  # each read is its own snapshot
            self._local.conn = conn
        return conn.cursor()

    def _drop(self) -> None:
        conn = getattr(self._local, "conn", None)
        self._local.conn = None
        if conn is not None:
            try:
                conn.invalidate()
            except Exception:  # noqa: BLE001, S110 - the connection is already gone
                pass

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
            raise OperationalError(prepared.sql, None, exc) from exc
        except self._dbapi.IntegrityError as exc:
            raise IntegrityError(prepared.sql, None, exc) from exc

    def one(self, prepared: Prepared, **values: Any) -> Any:
        return self._run(prepared, values, False)

    def all(self, prepared: Prepared, **values: Any) -> list[Any]:
        return self._run(prepared, values, True)

    def returning(self, prepared: Prepared, values: dict[str, Any]) -> list[tuple]:
        """One data-changing statement with RETURNING, in autocommit: the rows it returned."""
        return self._run(prepared, values, True)

    def close(self) -> None:
        self._drop()

"""The server clock's offset (``domain.clock``), kept in the one row of ``server_clock``."""

from __future__ import annotations

from sqlalchemy import Connection, select, update

from numberpool.store.db import Database
from numberpool.store.schema import server_clock

_OFFSET = select(server_clock.c.offset_ms).where(server_clock.c.id == 1)


def offset(db: Database) -> int:
    row = db.one(_OFFSET)
    return int(row.offset_ms) if row is not None else 0


def advance(conn: Connection, by_ms: int) -> int:
    """Add ``by_ms`` to the offset (the row locked by the update): the new offset."""
    conn.execute(update(server_clock).where(server_clock.c.id == 1).values(offset_ms=server_clock.c.offset_ms + by_ms))
    return int(conn.execute(_OFFSET).scalar_one())


def reset(conn: Connection) -> None:
    conn.execute(update(server_clock).where(server_clock.c.id == 1).values(offset_ms=0))

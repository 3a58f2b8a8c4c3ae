"""Schema migrations (Alembic), run programmatically on numberpool's own connection.

``serve`` and ``numberpool db upgrade`` both bring the schema to the newest revision
this code knows. A database whose revision this code does not know was written by a
newer numberpool: we refuse to touch it rather than serve it wrongly.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, text

from numberpool.store.db import Database
from numberpool.store.deadline import unbounded

if TYPE_CHECKING:
    from alembic.config import Config

HEAD = "0013"
"""The newest revision in migrations/versions (a test keeps it equal to Alembic's head). A
database already there is served without importing Alembic: start-up stays short."""

_LOCATION = str(Path(__file__).with_name("migrations"))
_LOCK_ID = 0x6E756D62  # "numb": one migrator at a time on PostgreSQL


class SchemaTooNew(RuntimeError):
    """The database was migrated by a newer numberpool than this one."""


def _config(conn: Connection | None = None) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", _LOCATION)
    if conn is not None:
        cfg.attributes["connection"] = conn
    return cfg


def head() -> str:
    from alembic.script import ScriptDirectory

    found = ScriptDirectory.from_config(_config()).get_current_head()
    assert found is not None  # the migrations ship with the code
    return found


def _check_known(conn: Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory
    from alembic.util.exc import CommandError

    rev = MigrationContext.configure(conn).get_current_revision()
    if rev is None:
        return None
    try:
        ScriptDirectory.from_config(_config()).get_revision(rev)
    except CommandError:
        raise SchemaTooNew(
            f"the database schema is at revision {rev!r}, newer than this numberpool knows (its newest is {head()!r}); "
            "run the numberpool version that wrote it, or a newer one"
        ) from None
    return rev


def current(db: Database) -> str | None:
    """The database's revision, read without Alembic; None for a database with no schema yet."""
    with db.engine.connect() as conn:
        exists = conn.execute(text(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'" if db.is_sqlite
            else "SELECT 1 FROM information_schema.tables WHERE table_name = 'alembic_version' "
                 "AND table_schema = current_schema()")).first()
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar() if exists else None


def upgrade(db: Database, revision: str = "head") -> tuple[str | None, str | None]:
    """Migrate to ``revision``; return (before, after). Raises SchemaTooNew for a newer schema."""
    if revision in ("head", HEAD) and current(db) == HEAD:
        return HEAD, HEAD
    from alembic import command
    from alembic.runtime.migration import MigrationContext

    with db.write() as conn, unbounded(conn):  # a long migration, or a wait for another migrator
        if not db.is_sqlite:
            conn.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": _LOCK_ID})
        before = _check_known(conn)
        command.upgrade(_config(conn), revision)
        after = MigrationContext.configure(conn).get_current_revision()
    return before, after

"""Unit-test fixtures: a bare database of each kind, for tests that call the store and domain directly."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from numberpool.store.db import Database
from tests.conftest import fresh_database, require_postgres


@pytest.fixture
def db(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    """A Database on a new empty database (no schema yet), disposed of afterwards."""
    with fresh_database(backend, tmp_path_factory) as url:
        database = Database(url)
        yield database
        database.dispose()


@pytest.fixture
def served_db(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    """A Database on a new database prepared as ``serve`` prepares it (the schema, the main
    account, whose SID is ``main_sid``), disposed of afterwards."""
    from numberpool.server import cli

    with fresh_database(backend, tmp_path_factory) as url:
        sid, _ = cli.prepare(url)
        database = Database(url)
        database.main_sid = sid  # type: ignore[attr-defined]
        yield database
        database.dispose()


@pytest.fixture
def pg_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The URL of a new empty PostgreSQL database, for tests of what only PostgreSQL does (fails in
    CI without one, as ``backend`` does)."""
    require_postgres()
    with fresh_database("postgres", tmp_path_factory) as url:
        yield url

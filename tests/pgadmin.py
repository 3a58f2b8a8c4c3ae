"""Creating and dropping throw-away PostgreSQL databases (tests and the benchmark)."""

from __future__ import annotations

import time

import psycopg


def create_database(admin_url: str, name: str) -> None:
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')


def drop_database(admin_url: str, name: str) -> None:
    """Drop ``name``. FORCE may be refused while an autovacuum worker (owned by the superuser)
    is on it; then wait for it to finish and drop plainly. Never fails the caller: a database
    left behind is reported, not raised."""
    for attempt in range(20):
        try:
            with psycopg.connect(admin_url, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}"' + (" WITH (FORCE)" if attempt == 0 else ""))
            return
        except psycopg.Error:
            time.sleep(0.5)
    print(f"warning: could not drop the test database {name}")

"""One PostgreSQL statement per request through psycopg 3 (the driver numberpool uses), on a
single connection opened once, in autocommit: one round trip per statement, nothing else.

``BARE_PG_URL`` names the database; ``BARE_PG_MODE`` how the app waits for it:

- ``sync`` (the default, the cheapest measured): a blocking ``psycopg.Connection`` called on
  granian's event loop thread, the one thread that runs the app;
- ``async``: a ``psycopg.AsyncConnection`` opened on the loop at the first request, shared
  under an ``asyncio.Lock``;
- ``thread``: a blocking connection per thread of ``asyncio.to_thread``'s pool, the request
  thread hop numberpool makes.
"""

from __future__ import annotations

import asyncio
import os
import threading

import psycopg

URL = os.environ["BARE_PG_URL"]
MODE = os.environ.get("BARE_PG_MODE", "sync")
if MODE not in ("sync", "async", "thread"):
    raise SystemExit(f"BARE_PG_MODE: sync, async or thread, not {MODE!r}")

_sync = psycopg.connect(URL, autocommit=True)  # also the thread used at import, for setup()
_async: psycopg.AsyncConnection | None = None
_async_lock: asyncio.Lock | None = None
_local = threading.local()


def setup(sql: str) -> None:
    """Run ``sql`` once, at start-up (e.g. the floor's own CREATE TABLE)."""
    _sync.execute(sql)


def _on_thread(sql: str, params: tuple) -> None:
    conn = getattr(_local, "conn", None)
    if conn is None:
        conn = _local.conn = psycopg.connect(URL, autocommit=True)
    cur = conn.execute(sql, params)
    if cur.description is not None:
        cur.fetchall()


async def execute(sql: str, params: tuple = ()) -> None:
    """``sql`` once, its rows (if any) read, in the mode chosen."""
    global _async, _async_lock
    if MODE == "sync":
        cur = _sync.execute(sql, params)
        if cur.description is not None:
            cur.fetchall()
    elif MODE == "async":
        if _async_lock is None:
            _async_lock = asyncio.Lock()
        async with _async_lock:
            if _async is None:
                _async = await psycopg.AsyncConnection.connect(URL, autocommit=True)
            cur = await _async.execute(sql, params)
            if cur.description is not None:
                await cur.fetchall()
    else:
        await asyncio.to_thread(_on_thread, sql, params)

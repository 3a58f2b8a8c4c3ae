"""The floor of a write on this stack: a bare ASGI app that reads a form body, inserts one row
into SQLite (WAL, synchronous=NORMAL, autocommit, the settings numberpool uses) and answers 201
with the fixed IncomingPhoneNumber body. No routing, auth, validation or rendering: whatever
provisioning costs above this is numberpool's own."""

from __future__ import annotations

import itertools
import os
import sqlite3

from bare_app import BODY
from bare_asgi import read_body, respond

_conn = sqlite3.connect(os.environ["BARE_WRITE_DB"], isolation_level=None, check_same_thread=False)
_conn.execute("PRAGMA journal_mode=WAL")
_conn.execute("PRAGMA synchronous=NORMAL")
_conn.execute("CREATE TABLE IF NOT EXISTS numbers (sid TEXT PRIMARY KEY, phone_number TEXT UNIQUE, form TEXT)")
_next = itertools.count()
_PID = os.getpid()


async def app(scope, receive, send):
    if scope["type"] != "http":
        return
    body = await read_body(receive)
    i = next(_next)
    _conn.execute("INSERT INTO numbers VALUES (?, ?, ?)", (f"PN{_PID}x{i}", f"+1{_PID}{i:010d}", body.decode()))
    await respond(send, 201, BODY)

"""The floor of a PostgreSQL read on this stack: a bare ASGI app that, for every GET, runs the
one query numberpool reads as its change stamp (``SELECT pg_current_snapshot()::text``) through
psycopg 3 on one connection (bench/bare_pg.py) and answers 200 with the fixed IncomingPhoneNumber
body. One round trip per request and nothing else: no auth, routing, query of a row or rendering."""

from __future__ import annotations

from bare_app import BODY
from bare_asgi import respond
from bare_pg import execute

_STAMP = "SELECT pg_current_snapshot()::text"


async def app(scope, receive, send):
    if scope["type"] != "http":
        return
    await execute(_STAMP)
    await respond(send, 200, BODY)

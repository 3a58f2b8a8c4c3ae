"""The floor of buying a number nobody asked about before: bare_write_app, plus what any server
must learn from phonenumbers (the project's library for numbers) before it can sell a number:
its country and type (which also says whether it is valid) and its national format (the new
IncomingPhoneNumber's friendly_name). No auth, routing, rendering or other validation: whatever
numberpool's provisioning costs above this is its own.

With ``BARE_PG_URL`` set, the row goes to PostgreSQL instead, through psycopg 3 as numberpool's
own rows do (bench/bare_pg.py: one connection, autocommit, one INSERT round trip), into a table
of its own it creates at start-up (``floor_numbers``) in the throw-away benchmark database.

``rsgi_app`` is the same on granian's own interface (RSGI), the cheapest way into Python that
granian offers: it shows whether another server interface would leave room for the rest."""

from __future__ import annotations

import itertools
import os
from urllib.parse import parse_qsl

import phonenumbers
from bare_app import BODY
from bare_asgi import HEADERS as _HEADERS
from bare_asgi import read_body, respond

_BAD = b'{"code": 21421, "status": 400}'
_next = itertools.count()
_PID = os.getpid()
# A number bought twice (wrk cycles its list when a window outruns the supply) is not an error.
_PG = bool(os.environ.get("BARE_PG_URL"))
if _PG:
    import bare_pg

    bare_pg.setup("CREATE TABLE IF NOT EXISTS floor_numbers (sid TEXT PRIMARY KEY, phone_number TEXT UNIQUE, form TEXT)")
    _INSERT = "INSERT INTO floor_numbers VALUES (%s, %s, %s) ON CONFLICT (phone_number) DO NOTHING"
else:
    from bare_write_app import _conn

    _INSERT = "INSERT INTO numbers VALUES (?, ?, ?) ON CONFLICT (phone_number) DO NOTHING"


def _classify(body: bytes) -> tuple[str, str, str] | None:
    """The row to store for the number in the form; None when phonenumbers calls it invalid."""
    number = phonenumbers.parse(dict(parse_qsl(body.decode()))["PhoneNumber"], None)
    iso = phonenumbers.region_code_for_number(number)
    kind = phonenumbers.number_type(number)
    if kind == phonenumbers.PhoneNumberType.UNKNOWN:
        return None
    friendly_name = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return f"PN{_PID}x{next(_next)}", e164, f"{iso} {kind} {friendly_name}"


async def _buy(body: bytes) -> bool:
    """Classify the number in the form and store it; False when phonenumbers calls it invalid."""
    row = _classify(body)
    if row is None:
        return False
    if _PG:
        await bare_pg.execute(_INSERT, row)
    else:
        _conn.execute(_INSERT, row)
    return True


async def app(scope, receive, send):
    if scope["type"] != "http":
        return
    body = await read_body(receive)
    await respond(send, *((201, BODY) if await _buy(body) else (400, _BAD)))


_RSGI_HEADERS = [(k.decode(), v.decode()) for k, v in _HEADERS]


class _Rsgi:
    def __rsgi_init__(self, loop):
        pass

    def __rsgi_del__(self, loop):
        pass

    async def __rsgi__(self, scope, protocol):
        body = await protocol()
        status, answer = (201, BODY) if await _buy(body) else (400, _BAD)
        protocol.response_bytes(status, _RSGI_HEADERS, answer)


rsgi_app = _Rsgi()

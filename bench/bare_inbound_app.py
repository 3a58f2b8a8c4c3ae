"""The floor of an inbound message on this stack: a bare ASGI app that reads a form body, makes one
outbound form POST (the same fields) with a module-level ``httpx.AsyncClient`` (connection pool,
15 s timeout) to the trivial webhook receiver (bench/receiver_app.py, at ``BARE_INBOUND_WEBHOOK``),
reads its answer and answers 201 with a small JSON body. No auth, routing, validation, storage or
rendering: whatever numberpool's inbound message costs above this is its own."""

from __future__ import annotations

import itertools
import os
from urllib.parse import parse_qsl

import httpx
import orjson
from bare_asgi import read_body, respond

_WEBHOOK = os.environ["BARE_INBOUND_WEBHOOK"]
# trust_env=False: no proxy from the environment; the receiver is reached on loopback, directly.
_client = httpx.AsyncClient(timeout=15, trust_env=False)
_next = itertools.count()
_PID = os.getpid()
_BAD = b'{"code": 11200, "status": 502}'


async def app(scope, receive, send):
    if scope["type"] != "http":
        return
    form = dict(parse_qsl((await read_body(receive)).decode()))
    answer = await _client.post(_WEBHOOK, data=form)
    if answer.status_code != 200:
        await respond(send, 502, _BAD)
        return
    await respond(send, 201, orjson.dumps({"sid": f"SM{_PID}x{next(_next)}", "status": "received", "to": form.get("To")}))

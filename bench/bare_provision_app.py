"""The floor of buying a number nobody asked about before: bare_write_app, plus what any server
must learn from phonenumbers (the project's library for numbers) before it can sell a number:
its country and type (which also says whether it is valid) and its national format (the new
IncomingPhoneNumber's friendly_name). No auth, routing, rendering or other validation: whatever
numberpool's provisioning costs above this is its own."""

from __future__ import annotations

from urllib.parse import parse_qsl

import phonenumbers
from bare_app import BODY
from bare_write_app import _HEADERS, _PID, _conn, _next

_BAD = b'{"code": 21421, "status": 400}'


async def app(scope, receive, send):
    if scope["type"] != "http":
        return
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    number = phonenumbers.parse(dict(parse_qsl(body.decode()))["PhoneNumber"], None)
    iso = phonenumbers.region_code_for_number(number)
    kind = phonenumbers.number_type(number)
    if kind == phonenumbers.PhoneNumberType.UNKNOWN:
        await send({"type": "http.response.start", "status": 400, "headers": _HEADERS})
        await send({"type": "http.response.body", "body": _BAD})
        return
    friendly_name = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    _conn.execute("INSERT INTO numbers VALUES (?, ?, ?)", (f"PN{_PID}x{next(_next)}", e164, f"{iso} {kind} {friendly_name}"))
    await send({"type": "http.response.start", "status": 201, "headers": _HEADERS})
    await send({"type": "http.response.body", "body": BODY})

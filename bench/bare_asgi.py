"""What the bare apps share: reading a request's body and sending a JSON answer, nothing else."""

from __future__ import annotations

HEADERS = [(b"content-type", b"application/json; charset=utf-8")]


async def read_body(receive) -> bytes:
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            return body


async def respond(send, status: int, body: bytes) -> None:
    await send({"type": "http.response.start", "status": status, "headers": HEADERS})
    await send({"type": "http.response.body", "body": body})

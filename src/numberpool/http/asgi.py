"""The ASGI plumbing under the app: reading a request's body and form, its Basic credentials, and
sending a Response. Nothing here knows a route or a resource."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import parse_qsl

from numberpool.domain import errors
from numberpool.http.request import JSON_TYPE, Response

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]
MAX_BODY = 1 << 20


def decode_qs(raw: bytes, what: str) -> list[tuple[str, str]]:
    try:
        text = raw.decode("utf-8")
        pairs = parse_qsl(text, keep_blank_values=True, errors="strict")
    except (UnicodeDecodeError, ValueError):
        raise errors.invalid_form(what, "is not valid UTF-8 form encoding") from None
    for name, value in pairs:
        if "\x00" in name or "\x00" in value:  # no database stores NUL in text; refuse it up front
            raise errors.invalid_form(what, f"contains a NUL character (parameter {name!r})")
    return pairs


def response_headers(response: Response) -> list[tuple[bytes, bytes]]:
    """The headers ``response`` is sent with: its own, and its Content-Type."""
    if response.body or response.content_type is not JSON_TYPE:  # an empty CSV page is still CSV
        return [*response.headers, (b"content-type", response.content_type)]
    return response.headers


async def send_response(send: Send, response: Response) -> None:
    headers = response_headers(response)
    await send({"type": "http.response.start", "status": response.status, "headers": headers})
    await send({"type": "http.response.body", "body": response.body})


def content_length(headers: list[tuple[bytes, bytes]]) -> int | None:
    """The length a request announces, or None (chunked, absent or not a number)."""
    for name, value in headers:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


def has_body(headers: list[tuple[bytes, bytes]]) -> bool:
    """Whether a GET or DELETE carries a body: usually not, and awaiting one costs."""
    for name, value in headers:
        if name == b"content-length":
            return value.strip() not in (b"0", b"")
        if name == b"transfer-encoding":
            return True
    return False


DISCONNECTED = object()


async def read_body(receive: Receive, limit: int = MAX_BODY) -> Any:
    """The whole body; None when it is larger than ``limit`` bytes; DISCONNECTED if the client left.
    The chunks are joined once at the end: the cost grows with the size, not its square."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return DISCONNECTED
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def basic_credentials(header: bytes) -> tuple[str, str]:
    if not header[:6].lower() == b"basic ":
        raise errors.authentication_failed()
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise errors.authentication_failed() from None
    sid, sep, token = decoded.partition(":")
    if not sep:
        raise errors.authentication_failed()
    return sid, token

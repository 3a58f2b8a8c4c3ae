"""A body is worth reading only when it fits its path's limit, and the one large allowance (a state
document, 32 MiB) only for an authenticated caller: both are decided from the headers, before a
byte of the body is read, so a client announcing a huge body costs the worker nothing."""

from __future__ import annotations

import base64
import socket

import pytest

from numberpool.http.app import MAX_STATE_BODY
from numberpool.http.asgi import MAX_BODY, read_body


def _announce(base_url: str, path: str, length: int, auth: tuple[str, str] | None) -> socket.socket:
    """A connection that sent a POST's headers announcing ``length`` bytes, and none of the body."""
    host, port = base_url.removeprefix("http://").split(":")
    conn = socket.create_connection((host, int(port)), timeout=10)
    lines = [f"POST {path} HTTP/1.1", f"Host: {host}:{port}", "Content-Type: application/json",
             f"Content-Length: {length}"]
    if auth is not None:
        lines.append("Authorization: Basic " + base64.b64encode(":".join(auth).encode()).decode())
    conn.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
    return conn


def _status(conn: socket.socket) -> tuple[int, bytes]:
    """The status and head of the answer; the socket times out (a failure) if nothing comes
    before the body is sent, which it never is."""
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = conn.recv(4096)
        assert chunk, "the server closed the connection without answering"
        head += chunk
    return int(head.split(b" ", 2)[1]), head


def test_an_unauthenticated_state_document_is_refused_before_its_body(server):
    """32 MiB announced, nothing sent: 401 at once, and the worker answers others meanwhile."""
    conn = _announce(server.base_url, "/numberpool/v1/State", MAX_STATE_BODY, None)
    with conn:
        status, head = _status(conn)
        assert status == 401 and b"www-authenticate" in head.lower()
        with server.http() as http:  # the same (only) worker, while that connection is still open
            assert http.get(f"/2010-04-01/Accounts/{server.account_sid}.json").status_code == 200


def test_wrong_credentials_for_a_state_document_are_refused_before_its_body(server):
    conn = _announce(server.base_url, "/numberpool/v1/State", 1 << 24, (server.account_sid, "wrong"))
    with conn:
        assert _status(conn)[0] == 401


@pytest.mark.parametrize(("path", "limit"), [
    ("/numberpool/v1/State", MAX_STATE_BODY),
    ("/2010-04-01/Accounts.json", MAX_BODY),
])
def test_a_body_announced_over_the_limit_is_refused_before_it_is_read(server, path, limit):
    conn = _announce(server.base_url, path, limit + 1, (server.account_sid, server.auth_token))
    with conn:
        status, head = _status(conn)
        assert status == 413
        body = head.split(b"\r\n\r\n", 1)[1]
        assert b'"code":20001' in body.replace(b" ", b"") or b"20001" in body
    with server.http() as http:
        assert http.get(f"/2010-04-01/Accounts/{server.account_sid}.json").status_code == 200


def test_an_authenticated_state_document_within_the_limit_is_read(server):
    """The authenticated caller still gets the large allowance: a document over the form limit is read."""
    with server.http() as http:
        document = http.get("/numberpool/v1/State").json()
        document["padding"] = "x" * (MAX_BODY + 10)
        r = http.post("/numberpool/v1/State", json=document)
        assert r.status_code == 400 and "unknown key 'padding'" in r.json()["message"], r.text  # read and parsed


async def _chunks(parts: list[bytes]):
    messages = [{"type": "http.request", "body": p, "more_body": i < len(parts) - 1} for i, p in enumerate(parts)]

    async def receive():
        return messages.pop(0)
    return receive


@pytest.mark.parametrize(("parts", "limit", "expected"), [
    ([b"ab", b"cd", b"e"], 10, b"abcde"),
    ([b"abcde"], 5, b"abcde"),
    ([b"abc", b"def"], 5, None),
    ([b"", b""], 0, b""),
])
def test_read_body_joins_chunks_within_the_limit(parts, limit, expected):
    import asyncio

    async def run():
        return await read_body(await _chunks(parts), limit)
    assert asyncio.run(run()) == expected

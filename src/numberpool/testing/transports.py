"""Webhook requests to an app in this process (the user's ASGI or WSGI app under test) instead of
the network: the same requests, headers and signatures as :class:`HttpTransport` sends, through
httpx's ASGI or WSGI transport. Every URL, whatever its host, reaches that one app."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Coroutine, MutableMapping
from typing import Any
from urllib.parse import unquote

import httpx

from numberpool.webhooks.http import HttpTransport


def is_asgi(app: Any) -> bool:
    """ASGI apps are coroutine functions of (scope, receive, send); WSGI apps plain callables."""
    call = app if inspect.isfunction(app) or inspect.ismethod(app) else getattr(app, "__call__", None)  # noqa: B004
    return inspect.iscoroutinefunction(call)


class _AsyncWSGI(httpx.AsyncBaseTransport):
    """A WSGI app behind httpx's async interface: the app runs on the caller's thread, as a
    WSGI server would run it (the request is answered before the event goes on)."""

    def __init__(self, app: Any) -> None:
        self._sync = httpx.WSGITransport(app=app)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        body = await request.aread()
        sync_request = httpx.Request(request.method, request.url, headers=request.headers, content=body)
        response = self._sync.handle_request(sync_request)
        content = response.read()
        return httpx.Response(response.status_code, headers=response.headers, content=content)


class InProcessTransport(HttpTransport):
    def __init__(self, app: Any, timeout: float = 15.0) -> None:
        super().__init__(timeout)
        self.app = app
        self._asgi = is_asgi(app)

    def _make_client(self, transport: httpx.AsyncBaseTransport | None = None) -> httpx.AsyncClient:
        inner = httpx.ASGITransport(app=self.app) if self._asgi else _AsyncWSGI(self.app)
        return super()._make_client(inner)


class SyncASGITransport(httpx.BaseTransport):
    """httpx's sync interface to an ASGI app in this process (httpx's own ASGITransport is async
    only): each request runs the app through ``run``, which drives a coroutine to its end."""

    def __init__(self, app: Any, run: Callable[[Coroutine[Any, Any, Any]], Any]) -> None:
        self.app = app
        self.run = run

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body = request.read()
        raw_path, _, query = request.url.raw_path.partition(b"?")
        scope = {
            "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": request.method,
            "scheme": request.url.scheme, "path": unquote(raw_path.decode("latin-1")), "raw_path": raw_path,
            "query_string": query, "headers": [(k.lower(), v) for k, v in request.headers.raw],
            "client": ("127.0.0.1", 0), "server": (request.url.host, request.url.port or 443),
        }
        status, headers, content = self.run(self._call(scope, body))
        return httpx.Response(status, headers=headers, content=content, request=request)

    async def _call(self, scope: dict[str, Any], body: bytes) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        sent = False
        started: dict[str, Any] = {}
        chunks: list[bytes] = []

        async def receive() -> dict[str, Any]:
            nonlocal sent
            if sent:
                return {"type": "http.disconnect"}
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        async def send(message: MutableMapping[str, Any]) -> None:
            if message["type"] == "http.response.start":
                started.update(message)
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(scope, receive, send)
        return started["status"], list(started.get("headers", [])), b"".join(chunks)

"""Webhook requests to an app in this process (the user's ASGI or WSGI app under test) instead of
the network: the same requests, headers and signatures as :class:`HttpTransport` sends, through
httpx's ASGI or WSGI transport. Every URL, whatever its host, reaches that one app."""

from __future__ import annotations

import inspect
from typing import Any

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

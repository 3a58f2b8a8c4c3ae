"""The transport that sends webhook requests over HTTP, as Twilio's webhook requester does.

One pooled ``httpx.AsyncClient`` per event loop, so a slow webhook holds only its own
connection: every other event and every API request goes on. Each request is signed with the
auth token of the account that owns the number, carries Twilio's headers, and is bounded in time
(10 s to connect, ``timeout`` for the whole answer). A failure is reported as Twilio's error code
(INBOUND.md, "Failure and fallback"), never raised: the caller decides what falls back.
"""

from __future__ import annotations

import asyncio
import socket
import time
import uuid
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from numberpool.webhooks.cookies import EventCookies
from numberpool.webhooks.params import Params

if TYPE_CHECKING:
    import ssl
    from collections.abc import AsyncGenerator, Coroutine
    from http.cookiejar import CookieJar
    from typing import Any

    import httpx
from numberpool.webhooks.sign import signature, with_query, without_fragment

CONNECT_TIMEOUT = 10.0
MAX_BODY = 1 << 20  # read at most this much of an answer (TwiML is small)
USER_AGENT = "TwilioProxy/1.1"

# Twilio's error codes for a request that failed (docs/api/errors/NNNNN).
HTTP_RETRIEVAL_FAILURE = 11200  # a 4xx or 5xx answer, or no valid HTTP answer
CONNECTION_FAILED = 11205  # refused, reset or timed out
UNRESOLVABLE_HOST = 11210  # the host name does not resolve (or, with --webhook-deny-private, to a private address)


class PrivateAddress(OSError):
    """The host resolves to an address webhooks may not reach (``webhooks.guard``, error 11210)."""


@dataclass
class Exchange:
    """One HTTP request made for an event and what came back."""

    url: str  # exactly as requested: a GET's parameters are in it
    method: str
    params: Params
    signature: str
    status_code: int | None = None
    error_code: int | None = None
    duration_ms: float = 0.0
    body: bytes = b""
    content_type: str = ""
    location: str | None = None  # a redirect's Location header


@cache
def _no_cookies() -> CookieJar:
    """The client keeps no cookies of its own: they would cross from one event (and account) to
    the next. Each event's cookies are kept by the caller (``cookies``) and sent back within the
    event. A jar, not httpx.Cookies: that would copy it and lose the policy."""
    from http.cookiejar import CookieJar, DefaultCookiePolicy

    return CookieJar(DefaultCookiePolicy(allowed_domains=[]))


@cache
def _tls() -> ssl.SSLContext:
    """What every client verifies servers with, made once: loading the CA certificates takes some
    20 ms, which each event loop's client would otherwise spend again, on its loop."""
    import httpx

    return httpx.create_ssl_context(trust_env=False)


def _host(url: str) -> str:
    """The URL's host name, or "" when the URL cannot be read (httpx then refuses it: 11200)."""
    try:
        return urlsplit(url).hostname or ""
    except ValueError:
        return ""


def _unresolvable(exc: BaseException) -> bool:
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, socket.gaierror):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


class HttpTransport:
    def __init__(self, timeout: float = 15.0) -> None:
        self.timeout = timeout
        # Each event loop that sent: its client, and what closes the client with the loop (see _client).
        self._clients: dict[asyncio.AbstractEventLoop, tuple[httpx.AsyncClient, AsyncGenerator[None, None]]] = {}

    def _client(self) -> httpx.AsyncClient:
        """The running loop's client, made at its first webhook and closed with the loop: an async
        generator suspended for the client's life is known to the loop, whose shutdown
        (``loop.shutdown_asyncgens()``, which ``asyncio.run`` and ``asyncio.Runner`` call) closes
        it and the client in its ``finally``; ``close`` closes it sooner. The client of a loop
        closed without that shutdown is dropped at the next loop's first webhook."""
        loop = asyncio.get_running_loop()
        held = self._clients.get(loop)
        if held is not None:
            return held[0]
        for other, (_, ender) in list(self._clients.items()):
            if other.is_closed():
                self._finish(ender.aclose())
        client = self._make_client()
        ender = self._until_closed(loop, client)
        self._clients[loop] = (client, ender)
        self._finish(ender.asend(None))  # to its yield, on this loop: the loop now holds it for its shutdown
        return client

    async def _until_closed(self, loop: asyncio.AbstractEventLoop, client: httpx.AsyncClient) -> AsyncGenerator[None, None]:
        try:
            yield
        finally:
            if self._clients.get(loop, (None,))[0] is client:
                del self._clients[loop]
            if not loop.is_closed():  # a closed loop's connections went with it
                await client.aclose()

    @staticmethod
    def _finish(step: Coroutine[Any, Any, Any]) -> None:
        """Run ``step``, a step of ``_until_closed`` that waits for nothing, to its end here and now."""
        try:
            step.send(None)
        except StopIteration:
            return
        step.close()
        raise RuntimeError("a step that waits for nothing waited")

    def _make_client(self, transport: httpx.AsyncBaseTransport | None = None) -> httpx.AsyncClient:
        import httpx  # on the first webhook, not at start-up

        return httpx.AsyncClient(
            follow_redirects=False, trust_env=False, cookies=_no_cookies(), transport=transport,
            verify=_tls() if transport is None else True,  # a transport given has its own
            timeout=httpx.Timeout(self.timeout, connect=min(CONNECT_TIMEOUT, self.timeout)),
            limits=httpx.Limits(max_connections=1000, max_keepalive_connections=100),
        )

    async def send(self, url: str, method: str, params: Params, auth_token: str, cookies: EventCookies,
                   timeout: float | None = None) -> Exchange:
        """Request ``url`` with ``params`` (in the query for GET, the form for POST), signed, within
        ``timeout`` seconds (this transport's own when None). With no time left (``timeout`` 0 or
        less) nothing is sent: the request fails as timed out, 11205. ``cookies`` are the event's:
        those of the URL's host are sent, and the ones it sets are kept for its later requests."""
        limit = self.timeout if timeout is None else min(timeout, self.timeout)
        url = without_fragment(url)
        if method == "GET":
            url = with_query(url, params)
            sent = Exchange(url, method, params, signature(auth_token, url))
        else:
            sent = Exchange(url, method, params, signature(auth_token, url, params))
        headers = {"X-Twilio-Signature": sent.signature, "I-Twilio-Idempotency-Token": str(uuid.uuid4()),
                   "User-Agent": USER_AGENT, "Accept": "*/*"}
        host = _host(url)
        cookie = cookies.header(host)
        if cookie:
            headers["Cookie"] = cookie
        if limit <= 0:
            sent.error_code = CONNECTION_FAILED
            return sent
        import httpx

        started = time.perf_counter()
        try:
            if host.rstrip(".").lower().endswith(".invalid") or host.lower() == "invalid":
                raise socket.gaierror("RFC 6761: .invalid names never resolve")  # no lookup leaves the machine
            async with asyncio.timeout(limit):  # the whole answer; httpx bounds each read only
                await self._request(sent, headers, cookies, host)
        except (httpx.TimeoutException, TimeoutError):
            sent.error_code = CONNECTION_FAILED
        except PrivateAddress:
            sent.error_code = UNRESOLVABLE_HOST
        except (httpx.HTTPError, OSError, ValueError) as exc:
            sent.error_code = UNRESOLVABLE_HOST if _unresolvable(exc) else (
                CONNECTION_FAILED if isinstance(exc, httpx.ConnectError | OSError) else HTTP_RETRIEVAL_FAILURE)
        sent.duration_ms = round((time.perf_counter() - started) * 1000, 3)
        return sent

    async def _request(self, sent: Exchange, headers: dict[str, str], cookies: EventCookies, host: str) -> None:
        client = self._client()
        data = None if sent.method == "GET" else dict(sent.params)
        request = client.build_request(sent.method, sent.url, data=data, headers=headers)
        response = await client.send(request, stream=True)
        chunks: list[bytes] = []
        size = 0
        try:
            async for chunk in response.aiter_bytes():  # kept in a list and joined once: linear in the size
                chunks.append(chunk)
                size += len(chunk)
                if size > MAX_BODY:
                    break
        finally:
            await response.aclose()
        sent.status_code = response.status_code
        sent.body = b"".join(chunks)[:MAX_BODY]
        sent.content_type = response.headers.get("content-type", "")
        sent.location = response.headers.get("location")
        for header in response.headers.get_list("set-cookie"):
            cookies.store(host, header)
        if response.status_code >= 400:
            sent.error_code = HTTP_RETRIEVAL_FAILURE

    async def close(self) -> None:
        """Close the running loop's client, and drop those of loops already closed. A client on
        another loop that is still open closes at that loop's shutdown (or its own ``close``)."""
        here = asyncio.get_running_loop()
        for loop, (_, ender) in list(self._clients.items()):
            if loop is here or loop.is_closed():
                await ender.aclose()

"""How a request reaches :func:`numberpool.mock`: which mock is active, where a Twilio URL goes in
its app, and the clients and libraries that ask first.

Which mock: the innermost one entered in the current context (``contextvars``). Each asyncio
task has its own context, so two async tests running at once in one event loop are each served by
their own mock, and a task or ``asyncio.to_thread`` started inside a mock carries it. Code whose
context entered none, such as a thread started with ``threading.Thread`` or a
``loop.run_in_executor`` call (Python starts those with an empty context), is served by the
innermost mock active in the process: while any mock is active, no thread reaches Twilio.

What asks: the SDK's own clients (``TwilioHttpClient``, ``AsyncTwilioHttpClient``) first of all.
twilio's ``ValidationClient`` and any ``twilio.http.HttpClient`` a user writes send with a library
of their own and would carry the credentials a mock took from the environment to api.twilio.com,
so the last step before the network of each library they may build on asks too:

- ``requests`` (``HTTPAdapter.send``) and ``httpx`` (``HTTPTransport``, ``AsyncHTTPTransport``):
  the request is served by the mock, as the SDK's are, and answered as the library answers;
- ``aiohttp`` (``BaseConnector.connect``) and ``http.client``, which ``urllib`` sends with
  (``HTTPConnection.putrequest``): refused with :class:`TwilioRefused` before any connection.

These steps see the request's own URL (a redirect's target included, before any proxy). Installed
with the first mock for the rest of the process; with no mock active, or for another host, a
request goes on unchanged, at the cost of a context variable read.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import http.client
import io
from collections.abc import Iterable
from contextvars import ContextVar
from http import HTTPStatus
from typing import Any, Protocol
from urllib.parse import urlencode, urlsplit

import aiohttp
import httpx
import requests
import requests.adapters
import urllib3
from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.http.http_client import TwilioHttpClient
from twilio.http.response import Response as TwilioResponse

from numberpool.domain import errors
from numberpool.http.asgi import response_headers
from numberpool.http.request import Response as AppResponse
from numberpool.http.wire import error_body
from numberpool.sdk.redirect import is_twilio_host, served_path

Scope = dict[str, Any]


class Mock(Protocol):
    """What this module asks of an active mock (``testing.mock.Mock``, which uses this module)."""

    app: Any  # None once stopped

    def stop(self) -> None: ...

    def serve(self, method: str, url: str, params: Any, data: Any, headers: Any, auth: Any) -> TwilioResponse | None: ...

    def _answer(self, scope: Scope, body: bytes) -> AppResponse: ...

    async def _answer_async(self, scope: Scope, body: bytes) -> AppResponse: ...

_FORM = b"application/x-www-form-urlencoded"


class TwilioRefused(ConnectionRefusedError):
    """A request for a Twilio host inside numberpool.mock(), made with a library the mock does not
    serve (aiohttp, http.client): refused before any connection, nothing was sent."""

    def __init__(self, host: str | None) -> None:
        super().__init__(f"numberpool.mock() is active: nothing is sent to {host}; the mock serves twilio's own "
                         "clients and any client built on requests or httpx")


# -- which mock is active ---------------------------------------------------------------------------

_CONTEXT: ContextVar[tuple[Mock, ...]] = ContextVar("numberpool_mocks", default=())  # innermost last
_PROCESS: list[Mock] = []  # every active mock of the process, in the order entered


def enter(m: Mock) -> None:
    _CONTEXT.set((*_CONTEXT.get(), m))
    _PROCESS.append(m)


def leave(m: Mock) -> None:
    _CONTEXT.set(tuple(x for x in _CONTEXT.get() if x is not m))
    with contextlib.suppress(ValueError):
        _PROCESS.remove(m)


def active() -> Mock | None:
    """The mock serving this code: the innermost active one entered in this context, else the
    innermost active in the process (see the module's documentation)."""
    stack = _CONTEXT.get()
    if stack and stack[-1].app is not None:
        return stack[-1]
    for m in reversed(stack):
        if m.app is not None:  # one stopped from another context is still in this context's stack
            return m
    try:
        return _PROCESS[-1]
    except IndexError:
        return None


def stop_all() -> None:
    """At exit: the mocks never stopped are stopped (their folders removed)."""
    for m in reversed(_PROCESS[:]):
        m.stop()


# -- where a Twilio URL goes in the app -------------------------------------------------------------

def _route(url: str) -> tuple[str, str, bytes] | AppResponse | None:
    """Where a request for ``url`` goes in the app: its path, query and Host header for a Twilio
    host (a v1 product under its prefix, whatever the host's region or edge); the 404 answer
    (20404) for a Twilio product numberpool does not serve, never the network; None for any other host."""
    parts = urlsplit(url)
    host = parts.hostname or ""  # in lower case
    if not is_twilio_host(host):
        return None
    path = served_path(host, parts.path)
    if path is None:
        err = errors.product_not_served(host)
        return AppResponse(err.status, error_body(err))
    netloc = parts.netloc  # as sent in the Host header: the idna codec only for a name that is not ASCII (it is slow)
    return path, parts.query, netloc.encode("ascii") if netloc.isascii() else netloc.encode("idna")


def _scope(method: str, path: str, query: str, headers: list[tuple[bytes, bytes]]) -> Scope:
    return {"type": "http", "method": method.upper(), "path": path, "query_string": query.encode(),
            "headers": headers, "scheme": "https"}


@functools.lru_cache(maxsize=64)
def _basic(username: str, password: str) -> bytes:
    return b"Basic " + base64.b64encode(f"{username}:{password}".encode())


def sdk_request(method: str, url: str, params: Any, data: Any, auth: Any) -> tuple[Scope, bytes] | AppResponse | None:
    """The ASGI scope and body of an SDK request, whose parameters are not encoded yet; the answer
    itself for a product numberpool does not serve; None for a host not Twilio's."""
    route = _route(url)
    if route is None or isinstance(route, AppResponse):
        return route
    path, query, host = route
    if params:
        query = "&".join(q for q in (query, urlencode(params, doseq=True)) if q)
    headers = [(b"host", host)]
    if auth is not None:
        headers.append((b"authorization", _basic(auth[0], auth[1])))
    body = b""
    if data:
        body = urlencode(data, doseq=True).encode()
        headers.append((b"content-type", _FORM))
    # The SDK's other headers (User-Agent, Accept, X-Twilio-Client) change no answer: not passed.
    return _scope(method, path, query, headers), body


def _http_request(method: str, url: str, headers: Iterable[tuple[bytes, bytes]],
                  body: bytes) -> tuple[Scope, bytes] | AppResponse:
    """``sdk_request`` for a request a library sends, its headers as they are, once the library's
    reading of the URL found a Twilio host: should this reading not agree, it is refused all the same."""
    route = _route(url)
    if route is None:
        raise TwilioRefused(urlsplit(url).hostname)
    if isinstance(route, AppResponse):
        return route
    path, query, host = route
    sent = [(b"host", host), *((name.lower(), value) for name, value in headers if name.lower() != b"host")]
    return _scope(method, path, query, sent), body


def twilio_response(response: AppResponse) -> TwilioResponse:
    headers = {name.decode("latin-1"): value.decode("latin-1") for name, value in response_headers(response)}
    return TwilioResponse(response.status, response.body.decode("utf-8"), headers)


# -- the SDK's clients ------------------------------------------------------------------------------

_real_request = TwilioHttpClient.request
_real_async_request = AsyncTwilioHttpClient.request


def _patched_request(self: TwilioHttpClient, method: str, url: str, params: Any = None, data: Any = None,
                     headers: Any = None, auth: Any = None, timeout: Any = None, allow_redirects: bool = False) -> Any:
    m = active()
    answer = m.serve(method, url, params, data, headers, auth) if m is not None else None
    if answer is None:
        return _real_request(self, method, url, params, data, headers, auth, timeout, allow_redirects)
    self._test_only_last_response = answer
    return answer


async def _patched_async_request(self: AsyncTwilioHttpClient, method: str, url: str, params: Any = None,
                                 data: Any = None, headers: Any = None, auth: Any = None, timeout: Any = None,
                                 allow_redirects: bool = False) -> Any:
    m = active()
    routed = sdk_request(method, url, params, data, auth) if m is not None else None
    if m is None or routed is None:
        return await _real_async_request(self, method, url, params, data, headers, auth, timeout, allow_redirects)
    return twilio_response(routed if isinstance(routed, AppResponse) else await m._answer_async(*routed))


def install_sdk() -> None:
    """The SDK's clients ask for the active mock (and go to the network as before when there is none)."""
    TwilioHttpClient.request = _patched_request
    AsyncTwilioHttpClient.request = _patched_async_request


# -- the libraries other clients send with ----------------------------------------------------------

def _serve(m: Mock, method: str, url: str, headers: Iterable[tuple[bytes, bytes]], body: bytes) -> AppResponse:
    routed = _http_request(method, url, headers, body)
    return routed if isinstance(routed, AppResponse) else m._answer(*routed)


async def _serve_async(m: Mock, method: str, url: str, headers: Iterable[tuple[bytes, bytes]],
                       body: bytes) -> AppResponse:
    routed = _http_request(method, url, headers, body)
    return routed if isinstance(routed, AppResponse) else await m._answer_async(*routed)


def _latin1(value: str | bytes) -> bytes:
    return value if isinstance(value, bytes) else value.encode("latin-1")


def _body(body: Any) -> bytes:
    """A requests body: bytes, text, a file or an iterable of chunks (a streamed upload), or None."""
    if body is None:
        return b""
    if isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode("utf-8")
    if hasattr(body, "read"):
        return _body(body.read())
    return b"".join(_body(chunk) for chunk in body)


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


_real_adapter_send = requests.adapters.HTTPAdapter.send
_real_handle = httpx.HTTPTransport.handle_request
_real_handle_async = httpx.AsyncHTTPTransport.handle_async_request
_real_connect = aiohttp.BaseConnector.connect
_real_putrequest = http.client.HTTPConnection.putrequest


def _adapter_send(self: requests.adapters.HTTPAdapter, request: requests.PreparedRequest, *args: Any,
                  **kwargs: Any) -> requests.Response:
    url = request.url or ""
    m = active()
    if m is None or not is_twilio_host(urlsplit(url).hostname):
        return _real_adapter_send(self, request, *args, **kwargs)
    headers = [(_latin1(name), _latin1(value)) for name, value in request.headers.items()]
    answer = _serve(m, request.method or "GET", url, headers, _body(request.body))
    raw = urllib3.HTTPResponse(
        body=io.BytesIO(answer.body), status=answer.status, reason=_reason(answer.status), preload_content=False,
        headers=urllib3.HTTPHeaderDict([(k.decode("latin-1"), v.decode("latin-1")) for k, v in response_headers(answer)]),
    )
    return self.build_response(request, raw)


def _handle(self: httpx.HTTPTransport, request: httpx.Request) -> httpx.Response:
    m = active()
    if m is None or not is_twilio_host(request.url.host):
        return _real_handle(self, request)
    answer = _serve(m, request.method, str(request.url), request.headers.raw, request.read())
    return httpx.Response(answer.status, headers=response_headers(answer), content=answer.body)


async def _handle_async(self: httpx.AsyncHTTPTransport, request: httpx.Request) -> httpx.Response:
    m = active()
    if m is None or not is_twilio_host(request.url.host):
        return await _real_handle_async(self, request)
    answer = await _serve_async(m, request.method, str(request.url), request.headers.raw, await request.aread())
    return httpx.Response(answer.status, headers=response_headers(answer), content=answer.body)


async def _connect(self: aiohttp.BaseConnector, req: Any, *args: Any, **kwargs: Any) -> Any:
    if active() is not None and is_twilio_host(req.url.host):
        raise TwilioRefused(req.url.host)
    return await _real_connect(self, req, *args, **kwargs)


def _putrequest(self: http.client.HTTPConnection, method: str, url: str, *args: Any, **kwargs: Any) -> None:
    if active() is not None:
        # The host connected to, or tunnelled to through a proxy; through a plain proxy, the URL's own.
        for host in (getattr(self, "_tunnel_host", None) or self.host, urlsplit(url).hostname):
            if is_twilio_host(host):
                raise TwilioRefused(host)
    _real_putrequest(self, method, url, *args, **kwargs)


@functools.cache
def install() -> None:
    """Once: each library's last step before the network asks for the active mock first."""
    for cls, name, step in ((requests.adapters.HTTPAdapter, "send", _adapter_send),
                            (httpx.HTTPTransport, "handle_request", _handle),
                            (httpx.AsyncHTTPTransport, "handle_async_request", _handle_async),
                            (aiohttp.BaseConnector, "connect", _connect),
                            (http.client.HTTPConnection, "putrequest", _putrequest)):
        setattr(cls, name, step)

"""numberpool in-process: every ``twilio.rest.Client`` is served by a fresh numberpool in this process.

    import numberpool
    from twilio.rest import Client

    with numberpool.mock() as m:
        client = Client(m.account_sid, m.auth_token)          # or m.client()
        number = client.incoming_phone_numbers.create(area_code="415")

Inside a mock, the SDK's own HTTP clients (``TwilioHttpClient`` and ``AsyncTwilioHttpClient``)
hand each request for a ``*.twilio.com`` host (regional and edge forms included) to a numberpool
application in this process instead of the network: the same routing, authentication, rules,
errors and paging as the server, on a private SQLite store that disappears with the mock. A
request for a Twilio product numberpool does not serve answers 404 (20404): nothing leaves for
twilio.com. Requests to any other host (a numberpool server, through :func:`numberpool.client`)
go over the network as usual.

Inbound deliveries go over HTTP as in the server, or, after ``m.webhooks_to(app)``, to an
in-process ASGI or WSGI app (the user's FastAPI, Flask or Django app under test), signed alike.
"""

from __future__ import annotations

import asyncio
import base64
import functools
import inspect
import os
import secrets
import shutil
import tempfile
import threading
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self, TypeVar
from urllib.parse import urlencode, urlsplit

from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.http.http_client import TwilioHttpClient
from twilio.http.response import Response as TwilioResponse
from twilio.rest import Client

from numberpool.domain import errors
from numberpool.domain.sids import is_sid
from numberpool.http.app import App, create_app
from numberpool.http.request import Response as AppResponse
from numberpool.http.wire import error_body
from numberpool.webhooks.inprocess import InProcessTransport

if TYPE_CHECKING:
    import httpx

__all__ = ["Mock", "mock"]

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")
_PRODUCTS = ("api", "messaging", "trunking", "proxy")
_FORM = b"application/x-www-form-urlencoded"


@functools.cache
def _template(account_sid: str, auth_token: str) -> Path:
    """A migrated database holding only this main account, made once per process and account: a
    fresh mock copies the file (a fraction of a millisecond) instead of migrating and writing."""
    from numberpool.domain.accounts import Accounts
    from numberpool.store import migrate
    from numberpool.store.db import Database

    path = Path(tempfile.mkdtemp(prefix="numberpool-template-")) / "template.db"
    db = Database(f"sqlite:///{path}")
    try:
        migrate.upgrade(db)
        Accounts(db).ensure_main(account_sid, auth_token)
    finally:
        db.dispose()  # the last connection checkpoints the WAL into the file
    return path


@functools.cache
def _generated_account() -> tuple[str, str]:
    """The main account of the mocks that are given none: one per process, made at the first
    (each mock is fresh all the same: its own copy of a database holding only that account)."""
    return "AC" + secrets.token_hex(16), secrets.token_hex(16)


@functools.cache
def _generated_token(account_sid: str) -> str:
    return secrets.token_hex(16)


class Mock:
    """One in-process numberpool: a context manager, and a decorator (sync or async) that gives
    each call a fresh one. ``account_sid`` / ``auth_token`` are the main account's."""

    def __init__(self, account_sid: str | None = None, auth_token: str | None = None) -> None:
        self._sid = account_sid
        self._token = auth_token
        self.app: App | None = None
        self._dir: str | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread_loop: asyncio.AbstractEventLoop | None = None
        self._main = ("", "")

    # -- what a test uses -----------------------------------------------------------------------

    @property
    def account_sid(self) -> str:
        self._started()
        return self._main[0]

    @property
    def auth_token(self) -> str:
        self._started()
        return self._main[1]

    @property
    def db_url(self) -> str:
        """The private SQLite database's URL (for a test that looks at the tables themselves)."""
        return self._started().backend.db.url

    def client(self, **kwargs: Any) -> Client:
        """A ``twilio.rest.Client`` with the main account's credentials (served in-process)."""
        self._started()
        return Client(self.account_sid, self.auth_token, **kwargs)

    def webhooks_to(self, app: Any) -> None:
        """Send this mock's inbound deliveries to ``app`` (ASGI or WSGI) instead of the network."""
        inbound = self._started().backend.inbound
        inbound.transport = InProcessTransport(app, timeout=inbound.transport.timeout)

    # -- entering and leaving ---------------------------------------------------------------------

    def __enter__(self) -> Self:
        if self.app is not None:
            raise RuntimeError("this mock is already active")
        sid, token = self._sid, self._token
        if not sid:
            sid, token = os.environ.get("TWILIO_ACCOUNT_SID"), os.environ.get("TWILIO_AUTH_TOKEN")
        if not sid:
            sid, token = _generated_account()
        if not token:
            token = _generated_token(sid)
        if not is_sid(sid, "AC"):
            raise ValueError(f"the main account's SID must match ^AC[0-9a-fA-F]{{32}}$, not {sid!r}")
        self._dir = tempfile.mkdtemp(prefix="numberpool-mock-")
        db_path = Path(self._dir) / "numberpool.db"
        shutil.copyfile(_template(sid, token), db_path)
        self.app = create_app(f"sqlite:///{db_path}")  # with the response cache, as the server
        self._main = (sid, token)
        _install()
        _ACTIVE.append(self)
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        app, self.app = self.app, None
        if app is None:
            return
        _ACTIVE.remove(self)
        loop, self._loop = self._loop, None
        if loop is not None:
            loop.run_until_complete(app.backend.inbound.close())
            loop.close()
        thread_loop, self._thread_loop = self._thread_loop, None
        if thread_loop is not None:
            thread_loop.call_soon_threadsafe(thread_loop.stop)
        app.backend.db.dispose()
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)

    def __call__(self, fn: F) -> F:
        """As a decorator: each call of ``fn`` runs inside a fresh mock with these settings."""
        if inspect.iscoroutinefunction(fn):
            @functools.wraps(fn)
            async def run_async(*args: Any, **kwargs: Any) -> Any:
                with Mock(self._sid, self._token):
                    return await fn(*args, **kwargs)
            return run_async  # type: ignore[return-value]

        @functools.wraps(fn)
        def run(*args: Any, **kwargs: Any) -> Any:
            with Mock(self._sid, self._token):
                return fn(*args, **kwargs)
        return run  # type: ignore[return-value]

    # -- serving a request ------------------------------------------------------------------------

    def _started(self) -> App:
        if self.app is None:
            raise RuntimeError("the mock is not active: use it in a with block or as a decorator")
        return self.app

    def serve(self, method: str, url: str, params: Any, data: Any, headers: Any, auth: Any) -> TwilioResponse | None:
        """The SDK request as a coroutine's result, run on a loop of this mock; None when the URL
        is not Twilio's (it goes over the network)."""
        scope_body = _scope(method, url, params, data, headers, auth)
        if scope_body is None:
            return None
        if isinstance(scope_body, TwilioResponse):
            return scope_body
        now = self._started().handle_now(*scope_body)  # most requests: answered with no event loop
        if now is not None:
            return _twilio_response(now)
        return self._run(self._handle(*scope_body))

    def _run(self, coro: Coroutine[Any, Any, T]) -> T:
        """``coro``'s result, from sync code: on this mock's loop, or on its own thread's loop when
        the caller is sync code inside a running loop (a sync client in an async test)."""
        try:
            asyncio.get_running_loop()
        except RuntimeError:  # the common case: a sync test, no loop running in this thread
            if self._loop is None:
                self._loop = asyncio.new_event_loop()
            return self._loop.run_until_complete(coro)
        return asyncio.run_coroutine_threadsafe(coro, self._background_loop()).result()

    def http(self, **kwargs: Any) -> httpx.Client:
        """An ``httpx.Client`` whose every request is served by this mock's whole ASGI app (any
        host; ``base_url`` defaults to ``https://api.twilio.com``), with the main account's
        credentials unless ``auth`` is given: raw HTTP for what no SDK sends."""
        import httpx

        from numberpool.webhooks.inprocess import SyncASGITransport

        kwargs.setdefault("base_url", "https://api.twilio.com")
        kwargs.setdefault("auth", (self.account_sid, self.auth_token))
        return httpx.Client(transport=SyncASGITransport(self._started(), self._run), **kwargs)

    async def _handle(self, scope: dict[str, Any], body: bytes) -> TwilioResponse:
        return _twilio_response(await self._started().handle(scope, body))

    def _background_loop(self) -> asyncio.AbstractEventLoop:
        if self._thread_loop is None:
            loop = asyncio.new_event_loop()
            threading.Thread(target=loop.run_forever, name="numberpool-mock", daemon=True).start()
            self._thread_loop = loop
        return self._thread_loop


def _twilio_response(response: AppResponse) -> TwilioResponse:
    headers = {name.decode("latin-1"): value.decode("latin-1") for name, value in response.headers}
    if response.body:
        headers.setdefault("content-type", "application/json; charset=utf-8")
    return TwilioResponse(response.status, response.body.decode("utf-8"), headers)


def mock(account_sid: str | None = None, auth_token: str | None = None) -> Mock:
    """A fresh in-process numberpool (see the module's documentation). The main account is
    ``account_sid``/``auth_token``, else ``TWILIO_ACCOUNT_SID``/``TWILIO_AUTH_TOKEN`` from the
    environment, else one generated once per process."""
    return Mock(account_sid, auth_token)


@functools.lru_cache(maxsize=64)
def _basic(username: str, password: str) -> bytes:
    return b"Basic " + base64.b64encode(f"{username}:{password}".encode())


def _scope(
    method: str, url: str, params: Any, data: Any, headers: Any, auth: Any,
) -> tuple[dict[str, Any], bytes] | TwilioResponse | None:
    """The ASGI scope and body of an SDK request for a Twilio host; a 404 answer for a Twilio
    product numberpool does not serve (never the network); None for any other host."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if not (host == "twilio.com" or host.endswith(".twilio.com")):
        return None
    label = host.split(".", 1)[0]
    path = parts.path
    if label not in _PRODUCTS:
        err = errors.product_not_served(host)
        return TwilioResponse(err.status, error_body(err).decode(), {"content-type": "application/json"})
    if label != "api" and not path.startswith(f"/{label}/"):
        path = f"/{label}{path}"  # v1 products: under their prefix, whatever the host's region or edge
    query = parts.query
    if params:
        query = "&".join(q for q in (query, urlencode(params, doseq=True)) if q)
    raw_headers: list[tuple[bytes, bytes]] = [(b"host", parts.netloc.encode("idna"))]
    if auth is not None:
        raw_headers.append((b"authorization", _basic(auth[0], auth[1])))
    body = b""
    if data:
        body = urlencode(data, doseq=True).encode()
        raw_headers.append((b"content-type", _FORM))
    # The SDK's other headers (User-Agent, Accept, X-Twilio-Client) change no answer: not passed.
    scope = {"type": "http", "method": method.upper(), "path": path, "query_string": query.encode(),
             "headers": raw_headers, "scheme": "https"}
    return scope, body


_ACTIVE: list[Mock] = []  # innermost last
_real_request = TwilioHttpClient.request
_real_async_request = AsyncTwilioHttpClient.request


def _active() -> Mock | None:
    return _ACTIVE[-1] if _ACTIVE else None


def _patched_request(self: TwilioHttpClient, method: str, url: str, params: Any = None, data: Any = None,
                     headers: Any = None, auth: Any = None, timeout: Any = None, allow_redirects: bool = False) -> Any:
    m = _active()
    answer = m.serve(method, url, params, data, headers, auth) if m is not None else None
    if answer is None:
        return _real_request(self, method, url, params, data, headers, auth, timeout, allow_redirects)
    self._test_only_last_response = answer
    return answer


async def _patched_async_request(self: AsyncTwilioHttpClient, method: str, url: str, params: Any = None,
                                 data: Any = None, headers: Any = None, auth: Any = None, timeout: Any = None,
                                 allow_redirects: bool = False) -> Any:
    m = _active()
    scope_body = _scope(method, url, params, data, headers, auth) if m is not None else None
    if m is None or scope_body is None:
        return await _real_async_request(self, method, url, params, data, headers, auth, timeout, allow_redirects)
    if isinstance(scope_body, TwilioResponse):
        return scope_body
    return await m._handle(*scope_body)


def _install() -> None:
    """From the first mock on, the SDK's clients ask for the innermost active mock (and go to
    the network as before when there is none)."""
    TwilioHttpClient.request = _patched_request
    AsyncTwilioHttpClient.request = _patched_async_request

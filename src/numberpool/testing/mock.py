"""numberpool in-process: every ``twilio.rest.Client`` is served by a fresh numberpool in this process.

    import numberpool
    from twilio.rest import Client

    with numberpool.mock() as m:
        client = Client(m.account_sid, m.auth_token)          # or m.client()
        number = client.incoming_phone_numbers.create(area_code="415")

Inside a mock, every request for a ``*.twilio.com`` host (regional and edge forms included) is
handed to a numberpool application in this process instead of the network: the same routing,
authentication, rules, errors and paging as the server, on a private SQLite store that disappears
with the mock. The SDK's own clients are served, and so is any client built on ``requests`` or
``httpx`` (twilio's ``ValidationClient``, an ``HttpClient`` of one's own); one built on
``aiohttp`` or ``urllib`` is refused before it connects. A request for a Twilio product numberpool
does not serve answers 404 (20404). Nothing leaves for twilio.com, whatever credentials the mock
took from the environment. Requests to any other host (a numberpool server, through
:func:`numberpool.client`) go over the network as usual. The innermost mock entered in the
current context serves (each asyncio task has its own), else the innermost active in the process
(a thread started inside a mock); :mod:`numberpool.testing.intercept` says how.

Inbound deliveries go over HTTP as in the server, or, after ``m.webhooks_to(app)``, to an
in-process ASGI or WSGI app (the user's FastAPI, Flask or Django app under test), signed alike.

Nothing outlives the mock. Its event loops (one for sync callers, made on first need, and one on a
thread for sync code called inside a running loop) are shut down when it stops, closing the
webhook clients made on them, and the thread is joined. A webhook client made on a loop of the
caller's (async code) is closed when the mock stops on that loop, else at that loop's shutdown
(``asyncio.run``'s end). Its folder is removed, at exit too for a mock never stopped.
"""

from __future__ import annotations

import asyncio
import atexit
import functools
import inspect
import secrets
import shutil
import tempfile
import threading
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self, TypeVar

from twilio.http.response import Response as TwilioResponse
from twilio.rest import Client

from numberpool.domain import clock
from numberpool.domain.sids import is_sid
from numberpool.http.app import App, create_app
from numberpool.http.request import Response as AppResponse
from numberpool.sdk.settings import credentials
from numberpool.testing import intercept
from numberpool.testing.intercept import Scope
from numberpool.testing.intercept import active as _active  # noqa: F401 - numberpool.sdk.inbound asks it
from numberpool.testing.transports import InProcessTransport

if TYPE_CHECKING:
    import httpx

    from numberpool.domain.inbound import Transport

__all__ = ["Mock", "mock"]

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")


@functools.lru_cache(maxsize=16)
def _template(account_sid: str, auth_token: str) -> bytes:
    """A migrated database holding only this main account, made once per process and account (the
    last 16 kept): a fresh mock writes these bytes to its own file (a fraction of a millisecond)
    instead of migrating. Kept in memory, so the folder it was made in is gone at once."""
    from numberpool.domain.accounts import Accounts
    from numberpool.store import migrate
    from numberpool.store.db import Database

    with tempfile.TemporaryDirectory(prefix="numberpool-template-") as folder:
        path = Path(folder) / "template.db"
        db = Database(f"sqlite:///{path}")
        try:
            migrate.upgrade(db)
            Accounts(db).ensure_main(account_sid, auth_token)
        finally:
            db.dispose()  # the last connection checkpoints the WAL into the file
        return path.read_bytes()


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
        self._main = ("", "")
        self._transports: list[Transport] = []  # every webhook transport of this mock, the one in use last
        self._runner: asyncio.Runner | None = None  # the loop sync callers' coroutines run on
        self._runner_free = threading.Lock()  # held while a thread runs that loop
        self._background: tuple[asyncio.AbstractEventLoop, threading.Thread] | None = None
        self._background_lock = threading.Lock()

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
        """Send this mock's inbound deliveries to ``app`` (ASGI or WSGI) instead of the network. The
        transport it replaces, which a delivery under way may still be using, closes when the mock stops."""
        inbound = self._started().backend.inbound
        inbound.transport = InProcessTransport(app, timeout=inbound.transport.timeout)
        self._transports.append(inbound.transport)

    def settle(self, timeout: float = 60.0) -> None:
        """Wait until every message and call this mock was asked to send or place has reached its
        final status (a call waiting on the server clock aside) and its status callbacks have been
        answered (``POST /numberpool/v1/Settle``, on every account).
        TimeoutError naming what is still pending after ``timeout`` seconds."""
        backend = self._started().backend
        everyone = [a.sid for a in _all_accounts(backend)]
        future = asyncio.run_coroutine_threadsafe(backend.sending.settle(everyone, timeout), self._background_loop())
        left = future.result()
        if left:
            raise TimeoutError(f"{len(left)} message(s) or call(s) still pending after {timeout:g} s: "
                               + ", ".join(row.message_sid for row in left[:10]))

    def messages(self, *, to: str | None = None, from_: str | None = None, body_contains: str | None = None,
                 status: str | None = None, direction: str | None = None) -> list[dict[str, Any]]:
        """Every message of the main account and its subaccounts matching the filters, newest first,
        as ``GET /numberpool/v1/Messages`` gives them (Twilio's fields, ``selection``, ``deliveries``)."""
        return self._every("messages", {"To": to, "From": from_, "Body": body_contains, "Status": status,
                                        "Direction": direction})

    def calls(self, *, to: str | None = None, from_: str | None = None, status: str | None = None,
              direction: str | None = None, parent_call_sid: str | None = None) -> list[dict[str, Any]]:
        """Every call leg of the main account and its subaccounts matching the filters, newest
        first, as ``GET /numberpool/v1/Calls`` gives them (Twilio's fields, ``verbs``: what the
        TwiML did, ``deliveries``: every request made for the call). ``settle()`` first to see
        calls placed so far at their end."""
        return self._every("calls", {"To": to, "From": from_, "Status": status, "Direction": direction,
                                     "ParentCallSid": parent_call_sid})

    def _every(self, key: str, filters: dict[str, str | None]) -> list[dict[str, Any]]:
        """Every page of ``/numberpool/v1/{Key}`` with ``filters`` (None: not sent)."""
        params = {k: v for k, v in filters.items() if v is not None}
        first = f"/numberpool/v1/{key.capitalize()}"
        found: list[dict[str, Any]] = []
        with self.http() as h:
            url: str | None = first
            while url is not None:
                r = h.get(url, params=params if url == first else None)
                r.raise_for_status()
                page = r.json()
                found += page[key]
                url = page["meta"]["next_page_url"]
        return found

    # -- entering and leaving ---------------------------------------------------------------------

    def __enter__(self) -> Self:
        if self.app is not None:
            raise RuntimeError("this mock is already active")
        sid, token = self._sid, self._token
        if not sid:
            sid, token = credentials()
        if not sid:
            sid, token = _generated_account()
        if not token:
            token = _generated_token(sid)
        if not is_sid(sid, "AC"):
            raise ValueError(f"the main account's SID must match ^AC[0-9a-fA-F]{{32}}$, not {sid!r}")
        template = _template(sid, token)
        self._dir = tempfile.mkdtemp(prefix="numberpool-mock-")
        self._clock_before = clock.offset_ms()  # put back when the mock stops: its advances are its own
        try:
            db_path = Path(self._dir) / "numberpool.db"
            db_path.write_bytes(template)
            self.app = create_app(f"sqlite:///{db_path}")  # with the response cache, as the server
        except BaseException:
            shutil.rmtree(self._dir, ignore_errors=True)
            raise
        self._main = (sid, token)
        self._transports = [self.app.backend.inbound.transport]
        # Messages are delivered on the mock's background thread: a sync test runs no loop, and a
        # status callback handler given to webhooks_to may call the SDK back (the same mock).
        self.app.backend.sending.home = self._background_loop
        self.app.backend.sending.follow_clock = False  # no other process writes this database
        _install()
        intercept.enter(self)
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        """Leave the mock: its loops shut down, its webhook clients closed, its database and folder gone."""
        app, self.app = self.app, None
        if app is None:
            return
        intercept.leave(self)
        self._close_loops()
        here = _running_loop()
        if here is not None:  # stopped inside async code: the clients made on its loop close there
            for transport in self._transports:
                _soon(here, transport.close())
        self._transports = []
        app.backend.db.dispose()
        clock.set_offset_ms(self._clock_before)
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
        """The answer to an SDK request; None when the URL is not Twilio's (it goes over the network)."""
        routed = intercept.sdk_request(method, url, params, data, auth)
        if routed is None:
            return None
        return intercept.twilio_response(routed if isinstance(routed, AppResponse) else self._answer(*routed))

    def _answer(self, scope: Scope, body: bytes) -> AppResponse:
        """From sync code: most requests are answered with no event loop, the others on a loop of this mock."""
        app = self._started()
        now = app.handle_now(scope, body)
        return now if now is not None else self._run(app.handle(scope, body))

    async def _answer_async(self, scope: Scope, body: bytes) -> AppResponse:
        return await self._started().handle(scope, body)

    def _run(self, coro: Coroutine[Any, Any, T]) -> T:
        """``coro``'s result, from sync code: on this mock's loop; on its background loop when a loop
        already runs in this thread (a sync client in async code, or in a webhook this mock is
        delivering) or another thread is running the mock's loop."""
        if _running_loop() is None and self._runner_free.acquire(blocking=False):
            try:
                if self._runner is None:
                    self._runner = asyncio.Runner(loop_factory=asyncio.new_event_loop)
                return self._runner.get_loop().run_until_complete(coro)
            finally:
                self._runner_free.release()
        return asyncio.run_coroutine_threadsafe(coro, self._background_loop()).result()

    def http(self, **kwargs: Any) -> httpx.Client:
        """An ``httpx.Client`` whose every request is served by this mock's whole ASGI app (any
        host; ``base_url`` defaults to ``https://api.twilio.com``), with the main account's
        credentials unless ``auth`` is given: raw HTTP for what no SDK sends."""
        import httpx

        from numberpool.testing.transports import SyncASGITransport

        kwargs.setdefault("base_url", "https://api.twilio.com")
        kwargs.setdefault("auth", (self.account_sid, self.auth_token))
        return httpx.Client(transport=SyncASGITransport(self._started(), self._run), **kwargs)

    def _background_loop(self) -> asyncio.AbstractEventLoop:
        with self._background_lock:
            if self._background is None:
                runner = asyncio.Runner(loop_factory=asyncio.new_event_loop)
                thread = threading.Thread(target=_run_forever, args=(runner,), name="numberpool-mock", daemon=True)
                self._background = (runner.get_loop(), thread)
                thread.start()
            return self._background[0]

    def _close_loops(self) -> None:
        """Shut this mock's loops down as ``asyncio.Runner`` does (tasks cancelled, async generators
        closed, and with them the webhook clients made on the loop), and join the background thread."""
        background, self._background = self._background, None
        if background is not None:
            loop, thread = background
            loop.call_soon_threadsafe(loop.stop)
            thread.join()
        runner, self._runner = self._runner, None
        if runner is None:
            return
        if _running_loop() is None:
            runner.close()
            return
        closing = threading.Thread(target=runner.close, name="numberpool-mock-stop")  # no loop may run here
        closing.start()
        closing.join()


def _all_accounts(backend: Any) -> list[Any]:
    from sqlalchemy import select

    from numberpool.store.schema import accounts

    with backend.db.read() as conn:
        return list(conn.execute(select(accounts.c.sid)))


def _run_forever(runner: asyncio.Runner) -> None:
    """The background loop's thread: it runs until the mock stops it, then shuts down."""
    try:
        runner.get_loop().run_forever()
    finally:
        runner.close()


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


_CLOSING: set[asyncio.Task[None]] = set()  # held until done: the loop keeps only weak references


def _soon(loop: asyncio.AbstractEventLoop, coro: Coroutine[Any, Any, None]) -> None:
    task = loop.create_task(coro)
    _CLOSING.add(task)
    task.add_done_callback(_CLOSING.discard)


def mock(account_sid: str | None = None, auth_token: str | None = None) -> Mock:
    """A fresh in-process numberpool (see the module's documentation). The main account is
    ``account_sid``/``auth_token``, else ``TWILIO_ACCOUNT_SID``/``TWILIO_AUTH_TOKEN`` from the
    environment, else one generated once per process."""
    return Mock(account_sid, auth_token)


def _install() -> None:
    """At every mock, as before: the SDK's clients ask for the active mock. Once: so do the
    libraries other clients send with, and a mock still active at exit is stopped."""
    intercept.install_sdk()
    _install_once()


@functools.cache
def _install_once() -> None:
    intercept.install()
    atexit.register(intercept.stop_all)

"""The ASGI application: product routing by path prefix or Host, auth, and Twilio errors.

Handlers are plain functions: the database calls they make are short indexed
statements, so they run on the event loop without a thread hop.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from numberpool.domain import errors
from numberpool.domain.backend import Backend
from numberpool.domain.errors import TwilioError
from numberpool.domain.pools.base import PoolLimits
from numberpool.http import hosts, representations
from numberpool.http.access_log import CALLER as _CALLER
from numberpool.http.access_log import write as _log_access
from numberpool.http.asgi import (
    DISCONNECTED,
    MAX_BODY,
    ASGIApp,
    Receive,
    Scope,
    Send,
    basic_credentials,
    content_length,
    decode_qs,
    has_body,
    read_body,
    send_response,
)
from numberpool.http.cache import Key, ResponseCache
from numberpool.http.hosts import FORWARDED_HEADERS
from numberpool.http.request import Request, Response
from numberpool.http.router import Router
from numberpool.http.wire import dumps, error_body
from numberpool.products import api2010, control, messaging, proxy, trunking
from numberpool.store.changes import SnapshotWatch
from numberpool.store.db import Database
from numberpool.store.deadline import Limits as DatabaseLimits
from numberpool.store.errors import ConstraintViolation, busy, unavailable
from numberpool.store.offload import Offload, WaitedTooLong, run_inline
from numberpool.store.onloop import NeedsThread
from numberpool.store.snapshot import SnapshotReader
from numberpool.version import __version__
from numberpool.webhooks.http import HttpTransport

log = logging.getLogger("numberpool")


V1_PRODUCTS = ("messaging", "trunking", "proxy")
LOCK_WAIT = 15.0  # seconds a write may wait for another process's SQLite write lock before a 503
_AUTH_CHALLENGE = (b"www-authenticate", b'Basic realm="Twilio API"')
HEALTH_PATH = "/numberpool/health"
HEALTH_TIMEOUT = 2.0  # seconds the database has to answer a health check before it counts as unreachable
STATE_PATH = "/numberpool/v1/State"
_DATABASE_ONLY = "numberpool.database_only"  # scope key: the handler is marked router.database_only
MAX_STATE_BODY = 32 << 20  # a state document may be larger than any form


def _product(path: str, host: str) -> tuple[str, str, str] | None:
    """``(product, path within the product, URL prefix)`` for a request path, or None."""
    if path.startswith("/2010-04-01/"):
        return "api", path, ""
    if path.startswith("/numberpool/v1/"):  # numberpool's own API, beside Twilio's
        return "numberpool", path[len("/numberpool") :], "/numberpool"
    for name in V1_PRODUCTS:
        prefix = "/" + name
        if path.startswith(prefix + "/v1/"):
            return name, path[len(prefix) :], prefix
    if path.startswith("/v1/"):
        label = host.split(".", 1)[0].split(":", 1)[0].lower()
        if label in V1_PRODUCTS:
            return label, path, ""
    return None


ConsoleFactory = Callable[["App"], ASGIApp]
"""Makes the app mounted at ``/console`` (the server passes the console's; the HTTP layer knows none)."""


class App:
    def __init__(
        self, backend: Backend, cache: ResponseCache | None = None, trusted: hosts.TrustedProxies | None = None,
        *, access_log: bool = False, console: ConsoleFactory | None = None,
    ) -> None:
        self.backend = backend
        # A line per request on standard output, or nothing at all: the logging wrapper is in the
        # request's path only when the log is on.
        self._serve_http = self._logged_http if access_log else self._http
        self._console_factory = console  # called on the first /console request: start-up stays short
        self.console: ASGIApp | None = None
        self.cache = cache
        self.trusted = trusted  # proxies whose X-Forwarded-* / Forwarded headers are believed
        self.routers: dict[str, Router] = {
            "api": api2010.router(backend),
            "messaging": messaging.router(backend),
            "trunking": trunking.router(backend),
            "proxy": proxy.router(backend),
            "numberpool": control.router(backend),
        }

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "http":
            await self._serve_http(scope, receive, send)
        elif kind == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await self.backend.sending.recover()  # work left pending by an earlier run is taken up
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await self.backend.sending.close()
                    await self.backend.inbound.close()
                    self.backend.db.dispose()
                    await send({"type": "lifespan.shutdown.complete"})
                    return

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope["path"]
        if path.startswith("/console") and (len(path) == 8 or path[8] == "/") and self._console_factory is not None:
            await self._console(self._console_factory)(scope, receive, send)
            return
        if path == HEALTH_PATH:  # before the cache: its answer is about now
            await send_response(send, await self._health(scope["method"]))
            return
        cache = self.cache
        if scope["method"] == "GET" and not has_body(scope["headers"]):
            offload = self.backend.db.offload
            if offload is None:
                if cache is not None:
                    await self._cached_get(cache, scope, send)
                    return
            else:
                watch = self.backend.db.change_watch()
                if isinstance(watch, SnapshotWatch) and watch.reader is not None:
                    await send_response(send, await self._snapshot_get(offload, watch, watch.reader, scope))
                    return
        body = b""
        if scope["method"] == "POST" or has_body(scope["headers"]):
            refused = await self._body_refused(scope, path)
            if refused is not None:  # answered before a byte of the body is read
                await send_response(send, refused)
                return
            body = await read_body(receive, MAX_STATE_BODY if path == STATE_PATH else MAX_BODY)
            if body is DISCONNECTED:
                return  # the client is gone: nobody to answer
        if body is None:
            response = self._error(errors.body_too_large(), scope)
        else:
            response = await self.handle(scope, body)
        await send_response(send, response)

    async def _body_refused(self, scope: Scope, path: str) -> Response | None:
        """The answer to a request whose body is not worth reading: more than the path's limit
        announced (413), or a state document (the one large allowance) from a caller who is not
        authenticated (401). Nothing is read before either is decided."""
        limit = MAX_BODY
        if path == STATE_PATH:
            authorization = next((v for n, v in scope["headers"] if n == b"authorization"), b"")
            try:
                await self.backend.db.call(self.backend.accounts.authenticate, *basic_credentials(authorization))
            except TwilioError as exc:
                return self._error(exc, scope)
            except Exception as exc:  # noqa: BLE001 - a database that cannot answer is a 503, anything else a 500
                return self._failure(exc, scope) or self._error(errors.database_unavailable(), scope)
            limit = MAX_STATE_BODY
        announced = content_length(scope["headers"])
        if announced is not None and announced > limit:
            return self._error(errors.body_too_large(), scope)
        return None

    async def _logged_http(self, scope: Scope, receive: Receive, send: Send) -> None:
        """``_http``, then the request's line in the access log."""
        started = time.perf_counter()
        status = 0

        async def sending(message: MutableMapping[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self._http(scope, receive, sending)
        finally:
            _log_access(scope, status, started)

    async def _health(self, method: str) -> Response:
        """``GET /numberpool/health``, without credentials: 200 while the database answers within
        HEALTH_TIMEOUT seconds, else 503 (the check waits in a thread: the worker goes on serving)."""
        if method != "GET":
            return self._error(errors.method_not_allowed(method, HEALTH_PATH))
        db = self.backend.db
        try:
            up = await asyncio.wait_for(asyncio.to_thread(db.reachable), HEALTH_TIMEOUT)
        except TimeoutError:
            up = False
        status, answer = (200, "ok") if up else (503, "unavailable")
        body = {"status": answer, "version": __version__, "database": "sqlite" if db.is_sqlite else "postgresql"}
        return Response(status, dumps(body))

    def _console(self, factory: ConsoleFactory) -> ASGIApp:
        """The app mounted at /console, made on first use."""
        if self.console is None:
            self.console = factory(self)
        return self.console

    def _trusted_client(self, scope: Scope) -> bool:
        client = scope.get("client")
        return self.trusted is not None and self.trusted.trusts(client[0] if client else None)

    async def _cached_get(self, cache: ResponseCache, scope: Scope, send: Send) -> None:
        key, stamp, response = self._cached(cache, scope)
        if response is None:
            response = await self.handle(scope, b"")
            cache.put(stamp, key, response)
        await send_response(send, response)

    def _cached(self, cache: ResponseCache, scope: Scope) -> tuple[Key, bytes | None, Response | None]:
        """A GET's cache key, the database's stamp now (None: do not cache), and the stored answer."""
        key = self._cache_key(scope)
        stamp = cache.current()
        return key, stamp, cache.get(key, stamp) if stamp is not None else None

    def _cache_key(self, scope: Scope) -> Key:
        host = authorization = forwarded = b""
        for name, value in scope["headers"]:
            if name == b"host":
                host = value
            elif name == b"authorization":
                authorization = value
            elif name in FORWARDED_HEADERS and self.trusted is not None:
                forwarded += name + b"=" + value + b"\n"  # part of the key: the answer's URLs depend on it
        if forwarded:
            host += b"\n" + forwarded + (b"trusted" if self._trusted_client(scope) else b"")
        return (scope["path"], scope.get("query_string", b""), authorization, host, scope.get("scheme", "http"))

    async def handle(self, scope: Scope, body: bytes) -> Response:
        """The response to one request; a request that found SQLite's write lock taken by another
        process is run again once the lock may be free, waiting on the event loop (so the
        worker's other requests go on) for at most LOCK_WAIT seconds. Safe because a handler
        commits at most once, and a busy database refuses before anything is written."""
        offload = self.backend.db.offload
        if offload is not None:
            return await self._handle_offloaded(offload, scope, body)
        delay, deadline = 0.001, 0.0
        while True:
            try:
                response = self._dispatch(scope, body)
                if not isinstance(response, Response):  # an async handler
                    response = await response
                return self._represent(scope, response)
            except Exception as exc:  # noqa: BLE001 - every failure becomes Twilio's error body
                answer = self._failure(exc, scope)
                if answer is not None:
                    return answer
                now = time.monotonic()  # SQLite's write lock is another process's: wait and run again
                deadline = deadline or now + LOCK_WAIT
                if now >= deadline:
                    log.error("database busy for %.0f s", LOCK_WAIT)
                    return self._error(errors.database_unavailable(), scope)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 0.05)

    async def _handle_offloaded(self, offload: Offload, scope: Scope, body: bytes) -> Response:
        """PostgreSQL: the request's database work (authentication, the handler) on the request
        threads, the event loop free meanwhile; an async handler's own waits are offloaded by the
        store (``Database.call``). Bounded as a whole by the deadline (``store.offload``)."""
        return await self._answer(scope, offload.request(self._pinned, scope, body))

    async def _answer(self, scope: Scope, work: Awaitable[tuple[Response | Awaitable[Response], bool]]) -> Response:
        """The response of a request's offloaded work (``_pinned``'s answer: an async handler's
        still awaited here, on the loop), represented; every failure as Twilio's error body."""
        try:
            response, represented = await work
            if not isinstance(response, Response):  # an async handler
                response = await response
            return response if represented else self._represent(scope, response)
        except Exception as exc:  # noqa: BLE001 - every failure becomes Twilio's error body
            return self._failure(exc, scope) or self._error(errors.database_unavailable(), scope)

    async def _snapshot_get(self, offload: Offload, watch: SnapshotWatch, reader: SnapshotReader,
                            scope: Scope) -> Response:
        """A GET on PostgreSQL: the database's snapshot read on the event loop, in a round trip
        shared with the requests that arrived meanwhile (``store.snapshot``), as this request's
        change stamp; a stored answer for it is served here, without a thread or a connection;
        otherwise the request runs with that stamp (``_read``). The stamp's wait counts against
        the request's bound."""
        began = time.monotonic()
        try:
            stamp = await reader.read()
        except Exception as exc:  # noqa: BLE001 - every failure becomes Twilio's error body
            return self._failure(exc, scope) or self._error(errors.database_unavailable(), scope)
        cache = self.cache
        if cache is not None and cache.at(stamp) is not None:
            stored = cache.get(self._cache_key(scope), stamp)
            if stored is not None:
                return stored
        return await self._answer(scope, self._read(offload, scope, stamp, began))

    async def _read(self, offload: Offload, scope: Scope, stamp: bytes,
                    began: float) -> tuple[Response | Awaitable[Response], bool]:
        """A GET's work with its stamp: on the event loop, in a greenlet (``store.onloop``), or on a
        request thread when it needs one (a transaction, or every loop connection lent); within
        the request's bound either way."""
        db = self.backend.db
        if db.loop_connections:
            bound = offload.bound
            try:
                async with asyncio.timeout(None if bound is None else bound - (time.monotonic() - began)):
                    return await db.on_loop(self._pinned, scope, b"", stamp)
            except NeedsThread:
                pass
            except TimeoutError:
                if bound is None:
                    raise
                raise WaitedTooLong(bound) from None
        return await offload.request(self._pinned, scope, b"", stamp, began=began)

    def _pinned(self, scope: Scope, body: bytes, stamp: bytes | None = None) -> tuple[Response | Awaitable[Response], bool]:
        """On a request thread or in a greenlet on the loop (PostgreSQL): for a GET, the database's
        snapshot as the change stamp of this request (``stamp``, read on the event loop after the
        request arrived, or read here once: ``store.changes.SnapshotWatch``), then ``handle_now``:
        the response cache and the credential cache, as on SQLite; ``True``: already represented."""
        watch = self.backend.db.change_watch()
        if isinstance(watch, SnapshotWatch) and scope["method"] == "GET" and not body:
            with watch.pinned(stamp):
                response = self.handle_now(scope, body)
            if response is not None:
                return response, True
        # A write reads no stamp (it moves it: reading it would cost a round trip for nothing).
        return self._completed(scope, self._dispatch(scope, body)), False

    def _completed(self, scope: Scope, answer: Response | Awaitable[Response]) -> Response | Awaitable[Response]:
        """On a request thread: a database-only async handler run to its end here (its database
        waits inline: ``store.offload.inline``), in the request's one hop; any other one is left
        to the event loop (an inbound event waits on webhooks, which must not hold a thread)."""
        if isinstance(answer, Response) or not scope.get(_DATABASE_ONLY):
            return answer
        return run_inline(answer)  # type: ignore[arg-type]

    def handle_now(self, scope: Scope, body: bytes) -> Response | None:
        """The response when the handler answers without waiting for anything; None when the
        request needs the event loop (an async handler, or a busy database): then ``handle`` it.
        The in-process mode serves sync SDK calls through here, with no loop at all, and a GET
        through the response cache as the server does."""
        cache = self.cache
        if cache is None or scope["method"] != "GET" or body:
            return self._respond_now(scope, body)
        key, stamp, response = self._cached(cache, scope)
        if response is None:
            response = self._respond_now(scope, body)
            if response is not None:
                cache.put(stamp, key, response)
        return response

    def _respond_now(self, scope: Scope, body: bytes) -> Response | None:
        try:
            response = self._dispatch(scope, body)
        except Exception as exc:  # noqa: BLE001 - as in handle
            return self._failure(exc, scope)
        if isinstance(response, Response):
            return self._represent(scope, response)
        if hasattr(response, "close"):
            response.close()  # an async handler's coroutine, not started: nothing ran, nothing to undo
        return None

    def _failure(self, exc: Exception, scope: Scope) -> Response | None:
        """The error response for a failed request; None for a busy SQLite (run the request again)."""
        if isinstance(exc, TwilioError):
            return self._error(exc.for_path(scope["path"]), scope)
        if unavailable(exc):
            if busy(exc):
                return None
            # One line, no traceback: a stalled database fails every request at once, and the log
            # is written on the event loop.
            log.error("database unavailable: %s", _one_line(exc))
            return self._error(errors.database_unavailable(), scope)
        if isinstance(exc, ConstraintViolation):  # a rule the database keeps, broken by a race the domain did not foresee
            log.error("constraint violation", exc_info=exc)
            return self._error(errors.concurrent_change(), scope)
        log.error("unhandled error", exc_info=exc)
        return self._error(errors.internal_error(), scope)

    @staticmethod
    def _error(err: TwilioError, scope: Scope | None = None) -> Response:
        headers = [_AUTH_CHALLENGE] if err.status == 401 and err.code == 20003 else []
        if scope is not None and representations.kind_of(scope) == representations.XML:
            return Response(err.status, representations.error_xml(err), headers, representations.CONTENT_TYPES["xml"])
        return Response(err.status, error_body(err), headers)

    @staticmethod
    def _represent(scope: Scope, response: Response) -> Response:
        """A 2010-04-01 answer in the representation its path asked for (the handler made JSON)."""
        kind = scope.get(representations.REPRESENTATION)
        if kind is None or not response.body or response.status >= 400:
            return response
        if kind == representations.XML:
            name = representations.resource_name(scope.get(representations.OPERATION, ""))
            extension = ".xml" if scope["path"].endswith(".xml") else ""
            body = representations.to_xml(response.body, name, extension)
        else:
            body = representations.to_csv(response.body)
        return Response(response.status, body, response.headers, representations.CONTENT_TYPES[kind])

    def _dispatch(self, scope: Scope, body: bytes) -> Response | Awaitable[Response]:
        path: str = scope["path"]
        host = ""
        authorization = b""
        content_type = b""
        forwarded: dict[bytes, bytes] = {}
        for name, value in scope["headers"]:
            if name == b"host":
                host = value.decode("latin-1")
            elif name == b"authorization":
                authorization = value
            elif name == b"content-type":
                content_type = value
            elif name in FORWARDED_HEADERS:
                forwarded[name] = value
        if forwarded and not self._trusted_client(scope):
            forwarded.clear()
        origin = hosts.origin(scope.get("scheme", "http"), host, forwarded)
        found = _product(path, origin.partition("://")[2]) if "\x00" not in path else None
        if found is None:
            raise errors.not_found()
        product, inner, prefix = found
        if product == "api":  # .json, .xml, .csv or no extension (XML): routed by the JSON path
            inner, wanted = representations.routed(inner)
            if wanted != representations.JSON:
                scope[representations.REPRESENTATION] = wanted
        matched = self.routers[product].match(inner)
        if matched is None:
            raise errors.not_found()
        methods, args = matched
        caller = self.backend.accounts.authenticate(*basic_credentials(authorization))
        scope[_CALLER] = caller.sid
        handler = methods.get(scope["method"])
        if handler is None:
            raise errors.method_not_allowed(scope["method"], path)
        if representations.REPRESENTATION in scope:
            scope[representations.OPERATION] = self.routers[product].names.get(handler, "")
        if getattr(handler, "database_only", False):
            scope[_DATABASE_ONLY] = True
        query = dict(decode_qs(scope.get("query_string", b""), "query string"))
        pairs: list[tuple[str, str]] = []
        raw = b""  # the body itself, for the handlers that take JSON (router.json_body)
        if body:
            kind = content_type.split(b";", 1)[0].strip().lower()
            if kind == b"application/x-www-form-urlencoded":
                pairs = decode_qs(body, "request body")
            elif getattr(handler, "json_body", False):
                if kind != b"application/json":
                    raise errors.json_body_required()
                raw = body
            else:
                raise errors.form_body_required()
        api_origin = origin
        if product in V1_PRODUCTS and not prefix:  # routed by Host label: the 2010-04-01 API is on api.<domain>
            scheme, _, host_port = origin.partition("://")
            domain = host_port.partition(".")[2]
            api_origin = f"{scheme}://api.{domain}" if domain else origin
        req = Request(query, dict(pairs), origin + prefix, api_origin, caller, pairs, raw)
        return handler(req, *args)


def _one_line(exc: Exception) -> str:
    """A database failure as one short line (its message's first, or its type)."""
    text = str(exc).strip()
    return (text.splitlines()[0][:300] if text else "") or type(exc).__name__


def _read_clock(db: Database) -> None:
    """The server clock's offset as the database holds it (followed afterwards by ``Sending``)."""
    from numberpool.domain import clock
    from numberpool.store import clock as clock_store

    try:
        clock.set_offset_ms(clock_store.offset(db))
    except SQLAlchemyError:  # not reachable now: read again at the first look for due work
        logging.getLogger(__name__).warning("could not read the server clock's offset")


def create_app(
    db_url: str, limits: PoolLimits | None = None, *, response_cache: bool = True, trusted: hosts.TrustedProxies | None = None,
    webhook_timeout: float = 15.0, access_log: bool = False, webhook_deny_private: bool = False,
    console: ConsoleFactory | None = None, db_limits: DatabaseLimits | None = None,
) -> App:
    """The application; ``response_cache`` reuses GET answers while an SQLite database is unchanged;
    ``webhook_timeout`` bounds each webhook request (seconds, error 11205 beyond it); ``access_log``
    writes a line per request on standard output; ``webhook_deny_private`` refuses webhook
    requests to non-public addresses (``webhooks.guard``, error 11210); ``console`` makes the app
    mounted at ``/console`` (none: 404 there); ``db_limits`` are PostgreSQL's time limits.

    Its database never waits for SQLite's write lock on the event loop: ``App.handle`` does."""
    db = Database(db_url, wait_for_lock=False, limits=db_limits)
    if webhook_deny_private:
        from numberpool.webhooks.guard import PublicHttpTransport

        transport: HttpTransport = PublicHttpTransport(webhook_timeout)
    else:
        transport = HttpTransport(webhook_timeout)
    backend = Backend.open(db, limits, transport)
    _read_clock(db)
    watch = db.change_watch() if response_cache else None
    return App(backend, ResponseCache(watch) if watch is not None else None, trusted, access_log=access_log,
               console=console)


"""The console: an ASGI app under ``/console`` for a person with a browser.

It answers only requests whose ``Host`` names a loopback address (``127.0.0.1``, ``localhost``,
``[::1]``, any port) or one of the names given to ``serve --console-hosts``: anything else is a
403, so a web page whose host name an attacker points at 127.0.0.1 (DNS rebinding) cannot read
it. Pages are rendered on the server, without JavaScript; every POST is a form with a CSRF token
(``session``); errors are a readable message on the page, never a stack trace.

Every POST (sign-in included) must also come from the console's own origin: its ``Origin``
header, when sent, must be exactly the origin the request reached (``scheme://host:port``, from a
trusted proxy's ``X-Forwarded-*`` / ``Forwarded`` when ``serve --forwarded-allow-ips`` trusts the
client, as ``http.hosts`` decides for the API), and without ``Origin`` its ``Sec-Fetch-Site`` must
be ``same-origin`` (or ``none``: typed by the person). ``same-site`` is refused too: a page on
another port of the same host is same-site. A POST with neither header is no browser's
cross-site form (every current browser sends one of them there) and is let through to the CSRF
token checks. The pages' ``Referrer-Policy: same-origin`` keeps the browser's ``Origin`` real on
them: under ``no-referrer`` a browser sends ``Origin: null`` with a form, and then (a proxy may
add that policy) only ``Sec-Fetch-Site: same-origin`` lets the POST through.

Only an account's own SID and auth token sign in: an API key (``SK...``) is refused. The API
shows a key no subaccounts (70051), and a session made with a key would outlive the key's deletion. The session cookie is ``Secure`` when the console was reached
over https, directly or through a trusted proxy.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode

from numberpool.console import calls as console_calls
from numberpool.console import session as sessions
from numberpool.console.html import STYLE, notice, page
from numberpool.console.overview import event_record, load
from numberpool.console.pages import overview_page as render_overview
from numberpool.console.pages import signin_page
from numberpool.domain.backend import Backend
from numberpool.domain.errors import TwilioError
from numberpool.http import hosts as origins
from numberpool.http.asgi import DISCONNECTED, Receive, Scope, Send, decode_qs, read_body
from numberpool.products.control import params
from numberpool.store.errors import DatabaseFailure

log = logging.getLogger("numberpool.console")


LOOPBACK = ("127.0.0.1", "localhost", "[::1]")
MAX_FORM = 64 * 1024
SAFE_METHODS = ("GET", "HEAD")
SAME_ORIGIN_FETCH = ("same-origin", "none")  # Sec-Fetch-Site values of a POST that no other site made
KEY_REFUSED = "An API key cannot sign in to the console: sign in with the account SID and its auth token."
_HTML = [
    (b"content-type", b"text/html; charset=utf-8"),
    (b"cache-control", b"no-store"),
    (b"content-security-policy", (b"default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
                                  b"frame-ancestors 'none'; base-uri 'none'")),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    # same-origin, not no-referrer: under no-referrer a browser's form POST says "Origin: null"
    (b"referrer-policy", b"same-origin"),
]


class BadForm(Exception):
    """A POST body the console cannot read as its form (status, message)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass
class Reply:
    status: int
    body: bytes = b""
    headers: list[tuple[bytes, bytes]] = field(default_factory=list)


def html(status: int, text: str, *headers: tuple[bytes, bytes]) -> Reply:
    return Reply(status, text.encode("utf-8"), [*_HTML, *headers])


def see_other(location: str, *headers: tuple[bytes, bytes]) -> Reply:
    return Reply(303, b"", [(b"location", location.encode("latin-1")), (b"cache-control", b"no-store"), *headers])


def _split_host(host: str) -> str:
    """The name part of ``host[:port]`` (a bracketed IPv6 address keeps its brackets)."""
    if host.startswith("["):
        return host[: host.find("]") + 1] if "]" in host else host
    return host.split(":", 1)[0]


def _normal_origin(value: str) -> str | None:
    """``scheme://host[:port]`` in one spelling (lower case, no default port), None if it is not
    an http(s) origin (``null``, a path, anything else)."""
    scheme, sep, host = value.strip().lower().partition("://")
    if not sep or scheme not in ("http", "https") or not origins.valid_host(host):
        return None
    name = _split_host(host)
    port = host[len(name):]
    if port == (":80" if scheme == "http" else ":443"):
        port = ""
    return f"{scheme}://{name}{port}"


def same_origin(headers: dict[bytes, str], own: str) -> bool:
    """Whether a POST came from the console's own origin ``own`` (module doc)."""
    sent = headers.get(b"origin")
    site = headers.get(b"sec-fetch-site")
    if sent is not None and sent.strip().lower() == "null" and site is not None:
        # A browser hides the origin of a page under "Referrer-Policy: no-referrer" (a proxy may add
        # one): then only its own Sec-Fetch-Site tells, and only same-origin passes.
        return site.strip().lower() == "same-origin"
    if sent is not None:
        mine = _normal_origin(own)
        return mine is not None and _normal_origin(sent) == mine
    if site is not None:
        return site.strip().lower() in SAME_ORIGIN_FETCH
    return True  # curl or an old client: no browser's cross-site form; the CSRF tokens still apply


@dataclass
class Request:
    scope: Scope
    method: str
    path: str
    host: str
    cookies: dict[str, str]
    origin: str  # scheme://host[:port] as the client reached the console (a trusted proxy's view)
    session: sessions.Session | None = None

    @property
    def secure(self) -> bool:
        return self.origin.startswith("https://")

    def query(self) -> dict[str, str]:
        raw = self.scope.get("query_string", b"").decode("latin-1")
        pairs = parse_qsl(raw, keep_blank_values=True, errors="replace")
        found: dict[str, str] = {}
        for name, value in pairs:
            found.setdefault(name, value.replace("\x00", ""))
        return found


class Console:
    def __init__(self, backend: Backend, hosts: tuple[str, ...],
                 trusted: origins.TrustedProxies | None = None) -> None:
        self.backend = backend
        self.trusted = trusted  # proxies whose X-Forwarded-* / Forwarded headers are believed
        names: set[str] = set(LOOPBACK)
        exact: set[str] = set()
        for raw in hosts:
            host = raw.strip().lower()
            if host:  # "name" allows any port; "name:port" that port only
                (exact if _split_host(host) != host else names).add(host)
        self.names, self.exact = frozenset(names), frozenset(exact)

    def allowed(self, host: str) -> bool:
        host = host.lower()
        return host in self.exact or _split_host(host) in self.names

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        reply = await self._answer(scope, receive)
        if reply is None:
            return  # the client went away
        await send({"type": "http.response.start", "status": reply.status, "headers": reply.headers})
        await send({"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else reply.body})

    def _origin(self, scope: Scope, host: str) -> str:
        """The console's origin as the client reached it; a TwilioError (400) for a bad forwarded host or scheme."""
        forwarded: dict[bytes, bytes] = {}
        client = scope.get("client")
        if self.trusted is not None and self.trusted.trusts(client[0] if client else None):
            forwarded = {name: value for name, value in scope["headers"] if name in origins.FORWARDED_HEADERS}
        return origins.origin(scope.get("scheme", "http"), host, forwarded)

    async def _answer(self, scope: Scope, receive: Receive) -> Reply | None:
        headers: dict[bytes, str] = {}
        for name, value in scope["headers"]:
            text = value.decode("latin-1")
            headers[name] = headers[name] + "; " + text if name == b"cookie" and name in headers else text
        host = headers.get(b"host", "")
        if not host or not self.allowed(host):
            return Reply(403, b"The console answers only loopback host names (127.0.0.1, localhost, [::1]) and those"
                              b" given to numberpool serve --console-hosts.\n",
                         [(b"content-type", b"text/plain; charset=utf-8"), (b"cache-control", b"no-store")])
        try:
            origin = self._origin(scope, host)
        except TwilioError as err:
            return self._message(400, err.message)
        if scope["method"] not in SAFE_METHODS and not same_origin(headers, origin):
            return self._message(403, "This form was sent from another site, not from the console's own pages: it was"
                                      " refused. Open the console and use its forms.")
        req = Request(scope, scope["method"], scope["path"], host, sessions.read_cookies(headers.get(b"cookie", "")),
                      origin)
        try:
            if req.path == "/console/style.css" and req.method in ("GET", "HEAD"):
                return Reply(200, STYLE.encode(), [(b"content-type", b"text/css; charset=utf-8"),
                                                   (b"cache-control", b"max-age=300"),
                                                   (b"x-content-type-options", b"nosniff")])
            if sessions.SESSION_COOKIE in req.cookies:
                req.session = sessions.verify(self.backend.db, req.cookies[sessions.SESSION_COOKIE])
            return await self._route(req, receive, headers.get(b"content-type", ""))
        except BadForm as exc:
            return self._message(exc.status, str(exc))
        except DatabaseFailure:
            log.exception("console: database error")
            return self._message(503, "The database cannot be reached right now; try again shortly.")
        except Exception:
            log.exception("console: unhandled error")
            return self._message(500, "Something went wrong on the server; its log has the details.")

    async def _route(self, req: Request, receive: Receive, content_type: str) -> Reply | None:
        path, method = req.path, req.method
        if path in ("/console", "/console/"):
            if method not in ("GET", "HEAD"):
                return self._message(405, "Use GET for this page.", (b"allow", b"GET, HEAD"))
            return self._home(req)
        actions = {"/console/sign-in": self._sign_in, "/console/sign-out": self._sign_out,
                   "/console/sms": self._send, "/console/call": self._send}
        action = actions.get(path)
        if action is None:
            return self._message(404, "There is no such page in the console.")
        if method != "POST":
            return self._message(405, "This address takes the console's forms only (POST).", (b"allow", b"POST"))
        form = await _read_form(receive, content_type)
        if form is None:
            return None
        return await action(req, form)

    # -- pages --------------------------------------------------------------------------------

    def _home(self, req: Request, error: str = "", status: int = 200, query: dict[str, str] | None = None) -> Reply:
        if req.session is None:
            info = "Your session has ended: sign in again." if sessions.SESSION_COOKIE in req.cookies else ""
            return self._signin(req, status, error, info)
        query = req.query() if query is None else query
        event = None
        sid = query.get("event", "")
        if sid:
            try:
                event = event_record(self.backend, req.session.account, sid)
            except TwilioError as err:
                error = error or readable(err)
        overview = load(self.backend, req.session.account, query.get("q", ""), event)
        calls = console_calls.load(self.backend.db, req.session.account.sid)
        return html(status, render_overview(overview, req.session.csrf, error=error, calls=calls))

    def _signin(self, req: Request, status: int = 200, error: str = "", info: str = "") -> Reply:
        """The sign-in form, with a pre-session cookie for its CSRF token (reused while valid)."""
        pre = req.cookies.get(sessions.PRE_COOKIE, "")
        cookies: list[tuple[bytes, bytes]] = []
        if not sessions.valid_pre_token(pre):
            pre = sessions.new_pre_token()
            cookies.append(sessions.set_cookie(sessions.PRE_COOKIE, pre, secure=req.secure, max_age=None))
        if sessions.SESSION_COOKIE in req.cookies and req.session is None:  # a dead session: forget it
            cookies.append(sessions.set_cookie(sessions.SESSION_COOKIE, "", secure=req.secure, max_age=0))
        return html(status, signin_page(pre, error, info), *cookies)

    def _message(self, status: int, text: str, *headers: tuple[bytes, bytes]) -> Reply:
        body = f'{notice(text, "error")}<p><a href="/console">Back to the console</a></p>'
        return html(status, page("numberpool console", body), *headers)

    # -- forms ----------------------------------------------------------------------------------

    async def _sign_in(self, req: Request, form: dict[str, list[str]]) -> Reply:
        if not sessions.pre_token_ok(req.cookies.get(sessions.PRE_COOKIE, ""), _one(form, "csrf")):
            return self._signin(req, 403, "The sign-in form had expired or came from another page: try again.")
        sid = _one(form, "AccountSid").strip()
        if sid[:2].upper() == "SK":  # refused before it is checked: a key's validity is no business of this form
            return self._signin(req, 403, KEY_REFUSED)
        try:
            account = self.backend.accounts.authenticate(sid, _one(form, "AuthToken").strip())
        except TwilioError as err:
            text = readable(err) if err.code != 20003 else "Wrong account SID or auth token."
            return self._signin(req, err.status, text)
        cookie = sessions.set_cookie(sessions.SESSION_COOKIE, sessions.issue(account), secure=req.secure,
                                     max_age=sessions.SESSION_SECONDS)
        gone = sessions.set_cookie(sessions.PRE_COOKIE, "", secure=req.secure, max_age=0)
        return see_other("/console", cookie, gone)

    async def _sign_out(self, req: Request, form: dict[str, list[str]]) -> Reply:
        if req.session is not None and not req.session.csrf_ok(_one(form, "csrf")):
            return self._message(403, "The form had expired or came from another page: reload the console and try again.")
        return see_other("/console", sessions.set_cookie(sessions.SESSION_COOKIE, "", secure=req.secure, max_age=0))

    async def _send(self, req: Request, form: dict[str, list[str]]) -> Reply:
        """A test SMS or call, exactly as ``POST /numberpool/v1/Inbound...`` takes it."""
        if req.session is None:
            return self._signin(req, 401, "Sign in to send a test message or call.")
        if not req.session.csrf_ok(_one(form, "csrf")):
            return self._message(403, "The form had expired or came from another page: reload the console and try again.")
        values: dict[str, str] = {name: _one(form, name) for name in ("To", "From", "Body", "CallDuration") if name in form}
        account = req.session.account
        try:
            if req.path == "/console/sms":
                media = [url for url in form.get("MediaUrl", []) if url.strip()]
                record = await self.backend.inbound.message(account, params.message(values, media))
            else:
                record = await self.backend.inbound.call(account, params.call(values))
        except TwilioError as err:
            return self._home(req, readable(err), err.status, {"q": _one(form, "q")})
        query = {"event": record.sid, **({"q": _one(form, "q")} if _one(form, "q") else {})}
        return see_other("/console?" + urlencode(query))


def readable(err: TwilioError) -> str:
    """A Twilio error as a sentence for a person."""
    text = err.message or "Not found."
    return f"{text} (error {err.code})"


def _one(form: dict[str, list[str]], name: str) -> str:
    values = form.get(name) or [""]
    return str(values[0])


async def _read_form(receive: Receive, content_type: str) -> dict[str, list[str]] | None:
    """The form body by name (values in order); None when the client went away."""
    body = await read_body(receive, MAX_FORM)
    if body is DISCONNECTED:
        return None
    if body is None:
        raise BadForm(413, "The form is too large.")
    if body and content_type.split(";", 1)[0].strip().lower() != "application/x-www-form-urlencoded":
        raise BadForm(400, "The console takes HTML forms only (application/x-www-form-urlencoded).")
    try:
        pairs = decode_qs(body, "form")
    except TwilioError as err:
        raise BadForm(400, err.message) from None
    form: dict[str, list[str]] = {}
    for name, value in pairs:
        form.setdefault(name, []).append(value)
    return form

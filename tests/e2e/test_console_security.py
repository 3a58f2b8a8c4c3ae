"""The console's credentials and origins (issue 18), over plain HTTP against real servers on both
databases: an API key opens no console session, a session ends with its account's credentials,
every POST must come from the console's own origin (login CSRF from another port on the same
host), and the session cookie is Secure when a trusted proxy says the console was reached over
https. test_console_browser.py shows a real browser's own POSTs still go through."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections.abc import Iterator

import httpx
import pytest

from tests.conftest import Server, free_port, fresh_database, one_server, start_server, stop_server
from tests.e2e.test_console import browser, csrf_of, messages_to, session_cookie, sign_in, signed_in

KEY_REFUSED = "An API key cannot sign in to the console: sign in with the account SID and its auth token."
CROSS_SITE = "This form was sent from another site, not from the console&#x27;s own pages"


def cookie_headers(r: httpx.Response, name: str) -> list[str]:
    return [v for v in r.headers.get_list("set-cookie") if v.startswith(name + "=")]


def new_key(server: Server, sid: str, token: str) -> tuple[str, str]:
    with server.http(sid, token) as h:
        r = h.post(f"/2010-04-01/Accounts/{sid}/Keys.json", data={"FriendlyName": "console"})
        assert r.status_code == 201, r.text
        return r.json()["sid"], r.json()["secret"]


# -- an API key opens no console session -------------------------------------------------------------

def test_an_api_key_cannot_sign_in(server: Server, client):
    sub = client.api.v2010.accounts.create(friendly_name="keys")
    keys = [new_key(server, server.account_sid, server.auth_token), new_key(server, sub.sid, sub.auth_token)]
    for (key_sid, secret), owner in zip(keys, (server.account_sid, sub.sid)):  # good keys: the API takes them
        with server.http(key_sid, secret) as api:
            assert api.get(f"/2010-04-01/Accounts/{owner}/IncomingPhoneNumbers.json").status_code == 200
            assert api.get("/2010-04-01/Accounts.json").json()["code"] == 70051  # ... but shows them no subaccounts
    tries = [*keys, (keys[0][0].lower(), keys[0][1]), (keys[0][0], "x" * 32), ("SK" + "0" * 32, "x")]
    with browser(server) as h:
        for key_sid, secret in tries:  # the same answer for a good key and a made-up one
            csrf = csrf_of(h.get("/console").text)
            r = h.post("/console/sign-in", data={"csrf": csrf, "AccountSid": f" {key_sid} ", "AuthToken": secret})
            assert r.status_code == 403 and KEY_REFUSED in r.text, r.text[:2000]
            assert "Sign in" in r.text and 'name="AuthToken"' in r.text  # the sign-in page, with the message
            assert not cookie_headers(r, "numberpool_console")
            page = h.get("/console")
            assert "Signed in" not in page.text and sub.sid not in page.text
        sign_in(h, sub.sid, sub.auth_token)  # the account's own token does sign in


def test_a_session_cookie_of_the_old_format_is_refused(server: Server, client):
    """Cookies issued before keys were refused (some maybe to a key) are all invalid now."""
    sub = client.api.v2010.accounts.create(friendly_name="old cookie")
    body = f"{sub.sid}.{int(time.time()) - 60}"
    old = body + "." + hmac.new(sub.auth_token.encode(), f"numberpool-console|session|{body}".encode(),
                                hashlib.sha256).hexdigest()
    with browser(server) as h:
        h.cookies.set("numberpool_console", old, domain="127.0.0.1", path="/console")
        page = h.get("/console")
        assert "Your session has ended: sign in again." in page.text and "Signed in" not in page.text
        assert "Max-Age=0" in session_cookie(page)


def test_a_session_ends_when_its_account_is_suspended(server: Server, client):
    sub = client.api.v2010.accounts.create(friendly_name="suspended")
    with signed_in(server, sub.sid, sub.auth_token) as (h, csrf):
        client.api.v2010.accounts(sub.sid).update(status="suspended")
        page = h.get("/console")
        assert "Your session has ended: sign in again." in page.text and "Signed in" not in page.text
        r = h.post("/console/sms", data={"csrf": csrf, "To": "+14155550123", "From": "+12125551234"})
        assert r.status_code == 401 and "Sign in to send" in r.text


def test_a_session_ends_when_the_auth_token_changes(backend: str, tmp_path_factory: pytest.TempPathFactory):
    """The main account is re-keyed by a restart with another TWILIO_AUTH_TOKEN: its sessions end."""
    sid, token = "AC" + secrets.token_hex(16), secrets.token_hex(16)
    with fresh_database(backend, tmp_path_factory) as db_url:
        proc, base = start_server(db_url, {"TWILIO_ACCOUNT_SID": sid, "TWILIO_AUTH_TOKEN": token})
        try:
            with browser(Server(base, sid, token, db_url)) as h:
                sign_in(h, sid, token)
                cookie = h.cookies["numberpool_console"]
        finally:
            stop_server(proc)
        new_token = secrets.token_hex(16)
        proc, base = start_server(db_url, {"TWILIO_ACCOUNT_SID": sid, "TWILIO_AUTH_TOKEN": new_token})
        try:
            with httpx.Client(base_url=base, timeout=60) as h:
                h.cookies.set("numberpool_console", cookie, domain="127.0.0.1", path="/console")
                page = h.get("/console")
                assert "Your session has ended: sign in again." in page.text and "Signed in" not in page.text
                r = h.post("/console/sign-in", data={"csrf": csrf_of(page.text), "AccountSid": sid, "AuthToken": token})
                assert r.status_code == 401 and "Wrong account SID or auth token." in r.text
        finally:
            stop_server(proc)


# -- every POST comes from the console's own origin ----------------------------------------------------

def test_the_pages_let_the_browser_name_their_origin(server: Server):
    """Under "Referrer-Policy: no-referrer" a browser's form POST says "Origin: null"; same-origin
    keeps the real origin on the console's own forms and sends nothing to other sites."""
    with browser(server) as h:
        assert h.get("/console").headers["referrer-policy"] == "same-origin"


def sign_in_form(h: httpx.Client, server: Server) -> dict[str, str]:
    """A sign-in form with a valid token, as a page on another port of this host could build it: the
    browser sends it the console's pre-session cookie too (cookies are per host, not per port)."""
    csrf = csrf_of(h.get("/console").text)
    return {"csrf": csrf, "AccountSid": server.account_sid, "AuthToken": server.auth_token}


def other_ports(server: Server) -> list[str]:
    port = int(server.base_url.rsplit(":", 1)[1])
    return [f"http://127.0.0.1:{free_port()}", f"http://127.0.0.1:{port + 1}", f"http://localhost:{port}",
            f"https://127.0.0.1:{port}", "http://127.0.0.1", "http://evil.example", "null", "",
            f"{server.base_url}/console", f"{server.base_url}.evil.example"]


def assert_refused(r: httpx.Response) -> None:
    assert r.status_code == 403 and CROSS_SITE in r.text, r.text[:2000]
    assert r.headers["content-type"] == "text/html; charset=utf-8" and len(r.content) < 2000
    assert "set-cookie" not in r.headers and "Signed in" not in r.text


def test_a_sign_in_from_another_origin_is_refused(server: Server):
    with browser(server) as h:
        for origin in other_ports(server):
            r = h.post("/console/sign-in", data=sign_in_form(h, server), headers={"Origin": origin})
            assert_refused(r)
            assert "Signed in" not in h.get("/console").text, origin
        for site in ("same-site", "cross-site", "SAME-SITE", "other"):  # no Origin: the browser's Sec-Fetch-Site
            r = h.post("/console/sign-in", data=sign_in_form(h, server), headers={"Sec-Fetch-Site": site})
            assert_refused(r)
        # Origin decides when both are sent, but for "null" (the page's origin hidden from it)
        for headers in ({"Origin": "http://127.0.0.1:1", "Sec-Fetch-Site": "same-origin"},
                        {"Origin": "null", "Sec-Fetch-Site": "same-site"}, {"Origin": "null", "Sec-Fetch-Site": "none"},
                        {"Origin": "null", "Sec-Fetch-Site": "cross-site"}):
            assert_refused(h.post("/console/sign-in", data=sign_in_form(h, server), headers=headers))
        assert "Signed in" not in h.get("/console").text


@pytest.mark.parametrize("headers", [
    {"Origin": "{base}"}, {"Origin": "{BASE}"}, {"Origin": "{base}", "Sec-Fetch-Site": "same-site"},
    {"Sec-Fetch-Site": "same-origin"}, {"Sec-Fetch-Site": "none"}, {"Origin": "null", "Sec-Fetch-Site": "same-origin"}, {},
], ids=["origin", "origin-upper-case", "origin-wins", "same-origin", "typed", "hidden-origin", "neither-header"])
def test_a_sign_in_from_the_console_itself_is_accepted(server: Server, headers: dict[str, str]):
    """No Origin and no Sec-Fetch-Site (curl, an old client) is accepted: a browser sends one of them
    on every cross-site POST, and the form's CSRF token is still checked. "Origin: null" is what a
    browser sends from a page under "Referrer-Policy: no-referrer" (a proxy may add one): its
    Sec-Fetch-Site decides."""
    sent = {k: v.format(base=server.base_url, BASE=server.base_url.upper()) for k, v in headers.items()}
    with browser(server) as h:
        r = h.post("/console/sign-in", data=sign_in_form(h, server), headers=sent)
        assert r.status_code == 303 and cookie_headers(r, "numberpool_console"), r.text
        assert f"Signed in as <code>{server.account_sid}</code>" in h.get("/console").text


@pytest.mark.parametrize(("host", "origin"), [
    ("localhost", "http://localhost"), ("localhost:80", "http://localhost"), ("localhost", "http://localhost:80"),
    ("[::1]:8080", "http://[::1]:8080"),
])
def test_the_default_port_and_ipv6_hosts_match_their_origin(server: Server, host: str, origin: str):
    with browser(server) as h:  # the cookie jar goes by the URL's host, whatever the Host header says
        form = {"csrf": csrf_of(h.get("/console", headers={"Host": host}).text), "AccountSid": server.account_sid,
                "AuthToken": server.auth_token}
        assert_refused(h.post("/console/sign-in", headers={"Host": host, "Origin": "http://localhost:1"}, data=form))
        r = h.post("/console/sign-in", headers={"Host": host, "Origin": origin}, data=form)
        assert r.status_code == 303, r.text


def test_every_post_from_another_origin_is_refused(server: Server, client):
    sub = client.api.v2010.accounts.create(friendly_name="origin")
    number = server.client(sub.sid, sub.auth_token).incoming_phone_numbers.create(area_code="415")
    with signed_in(server, sub.sid, sub.auth_token) as (h, csrf):
        form = {"csrf": csrf, "To": number.phone_number, "From": "+12125551234", "Body": "x"}
        for path in ("/console/sms", "/console/call", "/console/sign-out", "/console", "/console/nothing"):
            for headers in ({"Origin": "http://127.0.0.1:1"}, {"Sec-Fetch-Site": "same-site"}):
                assert_refused(h.post(path, data=form, headers=headers))
        assert messages_to(server, number.phone_number) == []
        assert f"Signed in as <code>{sub.sid}</code>" in h.get("/console").text  # the sign-out was refused
        ok = h.post("/console/sms", data=form, headers={"Origin": server.base_url, "Sec-Fetch-Site": "same-origin"})
        assert ok.status_code == 303, ok.text
        assert len(messages_to(server, number.phone_number)) == 1
        out = h.post("/console/sign-out", data={"csrf": csrf}, headers={"Origin": server.base_url})
        assert out.status_code == 303 and "Max-Age=0" in session_cookie(out)


# -- the Secure flag follows how the console was reached ---------------------------------------------

@pytest.fixture(scope="module")
def behind_proxy(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server that believes the forwarding headers of 127.0.0.1 (serve --forwarded-allow-ips)."""
    yield from one_server(backend, tmp_path_factory, {"NUMBERPOOL_FORWARDED_ALLOW_IPS": "127.0.0.1"})


@pytest.fixture(scope="module")
def trusting_others(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server that believes only other addresses' forwarding headers, not this client's."""
    yield from one_server("sqlite", tmp_path_factory, {"NUMBERPOOL_FORWARDED_ALLOW_IPS": "10.0.0.0/8, ::1"})


def signed_in_cookies(server: Server, headers: dict[str, str], origin: str) -> tuple[str, str]:
    """The pre-session cookie of the sign-in page and the session cookie, reached with ``headers``."""
    page = httpx.get(server.base_url + "/console", headers=headers, timeout=60)  # no cookie jar: a Secure
    assert page.status_code == 200, page.text                                 # cookie is sent back by hand
    pre = cookie_headers(page, "numberpool_console_pre")[0]
    r = httpx.post(server.base_url + "/console/sign-in", timeout=60,
                   headers={**headers, "Origin": origin, "Cookie": pre.split(";", 1)[0]},
                   data={"csrf": csrf_of(page.text), "AccountSid": server.account_sid, "AuthToken": server.auth_token})
    assert r.status_code == 303, r.text
    return pre, session_cookie(r)


def is_secure(cookie: str) -> bool:
    return "Secure" in [a.strip() for a in cookie.split(";")]


@pytest.mark.parametrize(("headers", "origin"), [
    ({"X-Forwarded-Proto": "https"}, "https://{host}"),
    ({"X-Forwarded-Proto": "https", "X-Forwarded-Host": "console.example"}, "https://console.example"),
    ({"Forwarded": "proto=https;host=console.example:8443"}, "https://console.example:8443"),
    ({"X-Forwarded-Proto": "https, http"}, "https://{host}"),  # the client-most entry
])
def test_the_cookie_is_secure_behind_a_trusted_https_proxy(behind_proxy: Server, headers: dict[str, str], origin: str):
    host = behind_proxy.base_url.split("://", 1)[1]
    pre, session = signed_in_cookies(behind_proxy, headers, origin.format(host=host))
    assert is_secure(pre) and is_secure(session), (pre, session)
    with browser(behind_proxy) as h:  # the proxy's origin is the console's: the plain one is another
        r = h.post("/console/sign-in", headers={**headers, "Origin": behind_proxy.base_url},
                   data=sign_in_form(h, behind_proxy))
        assert_refused(r)


def test_the_cookie_is_not_secure_over_plain_http(behind_proxy: Server, server: Server, trusting_others: Server):
    for s in (behind_proxy, server, trusting_others):
        pre, session = signed_in_cookies(s, {}, s.base_url)
        assert not is_secure(pre) and not is_secure(session), (s.base_url, pre, session)
    pre, session = signed_in_cookies(behind_proxy, {"X-Forwarded-Proto": "http"}, behind_proxy.base_url)
    assert not is_secure(pre) and not is_secure(session)


@pytest.mark.parametrize("headers", [
    {"X-Forwarded-Proto": "https"}, {"Forwarded": "proto=https"},
    {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "console.example"},
])
def test_an_untrusted_clients_forwarding_headers_are_ignored(server: Server, trusting_others: Server,
                                                            headers: dict[str, str]):
    for s in (server, trusting_others):
        pre, session = signed_in_cookies(s, headers, s.base_url)  # its own origin is still the plain one
        assert not is_secure(pre) and not is_secure(session), (s.base_url, pre, session)
        with browser(s) as h:  # and the origin the header claims is not the console's
            r = h.post("/console/sign-in", headers={**headers, "Origin": "https://console.example"},
                       data=sign_in_form(h, s))
            assert_refused(r)


def test_a_bad_forwarded_host_or_scheme_is_a_400(behind_proxy: Server):
    with browser(behind_proxy) as h:
        for headers in ({"X-Forwarded-Host": "evil.example/<script>"}, {"X-Forwarded-Proto": "javascript"}):
            for method in ("GET", "POST"):
                r = h.request(method, "/console", headers=headers)
                assert r.status_code == 400 and "<script>" not in r.text and "Traceback" not in r.text, r.text
                assert "set-cookie" not in r.headers

"""The console over plain HTTP (httpx against a real server): who may open it (Host), signing in
and out, the session cookie and CSRF tokens, escaping, accounts kept apart, the routes shown and
the test forms. The same in a real browser: test_console_browser.py."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from numberpool.console.session import SESSION_PURPOSE
from tests.conftest import Server, fresh_database, start_server, stop_server
from tests.receiver import Receiver, running

CSRF = re.compile(r'name="csrf" value="([^"]*)"')


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    with running() as r:
        yield r


def csrf_of(page: str) -> str:
    found = CSRF.search(page)
    assert found, page[:2000]
    return found.group(1)


def browser(server: Server) -> httpx.Client:
    return httpx.Client(base_url=server.base_url, timeout=60)


def sign_in(h: httpx.Client, sid: str, token: str) -> str:
    """Sign in with the form, as a browser would; the CSRF token of the signed-in pages."""
    form = h.get("/console")
    assert form.status_code == 200 and "Sign in" in form.text, form.text
    r = h.post("/console/sign-in", data={"csrf": csrf_of(form.text), "AccountSid": sid, "AuthToken": token})
    assert r.status_code == 303 and r.headers["location"] == "/console", r.text
    page = h.get("/console")
    assert page.status_code == 200 and f"Signed in as <code>{sid}</code>" in page.text, page.text[:2000]
    return csrf_of(page.text)


@contextmanager
def signed_in(server: Server, sid: str, token: str) -> Iterator[tuple[httpx.Client, str]]:
    with browser(server) as h:
        yield h, sign_in(h, sid, token)


def session_cookie(r: httpx.Response) -> str:
    return next(v for v in r.headers.get_list("set-cookie") if v.startswith("numberpool_console="))


def messages_to(server: Server, number: str) -> list[dict]:
    with server.http() as api:
        r = api.get("/numberpool/v1/InboundMessages", params={"To": number})
    assert r.status_code == 200, r.text
    return r.json()["inbound_messages"]


# -- who may open it -------------------------------------------------------------------------

@pytest.mark.parametrize("host", ["evil.example", "evil.example:8080", "127.0.0.2:80", "localhost.evil.example",
                                  "0.0.0.0:8080", "[::2]:80", "127.0.0.1.nip.io"])
def test_a_host_that_is_not_loopback_gets_403(server: Server, host: str):
    with browser(server) as h:
        for method, path in (("GET", "/console"), ("POST", "/console/sign-in"), ("GET", "/console/style.css")):
            r = h.request(method, path, headers={"Host": host})
            assert r.status_code == 403, (path, r.text)
            assert "set-cookie" not in r.headers and "csrf" not in r.text


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost:8080", "LOCALHOST", "[::1]:9999", "127.0.0.1:1"])
def test_loopback_host_names_open_the_sign_in_page(server: Server, host: str):
    with browser(server) as h:
        r = h.get("/console", headers={"Host": host})
        assert r.status_code == 200 and "Sign in" in r.text
        assert r.headers["content-type"] == "text/html; charset=utf-8"
        assert "frame-ancestors 'none'" in r.headers["content-security-policy"]


def test_console_hosts_allows_more_host_names(tmp_path_factory: pytest.TempPathFactory):
    env = {"TWILIO_ACCOUNT_SID": "AC" + secrets.token_hex(16), "TWILIO_AUTH_TOKEN": secrets.token_hex(16)}
    with fresh_database("sqlite", tmp_path_factory) as db_url:
        proc, base = start_server(db_url, env, extra=["--console-hosts", " Console.Example , other.example:9999"])
        try:
            check_hosts(base)
        finally:
            stop_server(proc)


def check_hosts(base: str) -> None:
    for host, status in (("console.example", 200), ("console.example:8080", 200), ("CONSOLE.example", 200),
                         ("other.example:9999", 200), ("other.example:9998", 403), ("other.example", 403),
                         ("evil.example", 403), ("localhost:1", 200)):
        r = httpx.get(base + "/console", headers={"Host": host}, timeout=30)
        assert r.status_code == status, (host, r.text)


def test_an_invalid_console_host_is_a_one_line_error():
    done = subprocess.run([sys.executable, "-m", "numberpool", "serve", "--console-hosts", "ok.example,bad host"],
                          check=False, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.count("\n") == 1 and "--console-hosts: 'bad host' is not a host name" in done.stderr


# -- signing in and out ------------------------------------------------------------------------

def test_wrong_credentials_are_refused(server: Server, subaccount):
    with browser(server) as h:
        csrf = csrf_of(h.get("/console").text)
        for sid, token in ((server.account_sid, "0" * 32), (subaccount.sid, server.auth_token),
                           ("AC" + "0" * 32, server.auth_token), ("not a sid", "x"), ("", "")):
            r = h.post("/console/sign-in", data={"csrf": csrf, "AccountSid": sid, "AuthToken": token})
            assert r.status_code == 401, r.text
            assert "Wrong account SID or auth token." in r.text
            assert not [v for v in r.headers.get_list("set-cookie") if v.startswith("numberpool_console=")]
        assert "Signed in" not in h.get("/console").text


def test_sign_in_needs_the_form_token(server: Server):
    with browser(server) as h:
        h.get("/console")
        for data in ({}, {"csrf": ""}, {"csrf": "0" * 32}):
            r = h.post("/console/sign-in", data={**data, "AccountSid": server.account_sid, "AuthToken": server.auth_token})
            assert r.status_code == 403 and "Signed in" not in r.text, r.text
    with browser(server) as fresh:  # a form posted without the pre-session cookie (from another site)
        r = fresh.post("/console/sign-in", data={"csrf": "a" * 32, "AccountSid": server.account_sid,
                                                  "AuthToken": server.auth_token})
        assert r.status_code == 403


def test_the_session_cookie_is_httponly_strict_and_holds_no_token(server: Server):
    with browser(server) as h:
        csrf = csrf_of(h.get("/console").text)
        r = h.post("/console/sign-in", data={"csrf": csrf, "AccountSid": server.account_sid, "AuthToken": server.auth_token})
        cookie = session_cookie(r)
        attrs = [a.strip() for a in cookie.split(";")]
        assert {"HttpOnly", "SameSite=Strict", "Path=/console"} <= set(attrs), cookie
        assert server.auth_token not in cookie and attrs[0].split("=", 1)[1].startswith(server.account_sid + ".")
        page = h.get("/console")
        assert server.auth_token not in page.text
        out = h.post("/console/sign-out", data={"csrf": csrf_of(page.text)})
        assert out.status_code == 303 and "Max-Age=0" in session_cookie(out)
        assert "Sign in" in h.get("/console").text


def test_a_forged_or_old_cookie_is_refused(server: Server, client):
    sub = client.api.v2010.accounts.create(friendly_name="cookie")
    with signed_in(server, sub.sid, sub.auth_token) as (h, csrf):
        good = h.cookies["numberpool_console"]
    sid, issued, mac = good.split(".")

    def signed(key: str, body: str) -> str:
        return body + "." + hmac.new(key.encode(), f"numberpool-console|{SESSION_PURPOSE}|{body}".encode(), hashlib.sha256).hexdigest()

    assert signed(sub.auth_token, f"{sid}.{issued}") == good  # the format the forgeries below vary
    forged = [
        f"{sid}.{issued}.{'0' * 64}",  # a made-up MAC
        f"{sid}.{int(time.time()) + 5}.{mac}",  # the MAC of another time
        f"{server.account_sid}.{issued}.{mac}",  # another account's SID with this MAC
        signed(server.auth_token, f"{sub.sid}.{issued}"),  # signed with another account's token
        signed(sub.auth_token, f"{sid}.{int(time.time()) - 13 * 3600}"),  # too old
        signed(sub.auth_token, f"{sid}.{int(time.time()) + 3600}"),  # from the future
        "garbage", "", f"{sid}..{mac}",
    ]
    for value in forged:
        with browser(server) as h:
            h.cookies.set("numberpool_console", value, domain="127.0.0.1", path="/console")
            page = h.get("/console")
            assert page.status_code == 200 and "Signed in" not in page.text and sub.sid not in page.text, value
            r = h.post("/console/sms", data={"csrf": csrf, "To": "+14155550123", "From": "+12125551234"})
            assert r.status_code == 401 and "Sign in to send" in r.text, value
    with browser(server) as h:  # still good until the account is closed; then the same cookie is refused
        h.cookies.set("numberpool_console", good, domain="127.0.0.1", path="/console")
        assert f"Signed in as <code>{sub.sid}</code>" in h.get("/console").text
        client.api.v2010.accounts(sub.sid).update(status="closed")
        page = h.get("/console")
        assert "Your session has ended: sign in again." in page.text and "Signed in" not in page.text
        assert "Max-Age=0" in session_cookie(page)
        r = h.post("/console/sign-in", data={"csrf": csrf_of(page.text), "AccountSid": sub.sid, "AuthToken": sub.auth_token})
        assert r.status_code == 403 and "is not active (closed)" in r.text


def test_a_post_without_the_right_csrf_token_is_refused(server: Server, client, receiver: Receiver):
    sub = client.api.v2010.accounts.create(friendly_name="csrf")
    other = client.api.v2010.accounts.create(friendly_name="csrf other")
    path = f"/csrf-{sub.sid}"  # the receiver outlives the test: a path of its own
    url = receiver.answer(path, body="<Response/>")
    number = server.client(sub.sid, sub.auth_token).incoming_phone_numbers.create(area_code="415", sms_url=url)
    with signed_in(server, other.sid, other.auth_token) as (_, other_csrf), \
            signed_in(server, sub.sid, sub.auth_token) as (h, csrf):
        form = {"To": number.phone_number, "From": "+12125551234", "Body": "x"}
        for bad in ({}, {"csrf": ""}, {"csrf": csrf[:-1] + ("0" if csrf[-1] != "0" else "1")}, {"csrf": other_csrf}):
            for path in ("/console/sms", "/console/call"):
                r = h.post(path, data={**form, **bad})
                assert r.status_code == 403 and "reload the console" in r.text, r.text
        r = h.post("/console/sign-out", data={"csrf": other_csrf})
        assert r.status_code == 403 and "Signed in" in h.get("/console").text
        assert messages_to(server, number.phone_number) == [] and receiver.requests(path) == []
        ok = h.post("/console/sms", data={**form, "csrf": csrf})
        assert ok.status_code == 303, ok.text
        assert len(messages_to(server, number.phone_number)) == 1


# -- what it shows -------------------------------------------------------------------------------

def test_everything_is_escaped(server: Server, client):
    sub = client.api.v2010.accounts.create(friendly_name="<b>sub</b>")
    evil = "<script>alert(1)</script>"
    number = server.client(sub.sid, sub.auth_token).incoming_phone_numbers.create(
        area_code="415", friendly_name=evil, sms_url='https://example.invalid/"><script>alert(2)</script>')
    with signed_in(server, sub.sid, sub.auth_token) as (h, csrf):
        r = h.post("/console/sms", data={"csrf": csrf, "To": number.phone_number, "From": "+12125551234",
                                          "Body": "<img src=x onerror=alert(3)>", "q": '"><script>alert(4)</script>'})
        assert r.status_code == 303, r.text
        page = h.get(r.headers["location"]).text
        assert "<script>" not in page and "<img" not in page and "<b>sub" not in page
        assert "&lt;b&gt;sub&lt;/b&gt;" in page and "&lt;img src=x onerror=alert(3)&gt;" in page
        assert "&quot;&gt;&lt;script&gt;alert(4)&lt;/script&gt;" in page  # the search, kept
        searched = h.get("/console", params={"q": evil}).text
        assert "<script>" not in searched and f'data-number="{number.phone_number}"' in searched
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in searched
        assert "https://example.invalid/&quot;&gt;&lt;script&gt;alert(2)&lt;/script&gt;" in searched


def test_another_accounts_number_is_neither_shown_nor_usable(server: Server, client, receiver: Receiver):
    a = client.api.v2010.accounts.create(friendly_name="a")
    b = client.api.v2010.accounts.create(friendly_name="b")
    path = f"/theirs-{a.sid}"
    url = receiver.answer(path, body="<Response/>")
    theirs = server.client(a.sid, a.auth_token).incoming_phone_numbers.create(area_code="415", sms_url=url)
    with signed_in(server, a.sid, a.auth_token) as (ha, csrf_a):
        made = ha.post("/console/sms", data={"csrf": csrf_a, "To": theirs.phone_number, "From": "+12125551234"})
        event_sid = parse_qs(urlsplit(made.headers["location"]).query)["event"][0]
    with signed_in(server, b.sid, b.auth_token) as (h, csrf):
        digits = theirs.phone_number[1:]
        page = h.get("/console").text
        assert theirs.phone_number not in page and digits not in page and a.sid not in page
        page = h.get("/console", params={"q": digits}).text  # the search box keeps the digits
        assert f'data-number="{theirs.phone_number}"' not in page and "0 numbers matching" in page
        r = h.post("/console/sms", data={"csrf": csrf, "To": theirs.phone_number, "From": "+12125551234"})
        assert r.status_code == 404 and f"phone number {theirs.phone_number} was not found (error 20404)" in r.text
        r = h.post("/console/call", data={"csrf": csrf, "To": theirs.phone_number, "From": "+12125551234"})
        assert r.status_code == 404
        shown = h.get("/console", params={"event": event_sid}).text
        assert "was not found (error 20404)" in shown and f'data-sid="{event_sid}"' not in shown
    assert len(messages_to(server, theirs.phone_number)) == 1 and len(receiver.requests(path)) == 1
    with signed_in(server, server.account_sid, server.auth_token) as (h, _):  # the parent sees its subaccounts'
        page = h.get("/console", params={"q": theirs.phone_number, "event": event_sid}).text
        assert f'data-number="{theirs.phone_number}"' in page and f'data-sid="{event_sid}"' in page


def test_routes_pools_and_the_test_forms(server: Server, client, receiver: Receiver):
    sub = client.api.v2010.accounts.create(friendly_name="routes")
    c = server.client(sub.sid, sub.auth_token)
    sms_url = receiver.answer(f"/sms-{sub.sid}", body="<Response><Message>hi back</Message></Response>")
    voice_url = receiver.answer(f"/voice-{sub.sid}", body="<Response><Say>hi</Say></Response>")
    own = c.incoming_phone_numbers.create(area_code="415", friendly_name="Front desk", sms_url=sms_url,
                                          voice_url=voice_url, sms_fallback_url=sms_url + "?fallback")
    pooled = c.incoming_phone_numbers.create(area_code="415", friendly_name="Pooled")
    service = c.messaging.v1.services.create(friendly_name="Alerts", inbound_request_url=sms_url + "?svc")
    c.messaging.v1.services(service.sid).phone_numbers.create(phone_number_sid=pooled.sid)
    trunk = c.trunking.v1.trunks.create(friendly_name="PBX")
    c.trunking.v1.trunks(trunk.sid).origination_urls.create(weight=1, priority=1, enabled=True, friendly_name="pbx",
                                                            sip_url="sip:pbx.example.com")
    c.trunking.v1.trunks(trunk.sid).phone_numbers.create(phone_number_sid=pooled.sid)
    proxy = c.proxy.v1.services.create(unique_name=f"proxy-{sub.sid}")
    with signed_in(server, sub.sid, sub.auth_token) as (h, csrf):
        page = h.get("/console").text
        card = page.split(f'data-number="{own.phone_number}"', 1)[1].split("</article>", 1)[0]
        assert 'data-route="number"' in card and f"POST {sms_url}" in card and f"POST {sms_url}?fallback" in card
        assert f"POST {voice_url}" in card
        card = page.split(f'data-number="{pooled.phone_number}"', 1)[1].split("</article>", 1)[0]
        assert 'data-route="messaging_service"' in card and f"POST {sms_url}?svc" in card and service.sid in card
        assert 'data-route="trunk"' in card and "sip:pbx.example.com" in card
        for pool in (service.sid, trunk.sid):
            box = page.split(f'id="pool-{pool}"', 1)[1].split("</article>", 1)[0]
            assert f"Numbers (1): <code>{pooled.phone_number}</code>" in box
        assert f'id="pool-{proxy.sid}"' in page and "sip:pbx.example.com" in page
        assert page.count('class="item number"') == 2
        assert h.get("/console", params={"q": "front"}).text.count('class="item number"') == 1
        assert h.get("/console", params={"q": own.phone_number[-7:]}).text.count('class="item number"') == 1
        r = h.post("/console/sms", data={"csrf": csrf, "To": own.phone_number, "From": "+12125551234", "Body": "hi"})
        assert r.status_code == 303 and r.headers["location"].startswith("/console?event=SM"), r.text
        result = h.get(r.headers["location"]).text.split('id="result"', 1)[1].split("</section>", 1)[0]
        assert f"POST {sms_url}</code> <span class=\"badge ok\">200</span>" in result and "hi back" in result
        assert "Signature" in result and "MessageSid" in result
        r = h.post("/console/call", data={"csrf": csrf, "To": own.phone_number, "From": "+12125551234",
                                          "CallDuration": "12", "q": "front"})
        assert r.status_code == 303 and r.headers["location"].startswith("/console?event=CA")
        assert r.headers["location"].endswith("&q=front")
        result = h.get(r.headers["location"]).text.split('id="result"', 1)[1].split("</section>", 1)[0]
        assert "12 s" in result and f"GET {voice_url}" not in result and f"POST {voice_url}" in result


@pytest.mark.parametrize(("path", "form", "message", "status"), [
    ("/console/sms", {"From": ""}, "A &#x27;From&#x27; phone number is required (error 21603)", 400),
    ("/console/sms", {"Body": "x" * 1601}, "(error 21617)", 400),
    ("/console/sms", {"MediaUrl": "ftp://x"}, "(error 21620)", 400),
    ("/console/sms", {"To": "4155550123"}, "Invalid &#x27;To&#x27; Phone Number", 400),
    ("/console/call", {"CallDuration": "-1"}, "CallDuration", 400),
    ("/console/sms", {"To": "+999999999999"}, "phone number +999999999999 was not found (error 20404)", 404),
])
def test_a_twilio_error_is_a_readable_message(server: Server, client, path, form, message, status):
    number = client.incoming_phone_numbers.create(area_code="415")
    with signed_in(server, server.account_sid, server.auth_token) as (h, csrf):
        r = h.post(path, data={"csrf": csrf, "To": number.phone_number, "From": "+12125551234", **form})
        assert r.status_code == status and message in r.text, r.text[:3000]
        assert "Traceback" not in r.text and 'class="notice error"' in r.text
        assert f"Signed in as <code>{server.account_sid}</code>" in r.text  # the page, with the error on it


def test_unknown_pages_methods_and_bodies(server: Server):
    with signed_in(server, server.account_sid, server.auth_token) as (h, csrf):
        assert h.get("/console/nothing").status_code == 404
        assert h.get("/console/sms").status_code == 405
        assert h.post("/console", data={"csrf": csrf}).status_code == 405
        r = h.post("/console/sms", content=b'{"csrf": 1}', headers={"Content-Type": "application/json"})
        assert r.status_code == 400 and "HTML forms only" in r.text
        r = h.post("/console/sms", data={"csrf": csrf, "To": "+14155550123", "From": "+1212\x00"})
        assert r.status_code == 400 and "NUL" in r.text
        assert h.get("/console", params={"q": "\x00%_\\"}).status_code == 200
        assert h.get("/console", params={"event": "SM" + "0" * 32}).status_code == 200
        css = h.get("/console/style.css")
        assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")

"""Inbound delivery stays bounded and private: ``--webhook-deny-private`` refuses addresses only
the server can reach (no connection made), an answer refused as not TwiML is not kept (so the
records never show what an internal URL answered), each event has one deadline and at most 10
replies (14109), and cookies go back only to the host that set them, as a browser keeps them."""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import closing
from types import SimpleNamespace

import pytest

import numberpool
from numberpool.console.events import event_card
from numberpool.store import inbound as inbound_store
from numberpool.store.db import Database
from tests.conftest import Server, free_port, fresh_database, start_server, stop_server
from tests.receiver import Receiver, running


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    with running() as r:
        yield r


def path_on(receiver: Receiver, name: str, **answer) -> tuple[str, str]:
    path = f"/{name}-{secrets.token_hex(4)}"
    return path, receiver.answer(path, **answer)


def sms(h, to: str) -> dict:
    r = h.post("/numberpool/v1/InboundMessages", data={"To": to, "From": "+12125551234", "Body": "hi"})
    assert r.status_code == 201, r.text
    return r.json()


@pytest.fixture
def account(server, subaccount):
    c = server.client(subaccount.sid, subaccount.auth_token)
    with server.http(subaccount.sid, subaccount.auth_token) as h:
        yield c, h


def buy(c, **config):
    return c.incoming_phone_numbers.create(area_code="415", **config)


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    """A port on 127.0.0.1 that listens and never accepts: a connection to it would wait in its
    backlog, where ``accept`` finds it (a request it never answers, too)."""
    with closing(socket.socket()) as s:
        s.bind(("127.0.0.1", 0))
        s.listen(16)
        s.setblocking(False)
        yield s


def connected(s: socket.socket) -> bool:
    try:
        conn, _ = s.accept()
    except BlockingIOError:
        return False
    conn.close()
    return True


# -- --webhook-deny-private ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def private_denied(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server started with ``--webhook-deny-private``."""
    sid, token = "AC" + secrets.token_hex(16), secrets.token_hex(16)
    with fresh_database(backend, tmp_path_factory) as db_url:
        proc, base_url = start_server(db_url, {"TWILIO_ACCOUNT_SID": sid, "TWILIO_AUTH_TOKEN": token},
                                      extra=["--webhook-deny-private"])
        try:
            yield Server(base_url, sid, token, db_url)
        finally:
            stop_server(proc)


def test_deny_private_refuses_loopback_link_local_and_names_resolving_there(private_denied, receiver, listener):
    c = private_denied.client()
    ok_path, ok = path_on(receiver, "denied", body="<Response><Message>should not happen</Message></Response>")
    port = listener.getsockname()[1]
    urls = [ok, f"http://127.0.0.1:{port}/hook", f"http://localhost:{port}/hook",
            f"http://localhost:{receiver.server.server_address[1]}{ok_path}", f"http://[::1]:{port}/hook",
            "http://169.254.169.254/latest/meta-data/", "http://10.0.0.1/admin", "http://0.0.0.0:80/",
            f"http://[::ffff:127.0.0.1]:{port}/hook"]
    with private_denied.http() as h:
        for url in urls:
            n = buy(c, sms_url=url, sms_fallback_url=ok)
            started = time.monotonic()
            rec = sms(h, n.phone_number)
            took = time.monotonic() - started
            # refused before any connection: no connect timeout (10 s) was waited for
            assert [(d["purpose"], d["error_code"], d["status_code"]) for d in rec["deliveries"]] == [
                ("primary", 11210, None), ("fallback", 11210, None)], (url, rec["deliveries"])
            assert rec["deliveries"][1]["params"]["ErrorCode"] == "11210" and rec["replies"] == []
            assert took < 8, (url, took)
    assert receiver.requests(ok_path) == []  # the 127.0.0.1 receiver saw no request
    assert not connected(listener)  # and nothing connected to the listening port


def test_without_the_flag_webhooks_on_this_machine_work(account, receiver):
    c, h = account
    path, url = path_on(receiver, "allowed", body="<Response><Message>ok</Message></Response>")
    localhost = f"http://localhost:{receiver.server.server_address[1]}{path}"
    for hook in (url, localhost):
        rec = sms(h, buy(c, sms_url=hook).phone_number)
        assert [(d["status_code"], d["error_code"]) for d in rec["deliveries"]] == [(200, None)]
        assert [r["body"] for r in rec["replies"]] == ["ok"]
    assert len(receiver.requests(path)) == 2


def test_a_misspelt_deny_private_setting_is_a_one_line_error(tmp_path):
    r = subprocess.run([sys.executable, "-m", "numberpool", "serve", "--port", str(free_port()),
                        "--db", str(tmp_path / "x.db"), "--no-access-log"],
                       env={**os.environ, "NUMBERPOOL_WEBHOOK_DENY_PRIVATE": "yes"},
                       capture_output=True, text=True, timeout=60, check=False)
    assert r.returncode == 2 and "NUMBERPOOL_WEBHOOK_DENY_PRIVATE" in r.stderr, r.stderr
    assert len(r.stderr.strip().splitlines()) == 1 and not (tmp_path / "x.db").exists()


# -- an answer refused as not TwiML is not kept -------------------------------------------------

@pytest.mark.parametrize("content_type, body, code", [
    ("application/json", '{"AccessKeyId": "SECRET-%s"}', 12300),
    ("text/plain", "root:x:0:0:SECRET-%s", 12300),
    ("text/html", "<html><body>admin panel SECRET-%s</body></html>", 12100),
    ("text/xml", "<config><password>SECRET-%s</password></config>", 12100),
])
def test_an_answer_refused_as_not_twiml_keeps_no_body(server, account, receiver, content_type, body, code):
    c, h = account
    secret = secrets.token_hex(8)
    text = body % secret
    _, url = path_on(receiver, "internal", body=text, content_type=content_type)
    _, ok = path_on(receiver, "ok", body="<Response/>")
    n = buy(c, sms_url=url, sms_fallback_url=ok)
    r = h.post("/numberpool/v1/InboundMessages", data={"To": n.phone_number, "From": "+12125551234"})
    assert r.status_code == 201 and secret not in r.text
    refused = r.json()["deliveries"][0]
    assert (refused["status_code"], refused["error_code"], refused["response_body"]) == (200, code, "")
    assert refused["response_content_type"] == content_type
    assert refused["response_length"] == len(text.encode())
    fetched = h.get(f"/numberpool/v1/InboundMessages/{r.json()['sid']}")
    listed = h.get("/numberpool/v1/InboundMessages", params={"To": n.phone_number})
    assert fetched.status_code == listed.status_code == 200
    assert secret not in fetched.text and secret not in listed.text
    db = Database(server.db_url)
    try:
        row = inbound_store.fetch(db, "message", r.json()["sid"])
    finally:
        db.dispose()
    assert secret not in row.deliveries
    page = event_card(row)  # the console's event page renders the record with this
    assert secret not in page and content_type in page and f"{len(text.encode())} bytes" in page


def test_twiml_answers_are_still_kept(account, receiver):
    c, h = account
    _, url = path_on(receiver, "kept", body="<Response><Message>kept</Message></Response>")
    d = sms(h, buy(c, sms_url=url).phone_number)["deliveries"][0]
    assert d["response_body"] == "<Response><Message>kept</Message></Response>"
    assert (d["response_content_type"], d["response_length"]) == ("text/xml", len(d["response_body"]))


# -- at most 10 replies an event ----------------------------------------------------------------

def test_replies_past_the_tenth_are_dropped_with_14109(account, receiver):
    c, h = account
    messages = "".join(f"<Message>m{i}</Message>" for i in range(12))
    fb_path, fb = path_on(receiver, "fb")
    _, url = path_on(receiver, "many", body=f"<Response>{messages}</Response>")
    rec = sms(h, buy(c, sms_url=url, sms_fallback_url=fb).phone_number)
    assert [r["body"] for r in rec["replies"]] == [f"m{i}" for i in range(10)]
    assert [(d["purpose"], d["status_code"], d["error_code"]) for d in rec["deliveries"]] == [("primary", 200, 14109)]
    assert receiver.requests(fb_path) == []  # a warning, not a failure: no fallback
    # counted over the event: 6 replies, a <Redirect>, 6 more
    second_path, _ = path_on(receiver, "second",
                             body="<Response>" + "".join(f"<Message>m{i}</Message>" for i in range(6)) + "</Response>")
    _, first = path_on(receiver, "first", body="<Response>" + "".join(f"<Message>a{i}</Message>" for i in range(6))
                       + f"<Redirect>{second_path}</Redirect></Response>")
    rec = sms(h, buy(c, sms_url=first).phone_number)
    assert [r["body"] for r in rec["replies"]] == [f"a{i}" for i in range(6)] + [f"m{i}" for i in range(4)]
    assert [(d["purpose"], d["error_code"]) for d in rec["deliveries"]] == [("primary", None), ("redirect", 14109)]
    # exactly 10 is no warning
    _, ten = path_on(receiver, "ten", body="<Response>" + "".join(f"<Message>t{i}</Message>" for i in range(10))
                     + "</Response>")
    rec = sms(h, buy(c, sms_url=ten).phone_number)
    assert len(rec["replies"]) == 10 and rec["deliveries"][0]["error_code"] is None


# -- one deadline an event ----------------------------------------------------------------------

@pytest.fixture
def quick_mock() -> Iterator[SimpleNamespace]:
    """An in-process server whose events may take 1 s (the deadline is the domain's, the same on
    either database; the default is 60 s)."""
    with numberpool.mock() as m:
        inbound = m._started().backend.inbound
        assert inbound.deadline == 60.0
        inbound.deadline = 1.0
        with m.http(timeout=60) as h:
            yield SimpleNamespace(client=m.client(), http=h)


def test_an_event_stops_at_its_deadline_with_11205(quick_mock, receiver, listener):
    fb_path, fb = path_on(receiver, "late-fallback")
    cb_path, cb = path_on(receiver, "late-callback")
    never = f"http://127.0.0.1:{listener.getsockname()[1]}/never"  # accepts the connection, never answers
    n = quick_mock.client.incoming_phone_numbers.create(area_code="415", sms_url=never, sms_fallback_url=fb,
                                                        voice_url=never, voice_fallback_url=fb, status_callback=cb)
    for path in ("/numberpool/v1/InboundMessages", "/numberpool/v1/InboundCalls"):
        started = time.monotonic()
        r = quick_mock.http.post(path, data={"To": n.phone_number, "From": "+12125551234"})
        took = time.monotonic() - started
        assert r.status_code == 201, r.text
        deliveries = r.json()["deliveries"]
        # cut off at the event's deadline (1 s), not the request's own 15 s; nothing after it
        assert [(d["purpose"], d["status_code"], d["error_code"]) for d in deliveries] == [("primary", None, 11205)]
        assert 900 <= deliveries[0]["duration_ms"] < 5000 and took < 10, (deliveries, took)
    assert receiver.requests(fb_path) == [] and receiver.requests(cb_path) == []


def test_the_deadline_covers_the_whole_event_not_each_request(quick_mock, receiver):
    # each hop answers in 0.4 s, well within the 15 s a request may take: the event still ends at 1 s
    tag = secrets.token_hex(4)
    for i in range(20):
        receiver.answer(f"/hop{i}-{tag}", status=302, body="", delay=0.4, headers={"Location": f"/hop{i + 1}-{tag}"})
    n = quick_mock.client.incoming_phone_numbers.create(area_code="415", sms_url=receiver.url(f"/hop0-{tag}"))
    started = time.monotonic()
    r = quick_mock.http.post("/numberpool/v1/InboundMessages", data={"To": n.phone_number, "From": "+12125551234"})
    took = time.monotonic() - started
    deliveries = r.json()["deliveries"]
    assert 2 <= len(deliveries) <= 4 and deliveries[-1]["error_code"] == 11205, deliveries
    assert all(d["status_code"] == 302 for d in deliveries[:-1]) and took < 10


# -- cookies: per host, as a browser keeps them -------------------------------------------------

def test_cookies_go_back_only_to_the_host_that_set_them(account, receiver):
    c, h = account
    tag = secrets.token_hex(4)
    port = receiver.server.server_address[1]
    # 127.0.0.1 sets a cookie and fails; the fallback is on localhost (the same receiver, another host)
    receiver.answer(f"/set-{tag}", status=500, body="", headers={"Set-Cookie": "session=abc; Path=/"})
    receiver.answer(f"/fb-{tag}", status=302, body="", headers={"Location": f"http://127.0.0.1:{port}/back-{tag}"})
    receiver.answer(f"/back-{tag}", body="<Response/>")
    n = buy(c, sms_url=receiver.url(f"/set-{tag}"), sms_fallback_url=f"http://localhost:{port}/fb-{tag}")
    rec = sms(h, n.phone_number)
    assert [d["status_code"] for d in rec["deliveries"]] == [500, 302, 200]
    assert "Cookie" not in receiver.requests(f"/fb-{tag}")[-1].headers  # localhost: not the host that set it
    assert receiver.requests(f"/back-{tag}")[-1].headers.get("Cookie") == "session=abc"  # 127.0.0.1 again


def test_max_age_0_and_a_past_expires_delete_a_cookie(account, receiver):
    c, h = account
    tag = secrets.token_hex(4)
    hops = [("a=1; Path=/", None), ("a=gone; Max-Age=0", "a=1"), ("b=2", None),
            ("b=2; Expires=Thu, 01 Jan 1970 00:00:00 GMT", "b=2"), ("c=3; Max-Age=3600", None)]
    for i, (set_cookie, _) in enumerate(hops):
        receiver.answer(f"/c{i}-{tag}", status=302, body="", headers={"Set-Cookie": set_cookie,
                                                                      "Location": f"/c{i + 1}-{tag}"})
    receiver.answer(f"/c{len(hops)}-{tag}", body="<Response/>")
    rec = sms(h, buy(c, sms_url=receiver.url(f"/c0-{tag}")).phone_number)
    assert len(rec["deliveries"]) == len(hops) + 1
    for i, (_, expected) in enumerate(hops):
        assert receiver.requests(f"/c{i}-{tag}")[-1].headers.get("Cookie") == expected, i
    assert receiver.requests(f"/c{len(hops)}-{tag}")[-1].headers.get("Cookie") == "c=3"


def test_hosts_share_cookies_across_ports_as_browsers_do(account):
    c, h = account
    tag = secrets.token_hex(4)
    with running() as first, running() as second:
        first.answer(f"/a-{tag}", status=307, body="", headers={"Set-Cookie": "s=1",
                                                                 "Location": second.url(f"/b-{tag}")})
        second.answer(f"/b-{tag}", body="<Response/>")
        rec = sms(h, buy(c, sms_url=first.url(f"/a-{tag}")).phone_number)
        assert [d["status_code"] for d in rec["deliveries"]] == [307, 200]
        assert second.requests(f"/b-{tag}")[-1].headers.get("Cookie") == "s=1"


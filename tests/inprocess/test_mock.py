"""numberpool.mock(): the SDK served in-process, with no socket and no subprocess."""

from __future__ import annotations

import asyncio
import os
import socket
from pathlib import Path
from urllib.parse import parse_qsl

import pytest
from twilio.base.exceptions import TwilioRestException
from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.request_validator import RequestValidator
from twilio.rest import Client

import numberpool
from numberpool.testing.mock import Mock, mock


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Nothing in this file may open a socket: the mock serves the SDK in-process."""
    def refuse(*args, **kwargs):
        raise AssertionError("a socket was opened inside the in-process mock")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def test_the_sdk_is_served_in_process(monkeypatch):
    monkeypatch.delenv("TWILIO_ACCOUNT_SID", raising=False)
    with mock() as m:
        assert m.account_sid.startswith("AC") and len(m.auth_token) == 32
        c = Client(m.account_sid, m.auth_token)
        n = c.incoming_phone_numbers.create(area_code="415", friendly_name="mine")
        assert n.phone_number.startswith("+1415") and n.account_sid == m.account_sid
        assert c.incoming_phone_numbers(n.sid).fetch().friendly_name == "mine"
        s = c.messaging.v1.services.create(friendly_name="svc")
        s.phone_numbers.create(phone_number_sid=n.sid)
        assert [p.sid for p in c.messaging.v1.services(s.sid).phone_numbers.list()] == [n.sid]
        t = c.trunking.v1.trunks.create(friendly_name="t")
        k = c.proxy.v1.services.create(unique_name="k")
        assert t.sid.startswith("TK") and k.sid.startswith("KS")
        with pytest.raises(TwilioRestException) as e:  # the rules, with Twilio's codes
            c.messaging.v1.services.create(friendly_name="other").phone_numbers.create(phone_number_sid=n.sid)
        assert (e.value.status, e.value.code) == (409, 21712)
        with pytest.raises(TwilioRestException) as e:
            c.incoming_phone_numbers.create(phone_number="+1415")
        assert (e.value.status, e.value.code) == (400, 21421)
        with pytest.raises(TwilioRestException) as e:
            Client(m.account_sid, "wrong" * 6).incoming_phone_numbers("PN" + "0" * 32).fetch()
        assert (e.value.status, e.value.code) == (401, 20003)
        made = [c.incoming_phone_numbers.create(area_code="212").sid for _ in range(5)]
        assert {x.sid for x in c.incoming_phone_numbers.list(page_size=2)} == {n.sid, *made}  # paging across pages


def test_every_mock_is_fresh_and_leaves_nothing_behind(monkeypatch):
    monkeypatch.delenv("TWILIO_ACCOUNT_SID", raising=False)
    with mock() as m:
        m.client().incoming_phone_numbers.create(area_code="415")
        assert len(m.client().incoming_phone_numbers.list()) == 1
        folder = Path(m._dir or "")
        assert folder.is_dir()
    assert not folder.exists()
    with mock() as m2:
        assert m2.client().incoming_phone_numbers.list() == []
    with pytest.raises(RuntimeError):
        m2.client()


def test_the_main_account_comes_from_the_environment(monkeypatch):
    sid, token = "AC" + "1" * 32, "2" * 32
    monkeypatch.setenv("TWILIO_ACCOUNT_SID", sid)
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", token)
    with mock() as m:
        assert (m.account_sid, m.auth_token) == (sid, token)
        assert Client().api.v2010.accounts(sid).fetch().sid == sid  # Client() reads the same variables
    with mock("AC" + "3" * 32, "4" * 32) as m:
        assert (m.account_sid, m.auth_token) == ("AC" + "3" * 32, "4" * 32)


def test_nested_mocks_the_innermost_serves(monkeypatch):
    monkeypatch.delenv("TWILIO_ACCOUNT_SID", raising=False)
    with mock() as outer:
        outer.client().incoming_phone_numbers.create(area_code="415")
        with mock() as inner:
            assert inner.client().incoming_phone_numbers.list() == []
        assert len(outer.client().incoming_phone_numbers.list()) == 1


@mock()
def test_as_a_decorator_each_call_is_fresh():
    from numberpool.testing.mock import _active

    m = _active()
    assert m is not None
    c = m.client()
    assert c.incoming_phone_numbers.list() == []
    c.incoming_phone_numbers.create(area_code="415")


def test_the_decorator_twice():
    calls = []

    @mock()
    def count():
        from numberpool.testing.mock import _active

        m = _active()
        calls.append(len(m.client().incoming_phone_numbers.list()))
        m.client().incoming_phone_numbers.create(area_code="415")

    count()
    count()
    assert calls == [0, 0]


def test_async_client_and_a_sync_client_inside_async_code():
    @mock()
    async def scenario():
        from numberpool.testing.mock import _active

        m = _active()
        http = AsyncTwilioHttpClient()
        try:
            c = Client(m.account_sid, m.auth_token, http_client=http)
            n = await c.incoming_phone_numbers.create_async(area_code="212")
            assert [x.sid for x in await c.incoming_phone_numbers.list_async()] == [n.sid]
            sync = Client(m.account_sid, m.auth_token)  # called on a running loop: served all the same
            assert sync.incoming_phone_numbers(n.sid).fetch().phone_number == n.phone_number
        finally:
            await http.close()

    asyncio.run(scenario())


def test_regions_and_edges_are_served_and_other_products_refused(monkeypatch):
    monkeypatch.delenv("TWILIO_ACCOUNT_SID", raising=False)
    with mock() as m:
        for region, edge in (("ie1", None), (None, "dublin"), ("au1", "sydney")):
            c = Client(m.account_sid, m.auth_token, region=region, edge=edge)
            c.incoming_phone_numbers.create(area_code="415")
            assert c.messaging.v1.services.create(friendly_name="r").sid.startswith("MG")
        with pytest.raises(TwilioRestException) as e:
            m.client().verify.v2.services("VA" + "0" * 32).fetch()
        assert (e.value.status, e.value.code) == (404, 20404) and "does not serve verify" in e.value.msg


def test_the_pytest_fixture(numberpool_mock):
    c = numberpool_mock.client()
    assert c.incoming_phone_numbers.create(area_code="415").account_sid == numberpool_mock.account_sid
    assert numberpool.mock is not None  # the fixture no longer hides the package


def test_the_fixture_s_former_name_still_works_and_warns(request):
    with pytest.warns(DeprecationWarning, match="numberpool_mock"):
        old = request.getfixturevalue("numberpool")
    assert old is request.getfixturevalue("numberpool_mock")
    assert old.client().incoming_phone_numbers.create(area_code="212").phone_number.startswith("+1212")


# -- webhooks to an app in this process -------------------------------------------------------------

class AsgiApp:
    def __init__(self) -> None:
        self.seen: list[tuple[str, dict[str, str], dict[str, str]]] = []

    async def __call__(self, scope, receive, send):
        assert scope["type"] == "http"
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        headers = {k.decode(): v.decode() for k, v in scope["headers"]}
        url = f"{scope['scheme']}://{headers['host']}{scope['path']}"
        self.seen.append((url, headers, dict(parse_qsl(body.decode(), keep_blank_values=True))))
        text = dict(parse_qsl(body.decode()))["Body"].upper()
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/xml")]})
        await send({"type": "http.response.body", "body": f"<Response><Message>{text}</Message></Response>".encode()})


def test_webhooks_to_an_asgi_app(monkeypatch):
    monkeypatch.delenv("TWILIO_ACCOUNT_SID", raising=False)
    app = AsgiApp()
    with mock() as m:
        m.webhooks_to(app)
        c = m.client()
        n = c.incoming_phone_numbers.create(area_code="415", sms_url="https://myapp.test/sms")
        record = numberpool.receive_message(c, to=n.phone_number, from_="+12125551234", body="ping")
        assert record["route"] == "number" and record["replies"][0]["body"] == "PING"
        url, headers, form = app.seen[-1]
        assert url == "https://myapp.test/sms" and form["Body"] == "ping" and form["To"] == n.phone_number
        assert RequestValidator(m.auth_token).validate(url, form, headers["x-twilio-signature"])


def test_webhooks_to_a_wsgi_app_that_calls_the_api_back(monkeypatch):
    monkeypatch.delenv("TWILIO_ACCOUNT_SID", raising=False)
    seen = []
    with mock() as m:
        def wsgi(environ, start_response):
            body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0)).decode()
            form = dict(parse_qsl(body, keep_blank_values=True))
            url = f"{environ['wsgi.url_scheme']}://{environ['HTTP_HOST']}{environ['PATH_INFO']}"
            seen.append(RequestValidator(m.auth_token).validate(url, form, environ["HTTP_X_TWILIO_SIGNATURE"]))
            # the handler uses the SDK itself, as a real app would (inside the event's delivery)
            friendly = m.client().incoming_phone_numbers.list(phone_number=form["To"])[0].friendly_name
            start_response("200 OK", [("Content-Type", "text/xml")])
            return [f"<Response><Message>{friendly}</Message></Response>".encode()]

        m.webhooks_to(wsgi)
        c = m.client()
        n = c.incoming_phone_numbers.create(area_code="415", friendly_name="desk", sms_url="http://flask.test/sms")
        record = numberpool.receive_message(c, to=n.phone_number, from_="+12125551234", body="hi")
        assert record["deliveries"][0]["status_code"] == 200 and record["replies"][0]["body"] == "desk"
        assert seen == [True]


def test_inside_a_mock_a_non_twilio_host_is_not_intercepted(monkeypatch):
    """A numberpool.client() to a server still goes over the network (refused here: no socket)."""
    monkeypatch.delenv("TWILIO_ACCOUNT_SID", raising=False)
    with mock():
        c = numberpool.client("http://127.0.0.1:9", "AC" + "0" * 32, "x")
        with pytest.raises(AssertionError, match="socket was opened"):
            c.incoming_phone_numbers.list()


def test_a_mock_is_a_mock(monkeypatch):
    monkeypatch.delenv("TWILIO_ACCOUNT_SID", raising=False)
    m = Mock()
    with pytest.raises(RuntimeError):
        _ = m.account_sid
    with m, pytest.raises(RuntimeError):
        m.__enter__()
    assert os.environ.get("TWILIO_ACCOUNT_SID") is None

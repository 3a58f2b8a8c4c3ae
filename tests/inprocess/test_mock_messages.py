"""Sending in numberpool.mock(): the work runs on the mock's own thread, ``m.settle()`` waits for
it, ``m.messages(...)`` asserts what was sent, and a status-callback handler given to
``webhooks_to`` may call the SDK back (the same mock). No socket is opened."""

from __future__ import annotations

import asyncio
import socket
import threading
from urllib.parse import parse_qsl

import pytest
from twilio.request_validator import RequestValidator

from numberpool.testing.mock import mock


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a socket was opened inside the in-process mock")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.delenv("TWILIO_ACCOUNT_SID", raising=False)


def test_settle_and_assert_what_was_sent():
    with mock() as m:
        c = m.client()
        n = c.incoming_phone_numbers.create(area_code="415")
        c.messages.create(to="+14155550100", from_=n.phone_number, body="Your code is 1234")
        c.messages.create(to="+14155550101", from_=n.phone_number, body="Hello")
        m.settle()
        sent = m.messages(to="+14155550100", body_contains="code is")
        assert [(x["body"], x["status"], x["from"]) for x in sent] == [("Your code is 1234", "delivered", n.phone_number)]
        assert len(m.messages()) == 2 and m.messages(status="queued") == []


def test_a_status_callback_handler_calls_the_sdk_back():
    seen: list[tuple[str, bool, str]] = []
    with mock() as m:
        def wsgi(environ, start_response):
            body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0)).decode()
            form = dict(parse_qsl(body, keep_blank_values=True))
            url = f"{environ['wsgi.url_scheme']}://{environ['HTTP_HOST']}{environ['PATH_INFO']}"
            valid = RequestValidator(m.auth_token).validate(url, form, environ["HTTP_X_TWILIO_SIGNATURE"])
            # the handler reads the message back through the SDK, as a real app would
            status = m.client().messages(form["MessageSid"]).fetch().status
            seen.append((form["MessageStatus"], valid, status))
            start_response("204 No Content", [])
            return [b""]

        m.webhooks_to(wsgi)
        c = m.client()
        n = c.incoming_phone_numbers.create(area_code="415")
        c.messages.create(to="+14155550100", from_=n.phone_number, body="x", status_callback="https://app.test/status")
        m.settle()
        assert seen == [("sent", True, "sent"), ("delivered", True, "delivered")]
        assert threading.current_thread() is threading.main_thread()


def test_settle_times_out_naming_the_message():
    with mock() as m:
        async def slow(scope, receive, send):  # an ASGI app that answers after a second
            await asyncio.sleep(1)
            await send({"type": "http.response.start", "status": 200, "headers": []})
            await send({"type": "http.response.body", "body": b""})

        m.webhooks_to(slow)
        c = m.client()
        n = c.incoming_phone_numbers.create(area_code="415")
        msg = c.messages.create(to="+14155550100", from_=n.phone_number, body="x", status_callback="https://app.test/s")
        with pytest.raises(TimeoutError, match=msg.sid):
            m.settle(timeout=0.3)
        m.settle()
        assert c.messages(msg.sid).fetch().status == "delivered"

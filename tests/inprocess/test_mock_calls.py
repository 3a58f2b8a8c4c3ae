"""Calls in numberpool.mock(): the TwiML app and the status-callback handler are in-process apps
(``webhooks_to``), ``m.settle()`` waits for the call's end, ``m.calls(...)`` shows what its TwiML
did, and a CallRule answers the Gather. No socket is opened."""

from __future__ import annotations

import socket
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


def test_a_call_runs_the_apps_twiml_and_reports_to_its_handler():
    with mock() as m:
        seen: list[tuple[str, str, bool]] = []

        def wsgi(environ, start_response):
            body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0)).decode()
            form = dict(parse_qsl(body, keep_blank_values=True))
            url = f"{environ['wsgi.url_scheme']}://{environ['HTTP_HOST']}{environ['PATH_INFO']}"
            valid = RequestValidator(m.auth_token).validate(url, form, environ["HTTP_X_TWILIO_SIGNATURE"])
            seen.append((environ["PATH_INFO"], form.get("CallStatus", ""), valid))
            twiml = {
                "/voice": '<Response><Gather action="/menu" numDigits="1"><Say>Press 1 for sales</Say></Gather></Response>',
                "/menu": f'<Response><Say>You chose {form.get("Digits")}</Say><Hangup/></Response>',
            }.get(environ["PATH_INFO"], "")
            start_response("200 OK", [("Content-Type", "text/xml")])
            return [twiml.encode()]

        m.webhooks_to(wsgi)
        c = m.client()
        n = c.incoming_phone_numbers.create(area_code="415")
        with m.http() as h:
            assert h.post("/numberpool/v1/CallRules", data={"To": "+14155550100", "Digits": "1"}).status_code == 201
        call = c.calls.create(to="+14155550100", from_=n.phone_number, url="https://app.test/voice",
                              status_callback="https://app.test/status")
        m.settle()
        [placed] = m.calls(to="+14155550100")
        assert (placed["sid"], placed["status"]) == (call.sid, "completed")
        assert [(v["verb"], v["result"]) for v in placed["verbs"]] == [
            ("Gather", {"digits": "1"}), ("Say", {}), ("Hangup", {})]
        assert placed["verbs"][1]["text"] == "You chose 1"
        assert seen == [("/voice", "in-progress", True), ("/menu", "in-progress", True), ("/status", "completed", True)]
        assert m.calls(status="busy") == []

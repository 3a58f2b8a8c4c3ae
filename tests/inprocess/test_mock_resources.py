"""Nothing a mock uses outlives it: its event loops and their thread, the webhook clients (and
their sockets) of every loop that sent a webhook, the transport webhooks_to replaced, and every
folder, the template's included."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest
from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.rest import Client

import numberpool
from numberpool.testing.mock import Mock, mock
from tests import receiver

INBOUND = "https://api.twilio.com/numberpool/v1/InboundMessages"
ROUNDS = 200

pytestmark = pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="counts descriptors in /proc/self/fd")


def _descriptors() -> int:
    return len(os.listdir("/proc/self/fd"))


def _threads() -> int:
    """This process's threads but the receiver's, which serve each connection until the client closes it."""
    return sum(1 for t in threading.enumerate() if "process_request_thread" not in t.name)


async def _app(scope, receive, send):  # the user's ASGI app under test
    while (await receive()).get("more_body"):
        pass
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/xml")]})
    await send({"type": "http.response.body", "body": b"<Response/>"})


async def _text(m: Mock, to: str) -> None:
    """A message to ``to``, sent by async code: the mock delivers its webhook on this event loop."""
    http = AsyncTwilioHttpClient()
    try:
        answer = await Client(m.account_sid, m.auth_token, http_client=http).request_async(
            "POST", INBOUND, data={"To": to, "From": "+12125551234", "Body": "hi"})
        assert answer.status_code == 201 and json.loads(answer.text)["deliveries"][0]["status_code"] == 200
    finally:
        await http.close()


def _round(long_lived: Mock, long_number: str, sms_url: str) -> None:
    async def in_a_loop() -> None:
        await _text(long_lived, long_number)  # the long-lived mock's webhook client for this loop
        with mock() as m:  # a mock entered and left inside a running loop
            c = m.client()
            n = c.incoming_phone_numbers.create(area_code="415", sms_url=sms_url).phone_number
            record = numberpool.receive_message(c, to=n, from_="+12125551234", body="x")  # sync: its background loop
            assert record["deliveries"][0]["status_code"] == 200
            await _text(m, n)  # async: its client on this loop
            m.webhooks_to(_app)  # the HTTP transport it replaces holds connections to the receiver
            await _text(m, n)

    asyncio.run(in_a_loop())
    with mock() as m:  # sync code: the mock's own loop
        c = m.client()
        n = c.incoming_phone_numbers.create(area_code="415", sms_url=sms_url).phone_number
        assert numberpool.receive_message(c, to=n, from_="+12125551234", body="x")["deliveries"][0]["status_code"] == 200


def test_mocks_and_event_loops_leave_no_descriptor_and_no_thread(monkeypatch):
    monkeypatch.delenv("TWILIO_ACCOUNT_SID", raising=False)
    with receiver.running() as r, mock() as long_lived:
        sms_url = r.url("/sms")
        long_number = long_lived.client().incoming_phone_numbers.create(area_code="212", sms_url=sms_url).phone_number
        _round(long_lived, long_number, sms_url)  # first use: imports, the template, the receiver's first thread
        descriptors, threads = _descriptors(), _threads()
        for _ in range(ROUNDS):
            _round(long_lived, long_number, sms_url)
        grown = (_descriptors() - descriptors, _threads() - threads)
        assert grown[0] <= 4 and grown[1] <= 1, grown  # a connection the receiver is still closing, at most
        transport = long_lived._started().backend.inbound.transport
        assert transport._clients == {}  # every loop's client closed with its loop
        assert len(r.requests("/sms")) == 4 * (ROUNDS + 1)  # every webhook but the in-process app's


def test_a_process_that_used_mocks_leaves_no_folder(tmp_path):
    script = textwrap.dedent("""
        import asyncio
        import numberpool

        with numberpool.mock() as m:
            c = m.client()
            number = c.incoming_phone_numbers.create(area_code="415", sms_url="http://127.0.0.1:9/sms")
            numberpool.receive_message(c, to=number.phone_number, from_="+12125551234", body="hi")

        @numberpool.mock("AC" + "1" * 32, "2" * 32)  # another account: another template
        async def decorated():
            numberpool.mock()  # made, never entered
            with numberpool.mock() as inner:
                inner.client().incoming_phone_numbers.create(area_code="212")

        asyncio.run(decorated())
        never_stopped = numberpool.mock().__enter__()
        never_stopped.client().incoming_phone_numbers.create(area_code="415")
        print("done")
    """)
    folder = tmp_path / "tmp"
    folder.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("TWILIO_")}
    done = subprocess.run([sys.executable, "-W", "always::ResourceWarning", "-c", script], capture_output=True,
                          text=True, timeout=120, env={**env, "TMPDIR": str(folder)}, check=False)
    assert done.returncode == 0 and done.stdout == "done\n", done.stdout + done.stderr
    assert list(folder.iterdir()) == []
    assert done.stderr == ""  # no unclosed socket, transport or event loop was reported

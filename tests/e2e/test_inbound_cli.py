"""Inbound traffic sent to a running server: ``numberpool.receive_message`` / ``receive_call`` and the
``numberpool receive-sms`` / ``receive-call`` commands (and their former names), against a real webhook receiver on 127.0.0.1."""

from __future__ import annotations

import os
import re
import secrets
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

import pytest
import twilio.rest
from twilio.base.exceptions import TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.request_validator import RequestValidator

import numberpool
from numberpool.sdk import inbound as inbound_client
from numberpool.server import cli
from tests.conftest import Server, free_port

CLI = [sys.executable, "-m", "numberpool"]
TWIML = b"<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Message>got it</Message></Response>"
CALLER = "+14155550199"
MEDIA = ["https://example.com/cat.png", "https://example.com/dog.jpg?size=2"]
SLOW_SECONDS = 3.0


# -- a webhook receiver ----------------------------------------------------------------------


@dataclass
class Hit:
    method: str
    path: str
    form: dict[str, list[str]]
    signature: str | None


@dataclass
class Receiver:
    url: str
    hits: list[Hit] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def to(self, number: str) -> list[Hit]:
        """The requests made for events to ``number`` (every test has numbers of its own)."""
        with self.lock:
            return [h for h in self.hits if number in h.form.get("To", [])]


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode() if length else ""
            path, _, query = self.path.partition("?")
            form = parse_qs(body or query, keep_blank_values=True)
            with receiver.lock:
                receiver.hits.append(Hit(self.command, path, form, self.headers.get("X-Twilio-Signature")))
            if path == "/slow":
                time.sleep(SLOW_SECONDS)
            try:
                self.send_response(200)
                self.send_header("Content-Type", "text/xml")
                self.send_header("Content-Length", str(len(TWIML)))
                self.end_headers()
                self.wfile.write(TWIML)
            except OSError:  # the server gave up on a slow answer
                pass

        do_GET = do_POST = _answer

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    recv = Receiver("")
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(recv))
    httpd.daemon_threads = True
    recv.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield recv
    httpd.shutdown()
    httpd.server_close()
    thread.join(timeout=10)


# -- helpers -------------------------------------------------------------------------------------


def timed_client(base_url: str, sid: str, token: str):
    """A numberpool client that gives up after 30 s (no test waits forever on a server)."""
    return numberpool.client(base_url, sid, token, http_client=TwilioHttpClient(timeout=30))


@pytest.fixture
def account(server: Server, subaccount) -> tuple[str, str]:
    return subaccount.sid, subaccount.auth_token


@pytest.fixture
def number(server: Server, account, receiver: Receiver) -> str:
    """A number of the subaccount whose sms_url and voice_url are the receiver's."""
    sid, token = account
    n = timed_client(server.base_url, sid, token).incoming_phone_numbers.create(
        area_code="415", sms_url=f"{receiver.url}/sms", voice_url=f"{receiver.url}/voice")
    assert n.sms_url == f"{receiver.url}/sms" and n.voice_url == f"{receiver.url}/voice"
    return n.phone_number


def environ(sid: str | None = None, token: str | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TWILIO_")}
    if sid is not None:
        env["TWILIO_ACCOUNT_SID"] = sid
    if token is not None:
        env["TWILIO_AUTH_TOKEN"] = token
    return env


def run(args: list[str], env: dict[str, str], timeout: float = 60) -> subprocess.CompletedProcess:
    """``numberpool ARGS`` to completion; killed (group and all) at ``timeout``."""
    proc = subprocess.Popen([*CLI, *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate(timeout=10)
        pytest.fail(f"numberpool {' '.join(args)} was still running after {timeout} s")
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def assert_one_line_error(done: subprocess.CompletedProcess, expected: str, code: int) -> None:
    assert done.returncode == code, (done.returncode, done.stdout, done.stderr)
    assert len(done.stderr.splitlines()) == 1 and "Traceback" not in done.stderr, done.stderr
    assert expected in done.stderr, done.stderr
    assert done.stdout == "", done.stdout


def assert_delivered(record: dict, url: str) -> None:
    assert len(record["deliveries"]) == 1, record["deliveries"]
    d = record["deliveries"][0]
    assert (d["purpose"], d["url"], d["method"], d["status_code"], d["error_code"]) == ("primary", url, "POST", 200, None)
    assert isinstance(d["duration_ms"], int | float) and 0 <= d["duration_ms"] < 30_000, d
    assert d["signature"]


# -- 1. the Python helpers ------------------------------------------------------------------------


def test_receive_message_returns_the_record(server, account, number, receiver):
    sid, token = account
    record = numberpool.receive_message(timed_client(server.base_url, sid, token), to=number, from_=CALLER,
                                        body="hello there", media_urls=MEDIA)
    assert re.fullmatch(r"SM[0-9a-f]{32}", record["sid"]), record
    assert (record["account_sid"], record["to"], record["from"], record["body"]) == (sid, number, CALLER, "hello there")
    assert int(record["num_media"]) == 2 and record["media_urls"] == MEDIA
    assert record["route"] == "number"
    assert record["messaging_service_sid"] is None and record["application_sid"] is None
    assert_delivered(record, f"{receiver.url}/sms")
    assert record["replies"] == [{"to": CALLER, "from": number, "body": "got it"}]

    hits = receiver.to(number)
    assert len(hits) == 1, hits
    hit = hits[0]
    assert (hit.method, hit.path) == ("POST", "/sms")
    assert (hit.form["From"], hit.form["Body"], hit.form["MessageSid"]) == ([CALLER], ["hello there"], [record["sid"]])
    assert (hit.form["NumMedia"], hit.form["MediaUrl0"], hit.form["MediaUrl1"]) == (["2"], [MEDIA[0]], [MEDIA[1]])
    assert hit.signature == record["deliveries"][0]["signature"]
    params = {k: v[0] for k, v in hit.form.items()}
    assert RequestValidator(token).validate(f"{receiver.url}/sms", params, hit.signature)

    # the record is there to read again, for its account
    with server.http(sid, token) as h:
        fetched = h.get(f"/numberpool/v1/InboundMessages/{record['sid']}")
    assert fetched.status_code == 200, fetched.text
    assert fetched.json()["deliveries"] == record["deliveries"] and fetched.json()["route"] == "number"


def test_receive_call_returns_the_record(server, account, number, receiver):
    sid, token = account
    record = inbound_client.receive_call(timed_client(server.base_url, sid, token), to=number, from_=CALLER, duration=7)
    assert re.fullmatch(r"CA[0-9a-f]{32}", record["sid"]), record
    assert (record["account_sid"], record["to"], record["from"]) == (sid, number, CALLER)
    assert int(record["call_duration"]) == 7
    assert record["route"] == "number" and record["trunk_sid"] is None and record["sip_url"] is None
    assert_delivered(record, f"{receiver.url}/voice")
    hits = receiver.to(number)
    assert [(h.method, h.path, h.form["CallSid"], h.form["From"]) for h in hits] == [
        ("POST", "/voice", [record["sid"]], [CALLER])]


def test_an_unknown_number_is_a_twilio_error(server, account):
    sid, token = account
    with pytest.raises(TwilioRestException) as refused:
        numberpool.receive_message(timed_client(server.base_url, sid, token), to="+15005550000", from_=CALLER, body="x")
    assert (refused.value.status, refused.value.code) == (404, 20404)
    assert refused.value.msg and not refused.value.msg.startswith("HTTP ")


def test_a_negative_duration_is_refused_before_sending():
    c = timed_client("http://127.0.0.1:1", "AC" + "a" * 32, "tok")
    c.http_client = None  # any attempt to send would fail with AttributeError, not ValueError
    with pytest.raises(ValueError, match="0 or more"):
        numberpool.receive_call(c, to="+14155550100", from_=CALLER, duration=-1)


@pytest.mark.parametrize("make", [
    lambda: twilio.rest.Client("AC" + "0" * 32, "token"),
    lambda: numberpool.client("https://api.twilio.com", "AC" + "0" * 32, "token"),
    lambda: numberpool.client("https://messaging.twilio.com/x", "AC" + "0" * 32, "token"),
])
def test_only_a_numberpool_client_is_accepted(make):
    """Refused before any request: a plain SDK client would send the event to twilio.com."""
    c = make()
    c.http_client = None  # any attempt to send would fail with AttributeError, not ValueError
    for send in (lambda: inbound_client.receive_message(c, to="+14155550100", from_=CALLER, body="x"),
                 lambda: numberpool.receive_call(c, to="+14155550100", from_=CALLER)):
        with pytest.raises(ValueError):
            send()


def test_the_former_names_still_work_and_warn(server, account, number, receiver):
    """``send_message`` / ``place_call`` said the opposite of what they do: kept, deprecated."""
    sid, token = account
    c = timed_client(server.base_url, sid, token)
    with pytest.warns(DeprecationWarning, match="receive_message"):
        assert numberpool.send_message(c, to=number, from_=CALLER, body="old name")["route"] == "number"
    with pytest.warns(DeprecationWarning, match="receive_call"):
        record = numberpool.place_call(c, to=number, from_=CALLER, duration=4)
    assert int(record["call_duration"]) == 4


# -- 2. the commands ------------------------------------------------------------------------------


def test_sms_prints_route_delivery_and_reply(server, account, number, receiver):
    sid, token = account
    done = run(["receive-sms", "--url", server.base_url, "--to", number, "--from", CALLER, "--body", "hi from the CLI",
                "--media", MEDIA[0], "--media", MEDIA[1]], environ(sid, token))
    assert (done.returncode, done.stderr) == (0, ""), (done.stdout, done.stderr)
    lines = done.stdout.splitlines()
    assert len(lines) == 3, done.stdout
    assert re.fullmatch(r"message SM[0-9a-f]{32}: route number", lines[0]), lines
    assert re.fullmatch(rf"delivery primary: POST {re.escape(receiver.url)}/sms -> 200 \(\d+ ms\)", lines[1]), lines
    assert lines[2] == f"reply to {CALLER}: got it"
    assert token not in done.stdout + done.stderr
    hits = receiver.to(number)
    assert len(hits) == 1 and hits[0].form["Body"] == ["hi from the CLI"] and hits[0].form["NumMedia"] == ["2"]
    assert hits[0].form["MessageSid"][0] == lines[0].split()[1].rstrip(":")


@pytest.mark.parametrize("old", [["sms", "--body", "old"], ["call"]])
def test_the_former_command_names_still_work(server, account, number, receiver, old):
    sid, token = account
    done = run([old[0], "--url", server.base_url, "--to", number, "--from", CALLER, *old[1:]], environ(sid, token))
    assert (done.returncode, done.stderr) == (0, ""), (done.stdout, done.stderr)
    assert done.stdout.splitlines()[0].endswith("route number")


def test_call_prints_route_and_delivery(server, account, number, receiver):
    sid, token = account
    done = run(["receive-call", "--url", server.base_url, "--to", number, "--from", CALLER, "--duration", "12"],
               environ(sid, token))
    assert (done.returncode, done.stderr) == (0, ""), (done.stdout, done.stderr)
    lines = done.stdout.splitlines()
    assert re.fullmatch(r"call CA[0-9a-f]{32}: route number", lines[0]), lines
    assert re.fullmatch(rf"delivery primary: POST {re.escape(receiver.url)}/voice -> 200 \(\d+ ms\)", lines[1]), lines
    assert not any(line.startswith("delivery") for line in lines[2:]), lines
    assert token not in done.stdout
    assert [h.path for h in receiver.to(number)] == ["/voice"]


def test_sms_to_an_unknown_number_exits_1_with_the_twilio_error(server, account):
    done = run(["receive-sms", "--url", server.base_url, "--to", "+15005550000", "--from", CALLER, "--body", "x"],
               environ(*account))
    assert_one_line_error(done, "(code 20404)", 1)
    assert done.stderr.startswith("numberpool: ") and account[1] not in done.stderr


def test_wrong_credentials_exit_1_with_the_twilio_error(server, account, number):
    secret = secrets.token_hex(16)
    done = run(["receive-call", "--url", server.base_url, "--to", number, "--from", CALLER], environ(account[0], secret))
    assert_one_line_error(done, "(code 20003)", 1)
    assert secret not in done.stderr


@pytest.mark.parametrize(("env", "missing"), [
    ({}, "TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN"),
    ({"TWILIO_ACCOUNT_SID": "AC" + "a" * 32}, "TWILIO_AUTH_TOKEN"),
    ({"TWILIO_AUTH_TOKEN": "tok-secret"}, "TWILIO_ACCOUNT_SID"),
])
@pytest.mark.parametrize("command", [["receive-sms", "--body", "x"], ["receive-call"]])
def test_missing_credentials_exit_2(command, env, missing):
    done = run([*command, "--url", f"http://127.0.0.1:{free_port()}", "--to", "+14155550100", "--from", CALLER],
               {**environ(), **env}, timeout=30)
    assert_one_line_error(done, f"numberpool: set {missing} in the environment", 2)
    assert "tok-secret" not in done.stderr


def test_an_unreachable_server_exits_1():
    port = free_port()
    done = run(["receive-sms", "--url", f"127.0.0.1:{port}", "--to", "+14155550100", "--from", CALLER],
               environ("AC" + "a" * 32, "tok-secret"), timeout=30)
    assert_one_line_error(done, f"numberpool: cannot reach the server at http://127.0.0.1:{port}", 1)
    assert "tok-secret" not in done.stderr


@pytest.mark.parametrize(("args", "expected"), [
    (["receive-sms", "--url", "ftp://x", "--to", "+14155550100", "--from", CALLER], "--url: 'ftp://x' is not"),
    (["receive-sms", "--to", "+14155550100"], "the following arguments are required: --from"),
    (["receive-call", "--to", "+14155550100", "--from", CALLER, "--duration", "-3"], "--duration: '-3' is not"),
    (["receive-call", "--to", "+14155550100", "--from", CALLER, "--timeout", "0"], "--timeout: '0' is not"),
])
def test_inbound_usage_errors_exit_2(args, expected):
    assert_one_line_error(run(args, environ("AC" + "a" * 32, "tok"), timeout=30), expected, 2)


def test_what_the_commands_print_for_other_routes():
    """The deciding sids and the SIP URL are shown; values stay on one line; a webhook's password is not printed."""
    text = cli.format_record({
        "sid": "CA" + "1" * 32, "route": "trunk", "trunk_sid": "TK" + "2" * 32, "sip_url": "sip:a@example.com",
        "messaging_service_sid": None, "application_sid": None, "proxy_service_sid": None,
        "deliveries": [{"purpose": "status_callback", "method": "GET", "url": "https://u:pw-secret@example.com/st",
                        "status_code": 500, "error_code": 11200, "duration_ms": 12.6}],
        "replies": [{"to": "+14155550100", "from": "+14155550101", "body": "two\nlines"}],
    })
    assert text.splitlines() == [
        f"call CA{'1' * 32}: route trunk (trunk_sid TK{'2' * 32}, sip_url sip:a@example.com)",
        "delivery status_callback: GET https://u:***@example.com/st -> 500, error 11200 (13 ms)",
        "reply to +14155550100: two\\nlines",
    ]
    dropped = cli.format_record({"sid": "SM" + "3" * 32, "route": "dropped", "messaging_service_sid": "MG" + "4" * 32,
                                 "deliveries": [], "replies": []})
    assert dropped.splitlines() == [f"message SM{'3' * 32}: route dropped (messaging_service_sid MG{'4' * 32})",
                                    "no webhook was called"]


# -- 3. serve --webhook-timeout -------------------------------------------------------------------


@pytest.mark.parametrize("value", ["0", "abc", "-1", "nan", "inf", ""])
def test_an_invalid_webhook_timeout_exits_2(tmp_path, value):
    db = tmp_path / "never.db"
    done = run(["serve", "--port", str(free_port()), "--db", f"sqlite:///{db}", "--webhook-timeout", value],
               environ(), timeout=30)
    assert_one_line_error(done, f"numberpool serve: argument --webhook-timeout: {value!r} is not a number of seconds", 2)
    assert not db.exists()


def test_an_invalid_webhook_timeout_in_the_environment_is_refused(tmp_path):
    env = {**environ(), "NUMBERPOOL_WEBHOOK_TIMEOUT": "soon"}
    done = run(["serve", "--port", str(free_port()), "--db", f"sqlite:///{tmp_path / 'n.db'}"], env, timeout=30)
    assert_one_line_error(done, "numberpool: NUMBERPOOL_WEBHOOK_TIMEOUT: 'soon' is not a number of seconds", 2)


def test_webhook_timeout_reaches_the_workers(tmp_path, receiver):
    """A webhook slower than --webhook-timeout is no answer, error 11205, after about that long."""
    sid, token = "AC" + secrets.token_hex(16), secrets.token_hex(16)
    port = free_port()
    log = tmp_path / "serve.txt"
    with open(log, "w") as sink:
        proc = subprocess.Popen([*CLI, "serve", "--port", str(port), "--db", f"sqlite:///{tmp_path / 'np.db'}",
                                 "--webhook-timeout", "0.5"], env=environ(sid, token), stdout=sink,
                                stderr=subprocess.STDOUT, start_new_session=True)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                c = timed_client(base, sid, token)
                n = c.incoming_phone_numbers.create(area_code="415", sms_url=f"{receiver.url}/slow")
                break
            except OSError:
                assert proc.poll() is None and time.monotonic() < deadline, Path(log).read_text()
                time.sleep(0.1)
        started = time.monotonic()
        record = numberpool.receive_message(c, to=n.phone_number, from_=CALLER, body="anyone?")
        took = time.monotonic() - started
        assert len(record["deliveries"]) == 1, record
        d = record["deliveries"][0]
        assert (d["status_code"], d["error_code"], record["replies"]) == (None, 11205, []), record
        assert 400 <= d["duration_ms"] < SLOW_SECONDS * 1000 and took < SLOW_SECONDS, (d, took)

        done = run(["receive-sms", "--url", base, "--to", n.phone_number, "--from", CALLER], environ(sid, token))
        assert done.returncode == 0, done.stderr
        assert proc.poll() is None, Path(log).read_text()
        assert re.search(rf"^delivery primary: POST {re.escape(receiver.url)}/slow -> no answer, error 11205 \(\d+ ms\)$",
                         done.stdout, re.MULTILINE), done.stdout
    finally:
        stop(proc)
    assert token not in Path(log).read_text()


def stop(proc: subprocess.Popen) -> None:
    """SIGTERM to a server's process group (its workers too), SIGKILL if it lingers."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            pass
        try:
            proc.wait(timeout=10)
            return
        except subprocess.TimeoutExpired:
            continue

"""``numberpool messages``: the latest messages of a running server printed for a person, against a
real server (messages sent through the SDK, status callbacks to a real receiver on 127.0.0.1)."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator

import pytest

from tests.conftest import free_port
from tests.e2e.test_inbound_cli import assert_one_line_error, environ, run
from tests.receiver import Receiver, running

TO, OTHER = "+14155550100", "+14155550101"
HEADER = re.compile(r"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)  ((?:SM|MM)[0-9a-f]{32})  (\S+)  (.+)")


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    with running() as r:
        yield r


@pytest.fixture
def account(server, subaccount):
    """A fresh subaccount (no message of another test): its SDK client, httpx client and credentials."""
    c = server.client(subaccount.sid, subaccount.auth_token)
    with server.http(subaccount.sid, subaccount.auth_token) as h:
        yield c, h, subaccount.sid, subaccount.auth_token


def settle(h) -> None:
    r = h.post("/numberpool/v1/Settle", data={"Timeout": "30"})
    assert r.status_code == 200, r.text


def messages(server, sid: str, token: str, *args: str):
    return run(["messages", "--url", server.base_url, *args], environ(sid, token))


def blocks(stdout: str) -> list[list[str]]:
    """The printed messages, each as its lines (blocks are separated by one empty line)."""
    return [b.splitlines() for b in stdout.strip("\n").split("\n\n")]


def test_prints_the_latest_messages_newest_first(server, account, receiver):
    c, h, sid, token = account
    n = c.incoming_phone_numbers.create(area_code="415")
    pooled = c.incoming_phone_numbers.create(area_code="415")
    service = c.messaging.v1.services.create(friendly_name="pool")
    service.phone_numbers.create(phone_number_sid=pooled.sid)
    rule = h.post("/numberpool/v1/DeliveryRules", data={"To": "+1212*", "Status": "undelivered", "ErrorCode": "30003"})
    assert rule.status_code == 201, rule.text
    callback = receiver.url("/status")
    long_body = "first line\n" + "x" * 100
    plain = c.messages.create(to=TO, from_=n.phone_number, body=long_body, status_callback=callback)
    via_service = c.messages.create(to=OTHER, messaging_service_sid=service.sid, body="from the pool",
                                    status_callback=callback)
    failed = c.messages.create(to="+12125550100", from_=n.phone_number, body="never arrives",
                               status_callback=receiver.answer("/broken", status=500))
    unheard = c.messages.create(to=TO, from_=n.phone_number, media_url=["https://example.com/cat.png"],
                                status_callback=f"http://127.0.0.1:{free_port()}/cb")
    settle(h)

    done = messages(server, sid, token)
    assert (done.returncode, done.stderr) == (0, ""), (done.stdout, done.stderr)
    printed = blocks(done.stdout)
    headers = [HEADER.fullmatch(b[0]) for b in printed]
    assert all(headers), done.stdout
    assert [m.group(2) for m in headers if m] == [unheard.sid, failed.sid, via_service.sid, plain.sid], done.stdout
    by_sid = {b[0].split()[2]: b for b in printed}

    # an undelivered message: its status with the error code, one callback for each status it reached
    assert by_sid[failed.sid][0].endswith("  outbound-api  undelivered (error 30003)"), by_sid[failed.sid]
    assert by_sid[failed.sid][1:] == [f"    {n.phone_number} → +12125550100: \"never arrives\"",
                                      "    callbacks: sent 500 (error 11200), undelivered 500 (error 11200)"]
    # a callback nobody answered; a message of media only
    unanswered = "(no answer, error 11205)"
    assert by_sid[unheard.sid][1:] == [f"    {n.phone_number} → {TO}: (no body) + 1 media",
                                       f"    callbacks: sent {unanswered}, delivered {unanswered}"]
    # a Messaging Service chose the sender: how it did is shown
    assert by_sid[via_service.sid][0].endswith("  outbound-api  delivered"), by_sid[via_service.sid]
    assert by_sid[via_service.sid][1:] == [f"    {pooled.phone_number} → {OTHER}: \"from the pool\"",
                                           "    sender chosen by rule area_code",
                                           "    callbacks: queued 200, sent 200, delivered 200"]
    # a long body on one line, shortened; no selection line for a sender given by the request
    line = by_sid[plain.sid][1]
    assert line.startswith(f"    {n.phone_number} → {TO}: \"first line\\nxxx") and line.endswith('..."'), line
    assert len(line) < 100, line
    assert by_sid[plain.sid][2:] == ["    callbacks: sent 200, delivered 200"]
    assert token not in done.stdout


def test_filters_and_limit(server, account):
    c, h, sid, token = account
    a = c.incoming_phone_numbers.create(area_code="415")
    b = c.incoming_phone_numbers.create(area_code="415")
    sent = [c.messages.create(to=to, from_=frm.phone_number, body=f"m{i}")
            for i, (to, frm) in enumerate([(TO, a), (OTHER, a), (TO, b), (OTHER, b)])]

    def listed(*args: str) -> list[str]:
        done = messages(server, sid, token, *args)
        assert (done.returncode, done.stderr) == (0, ""), (done.stdout, done.stderr)
        return [b[0].split()[2] for b in blocks(done.stdout) if HEADER.fullmatch(b[0])]

    assert listed("--to", TO) == [sent[2].sid, sent[0].sid]
    assert listed("--from", a.phone_number) == [sent[1].sid, sent[0].sid]
    assert listed("--to", OTHER, "--from", b.phone_number) == [sent[3].sid]

    done = messages(server, sid, token, "--limit", "2")
    assert done.returncode == 0, done.stderr
    assert [b[0].split()[2] for b in blocks(done.stdout)[:2]] == [sent[3].sid, sent[2].sid]
    assert done.stdout.rstrip("\n").splitlines()[-1] == "(the latest 2 shown; more with --limit)", done.stdout
    done = messages(server, sid, token, "--limit", "4")
    assert "more with --limit" not in done.stdout and len(blocks(done.stdout)) == 4, done.stdout
    settle(h)


def test_no_messages_is_one_clear_line(server, account):
    c, _, sid, token = account
    done = messages(server, sid, token)
    assert (done.returncode, done.stdout, done.stderr) == (0, "no messages\n", "")
    n = c.incoming_phone_numbers.create(area_code="415")
    c.messages.create(to=TO, from_=n.phone_number, body="x")
    done = messages(server, sid, token, "--to", OTHER, "--from", n.phone_number)
    assert (done.returncode, done.stdout, done.stderr) == (0, f"no messages to {OTHER} from {n.phone_number}\n", "")


def test_wrong_credentials_exit_1_with_the_twilio_error(server, account):
    secret = secrets.token_hex(16)
    done = messages(server, account[2], secret)
    assert_one_line_error(done, "(code 20003)", 1)
    assert done.stderr.startswith("numberpool: ") and secret not in done.stderr


COMMANDS = ("messages", "calls")  # the client commands that list records (server/listing.py)


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize(("env", "missing"), [
    ({}, "TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN"),
    ({"TWILIO_AUTH_TOKEN": "tok-secret"}, "TWILIO_ACCOUNT_SID"),
])
def test_missing_credentials_exit_2(command, env, missing):
    done = run([command, "--url", f"http://127.0.0.1:{free_port()}"], {**environ(), **env}, timeout=30)
    assert_one_line_error(done, f"numberpool: set {missing} in the environment", 2)
    assert "tok-secret" not in done.stderr


@pytest.mark.parametrize("command", COMMANDS)
def test_an_unreachable_server_exits_1(command):
    port = free_port()
    done = run([command, "--url", f"127.0.0.1:{port}"], environ("AC" + "a" * 32, "tok-secret"), timeout=30)
    refused = f"numberpool: cannot reach the server at http://127.0.0.1:{port}: connection refused"
    assert_one_line_error(done, refused, 1)
    assert "tok-secret" not in done.stderr


@pytest.mark.parametrize(("args", "expected"), [
    (["--limit", "0"], "--limit: '0' is not"),
    (["--limit", "many"], "--limit: 'many' is not"),
    (["--url", "ftp://x"], "--url: 'ftp://x' is not"),
])
def test_usage_errors_exit_2(args, expected):
    assert_one_line_error(run(["messages", *args], environ("AC" + "a" * 32, "tok"), timeout=30), expected, 2)

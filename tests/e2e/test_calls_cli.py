"""``numberpool calls``: a call placed (``--twiml`` or ``--url``), settled and printed with its verbs,
and the latest calls of a running server listed one line each, against a real server (the TwiML
URL a real receiver on 127.0.0.1)."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator

import pytest

from tests.e2e.test_inbound_cli import assert_one_line_error, environ, run
from tests.receiver import Receiver, running

TO, OTHER = "+14155550160", "+14155550161"
HELLO = "<Response><Say>Hello there</Say></Response>"
LINE = re.compile(r"(CA[0-9a-f]{32})  (\S+)  (\+\d+) → (\+\d+)  (\S+)  (\d+ s|-)(?:  (.+))?")


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    with running() as r:
        yield r


@pytest.fixture
def account(server, subaccount):
    """A fresh subaccount (no call of another test): its SDK client, httpx client and credentials."""
    c = server.client(subaccount.sid, subaccount.auth_token)
    with server.http(subaccount.sid, subaccount.auth_token) as h:
        yield c, h, subaccount.sid, subaccount.auth_token


def calls(server, sid: str, token: str, *args: str):
    return run(["calls", "--url", server.base_url, *args], environ(sid, token))


def test_a_call_placed_with_twiml_is_printed_with_its_verbs(server, account):
    c, h, sid, token = account
    n = c.incoming_phone_numbers.create(area_code="415")
    done = calls(server, sid, token, "--to", TO, "--from", n.phone_number, "--twiml", HELLO)
    assert (done.returncode, done.stderr) == (0, ""), (done.stdout, done.stderr)
    lines = done.stdout.splitlines()
    first = LINE.fullmatch(lines[0])
    assert first, done.stdout
    assert first.group(2, 3, 4, 5) == ("outbound-api", n.phone_number, TO, "completed"), lines[0]
    assert lines[1:] == ['    Say "Hello there"'], done.stdout
    # the call is the server's, as printed
    r = h.get(f"/numberpool/v1/Calls/{first.group(1)}")
    assert r.status_code == 200 and r.json()["status"] == "completed" and r.json()["verbs"][0]["text"] == "Hello there"
    assert token not in done.stdout


def test_a_call_placed_with_a_url_shows_the_twiml_requested(server, account, receiver: Receiver):
    c, _, sid, token = account
    n = c.incoming_phone_numbers.create(area_code="415")
    url = receiver.answer(f"/twiml-{sid}", body='<Response><Say>From the web</Say><Pause length="2"/>'
                                                '<Say>line one\nline two</Say></Response>')
    done = calls(server, sid, token, "--to", TO, "--from", n.phone_number, "--twiml-url", url)
    assert (done.returncode, done.stderr) == (0, ""), (done.stdout, done.stderr)
    lines = done.stdout.splitlines()
    first = LINE.fullmatch(lines[0])
    assert first and first.group(5) == "completed" and int(first.group(6).split()[0]) >= 2, done.stdout
    assert lines[1:] == ['    Say "From the web"', "    Pause 2 s", '    Say "line one\\nline two"',
                         f"    requests: primary {url} -> 200"], done.stdout
    assert receiver.requests(f"/twiml-{sid}")[0].form["CallSid"] == first.group(1)


def test_the_latest_calls_newest_first_one_line_each(server, account):
    c, h, sid, token = account
    a = c.incoming_phone_numbers.create(area_code="415")
    b = c.incoming_phone_numbers.create(area_code="415")
    placed = [c.calls.create(to=to, from_=frm.phone_number, twiml=f"<Response><Say>call {i}</Say></Response>")
              for i, (to, frm) in enumerate([(TO, a), (OTHER, a), (TO, b), (OTHER, b)])]
    settle = h.post("/numberpool/v1/Settle", data={"Timeout": "30"})
    assert settle.status_code == 200, settle.text

    def listed(*args: str) -> list[re.Match[str]]:
        done = calls(server, sid, token, *args)
        assert (done.returncode, done.stderr) == (0, ""), (done.stdout, done.stderr)
        found = [LINE.fullmatch(line) for line in done.stdout.splitlines() if line.startswith("CA")]
        assert all(found), done.stdout
        return [m for m in found if m]

    every = listed()
    assert [m.group(1) for m in every] == [p.sid for p in reversed(placed)]
    newest = every[0]
    assert newest.group(2, 3, 4, 5) == ("outbound-api", b.phone_number, OTHER, "completed")
    assert newest.group(7) == 'Say "call 3"'
    assert [m.group(1) for m in listed("--to", TO)] == [placed[2].sid, placed[0].sid]
    assert [m.group(1) for m in listed("--from", a.phone_number)] == [placed[1].sid, placed[0].sid]
    assert [m.group(1) for m in listed("--to", OTHER, "--from", b.phone_number)] == [placed[3].sid]

    done = calls(server, sid, token, "--limit", "2")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [*(m.group(0) for m in every[:2]), "(the latest 2 shown; more with --limit)"]


def test_no_calls_is_one_clear_line(server, account):
    _, _, sid, token = account
    done = calls(server, sid, token)
    assert (done.returncode, done.stdout, done.stderr) == (0, "no calls\n", "")
    done = calls(server, sid, token, "--to", OTHER, "--from", "+14155550199")
    assert (done.returncode, done.stdout, done.stderr) == (0, f"no calls to {OTHER} from +14155550199\n", "")


def test_a_refused_call_exits_1_with_the_twilio_error(server, account, client):
    _, _, sid, token = account
    theirs = client.incoming_phone_numbers.create(area_code="415")  # the parent's: not the subaccount's caller ID
    done = calls(server, sid, token, "--to", TO, "--from", theirs.phone_number, "--twiml", HELLO)
    assert_one_line_error(done, "(code 21210)", 1)
    assert done.stderr.startswith("numberpool: ")
    done = calls(server, sid, token, "--to", TO, "--from", theirs.phone_number, "--twiml-url", "not a url")
    assert done.returncode == 1 and "(code " in done.stderr and done.stdout == "", done.stderr


def test_wrong_credentials_exit_1_with_the_twilio_error(server, account):
    secret = secrets.token_hex(16)
    for args in ((), ("--to", TO, "--from", OTHER, "--twiml", HELLO)):
        done = calls(server, account[2], secret, *args)
        assert_one_line_error(done, "(code 20003)", 1)
        assert done.stderr.startswith("numberpool: ") and secret not in done.stderr


# Missing credentials and an unreachable server: test_messages_cli.py, for both commands.


@pytest.mark.parametrize(("args", "expected"), [
    (["--limit", "0"], "--limit: '0' is not"),
    (["--url", "ftp://x"], "--url: 'ftp://x' is not"),
    (["--twiml-url", "http://x/", "--twiml", HELLO], "not allowed with argument"),
    (["--twiml", HELLO], "a call needs --to and --from"),
    (["--to", TO, "--twiml-url", "http://x/"], "a call needs --to and --from"),
])
def test_usage_errors_exit_2(args, expected):
    assert_one_line_error(run(["calls", *args], environ("AC" + "a" * 32, "tok"), timeout=30), expected, 2)

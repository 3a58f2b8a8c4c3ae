"""The console's Calls section over plain HTTP (httpx against a real server): calls placed through
the API and taken to their end by Settle, shown newest first with their status, direction and
duration, the verbs their TwiML ran (the text escaped), their status callbacks and TwiML requests,
and their legs (a <Dial>'s child, the inbound leg of a hosted number) under the call; an account
sees its own and its subaccounts' calls, never another's. Both databases."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from tests.conftest import Server
from tests.e2e.test_console import browser, signed_in
from tests.receiver import Receiver, running

EVIL = '<b>bold</b><script>alert("c")</script>'
EVIL_XML = EVIL.replace("<", "&lt;").replace(">", "&gt;")
HELLO = "<Response><Say>Hello there</Say></Response>"


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    with running() as r:
        yield r


def settle(server: Server, sid: str, token: str) -> None:
    with server.http(sid, token) as h:
        r = h.post("/numberpool/v1/Settle", data={"Timeout": "30"})
    assert r.status_code == 200, r.text


def calls_section(page: str) -> str:
    assert '<section class="card" id="calls">' in page
    return page.split('<section class="card" id="calls">', 1)[1].split("</section>", 1)[0]


def card(page: str, sid: str) -> str:
    """The call's article (its legs included)."""
    assert f'id="call-{sid}"' in page, sid
    return page.split(f'id="call-{sid}"', 1)[1].split("</article>", 1)[0]


def callbacks(article: str) -> list[str]:
    return re.findall(r'<div class="delivery callback (?:ok|bad)" data-status="([a-z-]+)"', article)


def listed(server: Server, sid: str, token: str, **query: str) -> list[dict]:
    with server.http(sid, token) as h:
        r = h.get("/numberpool/v1/Calls", params=query)
    assert r.status_code == 200, r.text
    return r.json()["calls"]


def test_calls_their_verbs_callbacks_and_legs_are_shown(server: Server, client, receiver: Receiver):
    sub = client.api.v2010.accounts.create(friendly_name="Caller team")
    c = server.client(sub.sid, sub.auth_token)
    status_url = receiver.answer(f"/status-{sub.sid}", body="", content_type="text/plain")
    evil_url = receiver.answer(f"/evil-{sub.sid}", body=f"<Response><Say>{EVIL_XML}</Say>"
                                                        f"<Dial><Number>+14155550177</Number></Dial></Response>")
    caller = c.incoming_phone_numbers.create(area_code="415")
    hosted = c.incoming_phone_numbers.create(
        area_code="415", voice_url=receiver.answer(f"/callee-{sub.sid}",
                                                   body="<Response><Say>callee says hi</Say></Response>"))
    hello = c.calls.create(to="+14155550150", from_=caller.phone_number, twiml=HELLO,
                           status_callback=status_url, status_callback_event=["initiated", "answered", "completed"])
    settle(server, sub.sid, sub.auth_token)
    evil_xml = receiver.answers[f"/evil-{sub.sid}"].body.replace("+14155550177", hosted.phone_number)
    receiver.answer(f"/evil-{sub.sid}", body=evil_xml)
    dialer = c.calls.create(to="+14155550151", from_=caller.phone_number, url=evil_url)
    settle(server, sub.sid, sub.auth_token)
    child = listed(server, sub.sid, sub.auth_token, ParentCallSid=dialer.sid)
    assert len(child) == 1 and child[0]["status"] == "completed", child
    inbound = listed(server, sub.sid, sub.auth_token, To=hosted.phone_number, Direction="inbound")
    assert len(inbound) == 1 and inbound[0]["peer_call_sid"] == child[0]["sid"], inbound

    other = client.api.v2010.accounts.create(friendly_name="Someone else")
    oc = server.client(other.sid, other.auth_token)
    theirs_from = oc.incoming_phone_numbers.create(area_code="415")
    theirs = oc.calls.create(to="+14155550152", from_=theirs_from.phone_number,
                             twiml="<Response><Say>their secret</Say></Response>")
    settle(server, other.sid, other.auth_token)

    with signed_in(server, sub.sid, sub.auth_token) as (h, _):
        page = h.get("/console").text
    shown = calls_section(page)
    # newest first; the legs inside their call, not on their own
    assert shown.index(f'id="call-{dialer.sid}"') < shown.index(f'id="call-{hello.sid}"')
    assert shown.count('<article class="item call"') == 2 and "the last 2" in shown

    m = card(shown, hello.sid)
    assert 'data-status="completed"' in m and '<span class="badge ok">completed</span>' in m
    assert '<span class="badge muted">outbound-api</span>' in m
    assert f"<code>{caller.phone_number}</code> → <code>+14155550150</code>" in m
    assert '<li class="verb" data-verb="Say"><span class="badge ">Say</span> <q>Hello there</q>' in m
    assert callbacks(m) == ["initiated", "in-progress", "completed"]
    assert f'POST {status_url}</code> <span class="badge ok">200</span>' in m
    assert "Duration</dt><dd>0 s" in m and "TwiML given with the call" in m
    assert "No TwiML was requested." in m and "Legs" not in m

    m = card(shown, dialer.sid)
    assert "<script>" not in page and "<b>bold" not in page  # the verb's text, escaped
    assert "&lt;b&gt;bold&lt;/b&gt;&lt;script&gt;alert(&quot;c&quot;)&lt;/script&gt;" in m
    assert '<div class="delivery ok"><div class="head"><span class="badge muted">primary</span>' in m
    assert f"POST {evil_url}</code>" in m and "No status callback URL" in m
    assert '<li class="verb" data-verb="Dial">' in m and f"call_sid: <code>{child[0]['sid']}</code>" in m
    # the <Dial>'s child, and under it the hosted number's inbound leg with its own TwiML's verbs
    assert "<h4>Legs (1)</h4>" in m
    leg = m.split(f'<div class="item call leg" id="call-{child[0]["sid"]}"', 1)[1]
    assert f"Dialled by</dt><dd><code>{dialer.sid}</code>" in leg
    assert f"<code>{caller.phone_number}</code> → <code>{hosted.phone_number}</code>" in leg
    callee = leg.split(f'<div class="item call leg" id="call-{inbound[0]["sid"]}"', 1)[1]
    assert f"Call received from</dt><dd><code>{child[0]['sid']}</code>" in callee
    assert '<q>callee says hi</q>' in callee and '<span class="badge muted">inbound</span>' in callee
    assert f"/callee-{sub.sid}</code>" in callee

    # another account's calls are not shown, and it does not see these
    assert theirs.sid not in page and "their secret" not in page and other.sid not in page
    with signed_in(server, other.sid, other.auth_token) as (h, _):
        page = h.get("/console").text
    assert f'id="call-{theirs.sid}"' in page and "<q>their secret</q>" in page
    assert hello.sid not in page and dialer.sid not in page and "Hello there" not in page and "bold" not in page

    # the parent sees its subaccounts' calls, each naming its subaccount
    with signed_in(server, server.account_sid, server.auth_token) as (h, _):
        page = h.get("/console").text
    m = card(page, hello.sid)
    assert f"subaccount <code>{sub.sid}</code> Caller team" in m and "<q>Hello there</q>" in m

    # no session: no calls
    with browser(server) as h:
        page = h.get("/console").text
    assert 'id="calls"' not in page and hello.sid not in page


def test_the_callee_account_sees_its_inbound_leg_on_its_own(server: Server, client, receiver: Receiver):
    """A call another account placed to the family's number: its inbound leg is shown as a call,
    and nothing of the caller's side."""
    caller_acct = client.api.v2010.accounts.create(friendly_name="caller")
    callee_acct = client.api.v2010.accounts.create(friendly_name="callee")
    cc, ce = server.client(caller_acct.sid, caller_acct.auth_token), server.client(callee_acct.sid, callee_acct.auth_token)
    frm = cc.incoming_phone_numbers.create(area_code="415")
    to = ce.incoming_phone_numbers.create(
        area_code="415", voice_url=receiver.answer(f"/answer-{callee_acct.sid}",
                                                   body="<Response><Say>welcome</Say></Response>"))
    placed = cc.calls.create(to=to.phone_number, from_=frm.phone_number,
                             twiml="<Response><Say>caller private words</Say></Response>")
    settle(server, caller_acct.sid, caller_acct.auth_token)
    leg = listed(server, callee_acct.sid, callee_acct.auth_token, Direction="inbound")
    assert len(leg) == 1, leg
    with signed_in(server, callee_acct.sid, callee_acct.auth_token) as (h, _):
        shown = calls_section(h.get("/console").text)
    m = card(shown, leg[0]["sid"])
    assert "<q>welcome</q>" in m and f"Call received from</dt><dd><code>{placed.sid}</code>" in m
    assert "caller private words" not in shown and f'id="call-{placed.sid}"' not in shown
    with signed_in(server, caller_acct.sid, caller_acct.auth_token) as (h, _):
        shown = calls_section(h.get("/console").text)
    m = card(shown, placed.sid)
    assert "<q>caller private words</q>" in m and "welcome" not in shown
    # the leg's SID only (as the API's peer_call_sid gives it), not the leg
    assert f'Reached</dt><dd><code>{leg[0]["sid"]}</code>' in m and f'id="call-{leg[0]["sid"]}"' not in shown


def test_an_account_without_calls(server: Server, client):
    sub = client.api.v2010.accounts.create(friendly_name="silent")
    with signed_in(server, sub.sid, sub.auth_token) as (h, _):
        shown = calls_section(h.get("/console").text)
    assert "No calls yet." in shown and 'class="item call' not in shown

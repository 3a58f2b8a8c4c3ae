"""The console's Messages section over plain HTTP (httpx against a real server): messages sent
through the API, taken to their final status by DeliveryRules and Settle, shown newest first with
their status and error code, from and to, the body escaped and shortened, the sender chosen and
why, and every status callback with its answer; an account sees its own and its subaccounts'
messages, never another's; the last 20 only. Both databases."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from tests.conftest import Server
from tests.e2e.test_console import browser, signed_in
from tests.receiver import Receiver, running

EVIL = '<b>bold</b><script>alert("m")</script>'


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    with running() as r:
        yield r


def settle(server: Server, sid: str, token: str) -> None:
    with server.http(sid, token) as h:
        r = h.post("/numberpool/v1/Settle", data={"Timeout": "30"})
    assert r.status_code == 200, r.text


def card(page: str, sid: str) -> str:
    """The message's article in the page."""
    assert f'id="message-{sid}"' in page, sid
    return page.split(f'id="message-{sid}"', 1)[1].split("</article>", 1)[0]


def callbacks(article: str) -> list[str]:
    return re.findall(r'<div class="delivery callback (?:ok|bad)" data-status="([a-z]+)"', article)


def messages_section(page: str) -> str:
    return page.split('<section class="card" id="messages">', 1)[1].split("</section>", 1)[0]


def test_messages_statuses_senders_and_callbacks_are_shown(server: Server, client, receiver: Receiver):
    sub = client.api.v2010.accounts.create(friendly_name="Sender team")
    c = server.client(sub.sid, sub.auth_token)
    ok_path, broken_path = f"/status-{sub.sid}", f"/broken-{sub.sid}"
    ok_url = receiver.answer(ok_path, body="", content_type="text/plain")
    broken_url = receiver.answer(broken_path, status=500, body="oops", content_type="text/plain")
    direct = c.incoming_phone_numbers.create(area_code="415")
    pooled = [c.incoming_phone_numbers.create(area_code="415") for _ in range(2)]
    service = c.messaging.v1.services.create(friendly_name="Pool")
    for n in pooled:
        c.messaging.v1.services(service.sid).phone_numbers.create(phone_number_sid=n.sid)
    with server.http(sub.sid, sub.auth_token) as h:
        rule = h.post("/numberpool/v1/DeliveryRules", data={"To": "+1212*", "Status": "undelivered", "ErrorCode": "30003"})
        assert rule.status_code == 201, rule.text

    undelivered = c.messages.create(to="+12125550123", from_=direct.phone_number, body=EVIL, status_callback=ok_url)
    chosen = c.messages.create(to="+14155550111", messaging_service_sid=service.sid, body="x" * 300,
                               status_callback=ok_url)
    refused = c.messages.create(to="+14155550112", from_=direct.phone_number, body="to a broken callback",
                                status_callback=broken_url)
    unheard = c.messages.create(to="+14155550113", from_=direct.phone_number, body="to nobody",
                                status_callback="http://127.0.0.1:1/status")
    quiet = c.messages.create(to="+14155550114", from_=direct.phone_number, body="no callback")
    settle(server, sub.sid, sub.auth_token)

    other = client.api.v2010.accounts.create(friendly_name="Someone else")
    oc = server.client(other.sid, other.auth_token)
    theirs_from = oc.incoming_phone_numbers.create(area_code="415")
    theirs = oc.messages.create(to="+14155550120", from_=theirs_from.phone_number, body="their secret",
                                status_callback=receiver.url(f"/status-{other.sid}"))
    settle(server, other.sid, other.auth_token)

    with signed_in(server, sub.sid, sub.auth_token) as (h, _):
        page = h.get("/console").text
    shown = messages_section(page)
    # newest first
    order = [m.sid for m in (quiet, unheard, refused, chosen, undelivered)]
    assert [shown.index(f'id="message-{sid}"') for sid in order] == sorted(shown.index(f'id="message-{sid}"')
                                                                        for sid in order)
    assert "the last 5" in shown

    m = card(shown, undelivered.sid)
    assert 'data-status="undelivered"' in page and '<span class="badge bad">undelivered</span>' in m
    assert '<span class="badge bad">error 30003</span>' in m and "outbound-api" in m
    assert f"<code>{direct.phone_number}</code> → <code>+12125550123</code>" in m
    assert "the From given (no Messaging Service)" in m
    assert callbacks(m) == ["sent", "undelivered"]
    assert f'POST {ok_url}</code> <span class="badge ok">200</span>' in m
    assert "<script>" not in page and "<b>bold" not in page  # the body, escaped
    assert "&lt;b&gt;bold&lt;/b&gt;&lt;script&gt;alert(&quot;m&quot;)&lt;/script&gt;" in m
    assert f"<code>{undelivered.sid}</code>" in m and "UTC" in m

    m = card(shown, chosen.sid)
    assert '<span class="badge ok">delivered</span>' in m and "error 30003" not in m
    assert f"<code>{service.sid}</code>" in m
    assert '<span class="badge ">area_code</span> <span class="badge muted">least used</span>' in m
    assert "a number with the To&#x27;s area code; the least recently used" in m
    assert callbacks(m) == ["queued", "sent", "delivered"]
    assert f"<q>{'x' * 160}…</q>" in m and "(300 characters)" in m and "x" * 161 not in m
    sender = next(n.phone_number for n in pooled if f"<code>{n.phone_number}</code> → <code>+14155550111</code>" in m)
    assert sender

    m = card(shown, refused.sid)
    assert '<span class="badge ok">delivered</span>' in m  # a failed callback changes no status
    assert callbacks(m) == ["sent", "delivered"] and m.count('<span class="badge bad">500</span>') == 2
    m = card(shown, unheard.sid)
    assert callbacks(m) == ["sent", "delivered"] and m.count('<span class="badge bad">no answer</span>') == 2
    assert re.search(r'no answer</span> <span class="badge bad">error \d+</span>', m)
    m = card(shown, quiet.sid)
    assert callbacks(m) == [] and "No status callback URL" in m

    # another account's messages are not shown, and it does not see these
    assert theirs.sid not in page and "their secret" not in page and other.sid not in page
    with signed_in(server, other.sid, other.auth_token) as (h, _):
        page = h.get("/console").text
    assert f'id="message-{theirs.sid}"' in page and "their secret" in page
    assert all(m.sid not in page for m in (undelivered, chosen, refused, unheard, quiet)) and sub.sid not in page
    assert "bold" not in page and "+12125550123" not in page

    # the parent sees its subaccounts' messages, each naming its subaccount
    with signed_in(server, server.account_sid, server.auth_token) as (h, _):
        page = h.get("/console").text
    m = card(page, undelivered.sid)
    assert f"subaccount <code>{sub.sid}</code> Sender team" in m and callbacks(m) == ["sent", "undelivered"]

    # no session: no messages
    with browser(server) as h:
        page = h.get("/console").text
    assert 'id="messages"' not in page and undelivered.sid not in page


def test_only_the_last_20_messages_are_shown(server: Server, client):
    sub = client.api.v2010.accounts.create(friendly_name="busy")
    c = server.client(sub.sid, sub.auth_token)
    n = c.incoming_phone_numbers.create(area_code="415")
    sent = [c.messages.create(to="+14155550130", from_=n.phone_number, body=f"number {i}") for i in range(21)]
    settle(server, sub.sid, sub.auth_token)
    with signed_in(server, sub.sid, sub.auth_token) as (h, _):
        shown = messages_section(h.get("/console").text)
    assert shown.count('class="item message"') == 20 and "the last 20" in shown
    assert f'id="message-{sent[0].sid}"' not in shown and f'id="message-{sent[-1].sid}"' in shown
    assert shown.index(sent[-1].sid) < shown.index(sent[1].sid)


def test_an_account_without_messages(server: Server, client):
    sub = client.api.v2010.accounts.create(friendly_name="silent")
    with signed_in(server, sub.sid, sub.auth_token) as (h, _):
        shown = messages_section(h.get("/console").text)
    assert "No messages yet." in shown and 'class="item message"' not in shown

"""The console's Proxy sessions over plain HTTP (httpx against a real server): under each Proxy
Service, its sessions newest first (unique name, SID, status and closed reason, mode, Ttl and
expiry, last interaction), their participants (identifier, friendly name, proxy number, removed)
and interactions (type, from and to, the body, each side's resource status), and each pool
number's in_use and reserved; user input escaped; an account sees its own and its subaccounts'
sessions, never another's; the last 20 per Service only. Both databases."""

from __future__ import annotations

import json
import secrets

import httpx

from tests.conftest import Server
from tests.e2e.test_console import signed_in
from tests.e2e.test_console_messages import settle

A, B = "+14155550100", "+14155550109"
EVIL = '<b>bold</b><script>alert("p")</script>'
ESCAPED = "&lt;b&gt;bold&lt;/b&gt;&lt;script&gt;alert(&quot;p&quot;)&lt;/script&gt;"


def post(h: httpx.Client, path: str, data: dict, status: int = 201) -> dict:
    r = h.post(path, data=data)
    assert r.status_code == status, r.text
    return r.json()


def proxy_service(server: Server, sid: str, token: str, numbers: int = 2, reserved: int = 0) -> tuple[dict, list]:
    """A Proxy Service with ``numbers`` new numbers (the last ``reserved`` of them reserved)."""
    c = server.client(sid, token)
    with server.http(sid, token) as h:
        service = post(h, "/proxy/v1/Services", {"UniqueName": f"svc-{secrets.token_hex(4)}"})
        made = []
        for k in range(numbers):
            n = c.incoming_phone_numbers.create(area_code="415")
            post(h, f"/proxy/v1/Services/{service['sid']}/PhoneNumbers",
                 {"Sid": n.sid, "IsReserved": "true" if k >= numbers - reserved else "false"})
            made.append(n)
    return service, made


def session(h: httpx.Client, service_sid: str, *participants: dict, **values: str) -> tuple[dict, dict]:
    """A session with ``participants`` given at create; (the session, its participants by identifier)."""
    base = f"/proxy/v1/Services/{service_sid}/Sessions"
    made = post(h, base, {**values, "Participants": [json.dumps(p) for p in participants]})
    parts = h.get(f"{base}/{made['sid']}/Participants").json()["participants"]
    return made, {p["identifier"]: p for p in parts}


def pool_box(page: str, sid: str) -> str:
    assert f'id="pool-{sid}"' in page, sid
    return page.split(f'id="pool-{sid}"', 1)[1].split("</article>", 1)[0]


def session_box(page: str, sid: str) -> str:
    assert f'id="session-{sid}"' in page, sid
    rest = page.split(f'id="session-{sid}"', 1)[1]
    return rest.split('<div class="item session"', 1)[0].split("</article>", 1)[0]


def test_sessions_participants_and_interactions_are_shown(server: Server, client):
    sub = client.api.v2010.accounts.create(friendly_name="Proxy team")
    service, numbers = proxy_service(server, sub.sid, sub.auth_token, numbers=3, reserved=1)
    with server.http(sub.sid, sub.auth_token) as h:
        chat, parts = session(h, service["sid"], {"Identifier": A, "FriendlyName": EVIL}, {"Identifier": B},
                              UniqueName=f"chat <i>{sub.sid}</i>", Ttl="3600", Mode="message-only")
        quiet, quiet_parts = session(h, service["sid"], {"Identifier": "+14155550111"})
        r = h.post("/numberpool/v1/InboundMessages",
                   data={"To": parts[A]["proxy_identifier"], "From": A, "Body": f"hi {EVIL}"})
        assert r.status_code == 201, r.text
        assert r.json()["route"] == "proxy"
    settle(server, sub.sid, sub.auth_token)
    with server.http(sub.sid, sub.auth_token) as h:
        base = f"/proxy/v1/Services/{service['sid']}/Sessions"
        [interaction] = h.get(f"{base}/{chat['sid']}/Interactions").json()["interactions"]
        closed = post(h, f"{base}/{quiet['sid']}", {"Status": "closed"}, 200)
        assert closed["closed_reason"] == "api"
        in_use = {x["sid"]: x["in_use"] for x in h.get(f"/proxy/v1/Services/{service['sid']}/PhoneNumbers")
                  .json()["phone_numbers"]}
    held = {parts[A]["proxy_identifier"], parts[B]["proxy_identifier"]}
    assert len(held) == 2 and numbers[2].phone_number not in held  # the reserved number is not chosen

    other = client.api.v2010.accounts.create(friendly_name="Someone else")
    theirs_service, _ = proxy_service(server, other.sid, other.auth_token, numbers=1)
    with server.http(other.sid, other.auth_token) as h:
        theirs, _ = session(h, theirs_service["sid"], {"Identifier": "+14155550177", "FriendlyName": "their secret"},
                            UniqueName="their chat")

    with signed_in(server, sub.sid, sub.auth_token) as (h, _):
        page = h.get("/console").text
    box = pool_box(page, service["sid"])
    # the numbers, each with its in_use and reserved
    for n in numbers:
        assert f'data-number="{n.phone_number}" data-in-use="{in_use[n.sid]}"' in box
        assert f"<code>{n.phone_number}</code> <span" in box
    assert sorted(in_use.values()) == [0, 1, 1]
    assert f'<code>{numbers[2].phone_number}</code> <span class="badge muted">in use 0</span> ' \
           '<span class="badge muted">reserved</span>' in box
    assert box.count("reserved</span>") == 1 and box.count('<span class="badge ">in use 1</span>') == 2
    # the sessions, newest first
    assert "Sessions (2)" in box and "newest first, the last 2" in box
    assert box.index(f'id="session-{quiet["sid"]}"') < box.index(f'id="session-{chat["sid"]}"')

    s = session_box(page, chat["sid"])
    assert 'data-status="in-progress"' in page and '<span class="badge ok">in-progress</span>' in s
    assert f"<h4>chat &lt;i&gt;{sub.sid}&lt;/i&gt;</h4><code>{chat['sid']}</code>" in s
    assert "<dt>Mode</dt><dd>message-only</dd>" in s and "<dt>Ttl</dt><dd>3600 s</dd>" in s
    assert "<dt>Expires</dt><dd>20" in s and "<dt>Last interaction</dt><dd>20" in s and "UTC" in s
    assert "Participants (2)" in s
    pa = s.split(f'id="participant-{parts[A]["sid"]}"', 1)[1].split("</li>", 1)[0]
    assert f"<code>{A}</code> <span class=\"name\">{ESCAPED}</span> via proxy number " \
           f"<code>{parts[A]['proxy_identifier']}</code>" in pa and "removed" not in pa
    pb = s.split(f'id="participant-{parts[B]["sid"]}"', 1)[1].split("</li>", 1)[0]
    assert f"<code>{B}</code> via proxy number <code>{parts[B]['proxy_identifier']}</code>" in pb
    # the interaction: a message from A to B, its body, both sides' resources
    assert "Interactions (1)" in s
    i = s.split(f'id="interaction-{interaction["sid"]}"', 1)[1]
    assert '<span class="badge muted">message</span>' in i
    assert f"<dd><code>{A}</code> → <code>{B}</code></dd>" in i
    assert f"<q>hi {ESCAPED}</q>" in i
    assert f"inbound Message <code>{interaction['inbound_resource_sid']}</code> " \
           f'<span class="badge ok">{interaction["inbound_resource_status"]}</span>' in i
    assert f"outbound Message <code>{interaction['outbound_resource_sid']}</code>" in i
    assert f'<span class="badge ">{interaction["outbound_resource_status"]}</span>' in i

    q = session_box(page, quiet["sid"])
    assert '<span class="badge muted">closed</span> <span class="muted">api</span>' in q
    assert "no unique name" in q and "<dt>Ended</dt><dd>20" in q and "none yet" in q
    assert "<dt>Mode</dt><dd>voice-and-message</dd>" in q and "No interactions yet." in q
    assert f"<code>+14155550111</code> via proxy number <code>{quiet_parts['+14155550111']['proxy_identifier']}" in q

    # the user's input is escaped everywhere
    assert "<script>" not in page and "<b>bold" not in page and "<i>" not in page
    # another account's sessions are not shown, and it does not see these
    assert theirs["sid"] not in page and "their secret" not in page and theirs_service["sid"] not in page
    assert other.sid not in page
    with signed_in(server, other.sid, other.auth_token) as (h, _):
        page = h.get("/console").text
    assert f'id="session-{theirs["sid"]}"' in page and "their secret" in page and "their chat" in page
    assert chat["sid"] not in page and quiet["sid"] not in page and service["sid"] not in page
    assert A not in page and "bold" not in page

    # the parent sees its subaccounts' sessions
    with signed_in(server, server.account_sid, server.auth_token) as (h, _):
        page = h.get("/console").text
    s = session_box(page, chat["sid"])
    assert f"<q>hi {ESCAPED}</q>" in s and f"<code>{A}</code>" in s


def test_a_removed_participant_and_the_last_20_sessions(server: Server, client):
    sub = client.api.v2010.accounts.create(friendly_name="busy proxy")
    service, _ = proxy_service(server, sub.sid, sub.auth_token, numbers=1)
    base = f"/proxy/v1/Services/{service['sid']}/Sessions"
    with server.http(sub.sid, sub.auth_token) as h:
        made = [session(h, service["sid"], UniqueName=f"s{k}")[0] for k in range(20)]
        last, parts = session(h, service["sid"], {"Identifier": A}, {"Identifier": B}, UniqueName="s20", Ttl="0")
        r = h.delete(f"{base}/{last['sid']}/Participants/{parts[B]['sid']}")
        assert r.status_code in (200, 204), r.text
        made.append(last)
    with signed_in(server, sub.sid, sub.auth_token) as (h, _):
        box = pool_box(h.get("/console").text, service["sid"])
    assert box.count('class="item session"') == 20
    assert "Sessions (21)" in box and "newest first, the last 20 of 21" in box
    assert f'id="session-{made[0]["sid"]}"' not in box and box.index(made[-1]["sid"]) < box.index(made[1]["sid"])
    s = session_box(box, last["sid"])
    assert '<dt>Ttl</dt><dd><span class="muted">0 (no Ttl)</span></dd>' in s
    assert '<dt>Expires</dt><dd><span class="muted">never</span></dd>' in s
    pb = s.split(f'id="participant-{parts[B]["sid"]}"', 1)[1].split("</li>", 1)[0]
    assert '<span class="badge bad">removed</span>' in pb
    pa = s.split(f'id="participant-{parts[A]["sid"]}"', 1)[1].split("</li>", 1)[0]
    assert "removed" not in pa
    # one number, in use by the one session holding it (the removed participant frees it)
    assert 'data-in-use="1"' in box and "in use 1" in box
    # an empty session list
    other, _ = proxy_service(server, sub.sid, sub.auth_token, numbers=0)
    with signed_in(server, sub.sid, sub.auth_token) as (h, _):
        assert "No sessions." in pool_box(h.get("/console").text, other["sid"])

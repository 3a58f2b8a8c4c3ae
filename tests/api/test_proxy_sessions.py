"""Proxy v1 Sessions, Participants, Interactions and MessageInteractions through the official SDK:
fields and types, unique names, paging, status transitions, delete, the participant rules (two at
most, an identifier once, soft delete), how a participant's proxy number is chosen (reserved,
geography, mode, never one it holds, sticky, least used) with ``in_use`` recounted at every step,
MessageInteractions sending a Message, links, and who sees what. Both databases."""

from __future__ import annotations

import datetime as dt
import secrets
from collections import Counter

import pytest

from tests.api.test_messages import refused, settle

A, B, C, D = "+14155550101", "+14155550102", "+14155550103", "+14155550104"
GB_MOBILE = "+447400123456"  # phonenumbers places it in GB (07700 900xxx, the drama range, it places nowhere)


@pytest.fixture
def account(server, subaccount):
    c = server.client(subaccount.sid, subaccount.auth_token)
    with server.http(subaccount.sid, subaccount.auth_token) as h:
        yield c, h


def service(c, **kwargs):
    return c.proxy.v1.services.create(unique_name="svc-" + secrets.token_hex(4), **kwargs)


def numbers(c, s, count: int, area_code: str = "415", reserved: bool = False) -> list:
    """``count`` new US local numbers in the Service's pool, sorted by SID (the order of choice among equals)."""
    made = []
    for _ in range(count):
        n = c.incoming_phone_numbers.create(area_code=area_code)
        c.proxy.v1.services(s.sid).phone_numbers.create(sid=n.sid, is_reserved=reserved)
        made.append(n)
    return sorted(made, key=lambda n: n.sid)


def gb_number(c, s, kind: str):
    pn = c.available_phone_numbers("GB").__getattribute__(kind).list(limit=1)[0].phone_number
    n = getattr(c.incoming_phone_numbers, kind).create(phone_number=pn)
    c.proxy.v1.services(s.sid).phone_numbers.create(sid=n.sid)
    return n


def usage(c, s) -> dict[str, int]:
    return {x.sid: x.in_use for x in c.proxy.v1.services(s.sid).phone_numbers.list()}


def recount(c, s) -> dict[str, int]:
    """Each pool number's active sessions (open or in-progress) with a participant (not deleted) holding it."""
    holding: dict[str, set[str]] = {sid: set() for sid in usage(c, s)}
    for session in c.proxy.v1.services(s.sid).sessions.list():
        if session.status not in ("open", "in-progress"):
            continue
        for part in c.proxy.v1.services(s.sid).sessions(session.sid).participants.list():
            if part.date_deleted is None:
                holding.setdefault(part.proxy_identifier_sid, set()).add(session.sid)
    return {sid: len(sessions) for sid, sessions in holding.items()}


def assert_in_use(c, s) -> dict[str, int]:
    got = usage(c, s)
    assert got == recount(c, s), "in_use differs from the active sessions holding each number"
    return got


def join(c, s, session_sid: str, identifier: str, **kwargs):
    return c.proxy.v1.services(s.sid).sessions(session_sid).participants.create(identifier=identifier, **kwargs)


def session_with(c, s, *identifiers: str, **kwargs):
    """A session with ``identifiers`` given at create; (the session, its participants by identifier)."""
    made = c.proxy.v1.services(s.sid).sessions.create(participants=[{"Identifier": i} for i in identifiers], **kwargs)
    parts = {p.identifier: p for p in c.proxy.v1.services(s.sid).sessions(made.sid).participants.list()}
    assert set(parts) == set(identifiers)
    return made, parts


# -- sessions ---------------------------------------------------------------------------------------

def test_create_with_participants_fields_and_types(server, account, subaccount):
    c, _ = account
    s = service(c, default_ttl=3600)
    (n,) = numbers(c, s, 1)
    made = c.proxy.v1.services(s.sid).sessions.create(
        unique_name="ride-1", mode="message-only",
        participants=[{"Identifier": A, "FriendlyName": "Alice"}, {"Identifier": B}])
    assert made.sid.startswith("KC") and len(made.sid) == 34
    assert (made.service_sid, made.account_sid, made.unique_name) == (s.sid, subaccount.sid, "ride-1")
    assert (made.status, made.mode, made.closed_reason, made.ttl) == ("open", "message-only", None, 3600)
    assert isinstance(made.ttl, int)
    assert (made.date_ended, made.date_last_interaction, made.date_expiry) == (None, None, None)
    for when in (made.date_started, made.date_created, made.date_updated):
        assert isinstance(when, dt.datetime) and when.tzinfo is not None
    assert made.url == f"{server.base_url}/proxy/v1/Services/{s.sid}/Sessions/{made.sid}"
    assert made.links == {"interactions": f"{made.url}/Interactions", "participants": f"{made.url}/Participants"}
    parts = c.proxy.v1.services(s.sid).sessions(made.sid).participants.list()
    assert sorted(p.identifier for p in parts) == [A, B]
    alice = next(p for p in parts if p.identifier == A)
    assert alice.sid.startswith("KP") and len(alice.sid) == 34
    assert (alice.session_sid, alice.service_sid, alice.account_sid) == (made.sid, s.sid, subaccount.sid)
    assert (alice.friendly_name, alice.proxy_identifier, alice.proxy_identifier_sid) == ("Alice", n.phone_number, n.sid)
    assert alice.date_deleted is None and isinstance(alice.date_created, dt.datetime)
    assert isinstance(alice.date_updated, dt.datetime)
    assert alice.url == f"{made.url}/Participants/{alice.sid}"
    assert alice.links == {"message_interactions": f"{alice.url}/MessageInteractions"}
    assert next(p for p in parts if p.identifier == B).friendly_name is None
    fetched = c.proxy.v1.services(s.sid).sessions(made.sid).participants(alice.sid).fetch()
    assert (fetched.sid, fetched.identifier, fetched.proxy_identifier) == (alice.sid, A, n.phone_number)
    assert assert_in_use(c, s) == {n.sid: 1}  # both participants on one number: one session


def test_defaults_ttl_from_the_service(account):
    c, _ = account
    s = service(c, default_ttl=900)
    plain = c.proxy.v1.services(s.sid).sessions.create()
    assert (plain.ttl, plain.mode, plain.status, plain.unique_name) == (900, "voice-and-message", "open", None)
    assert c.proxy.v1.services(s.sid).sessions.create(ttl=60).ttl == 60
    assert c.proxy.v1.services(s.sid).sessions.create(ttl=0).ttl == 0  # 0 given: unlimited, not the default
    assert c.proxy.v1.services(service(c).sid).sessions.create().ttl == 0


def test_a_failed_create_leaves_no_session(account):
    c, _ = account
    s = service(c)
    numbers(c, s, 1, reserved=True)
    refused(80207, 400, c.proxy.v1.services(s.sid).sessions.create, unique_name="x", participants=[{"Identifier": A}])
    assert c.proxy.v1.services(s.sid).sessions.list() == []
    refused(80701, 400, c.proxy.v1.services(s.sid).sessions.create, participants=[{"Nope": A}])
    refused(80608, 400, c.proxy.v1.services(s.sid).sessions.create, status="closed")
    assert c.proxy.v1.services(s.sid).sessions.list() == []


def test_unique_name_unique_per_service_and_fetch_by_it(account):
    c, _ = account
    s, t = service(c), service(c)
    made = c.proxy.v1.services(s.sid).sessions.create(unique_name="order-42")
    refused(20409, 409, c.proxy.v1.services(s.sid).sessions.create, unique_name="order-42")
    assert c.proxy.v1.services(t.sid).sessions.create(unique_name="order-42").unique_name == "order-42"
    by_name = c.proxy.v1.services(s.sid).sessions("order-42").fetch()
    assert (by_name.sid, by_name.unique_name) == (made.sid, "order-42")
    refused(20404, 404, c.proxy.v1.services(s.sid).sessions("order-43").fetch)
    assert len(c.proxy.v1.services(s.sid).sessions.list()) == 1


def test_list_paging(account):
    c, h = account
    s = service(c)
    made = sorted(c.proxy.v1.services(s.sid).sessions.create(unique_name=f"p{i}").sid for i in range(5))
    assert [x.sid for x in c.proxy.v1.services(s.sid).sessions.list(page_size=2)] == made
    r = h.get(f"/proxy/v1/Services/{s.sid}/Sessions", params={"PageSize": 2})
    assert r.status_code == 200, r.text
    body = r.json()
    assert [x["sid"] for x in body["sessions"]] == made[:2]
    assert body["meta"]["page_size"] == 2 and body["meta"]["key"] == "sessions"
    seen = [x["sid"] for x in body["sessions"]]
    while body["meta"]["next_page_url"]:
        body = h.get(body["meta"]["next_page_url"]).json()
        seen += [x["sid"] for x in body["sessions"]]
    assert seen == made
    assert [x.sid for x in c.proxy.v1.services(s.sid).sessions.list(limit=3)] == made[:3]


def test_update_transitions(account):
    c, _ = account
    s = service(c)
    (n,) = numbers(c, s, 1)
    made, _ = session_with(c, s, A, B)
    sessions = c.proxy.v1.services(s.sid).sessions
    refused(80608, 400, sessions(made.sid).update, status="in-progress")  # open -> in-progress directly
    refused(80608, 400, sessions(made.sid).update, status="failed")
    assert usage(c, s) == {n.sid: 1}
    closed = sessions(made.sid).update(status="closed")
    assert (closed.status, closed.closed_reason) == ("closed", "api")
    assert isinstance(closed.date_ended, dt.datetime)
    assert assert_in_use(c, s) == {n.sid: 0}
    refused(80607, 400, sessions(made.sid).update, ttl=60)
    refused(80608, 400, sessions(made.sid).update, status="open")
    refused(80607, 400, join, c, s, made.sid, C)
    again = sessions(made.sid).update(status="in-progress")
    assert (again.status, again.closed_reason, again.date_ended) == ("in-progress", None, None)
    assert assert_in_use(c, s) == {n.sid: 1}
    assert sessions(made.sid).update(ttl=120).ttl == 120
    assert sessions(made.sid).update(status="closed").status == "closed"
    assert assert_in_use(c, s) == {n.sid: 0}


def test_reopening_refused_when_the_pair_is_active_elsewhere(account):
    c, _ = account
    s = service(c)
    (n,) = numbers(c, s, 1)
    first, _ = session_with(c, s, A)
    c.proxy.v1.services(s.sid).sessions(first.sid).update(status="closed")
    session_with(c, s, A)  # A gets the only number again
    refused(80604, 400, c.proxy.v1.services(s.sid).sessions(first.sid).update, status="in-progress")
    assert c.proxy.v1.services(s.sid).sessions(first.sid).fetch().status == "closed"
    assert assert_in_use(c, s) == {n.sid: 1}


def test_delete_takes_participants_and_interactions(account):
    c, h = account
    s = service(c)
    (n,) = numbers(c, s, 1)
    made, parts = session_with(c, s, A, B)
    mi = c.proxy.v1.services(s.sid).sessions(made.sid).participants(parts[A].sid).message_interactions.create(body="hi")
    assert c.proxy.v1.services(s.sid).sessions(made.sid).delete() is True
    base = f"/proxy/v1/Services/{s.sid}/Sessions/{made.sid}"
    assert h.get(base).status_code == 404
    assert h.get(f"{base}/Participants/{parts[A].sid}").status_code == 404
    assert h.get(f"{base}/Interactions/{mi.sid}").status_code == 404
    assert c.proxy.v1.services(s.sid).sessions.list() == []
    assert assert_in_use(c, s) == {n.sid: 0}
    again, again_parts = session_with(c, s, A, B)  # nothing left holds the number for A or B
    assert again_parts[A].proxy_identifier_sid == n.sid
    assert [x.sid for x in c.proxy.v1.services(s.sid).sessions(again.sid).interactions.list()] == []


# -- participants -----------------------------------------------------------------------------------

def test_at_most_two_participants_and_an_identifier_once(account):
    c, h = account
    s = service(c)
    (n,) = numbers(c, s, 1)
    made = c.proxy.v1.services(s.sid).sessions.create()
    a = join(c, s, made.sid, A)
    refused(80103, 400, join, c, s, made.sid, A)
    b = join(c, s, made.sid, B)
    refused(80609, 400, join, c, s, made.sid, C)
    r = h.delete(f"/proxy/v1/Services/{s.sid}/Sessions/{made.sid}/Participants/{b.sid}")
    assert (r.status_code, r.content) == (200, b"")
    gone = c.proxy.v1.services(s.sid).sessions(made.sid).participants(b.sid).fetch()
    assert isinstance(gone.date_deleted, dt.datetime)
    listed = {p.sid: p.date_deleted for p in c.proxy.v1.services(s.sid).sessions(made.sid).participants.list()}
    assert set(listed) == {a.sid, b.sid} and listed[a.sid] is None
    refused(80609, 400, join, c, s, made.sid, C)  # a deleted participant still counts
    refused(80103, 400, join, c, s, made.sid, B)  # and cannot be re-added
    assert assert_in_use(c, s) == {n.sid: 1}
    r = h.delete(f"/proxy/v1/Services/{s.sid}/Sessions/{made.sid}/Participants/{a.sid}")
    assert r.status_code == 200
    assert assert_in_use(c, s) == {n.sid: 0}  # no participant holds it: the number is free
    assert session_with(c, s, A)[1][A].proxy_identifier_sid == n.sid
    refused(80103, 400, c.proxy.v1.services(s.sid).sessions.create, participants=[{"Identifier": C}, {"Identifier": C}])
    refused(80609, 400, c.proxy.v1.services(s.sid).sessions.create,
            participants=[{"Identifier": C}, {"Identifier": D}, {"Identifier": B}])


def test_participant_validation(account):
    c, h = account
    s = service(c)
    numbers(c, s, 1)
    made = c.proxy.v1.services(s.sid).sessions.create()
    path = f"/proxy/v1/Services/{s.sid}/Sessions/{made.sid}/Participants"
    for form in ({}, {"Identifier": ""}, {"Identifier": A, "ProxyIdentifierSid": "PN1"},
                 {"Identifier": A, "ProxyIdentifier": "+14155550199"}):
        r = h.post(path, data=form)
        assert (r.status_code, r.json()["code"]) == (400, 80701), (form, r.text)
    assert c.proxy.v1.services(s.sid).sessions(made.sid).participants.list() == []


# -- choosing the proxy number ----------------------------------------------------------------------

def test_reserved_numbers_only_when_named(account):
    c, _ = account
    s = service(c)
    (r,) = numbers(c, s, 1, reserved=True)
    made = c.proxy.v1.services(s.sid).sessions.create()
    refused(80207, 400, join, c, s, made.sid, A)  # only reserved numbers
    (u,) = numbers(c, s, 1)
    assert join(c, s, made.sid, A).proxy_identifier_sid == u.sid
    assert join(c, s, made.sid, B, proxy_identifier=r.phone_number).proxy_identifier_sid == r.sid
    other = c.proxy.v1.services(s.sid).sessions.create()
    assert join(c, s, other.sid, C, proxy_identifier_sid=r.sid).proxy_identifier == r.phone_number
    assert join(c, s, other.sid, D).proxy_identifier_sid == u.sid
    assert assert_in_use(c, s) == {u.sid: 2, r.sid: 2}
    refused(80604, 400, join, c, s, c.proxy.v1.services(s.sid).sessions.create().sid, B, proxy_identifier_sid=r.sid)


def test_never_a_number_the_identifier_holds(account):
    c, _ = account
    s = service(c)
    x, y = numbers(c, s, 2)
    first, p1 = session_with(c, s, A)
    _, p2 = session_with(c, s, A)
    assert {p1[A].proxy_identifier_sid, p2[A].proxy_identifier_sid} == {x.sid, y.sid}
    third = c.proxy.v1.services(s.sid).sessions.create()
    refused(80208, 400, join, c, s, third.sid, A)  # all matching are taken by A
    refused(80604, 400, join, c, s, third.sid, A, proxy_identifier=x.phone_number)
    assert join(c, s, third.sid, B).proxy_identifier_sid in (x.sid, y.sid)
    assert_in_use(c, s)
    c.proxy.v1.services(s.sid).sessions(first.sid).update(status="closed")
    assert join(c, s, third.sid, A).proxy_identifier_sid == p1[A].proxy_identifier_sid  # freed by the close
    assert_in_use(c, s)


def test_one_number_serves_many_sessions_of_distinct_participants(account):
    c, _ = account
    s = service(c)
    (n,) = numbers(c, s, 1)
    people = [f"+1415555{i:04d}" for i in range(200, 208)]
    for count, pair in enumerate(zip(people[::2], people[1::2]), start=1):
        _, parts = session_with(c, s, *pair)
        assert {p.proxy_identifier_sid for p in parts.values()} == {n.sid}
        assert assert_in_use(c, s) == {n.sid: count}


def test_country_match(account):
    c, _ = account
    s = service(c)
    numbers(c, s, 1)
    made = c.proxy.v1.services(s.sid).sessions.create()
    refused(80203, 400, join, c, s, made.sid, GB_MOBILE)
    gb = gb_number(c, s, "mobile")
    assert gb.capabilities["sms"] and gb.capabilities["voice"]
    assert join(c, s, made.sid, GB_MOBILE).proxy_identifier_sid == gb.sid
    # an identifier that is not a phone number matches every number
    assert join(c, s, made.sid, "messenger:1234").proxy_identifier_sid
    assert_in_use(c, s)


def test_area_code_match(account):
    c, _ = account
    s = service(c, geo_match_level="area-code")
    (sf,) = numbers(c, s, 1, area_code="415")
    made = c.proxy.v1.services(s.sid).sessions.create()
    refused(80206, 400, join, c, s, made.sid, "+12125550100")
    (ny,) = numbers(c, s, 1, area_code="212")
    assert join(c, s, made.sid, "+12125550100").proxy_identifier_sid == ny.sid
    assert join(c, s, made.sid, "+14155550100").proxy_identifier_sid == sf.sid
    second = c.proxy.v1.services(s.sid).sessions.create()
    refused(80206, 400, join, c, s, second.sid, "+13105550100")
    assert_in_use(c, s)


def test_mode_needs_the_capability(account):
    c, _ = account
    s = service(c)
    local = gb_number(c, s, "local")
    assert (local.capabilities["voice"], local.capabilities["sms"]) == (True, False)
    for mode in ("message-only", "voice-and-message"):
        made = c.proxy.v1.services(s.sid).sessions.create(mode=mode)
        refused(80202, 400, join, c, s, made.sid, GB_MOBILE)
    voice = c.proxy.v1.services(s.sid).sessions.create(mode="voice-only")
    assert join(c, s, voice.sid, GB_MOBILE).proxy_identifier_sid == local.sid
    mobile = gb_number(c, s, "mobile")
    made = c.proxy.v1.services(s.sid).sessions.create(mode="message-only")
    assert join(c, s, made.sid, GB_MOBILE).proxy_identifier_sid == mobile.sid
    # 80201 needs a number with SMS but no voice: the inventory sells none (every type does voice)


@pytest.mark.parametrize("behavior", ["prefer-sticky", "avoid-sticky"])
def test_sticky(account, behavior):
    c, _ = account
    s = service(c, number_selection_behavior=behavior)
    x, y = numbers(c, s, 2)
    first, parts = session_with(c, s, A)
    assert parts[A].proxy_identifier_sid == x.sid  # least used, then by SID
    c.proxy.v1.services(s.sid).sessions(first.sid).update(status="closed")
    # another session makes the sticky choice the more used one (prefer) or the other one (avoid)
    pinned = x if behavior == "prefer-sticky" else y
    c.proxy.v1.services(s.sid).sessions.create(participants=[{"Identifier": C, "ProxyIdentifierSid": pinned.sid}])
    before = assert_in_use(c, s)
    assert before[pinned.sid] > before[(y if pinned is x else x).sid]
    _, again = session_with(c, s, A)
    assert again[A].proxy_identifier_sid == (x.sid if behavior == "prefer-sticky" else y.sid)
    assert_in_use(c, s)


def test_prefer_sticky_takes_the_last_number(account):
    """The identifier's last number is the one given last, even when both were given within one
    second (dates are whole seconds: SIDs, made in order, break the tie)."""
    c, _ = account
    wrong = []
    for _ in range(3):
        s = service(c, number_selection_behavior="prefer-sticky")
        numbers(c, s, 2)
        first, p1 = session_with(c, s, A)
        second, p2 = session_with(c, s, A)  # the other number: A holds the first
        last = p2[A].proxy_identifier_sid
        for done in (first, second):
            c.proxy.v1.services(s.sid).sessions(done.sid).update(status="closed")
        _, p3 = session_with(c, s, A)
        if p3[A].proxy_identifier_sid != last:
            wrong.append((p1[A].proxy_identifier_sid, last, p3[A].proxy_identifier_sid))
    assert not wrong, (
        f"prefer-sticky gave the identifier's earlier number, not its last (first, last, given): {wrong}")


def test_least_used_spreads_sessions_over_the_pool(account):
    c, _ = account
    s = service(c)
    pool = numbers(c, s, 3)
    people = [f"+1415555{i:04d}" for i in range(300, 312)]
    for pair in zip(people[::2], people[1::2]):
        session_with(c, s, *pair)
        counts = assert_in_use(c, s)
        assert max(counts.values()) - min(counts.values()) <= 1, counts
    assert assert_in_use(c, s) == {n.sid: 4 for n in pool}  # 6 sessions of 2 on 3 numbers


def test_in_use_follows_every_change(account):
    c, h = account
    s = service(c)
    x, y = numbers(c, s, 2)
    one, _ = session_with(c, s, A, B)
    two, p2 = session_with(c, s, A, C)
    assert assert_in_use(c, s) == {x.sid: 2, y.sid: 2}  # one: A on x, B on y; two: A on y, C on x
    h.delete(f"/proxy/v1/Services/{s.sid}/Sessions/{two.sid}/Participants/{p2[A].sid}")
    assert_in_use(c, s)
    c.proxy.v1.services(s.sid).sessions(one.sid).update(status="closed")
    assert_in_use(c, s)
    c.proxy.v1.services(s.sid).sessions(one.sid).update(status="in-progress")
    assert_in_use(c, s)
    c.proxy.v1.services(s.sid).sessions(two.sid).delete()
    assert_in_use(c, s)
    c.proxy.v1.services(s.sid).sessions(one.sid).delete()
    assert assert_in_use(c, s) == {x.sid: 0, y.sid: 0}


# -- interactions -----------------------------------------------------------------------------------

def test_message_interaction_sends_a_message(server, account, subaccount):
    c, h = account
    s = service(c)
    (n,) = numbers(c, s, 1)
    made, parts = session_with(c, s, A, B)
    sess = c.proxy.v1.services(s.sid).sessions(made.sid)
    mi = sess.participants(parts[A].sid).message_interactions.create(body="your driver is here")
    assert mi.sid.startswith("KI") and len(mi.sid) == 34
    assert (mi.session_sid, mi.service_sid, mi.account_sid, mi.participant_sid) == (made.sid, s.sid, subaccount.sid, parts[A].sid)
    assert (mi.type, mi.data) == ("message", '{"body":"your driver is here"}')
    assert (mi.outbound_participant_sid, mi.outbound_resource_type) == (parts[A].sid, "Message")
    assert mi.outbound_resource_sid.startswith("SM") and mi.outbound_resource_status == "queued"
    assert mi.outbound_resource_url == (f"{server.base_url}/2010-04-01/Accounts/{subaccount.sid}/Messages/"
                                        f"{mi.outbound_resource_sid}.json")
    assert (mi.inbound_participant_sid, mi.inbound_resource_sid, mi.inbound_resource_status) == (None, None, None)
    assert (mi.inbound_resource_type, mi.inbound_resource_url) == (None, None)
    assert mi.url == f"{parts[A].url}/MessageInteractions/{mi.sid}"
    r = h.post(f"/proxy/v1/Services/{s.sid}/Sessions/{made.sid}/Participants/{parts[B].sid}/MessageInteractions",
               data={"Body": "ok"})
    assert r.status_code == 200, r.text
    settle(h)
    sent = c.messages.list(to=A)
    assert [(m.sid, m.from_, m.body) for m in sent] == [(mi.outbound_resource_sid, n.phone_number, "your driver is here")]
    assert [(m.from_, m.body) for m in c.messages.list(to=B)] == [(n.phone_number, "ok")]
    assert h.get(mi.outbound_resource_url).status_code == 200
    assert sess.fetch().date_last_interaction is not None
    refused(80701, 400, sess.participants(parts[A].sid).message_interactions.create, body="")
    # fetch and list through the participant and through the session
    got = sess.participants(parts[A].sid).message_interactions(mi.sid).fetch()
    assert (got.sid, got.participant_sid, got.data) == (mi.sid, parts[A].sid, mi.data)
    assert [x.sid for x in sess.participants(parts[A].sid).message_interactions.list()] == [mi.sid]
    assert len(sess.interactions.list()) == 2
    one = sess.interactions(mi.sid).fetch()
    assert (one.sid, one.type, one.outbound_resource_sid, one.url) == (
        mi.sid, "message", mi.outbound_resource_sid, f"{made.url}/Interactions/{mi.sid}")
    assert sess.interactions(mi.sid).delete() is True
    assert [x.sid for x in sess.interactions.list()] == [r.json()["sid"]]
    refused(20404, 404, sess.interactions(mi.sid).fetch)


def test_message_interaction_refused_when_closed_or_removed(account):
    c, h = account
    s = service(c)
    numbers(c, s, 1)
    made, parts = session_with(c, s, A, B)
    sess = c.proxy.v1.services(s.sid).sessions(made.sid)
    h.delete(f"/proxy/v1/Services/{s.sid}/Sessions/{made.sid}/Participants/{parts[B].sid}")
    refused(80607, 400, sess.participants(parts[B].sid).message_interactions.create, body="x")
    sess.update(status="closed")
    refused(80607, 400, sess.participants(parts[A].sid).message_interactions.create, body="x")
    assert sess.interactions.list() == []
    settle(h)
    assert c.messages.list(to=A) == [] and c.messages.list(to=B) == []


# -- links and who sees what ------------------------------------------------------------------------

def test_links_resolve(account):
    c, h = account
    s = service(c)
    numbers(c, s, 1)
    made, parts = session_with(c, s, A, B)
    c.proxy.v1.services(s.sid).sessions(made.sid).participants(parts[A].sid).message_interactions.create(body="x")
    fetched = c.proxy.v1.services(s.sid).fetch()
    r = h.get(fetched.links["sessions"])
    assert r.status_code == 200 and [x["sid"] for x in r.json()["sessions"]] == [made.sid]
    r = h.get(made.links["participants"])
    assert r.status_code == 200 and {x["sid"] for x in r.json()["participants"]} == {p.sid for p in parts.values()}
    r = h.get(made.links["interactions"])
    assert r.status_code == 200 and len(r.json()["interactions"]) == 1
    r = h.get(parts[A].links["message_interactions"])
    assert r.status_code == 200 and len(r.json()["interactions"]) == 1
    assert h.get(parts[B].links["message_interactions"]).json()["interactions"] == []
    for url in (made.url, parts[A].url):
        assert h.get(url).status_code == 200


def test_another_accounts_session_is_not_found(server, client, account):
    c, _ = account
    s = service(c)
    numbers(c, s, 1)
    made, parts = session_with(c, s, A, B)
    other = client.api.v2010.accounts.create()
    oc = server.client(other.sid, other.auth_token)
    theirs = oc.proxy.v1.services(s.sid)
    refused(20404, 404, theirs.sessions(made.sid).fetch)
    refused(20404, 404, theirs.sessions.create)
    refused(20404, 404, theirs.sessions(made.sid).update, status="closed")
    refused(20404, 404, theirs.sessions(made.sid).participants.create, identifier=C)
    refused(20404, 404, theirs.sessions(made.sid).participants(parts[A].sid).message_interactions.create, body="x")
    with server.http(other.sid, other.auth_token) as oh:
        assert oh.delete(f"/proxy/v1/Services/{s.sid}/Sessions/{made.sid}").status_code == 404
        for path in ("", f"/{made.sid}/Participants", f"/{made.sid}/Interactions"):
            r = oh.get(f"/proxy/v1/Services/{s.sid}/Sessions{path}")
            assert (r.status_code, r.json()["code"]) == (404, 20404), path
    own = service(oc)
    refused(20404, 404, oc.proxy.v1.services(own.sid).sessions(made.sid).fetch)  # not through its own Service either
    assert c.proxy.v1.services(s.sid).sessions(made.sid).fetch().status == "open"
    assert Counter(p.date_deleted for p in c.proxy.v1.services(s.sid).sessions(made.sid).participants.list()) == {None: 2}

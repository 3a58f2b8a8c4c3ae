"""Proxy sessions expiring by the server clock: Ttl after the creation or the last interaction,
DateExpiry overriding Ttl; an expired session is closed (``closed_reason`` ``ttl``) and frees its
numbers. This module has a server of its own, so the clock it advances moves no other test's
dates: a server process on both databases, not an in-process mock on SQLite as
tests/api/test_clock.py has, since one process holds one clock offset (domain/clock.py) and the
session's mock, active at the same time, would read its own offset over ours between an advance
and the work it settles. Both databases."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterator

import pytest

from tests.conftest import one_server

A, B = "+14155550101", "+14155550102"


@pytest.fixture(scope="module")
def server(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator:
    yield from one_server(backend, tmp_path_factory)


@pytest.fixture
def account(server, subaccount):
    c = server.client(subaccount.sid, subaccount.auth_token)
    with server.http(subaccount.sid, subaccount.auth_token) as h:
        yield c, h


def clock_now(h) -> dt.datetime:
    r = h.get("/numberpool/v1/Clock")
    assert r.status_code == 200, r.text
    return dt.datetime.fromisoformat(r.json()["now"])


def advance(server, seconds: int) -> None:
    with server.http() as main:  # the main account's own credentials
        r = main.post("/numberpool/v1/Clock", data={"Advance": str(seconds), "Timeout": "30"})
    assert r.status_code == 200, r.text


def pooled(c, **kwargs):
    """A Service with one number in its pool: (the Service, the number)."""
    s = c.proxy.v1.services.create(unique_name="exp-" + secrets.token_hex(4), **kwargs)
    n = c.incoming_phone_numbers.create(area_code="415")
    c.proxy.v1.services(s.sid).phone_numbers.create(sid=n.sid)
    return s, n


def in_use(c, s, n) -> int:
    return c.proxy.v1.services(s.sid).phone_numbers(n.sid).fetch().in_use


def open_session(c, s, *people: str, **kwargs):
    return c.proxy.v1.services(s.sid).sessions.create(
        participants=[{"Identifier": i} for i in people or (A, B)], **kwargs)


def test_a_session_expires_after_its_ttl(account, server):
    c, _ = account
    s, n = pooled(c, default_ttl=600)
    made = open_session(c, s)
    forever = open_session(c, s, "+14155550103", "+14155550104", ttl=0)  # 0: never
    assert made.ttl == 600 and in_use(c, s, n) == 2
    advance(server, 500)
    assert c.proxy.v1.services(s.sid).sessions(made.sid).fetch().status == "open"
    assert in_use(c, s, n) == 2
    advance(server, 101)
    done = c.proxy.v1.services(s.sid).sessions(made.sid).fetch()
    assert (done.status, done.closed_reason) == ("closed", "ttl")
    assert isinstance(done.date_ended, dt.datetime)
    assert done.date_ended >= made.date_created + dt.timedelta(seconds=600)
    assert in_use(c, s, n) == 1
    advance(server, 86400 * 30)
    assert c.proxy.v1.services(s.sid).sessions(forever.sid).fetch().status == "open"
    c.proxy.v1.services(s.sid).sessions(forever.sid).update(status="closed")
    assert in_use(c, s, n) == 0


def test_a_message_interaction_pushes_the_expiry_later(account, server):
    c, _ = account
    s, n = pooled(c)
    made = open_session(c, s, ttl=600)
    parts = c.proxy.v1.services(s.sid).sessions(made.sid).participants.list()
    advance(server, 400)
    sess = c.proxy.v1.services(s.sid).sessions(made.sid)
    sess.participants(parts[0].sid).message_interactions.create(body="still here")
    assert sess.fetch().date_last_interaction >= made.date_created + dt.timedelta(seconds=400)
    advance(server, 400)  # 800 s after the create, 400 after the interaction
    assert sess.fetch().status == "open" and in_use(c, s, n) == 1
    advance(server, 201)
    done = sess.fetch()
    assert (done.status, done.closed_reason) == ("closed", "ttl")
    assert in_use(c, s, n) == 0


def test_date_expiry_overrides_ttl(account, server):
    c, h = account
    s, n = pooled(c, default_ttl=60)
    at = (clock_now(h) + dt.timedelta(seconds=1800)).replace(microsecond=0)
    made = open_session(c, s, ttl=600, date_expiry=at)
    assert (made.ttl, made.date_expiry) == (600, at)
    sess = c.proxy.v1.services(s.sid).sessions(made.sid)
    advance(server, 700)
    assert sess.fetch().status == "open"
    sess.participants(sess.participants.list()[0].sid).message_interactions.create(body="x")  # moves no DateExpiry
    later = sess.update(date_expiry=at + dt.timedelta(seconds=600))
    assert later.date_expiry == at + dt.timedelta(seconds=600)
    advance(server, 1200)  # past the first DateExpiry, before the second
    assert sess.fetch().status == "open" and in_use(c, s, n) == 1
    advance(server, 601)
    done = sess.fetch()
    assert (done.status, done.closed_reason) == ("closed", "ttl")
    assert in_use(c, s, n) == 0


def test_a_closed_session_does_not_expire_again(account, server):
    c, _ = account
    s, n = pooled(c)
    made = open_session(c, s, ttl=300)
    sess = c.proxy.v1.services(s.sid).sessions(made.sid)
    closed = sess.update(status="closed")
    advance(server, 301)
    again = sess.fetch()
    assert (again.status, again.closed_reason, again.date_ended) == ("closed", "api", closed.date_ended)
    assert in_use(c, s, n) == 0

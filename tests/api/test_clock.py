"""The server clock (``GET``/``POST /numberpool/v1/Clock``) and what it drives: scheduled messages
sent when it reaches ``SendAt``, a pool that changed before then, and every stored date. This
module has a server of its own (a fresh mock on SQLite, a server process on PostgreSQL), so the
clock it advances moves no other test's dates."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from tests.api.conftest import serving
from tests.api.test_messages import TO, _service, refused, settle, view


@pytest.fixture(scope="module")
def server(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator:
    yield from serving(backend, tmp_path_factory)


def clock_now(h) -> dt.datetime:
    r = h.get("/numberpool/v1/Clock")
    assert r.status_code == 200, r.text
    return dt.datetime.fromisoformat(r.json()["now"])


def advance(server, seconds: int) -> dict:
    with server.http() as main:  # the main account's own credentials
        r = main.post("/numberpool/v1/Clock", data={"Advance": str(seconds), "Timeout": "30"})
    assert r.status_code == 200, r.text
    return r.json()


def test_pool_emptied_after_the_create_fails_the_message(server, account, receiver):
    c, h, _ = account
    a = c.incoming_phone_numbers.create(area_code="415")
    s = _service(c, [a], status_callback=receiver.url("/emptied"))
    m = c.messages.create(to=TO, messaging_service_sid=s.sid, body="x", schedule_type="fixed",
                          send_at=clock_now(h) + dt.timedelta(minutes=10))
    s.phone_numbers(a.sid).delete()
    advance(server, 601)
    failed = c.messages(m.sid).fetch()
    assert (failed.status, failed.error_code, failed.from_) == ("failed", 21704, None)
    assert [d["params"]["MessageStatus"] for d in view(h, m.sid)["deliveries"]] == ["failed"]
    assert view(h, m.sid)["deliveries"][0]["params"]["ErrorCode"] == "21704"


def test_a_scheduled_message_is_sent_when_the_server_clock_reaches_send_at(server, account, receiver):
    c, h, _ = account
    a = c.incoming_phone_numbers.create(area_code="415")
    s = _service(c, [a], status_callback=receiver.url("/scheduled"))
    start = clock_now(h)
    m = c.messages.create(to=TO, messaging_service_sid=s.sid, body="later", schedule_type="fixed",
                          send_at=start + dt.timedelta(seconds=900))
    assert (m.status, m.from_) == ("scheduled", None)
    settle(h)  # a message due later is not pending
    assert c.messages(m.sid).fetch().status == "scheduled"
    clock = advance(server, 600)
    assert clock["offset_seconds"] >= 600
    assert c.messages(m.sid).fetch().status == "scheduled"
    advance(server, 301)
    done = c.messages(m.sid).fetch()
    assert (done.status, done.from_) == ("delivered", a.phone_number)
    assert done.date_sent >= start + dt.timedelta(seconds=900)  # dates are the server clock's
    assert [d["params"]["MessageStatus"] for d in view(h, m.sid)["deliveries"]] == ["queued", "sent", "delivered"]
    for too_soon in (dt.timedelta(seconds=60), dt.timedelta(days=36)):
        refused(35114, 400, c.messages.create, to=TO, messaging_service_sid=s.sid, body="x", schedule_type="fixed",
                send_at=clock_now(h) + too_soon)
    refused(35111, 400, c.messages.create, to=TO, messaging_service_sid=s.sid, body="x", schedule_type="fixed")


def test_the_clock_is_read_by_anyone_and_advanced_by_the_main_account_only(server, account):
    c, h, _ = account
    before = clock_now(h)
    r = h.post("/numberpool/v1/Clock", data={"Advance": "60"})
    assert (r.status_code, r.json()["code"]) == (403, 20403)
    key = c.new_keys.create(friendly_name="clock")
    with server.http(key.sid, key.secret) as kh:
        assert kh.get("/numberpool/v1/Clock").status_code == 200
    with server.http() as main:
        main_key = server.client().new_keys.create(friendly_name="main clock")
        with server.http(main_key.sid, main_key.secret) as mk:
            r = mk.post("/numberpool/v1/Clock", data={"Advance": "60"})
            assert (r.status_code, r.json()["code"]) == (403, 70051)
        for bad in ("", "0", "-5", "soon", "nan", "1e12"):
            r = main.post("/numberpool/v1/Clock", data={"Advance": bad})
            assert (r.status_code, r.json()["code"]) == (400, 20001), bad
        assert main.post("/numberpool/v1/Clock", data={"Advance": "60", "Timeout": "0"}).status_code == 400
    assert clock_now(h) - before < dt.timedelta(seconds=30)  # nothing advanced it
    advance(server, 3600)
    assert clock_now(h) - before >= dt.timedelta(seconds=3600)
    n = c.incoming_phone_numbers.create(area_code="415")
    assert n.date_created >= before + dt.timedelta(seconds=3600)  # every stored date follows it


def test_reset_sets_the_clock_back(server):
    advance(server, 120)
    with server.http() as main:
        assert main.post("/numberpool/v1/Reset").status_code == 204
        assert main.get("/numberpool/v1/Clock").json()["offset_seconds"] == 0

"""What a call waits for on the server clock, and what a test does meanwhile: a CallRule's
RingSeconds (cancel a ringing call, then advance the clock) and HoldSeconds (redirect or end a
call in progress through UpdateCall). This module has a server of its own (as test_clock.py),
so the clock it advances moves no other test's dates. Both databases."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from twilio.request_validator import RequestValidator

from tests.api.conftest import serving
from tests.api.test_calls import ALL_EVENTS, SAY, TO, name_of, refused, rule, settle, signed, view


@pytest.fixture(scope="module")
def server(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator:
    yield from serving(backend, tmp_path_factory)


def advance(server, seconds: int) -> None:
    with server.http() as main:  # the main account's own credentials
        r = main.post("/numberpool/v1/Clock", data={"Advance": str(seconds), "Timeout": "30"})
    assert r.status_code == 200, r.text


def test_a_ringing_call_waits_for_the_clock_and_can_be_canceled(server, account, receiver, request):
    c, h, token = account
    name = name_of(request)
    n = c.incoming_phone_numbers.create(area_code="415")
    rule(h, To=TO, RingSeconds="20")
    receiver.answer(f"/{name}", body=SAY)
    kept = c.calls.create(to=TO, from_=n.phone_number, url=receiver.url(f"/{name}"),
                          status_callback=receiver.url(f"/{name}-kept"), status_callback_event=ALL_EVENTS)
    dropped = c.calls.create(to=TO, from_=n.phone_number, url=receiver.url(f"/{name}"),
                             status_callback=receiver.url(f"/{name}-dropped"), status_callback_event=ALL_EVENTS)
    settle(h)  # a call waiting on the clock is not pending
    assert {c.calls(x.sid).fetch().status for x in (kept, dropped)} == {"ringing"}
    assert c.calls(dropped.sid).update(status="canceled").status == "canceled"
    settle(h)
    assert [x.form["CallStatus"] for x in signed(receiver, f"/{name}-dropped", token)] == [
        "initiated", "ringing", "canceled"]
    assert signed(receiver, f"/{name}-dropped", token)[-1].form["SipResponseCode"] == "487"
    advance(server, 19)
    assert c.calls(kept.sid).fetch().status == "ringing"
    advance(server, 1)
    assert c.calls(kept.sid).fetch().status == "completed"
    assert [x.form["CallStatus"] for x in signed(receiver, f"/{name}-kept", token)] == [
        "initiated", "ringing", "in-progress", "completed"]
    assert len(receiver.requests(f"/{name}")) == 1  # the canceled call's Url never fetched
    assert c.calls(dropped.sid).fetch().status == "canceled"
    refused(21220, 400, c.calls(dropped.sid).update, status="canceled")


def test_canceling_a_queued_call_fires_no_callback(account, receiver, request):
    c, h, _ = account
    name = name_of(request)
    queued = c.calls.create(to=TO, from_="+15005550006", twiml=SAY, status_callback=receiver.url(f"/{name}"))
    assert c.calls(queued.sid).update(status="canceled").status == "canceled"
    settle(h)
    assert receiver.requests(f"/{name}") == []
    assert c.calls(queued.sid).delete() is True


def test_a_held_call_is_redirected_and_its_hold_ends(server, account, receiver, request):
    c, h, token = account
    name = name_of(request)
    n = c.incoming_phone_numbers.create(area_code="415")
    rule(h, To=TO, HoldSeconds="600")
    receiver.answer(f"/{name}-first", body="<Response><Say>first</Say></Response>")
    receiver.answer(f"/{name}-new", body="<Response><Say>redirected</Say><Pause length=\"2\"/></Response>")
    call = c.calls.create(to=TO, from_=n.phone_number, url=receiver.url(f"/{name}-first"),
                          status_callback=receiver.url(f"/{name}-cb"))
    settle(h)
    assert c.calls(call.sid).fetch().status == "in-progress"
    assert receiver.requests(f"/{name}-first") == []  # held: its Url not fetched yet
    advance(server, 30)  # thirty seconds of the hold pass
    updated = c.calls(call.sid).update(url=receiver.url(f"/{name}-new"), method="GET")
    assert updated.status == "in-progress"
    settle(h)
    [fetched] = receiver.requests(f"/{name}-new")
    assert RequestValidator(token).validate(receiver.url(fetched.path), {}, fetched.headers["X-Twilio-Signature"])
    assert (fetched.method, fetched.query["CallSid"], fetched.query["CallStatus"]) == ("GET", call.sid, "in-progress")
    assert receiver.requests(f"/{name}-first") == []
    done = c.calls(call.sid).fetch()
    assert done.status == "completed"
    assert int(done.duration) >= 32  # 30 s held (and what the clock moved meanwhile), then a 2 s pause
    assert [x["text"] for x in view(h, call.sid)["verbs"]] == ["redirected", ""]
    assert [d["purpose"] for d in view(h, call.sid)["deliveries"]] == ["redirect", "status_callback"]
    [cb] = signed(receiver, f"/{name}-cb", token)
    assert (cb.form["CallStatus"], cb.form["CallDuration"]) == ("completed", done.duration)


def test_a_held_call_runs_new_twiml_or_is_ended(server, account, receiver, request):
    c, h, token = account
    name = name_of(request)
    n = c.incoming_phone_numbers.create(area_code="415")
    rule(h, To=TO, HoldSeconds="600")
    twimled = c.calls.create(to=TO, from_=n.phone_number, twiml="<Response><Say>original</Say></Response>")
    ended = c.calls.create(to=TO, from_=n.phone_number, twiml="<Response><Say>never said</Say></Response>",
                           status_callback=receiver.url(f"/{name}"))
    settle(h)
    c.calls(twimled.sid).update(twiml="<Response><Say>replaced</Say></Response>")
    assert c.calls(ended.sid).update(status="completed").status == "completed"
    settle(h)
    assert [x["text"] for x in view(h, twimled.sid)["verbs"]] == ["replaced"]
    assert c.calls(twimled.sid).fetch().status == "completed"
    assert view(h, ended.sid)["verbs"] == []
    [cb] = signed(receiver, f"/{name}", token)
    assert cb.form["CallStatus"] == "completed"
    advance(server, 600)  # the hold's end finds both calls over: nothing more happens
    assert len(receiver.requests(f"/{name}")) == 1
    assert [x["text"] for x in view(h, twimled.sid)["verbs"]] == ["replaced"]


def test_a_hold_that_runs_out_fetches_the_url_and_counts_in_the_duration(server, account, receiver, request):
    c, h, _ = account
    name = name_of(request)
    n = c.incoming_phone_numbers.create(area_code="415")
    rule(h, To=TO, HoldSeconds="45")
    receiver.answer(f"/{name}", body='<Response><Pause length="5"/></Response>')
    call = c.calls.create(to=TO, from_=n.phone_number, url=receiver.url(f"/{name}"))
    settle(h)
    advance(server, 44)
    assert receiver.requests(f"/{name}") == [] and c.calls(call.sid).fetch().status == "in-progress"
    advance(server, 1)
    assert len(receiver.requests(f"/{name}")) == 1
    done = c.calls(call.sid).fetch()
    assert (done.status, done.duration) == ("completed", "50")  # the whole hold, then the pause


def test_ringing_past_the_timeout_is_no_answer(server, account, receiver, request):
    c, h, token = account
    name = name_of(request)
    n = c.incoming_phone_numbers.create(area_code="415")
    rule(h, To=TO, RingSeconds="30")
    call = c.calls.create(to=TO, from_=n.phone_number, twiml=SAY, timeout=10, status_callback=receiver.url(f"/{name}"))
    settle(h)
    advance(server, 9)
    assert c.calls(call.sid).fetch().status == "ringing"
    advance(server, 1)  # the create's Timeout, before the rule's 30 s of ringing
    assert c.calls(call.sid).fetch().status == "no-answer"
    [cb] = signed(receiver, f"/{name}", token)
    assert (cb.form["CallStatus"], cb.form["SipResponseCode"]) == ("no-answer", "487")


def test_ending_a_held_call_to_a_hosted_number_ends_both_legs(server, account, receiver, request):
    c, h, _ = account
    name = name_of(request)
    caller = c.incoming_phone_numbers.create(area_code="415")
    callee = c.incoming_phone_numbers.create(area_code="415", voice_url=receiver.url(f"/{name}"))
    receiver.answer(f"/{name}", body="<Response><Say>never run</Say></Response>")
    rule(h, To=callee.phone_number, HoldSeconds="600")
    call = c.calls.create(to=callee.phone_number, from_=caller.phone_number, twiml=SAY)
    settle(h)
    legs = {x.direction: x for x in c.calls.list(to=callee.phone_number)}
    assert (legs["outbound-api"].status, legs["inbound"].status) == ("in-progress", "in-progress")
    c.calls(call.sid).update(status="completed")
    settle(h)
    legs = {x.direction: x for x in c.calls.list(to=callee.phone_number)}
    assert (legs["outbound-api"].status, legs["inbound"].status) == ("completed", "completed")
    assert view(h, legs["inbound"].sid)["verbs"] == [] and view(h, call.sid)["verbs"] == []
    assert len(receiver.requests(f"/{name}")) == 1  # asked once, ringing; its TwiML never ran

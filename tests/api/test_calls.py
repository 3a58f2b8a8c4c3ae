"""Placing calls through the official SDK (2010-04-01 Calls): validation codes, the fields and
their types, lists, update and delete, who sees what; a call's life through Settle with signed
call progress callbacks to a real receiver on 127.0.0.1; CallRules; each TwiML verb executed and
recorded in numberpool's Calls view; <Dial> children and calls between hosted numbers. Both
databases. (What waits on the server clock, RingSeconds and HoldSeconds: test_call_clock.py.)"""

from __future__ import annotations

import csv
import io
from urllib.parse import urlencode

import pytest
from twilio.request_validator import RequestValidator

from tests.api.conftest import refused
from tests.api.test_messages import settle

TO = "+14155550100"
SAY = "<Response><Say>Hello</Say></Response>"
ALL_EVENTS = ["initiated", "ringing", "answered", "completed"]


def view(h, sid: str) -> dict:
    r = h.get(f"/numberpool/v1/Calls/{sid}")
    assert r.status_code == 200, r.text
    return r.json()


def rule(h, **fields) -> dict:
    r = h.post("/numberpool/v1/CallRules", data=fields)
    assert r.status_code == 201, r.text
    return r.json()


def name_of(request) -> str:
    return request.node.name.replace("[", "-").replace("]", "")


def signed(receiver, path: str, token: str) -> list:
    """The requests ``path`` received, each checked against its X-Twilio-Signature."""
    seen = receiver.requests(path)
    validator = RequestValidator(token)
    for x in seen:
        assert validator.validate(receiver.url(path), x.form, x.headers["X-Twilio-Signature"]), x.form
    return seen


# -- create: validation ------------------------------------------------------------------------

def test_every_validation_code(account, receiver):
    c, h, _ = account
    n = c.incoming_phone_numbers.create(area_code="415")
    url = receiver.url("/never")
    call = c.calls.create
    base = f"/2010-04-01/Accounts/{n.account_sid}/Calls.json"
    r = h.post(base, data={"From": n.phone_number, "Url": url})
    assert (r.status_code, r.json()["code"]) == (400, 21201)
    r = h.post(base, data={"To": TO, "Url": url})
    assert (r.status_code, r.json()["code"]) == (400, 21213)
    refused(21217, 400, call, to="4155550100", from_=n.phone_number, url=url)
    refused(21217, 400, call, to="+1415555010", from_=n.phone_number, url=url)
    refused(21212, 400, call, to=TO, from_="not a number", url=url)
    e = refused(21210, 400, call, to=TO, from_="+14155550199", url=url)  # nobody's number
    assert "is not yet verified for your account" in e.msg
    refused(21205, 400, call, to=TO, from_=n.phone_number)
    refused(21205, 400, call, to=TO, from_=n.phone_number, url="ftp://example.com/x")
    refused(21205, 400, call, to=TO, from_=n.phone_number, url="not a url")
    refused(21626, 400, call, to=TO, from_=n.phone_number, url=url, status_callback_event=["bogus"])
    refused(21609, 400, call, to=TO, from_=n.phone_number, url=url, status_callback="ftp://example.com/cb")
    for timeout in (0, 601):
        e = refused(20001, 400, call, to=TO, from_=n.phone_number, url=url, timeout=timeout)
        assert "Timeout" in e.msg
    e = refused(20001, 400, call, to=TO, from_=n.phone_number, twiml="<Response><Say>unclosed</Response>")
    assert "Twiml" in e.msg
    app = c.applications.create(friendly_name="no voice url")
    refused(21205, 400, call, to=TO, from_=n.phone_number, application_sid=app.sid)
    refused(20001, 400, call, to=TO, from_=n.phone_number, application_sid="APnope")
    assert c.calls.list() == []  # nothing refused was written


def test_another_accounts_number_is_not_a_caller_id(server, account, client):
    c, _, _ = account
    theirs = client.incoming_phone_numbers.create(area_code="415")
    refused(21210, 400, c.calls.create, to=TO, from_=theirs.phone_number, twiml=SAY)
    assert c.calls.list() == []


def test_twilios_test_numbers(account):
    c, h, _ = account
    n = c.incoming_phone_numbers.create(area_code="415")
    for to, code in (("+15005550001", 21217), ("+15005550002", 21214), ("+15005550003", 21215),
                     ("+15005550004", 21216)):
        refused(code, 400, c.calls.create, to=to, from_=n.phone_number, twiml=SAY)
    refused(21212, 400, c.calls.create, to=TO, from_="+15005550001", twiml=SAY)
    magic = c.calls.create(to=TO, from_="+15005550006", twiml=SAY)
    assert (magic.status, magic.from_formatted, magic.phone_number_sid) == ("queued", "(500) 555-0006", None)
    settle(h)
    assert c.calls(magic.sid).fetch().status == "queued"  # as with Twilio's test credentials: nothing placed


# -- the resource ------------------------------------------------------------------------------

def test_fields_and_their_types(account):
    c, h, _ = account
    n = c.incoming_phone_numbers.create(area_code="415")
    r = h.post(f"/2010-04-01/Accounts/{n.account_sid}/Calls.json",
               data={"To": TO, "From": n.phone_number, "Twiml": SAY, "Foo": "kept"})
    assert r.status_code == 201, r.text
    created = r.json()
    assert created["sid"].startswith("CA") and len(created["sid"]) == 34
    assert (created["status"], created["direction"], created["duration"], created["end_time"]) == (
        "queued", "outbound-api", None, None)
    assert (created["to"], created["to_formatted"], created["from"], created["phone_number_sid"]) == (
        TO, "(415) 555-0100", n.phone_number, n.sid)
    assert created["api_version"] == "2010-04-01" and created["price_unit"] == "USD"
    assert created["uri"] == f"/2010-04-01/Accounts/{n.account_sid}/Calls/{created['sid']}.json"
    assert created["date_created"].endswith("+0000") and created["parent_call_sid"] is None
    settle(h)
    done = h.get(created["uri"]).json()
    assert (done["status"], done["duration"]) == ("completed", "0")
    assert isinstance(done["duration"], str) and done["start_time"] and done["end_time"]
    assert done["price"].startswith("-")
    xml = h.get(created["uri"].replace(".json", ".xml"))
    assert xml.status_code == 200 and f"<Sid>{created['sid']}</Sid>" in xml.text
    rows = list(csv.DictReader(io.StringIO(h.get(f"/2010-04-01/Accounts/{n.account_sid}/Calls.csv").text)))
    assert [row["sid"] for row in rows] == [created["sid"]]


def test_list_filters_and_newest_first(account):
    c, h, _ = account
    a, b = (c.incoming_phone_numbers.create(area_code="415") for _ in range(2))
    first = c.calls.create(to=TO, from_=a.phone_number, twiml=SAY)
    second = c.calls.create(to="+14155550101", from_=b.phone_number, twiml=SAY)
    third = c.calls.create(to=TO, from_=b.phone_number, twiml=SAY)
    assert [x.sid for x in c.calls.list()] == [third.sid, second.sid, first.sid]
    assert [x.sid for x in c.calls.list(limit=1)] == [third.sid]
    assert [x.sid for x in c.calls.list(to=TO)] == [third.sid, first.sid]
    assert [x.sid for x in c.calls.list(from_=a.phone_number)] == [first.sid]
    settle(h)
    assert [x.sid for x in c.calls.list(status="completed", to=TO)] == [third.sid, first.sid]
    pages = list(c.calls.stream(page_size=2))
    assert [x.sid for x in pages] == [third.sid, second.sid, first.sid]
    r = h.get(f"/2010-04-01/Accounts/{a.account_sid}/Calls.json", params={"Status": "sleeping"})
    assert (r.status_code, r.json()["code"]) == (400, 20001)
    day = c.calls(first.sid).fetch().start_time.date()
    assert {x.sid for x in c.calls.list(start_time_after=day)} >= {first.sid}
    assert c.calls.list(start_time_before=day) == []


def test_who_sees_a_call(server, client, account, subaccount):
    c, h, _ = account
    n = c.incoming_phone_numbers.create(area_code="415")
    call = c.calls.create(to=TO, from_=n.phone_number, twiml=SAY)
    sibling = client.api.v2010.accounts.create(friendly_name="sibling")
    other = server.client(sibling.sid, sibling.auth_token)
    refused(20404, 404, other.api.v2010.accounts(subaccount.sid).calls(call.sid).fetch)
    refused(20404, 404, other.calls(call.sid).fetch)
    with server.http(sibling.sid, sibling.auth_token) as sh:
        assert sh.get(f"/numberpool/v1/Calls/{call.sid}").status_code == 404
    assert client.api.v2010.accounts(subaccount.sid).calls(call.sid).fetch().sid == call.sid  # the parent
    assert call.sid not in {x.sid for x in client.calls.list(limit=50)}  # not the parent's own
    settle(h)


def test_delete_only_an_ended_call(account):
    c, h, _ = account
    n = c.incoming_phone_numbers.create(area_code="415")
    rule(h, To=TO, HoldSeconds="3600")  # stays in progress until the clock moves
    held = c.calls.create(to=TO, from_=n.phone_number, twiml=SAY)
    settle(h)
    assert c.calls(held.sid).fetch().status == "in-progress"
    refused(21220, 400, c.calls(held.sid).delete)
    c.calls(held.sid).update(status="completed")
    settle(h)
    assert c.calls(held.sid).delete() is True
    refused(20404, 404, c.calls(held.sid).fetch)


# -- a call's life -----------------------------------------------------------------------------

def test_answered_call_fetches_its_url_and_reports_each_event(account, receiver, request):
    c, h, token = account
    name = name_of(request)
    n = c.incoming_phone_numbers.create(area_code="415")
    receiver.answer(f"/{name}", body=SAY)
    call = c.calls.create(to=TO, from_=n.phone_number, url=receiver.url(f"/{name}"),
                          status_callback=receiver.url(f"/{name}-cb"), status_callback_event=ALL_EVENTS)
    settle(h)
    [fetched] = signed(receiver, f"/{name}", token)
    assert (fetched.form["Direction"], fetched.form["CallStatus"], fetched.form["CallSid"]) == (
        "outbound-api", "in-progress", call.sid)
    assert (fetched.form["To"], fetched.form["From"], fetched.form["Called"], fetched.form["Caller"]) == (
        TO, n.phone_number, TO, n.phone_number)
    callbacks = signed(receiver, f"/{name}-cb", token)
    assert [x.form["CallStatus"] for x in callbacks] == ["initiated", "ringing", "in-progress", "completed"]
    assert [x.form["SequenceNumber"] for x in callbacks] == ["0", "1", "2", "3"]
    assert {x.form["CallbackSource"] for x in callbacks} == {"call-progress-events"}
    assert all(x.form["Timestamp"].endswith("+0000") for x in callbacks)
    last = callbacks[-1].form
    assert (last["CallDuration"], last["Duration"]) == ("0", "0") and "SipResponseCode" not in last
    assert "CallDuration" not in callbacks[2].form
    assert c.calls(call.sid).fetch().status == "completed"
    v = view(h, call.sid)
    assert [d["purpose"] for d in v["deliveries"]] == [
        "status_callback", "status_callback", "status_callback", "primary", "status_callback"]
    assert v["verbs"] == [{"verb": "Say", "attributes": {}, "text": "Hello", "result": {}}]


def test_completed_alone_by_default_and_get_callbacks(account, receiver, request):
    c, h, token = account
    name = name_of(request)
    n = c.incoming_phone_numbers.create(area_code="415")
    call = c.calls.create(to=TO, from_=n.phone_number, twiml=SAY, status_callback=receiver.url(f"/{name}"),
                          status_callback_method="GET")
    settle(h)
    [cb] = receiver.requests(f"/{name}")
    assert (cb.method, cb.query["CallStatus"], cb.query["CallSid"], cb.query["SequenceNumber"]) == (
        "GET", "completed", call.sid, "0")
    url = receiver.url(cb.path)
    assert RequestValidator(token).validate(url, {}, cb.headers["X-Twilio-Signature"])


@pytest.mark.parametrize("outcome,sip", [("busy", "486"), ("no-answer", "487"), ("failed", "404")])
def test_each_unanswered_outcome(account, receiver, request, outcome, sip):
    c, h, token = account
    name = name_of(request)
    n = c.incoming_phone_numbers.create(area_code="415")
    rule(h, To="+1415555*", Status=outcome)
    receiver.answer(f"/{name}", body=SAY)
    call = c.calls.create(to=TO, from_=n.phone_number, url=receiver.url(f"/{name}"),
                          status_callback=receiver.url(f"/{name}-cb"), status_callback_event=ALL_EVENTS)
    settle(h)
    fetched = c.calls(call.sid).fetch()
    assert (fetched.status, fetched.duration, fetched.price) == (outcome, "0", None)
    assert receiver.requests(f"/{name}") == []  # never answered: its Url is not fetched
    callbacks = signed(receiver, f"/{name}-cb", token)
    assert [x.form["CallStatus"] for x in callbacks] == ["initiated", "ringing", outcome]
    assert (callbacks[-1].form["SipResponseCode"], callbacks[-1].form["CallDuration"]) == (sip, "0")
    assert "Duration" not in callbacks[-1].form


def test_call_rules_precedence_and_validation(server, client, account, subaccount):
    c, h, _ = account
    n = c.incoming_phone_numbers.create(area_code="415")
    rule(h, To="+1415*", Status="busy")
    rule(h, To="+14155550*", Status="failed")
    exact = rule(h, To=TO, Status="no-answer")
    replaced = rule(h, To=TO, Status="answered", Digits=["1", "2#"], AnsweredBy="machine_start")
    assert h.get(exact["url"]).status_code == 404  # the same To replaces
    assert (replaced["digits"], replaced["answered_by"]) == (["1", "2#"], "machine_start")
    with server.http() as main:  # the parent's rule for the same To counts less than the account's own
        parent_rule = main.post("/numberpool/v1/CallRules", data={"To": "+14155550999", "Status": "busy"}).json()
    calls = {to: c.calls.create(to=to, from_=n.phone_number, twiml=SAY).sid
             for to in (TO, "+14155550177", "+14155559999", "+14155550999")}
    settle(h)
    assert {to: c.calls(sid).fetch().status for to, sid in calls.items()} == {
        TO: "completed", "+14155550177": "failed", "+14155559999": "busy", "+14155550999": "failed"}
    listed = h.get("/numberpool/v1/CallRules").json()["call_rules"]
    assert {x["to"] for x in listed} == {"+1415*", "+14155550*", TO}
    for bad in ({}, {"To": "4155550100"}, {"To": TO, "Status": "maybe"}, {"To": TO, "RingSeconds": "-1"},
                {"To": TO, "HoldSeconds": "x"}, {"To": TO, "Digits": "12a"}, {"To": TO, "AnsweredBy": "robot"}):
        r = h.post("/numberpool/v1/CallRules", data=bad)
        assert r.status_code == 400 and r.json()["code"] in (20001, 21604), (bad, r.text)
    assert h.delete(replaced["url"]).status_code == 204
    assert h.get(replaced["url"]).status_code == 404
    with server.http() as main:
        assert main.delete(parent_rule["url"]).status_code == 204


def test_machine_detection_reports_the_rules_answered_by(account, receiver, request):
    c, h, token = account
    name = name_of(request)
    n = c.incoming_phone_numbers.create(area_code="415")
    rule(h, To=TO, AnsweredBy="machine_end_beep")
    call = c.calls.create(to=TO, from_=n.phone_number, twiml=SAY, machine_detection="Enable",
                          status_callback=receiver.url(f"/{name}"))
    plain = c.calls.create(to=TO, from_=n.phone_number, twiml=SAY)
    settle(h)
    assert c.calls(call.sid).fetch().answered_by == "machine_end_beep"
    assert c.calls(plain.sid).fetch().answered_by is None
    [cb] = signed(receiver, f"/{name}", token)
    assert cb.form["AnsweredBy"] == "machine_end_beep"


def test_an_application_handles_the_call(account, receiver, request):
    c, h, token = account
    name = name_of(request)
    n = c.incoming_phone_numbers.create(area_code="415")
    receiver.answer(f"/{name}", body=SAY)
    app = c.applications.create(voice_url=receiver.url(f"/{name}"), status_callback=receiver.url(f"/{name}-cb"))
    call = c.calls.create(to=TO, from_=n.phone_number, application_sid=app.sid,
                          url=receiver.url("/ignored"), status_callback=receiver.url("/ignored-cb"))
    settle(h)
    assert [x.form["CallSid"] for x in signed(receiver, f"/{name}", token)] == [call.sid]
    assert [x.form["CallStatus"] for x in signed(receiver, f"/{name}-cb", token)] == ["completed"]
    assert receiver.requests("/ignored") == [] and receiver.requests("/ignored-cb") == []


def test_fallback_when_the_url_fails(account, receiver, request):
    c, h, token = account
    name = name_of(request)
    n = c.incoming_phone_numbers.create(area_code="415")
    receiver.answer(f"/{name}", status=500, body="oops", content_type="text/plain")
    receiver.answer(f"/{name}-fb", body="<Response><Say>Sorry</Say></Response>")
    call = c.calls.create(to=TO, from_=n.phone_number, url=receiver.url(f"/{name}"),
                          fallback_url=receiver.url(f"/{name}-fb"))
    settle(h)
    [fb] = signed(receiver, f"/{name}-fb", token)
    assert (fb.form["ErrorCode"], fb.form["ErrorUrl"]) == ("11200", receiver.url(f"/{name}"))
    v = view(h, call.sid)
    assert [d["purpose"] for d in v["deliveries"]] == ["primary", "fallback"]
    assert [x["text"] for x in v["verbs"]] == ["Sorry"]
    assert c.calls(call.sid).fetch().status == "completed"


# -- TwiML ----------------------------------------------------------------------------------------

def test_say_play_pause_redirect_hangup(account, receiver, request):
    c, h, _ = account
    name = name_of(request)
    n = c.incoming_phone_numbers.create(area_code="415")
    receiver.answer(f"/{name}", body=f'<Response><Say voice="alice">Hello &lt;b&gt;</Say><Play>https://example.com/a.mp3</Play>'
                                     f'<Pause length="4"/><Redirect method="GET">/{name}-next</Redirect><Say>never</Say></Response>')
    receiver.answer(f"/{name}-next", body="<Response><Pause/><Hangup/><Say>after hangup</Say></Response>")
    call = c.calls.create(to=TO, from_=n.phone_number, url=receiver.url(f"/{name}"))
    settle(h)
    v = view(h, call.sid)
    assert [(x["verb"], x["text"]) for x in v["verbs"]] == [
        ("Say", "Hello <b>"), ("Play", "https://example.com/a.mp3"), ("Pause", ""), ("Redirect", f"/{name}-next"),
        ("Pause", ""), ("Hangup", "")]
    assert v["verbs"][0]["attributes"] == {"voice": "alice"}
    assert [x["result"].get("seconds") for x in v["verbs"] if x["verb"] == "Pause"] == [4, 1]
    assert [d["purpose"] for d in v["deliveries"]] == ["primary", "redirect"]
    assert receiver.requests(f"/{name}-next")[0].method == "GET"
    fetched = c.calls(call.sid).fetch()
    assert (fetched.status, fetched.duration) == ("completed", "5")  # the pauses, counted without waiting


def test_gather_with_digits_posts_its_action_and_without_goes_on(account, receiver, request):
    c, h, token = account
    name = name_of(request)
    n = c.incoming_phone_numbers.create(area_code="415")
    rule(h, To=TO, Digits=["42"])
    receiver.answer(f"/{name}", body=f'<Response><Gather action="/{name}-got" numDigits="2"><Say>Press</Say></Gather>'
                                     '<Say>no input</Say></Response>')
    receiver.answer(f"/{name}-got", body=f'<Response><Say>You pressed</Say><Gather timeout="3" action="/{name}-empty"/>'
                                         '<Say>done</Say></Response>')
    call = c.calls.create(to=TO, from_=n.phone_number, url=receiver.url(f"/{name}"))
    settle(h)
    [got] = signed(receiver, f"/{name}-got", token)
    assert (got.form["Digits"], got.form["CallSid"], got.form["CallStatus"]) == ("42", call.sid, "in-progress")
    assert receiver.requests(f"/{name}-empty") == []  # no digits left: no action without actionOnEmptyResult
    v = view(h, call.sid)
    assert [(x["verb"], x["text"], x["result"]) for x in v["verbs"]] == [
        ("Gather", "", {"digits": "42"}), ("Say", "You pressed", {}), ("Gather", "", {"digits": ""}),
        ("Say", "done", {})]
    assert v["verbs"][0]["children"] == [{"verb": "Say", "attributes": {}, "text": "Press"}]
    assert [d["purpose"] for d in v["deliveries"]] == ["primary", "action"]
    assert c.calls(call.sid).fetch().duration == "3"  # the empty Gather's timeout


def test_gather_action_on_empty_result(account, receiver, request):
    c, h, _ = account
    name = name_of(request)
    n = c.incoming_phone_numbers.create(area_code="415")
    receiver.answer(f"/{name}", body=f'<Response><Gather actionOnEmptyResult="true" action="/{name}-empty"/></Response>')
    c.calls.create(to=TO, from_=n.phone_number, url=receiver.url(f"/{name}"))
    settle(h)
    [empty] = receiver.requests(f"/{name}-empty")
    assert empty.form["Digits"] == ""


def test_dial_places_a_child_leg_and_posts_its_action(account, receiver, request):
    c, h, token = account
    name = name_of(request)
    n = c.incoming_phone_numbers.create(area_code="415")
    rule(h, To="+14155550111", Duration="42")
    rule(h, To="+14155550122", Status="busy")
    receiver.answer(f"/{name}", body=(
        f'<Response><Dial action="/{name}-busy"><Number>+14155550122</Number></Dial></Response>'))
    receiver.answer(f"/{name}-busy", body=(
        f'<Response><Dial callerId="{n.phone_number}"><Number statusCallback="/{name}-child" '
        f'statusCallbackEvent="initiated answered">+14155550111</Number></Dial><Say>after</Say></Response>'))
    call = c.calls.create(to=TO, from_=n.phone_number, url=receiver.url(f"/{name}"))
    settle(h)
    children = c.calls.list(parent_call_sid=call.sid)
    assert sorted((x.to, x.status, x.direction, x.duration) for x in children) == [
        ("+14155550111", "completed", "outbound-dial", "42"), ("+14155550122", "busy", "outbound-dial", "0")]
    busy = next(x for x in children if x.status == "busy")
    answered = next(x for x in children if x.status == "completed")
    [action] = signed(receiver, f"/{name}-busy", token)
    assert (action.form["DialCallStatus"], action.form["DialCallSid"], action.form["DialCallDuration"]) == (
        "busy", busy.sid, "0")
    v = view(h, call.sid)
    assert [(x["verb"], x["result"].get("call_sid"), x["result"].get("status")) for x in v["verbs"]] == [
        ("Dial", busy.sid, "busy"), ("Dial", answered.sid, "completed"), ("Say", None, None)]
    assert v["verbs"][1]["children"][0]["text"] == "+14155550111"
    child_callbacks = signed(receiver, f"/{name}-child", token)  # relative to the document's URL
    assert [(x.form["CallSid"], x.form["CallStatus"]) for x in child_callbacks] == [
        (answered.sid, "initiated"), (answered.sid, "in-progress")]
    assert c.calls(call.sid).fetch().duration == "42"
    assert (answered.parent_call_sid, answered._from, busy._from) == (call.sid, n.phone_number, n.phone_number)


def test_dial_child_status_callbacks(account, receiver, request):
    c, h, token = account
    name = name_of(request)
    n = c.incoming_phone_numbers.create(area_code="415")
    cb = receiver.url(f"/{name}-child")
    receiver.answer(f"/{name}", body=(
        f'<Response><Dial><Number statusCallback="{cb}" statusCallbackEvent="initiated ringing answered completed">'
        '+14155550111</Number></Dial></Response>'))
    call = c.calls.create(to=TO, from_=n.phone_number, url=receiver.url(f"/{name}"))
    settle(h)
    [child] = c.calls.list(parent_call_sid=call.sid)
    callbacks = signed(receiver, f"/{name}-child", token)
    assert [(x.form["CallStatus"], x.form["SequenceNumber"]) for x in callbacks] == [
        ("initiated", "0"), ("ringing", "1"), ("in-progress", "2"), ("completed", "3")]
    assert {(x.form["CallSid"], x.form["ParentCallSid"], x.form["Direction"]) for x in callbacks} == {
        (child.sid, call.sid, "outbound-dial")}


def test_invalid_dial_number_is_recorded(account, receiver, request):
    c, h, _ = account
    name = name_of(request)
    n = c.incoming_phone_numbers.create(area_code="415")
    receiver.answer(f"/{name}", body="<Response><Dial>not-a-number</Dial><Say>next</Say></Response>")
    call = c.calls.create(to=TO, from_=n.phone_number, url=receiver.url(f"/{name}"))
    settle(h)
    v = view(h, call.sid)
    assert v["verbs"][0]["result"] == {"call_sid": None, "status": "failed", "duration": 0, "error_code": 13223}
    assert v["verbs"][1]["text"] == "next"


def test_unsupported_verbs_are_recorded_and_skipped(account, receiver, request):
    c, h, _ = account
    name = name_of(request)
    n = c.incoming_phone_numbers.create(area_code="415")
    receiver.answer(f"/{name}", body="<Response><Record/><Conference>room</Conference><Say>still here</Say></Response>")
    call = c.calls.create(to=TO, from_=n.phone_number, url=receiver.url(f"/{name}"))
    settle(h)
    assert [(x["verb"], x["result"]) for x in view(h, call.sid)["verbs"]] == [
        ("Record", {"unsupported": True}), ("Conference", {"unsupported": True}), ("Say", {})]


# -- calls between hosted numbers ---------------------------------------------------------------

def test_a_call_to_a_hosted_number_rings_its_webhook_and_both_legs_run(account, receiver, request):
    c, h, token = account
    name = name_of(request)
    caller = c.incoming_phone_numbers.create(area_code="415")
    callee = c.incoming_phone_numbers.create(area_code="415", voice_url=receiver.url(f"/{name}-callee"),
                                             status_callback=receiver.url(f"/{name}-callee-cb"))
    receiver.answer(f"/{name}-callee", body='<Response><Say>callee speaking</Say><Pause length="9"/></Response>')
    call = c.calls.create(to=callee.phone_number, from_=caller.phone_number, twiml='<Response><Pause length="2"/></Response>')
    settle(h)
    [rang] = signed(receiver, f"/{name}-callee", token)
    assert (rang.form["CallStatus"], rang.form["Direction"], rang.form["From"], rang.form["To"]) == (
        "ringing", "inbound", caller.phone_number, callee.phone_number)
    inbound_sid = rang.form["CallSid"]
    assert inbound_sid != call.sid
    legs = {x.sid: x for x in c.calls.list(to=callee.phone_number)}
    assert set(legs) == {call.sid, inbound_sid}
    assert (legs[inbound_sid].direction, legs[inbound_sid].status, legs[inbound_sid].duration) == (
        "inbound", "completed", "9")
    assert (legs[call.sid].status, legs[call.sid].duration) == ("completed", "9")  # together: the longer side
    assert view(h, call.sid)["peer_call_sid"] == inbound_sid
    assert [x["text"] for x in view(h, inbound_sid)["verbs"]] == ["callee speaking", ""]
    [ended] = signed(receiver, f"/{name}-callee-cb", token)
    assert (ended.form["CallStatus"], ended.form["CallSid"], ended.form["CallDuration"]) == (
        "completed", inbound_sid, "9")
    record = h.get(f"/numberpool/v1/InboundCalls/{inbound_sid}")  # the same record as an InboundCalls POST
    assert record.status_code == 200 and record.json()["call_duration"] == 9


@pytest.mark.parametrize("reason,status", [("busy", "busy"), ("rejected", "no-answer")])
def test_the_callee_rejects(account, receiver, request, reason, status):
    c, h, _ = account
    name = name_of(request)
    caller = c.incoming_phone_numbers.create(area_code="415")
    callee = c.incoming_phone_numbers.create(area_code="415", voice_url=receiver.url(f"/{name}"))
    receiver.answer(f"/{name}", body=f'<Response><Reject reason="{reason}"/></Response>')
    receiver.answer(f"/{name}-caller", body=SAY)
    call = c.calls.create(to=callee.phone_number, from_=caller.phone_number, url=receiver.url(f"/{name}-caller"))
    settle(h)
    assert c.calls(call.sid).fetch().status == status
    assert receiver.requests(f"/{name}-caller") == []  # never answered: the caller's Url is not fetched
    [inbound] = [x for x in c.calls.list(to=callee.phone_number) if x.direction == "inbound"]
    assert (inbound.status, inbound.duration) == (status, "0")
    assert [(x["verb"], x["result"]) for x in view(h, inbound.sid)["verbs"]] == [("Reject", {"status": status})]


def test_dial_to_a_hosted_number_and_the_tree_limit(account, receiver, request):
    c, h, _ = account
    name = name_of(request)
    caller = c.incoming_phone_numbers.create(area_code="415")
    loop = c.incoming_phone_numbers.create(area_code="415", voice_url=receiver.url(f"/{name}"))
    receiver.answer(f"/{name}", body=f"<Response><Say>ring</Say><Dial>{loop.phone_number}</Dial></Response>")
    call = c.calls.create(to=loop.phone_number, from_=caller.phone_number, twiml=SAY)
    settle(h)
    tree = c.calls.list(to=loop.phone_number)
    assert len(tree) == 10  # a call tree holds at most 10 legs
    assert {x.status for x in tree} == {"completed"}
    dials = [x for x in tree if x.direction == "outbound-dial"]
    assert len(dials) == 4 and all(x.parent_call_sid for x in dials)
    last_inbound = next(x for x in tree if x.direction == "inbound")  # newest first
    assert view(h, last_inbound.sid)["verbs"][-1]["result"]["error_code"] == 13212
    assert c.calls(call.sid).fetch().status == "completed"


def test_every_inbound_call_is_a_call_of_the_receiving_account(account, receiver, request):
    c, h, _ = account
    name = name_of(request)
    receiver.answer(f"/{name}", body=f'<Response><Say>Welcome</Say><Pause length="2"/><Redirect>/{name}-2</Redirect></Response>')
    receiver.answer(f"/{name}-2", body='<Response><Gather/><Say>Bye</Say><Hangup/><Say>never</Say></Response>')
    n = c.incoming_phone_numbers.create(area_code="415", voice_url=receiver.url(f"/{name}"))
    r = h.post("/numberpool/v1/InboundCalls", data={"To": n.phone_number, "From": "+14155550166", "CallDuration": "12"})
    assert r.status_code == 201, r.text
    [call] = c.calls.list(to=n.phone_number)
    assert (call.sid, call.direction, call.status, call.duration, call._from) == (
        r.json()["sid"], "inbound", "completed", "12", "+14155550166")
    assert call.phone_number_sid == n.sid
    v = view(h, call.sid)
    assert [d["purpose"] for d in v["deliveries"]] == ["primary", "redirect"]
    assert [(x["verb"], x["text"], x["result"]) for x in v["verbs"]] == [  # what the caller heard
        ("Say", "Welcome", {}), ("Pause", "", {"seconds": 2}), ("Redirect", f"/{name}-2", {}),
        ("Gather", "", {"not_run": True}), ("Say", "Bye", {}), ("Hangup", "", {})]


def test_update_refusals(account):
    c, h, _ = account
    n = c.incoming_phone_numbers.create(area_code="415")
    call = c.calls.create(to=TO, from_=n.phone_number, twiml=SAY)
    settle(h)
    refused(21220, 400, c.calls(call.sid).update, status="canceled")
    refused(21220, 400, c.calls(call.sid).update, status="completed")
    refused(21220, 400, c.calls(call.sid).update, twiml=SAY)
    refused(20001, 400, c.calls(call.sid).update, status="ringing")
    refused(20404, 404, c.calls("CA" + "0" * 32).update, status="completed")
    base = f"/2010-04-01/Accounts/{n.account_sid}/Calls/{call.sid}.json"
    r = h.post(base, content=urlencode({"Url": "https://example.com/a", "Twiml": SAY}),
               headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert (r.status_code, r.json()["code"]) == (400, 20001)
    assert c.calls(call.sid).fetch().status == "completed"


def test_a_call_to_a_trunk_number_records_the_sip_target(account):
    c, h, _ = account
    caller = c.incoming_phone_numbers.create(area_code="415")
    t = c.trunking.v1.trunks.create(friendly_name="calls")
    t.origination_urls.create(weight=10, priority=1, enabled=True, friendly_name="pbx", sip_url="sip:pbx.example.com")
    n = c.incoming_phone_numbers.create(area_code="415", trunk_sid=t.sid)
    rule(h, To=n.phone_number, Duration="33")  # the SIP side has no TwiML: it lasts the rule's Duration
    call = c.calls.create(to=n.phone_number, from_=caller.phone_number, twiml=SAY)
    settle(h)
    [inbound] = [x for x in c.calls.list(to=n.phone_number) if x.direction == "inbound"]
    assert (inbound.trunk_sid, inbound.status, inbound.duration) == (t.sid, "completed", "33")
    assert view(h, inbound.sid)["sip_url"] == "sip:pbx.example.com"
    assert c.calls(call.sid).fetch().duration == "33"
    record = h.get(f"/numberpool/v1/InboundCalls/{inbound.sid}").json()
    assert (record["route"], record["trunk_sid"], record["sip_url"]) == ("trunk", t.sid, "sip:pbx.example.com")
    r = h.post("/numberpool/v1/InboundCalls", data={"To": n.phone_number, "From": "+14155550166", "CallDuration": "4"})
    received = c.calls(r.json()["sid"]).fetch()
    assert (received.trunk_sid, received.duration) == (t.sid, "4")


def test_an_api_key_places_and_reads_calls(server, account):
    c, _, _ = account
    n = c.incoming_phone_numbers.create(area_code="415")
    key = c.new_keys.create(friendly_name="calls")
    with server.http(key.sid, key.secret) as kh:
        r = kh.post(f"/2010-04-01/Accounts/{n.account_sid}/Calls.json",
                    data={"To": TO, "From": n.phone_number, "Twiml": SAY})
        assert r.status_code == 201, r.text
        settle(kh)
        assert kh.get(f"/2010-04-01/Accounts/{n.account_sid}/Calls/{r.json()['sid']}.json").json()["status"] == "completed"
        assert kh.get(f"/numberpool/v1/Calls/{r.json()['sid']}").status_code == 200

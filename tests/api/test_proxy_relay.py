"""Traffic through Proxy sessions, end to end with real receivers on 127.0.0.1: a participant's
message relayed to the other from their proxy number, the intercept callback (a 403 blocks), the
callback URL signed as Twilio signs, a call as a voice interaction, a message from a hosted
number relayed too, and out-of-session traffic as before. Both databases, through the SDK."""

from __future__ import annotations

import json

from twilio.request_validator import RequestValidator

from tests.api.conftest import settle
from tests.receiver import Answer, Receiver


def text(h, to: str, from_: str, body: str) -> dict:
    r = h.post("/numberpool/v1/InboundMessages", data={"To": to, "From": from_, "Body": body})
    assert r.status_code == 201, r.text
    return r.json()


def setup(c, receiver: Receiver, name: str, **service):
    s = c.proxy.v1.services.create(unique_name=name, callback_url=receiver.url(f"/{name}-cb"),
                                   intercept_callback_url=receiver.url(f"/{name}-intercept"),
                                   out_of_session_callback_url=receiver.url(f"/{name}-oos"), **service)
    for _ in range(2):
        s.phone_numbers.create(sid=c.incoming_phone_numbers.create(area_code="415").sid)
    session = s.sessions.create(participants=[{"Identifier": "+14155550100"}, {"Identifier": "+14155550101"}])
    a, b = s.sessions(session.sid).participants.list()
    return s, session, a, b


def test_a_message_is_relayed_to_the_other_participant(account, receiver, request):
    c, h, token = account
    name = request.node.name.replace("[", "-").replace("]", "")
    s, session, a, b = setup(c, receiver, name)
    assert session.status == "open"
    record = text(h, a.proxy_identifier, a.identifier, "on my way")
    assert record["route"] == "proxy" and [d["purpose"] for d in record["deliveries"]] == ["intercept", "callback"]
    settle(h)
    relayed = c.messages.list(to=b.identifier)
    assert [(m.from_, m.body, m.status, m.direction) for m in relayed] == [
        (b.proxy_identifier, "on my way", "delivered", "outbound-api")]
    [interaction] = s.sessions(session.sid).interactions.list()
    assert (interaction.type, interaction.inbound_participant_sid, interaction.outbound_participant_sid) == (
        "message", a.sid, b.sid)
    assert json.loads(interaction.data) == {"body": "on my way"}
    assert (interaction.inbound_resource_sid, interaction.inbound_resource_status) == (record["sid"], "delivered")
    assert (interaction.outbound_resource_sid, interaction.outbound_resource_type) == (relayed[0].sid, "Message")
    fetched = s.sessions(session.sid).fetch()
    assert fetched.status == "in-progress" and fetched.date_last_interaction is not None
    # the callback and the intercept, signed with the account's token, with Twilio's parameters
    [cb] = receiver.requests(f"/{name}-cb")
    assert RequestValidator(token).validate(receiver.url(f"/{name}-cb"), cb.form, cb.headers["X-Twilio-Signature"])
    assert cb.form["interactionSid"] == interaction.sid and cb.form["interactionType"] == "message"
    assert cb.form["outboundResourceSid"] == relayed[0].sid and cb.form["inboundParticipantSid"] == a.sid
    [asked] = receiver.requests(f"/{name}-intercept")
    assert RequestValidator(token).validate(receiver.url(f"/{name}-intercept"), asked.form,
                                            asked.headers["X-Twilio-Signature"])
    assert asked.form["interactionSessionSid"] == session.sid and json.loads(asked.form["interactionData"]) == {
        "body": "on my way"}
    assert receiver.requests(f"/{name}-oos") == []


def test_the_intercept_blocks_with_a_403(account, receiver, request):
    c, h, _ = account
    name = request.node.name.replace("[", "-").replace("]", "")
    s, session, a, b = setup(c, receiver, name)
    receiver.answers[f"/{name}-intercept"] = Answer(status=403, body="no", content_type="text/plain")
    record = text(h, a.proxy_identifier, a.identifier, "blocked")
    settle(h)
    assert c.messages.list(to=b.identifier) == []
    assert s.sessions(session.sid).interactions.list() == []
    assert record["deliveries"][0]["status_code"] == 403 and record["deliveries"][0]["response_body"] == ""
    receiver.answers[f"/{name}-intercept"] = Answer(status=500)  # anything but 403 goes on
    text(h, a.proxy_identifier, a.identifier, "through")
    settle(h)
    assert [m.body for m in c.messages.list(to=b.identifier)] == ["through"]


def test_out_of_session_traffic_goes_to_the_out_of_session_url(account, receiver, request):
    c, h, _ = account
    name = request.node.name.replace("[", "-").replace("]", "")
    s, session, a, _b = setup(c, receiver, name)
    text(h, a.proxy_identifier, "+14155550199", "who is this")  # not a participant
    s.sessions(session.sid).update(status="closed")
    text(h, a.proxy_identifier, a.identifier, "after closing")  # a closed session
    settle(h)
    assert [x.form["Body"] for x in receiver.requests(f"/{name}-oos")] == ["who is this", "after closing"]
    assert s.sessions(session.sid).interactions.list() == []


def test_a_call_is_a_voice_interaction_and_a_hosted_sender_is_relayed(account, receiver, request):
    c, h, _ = account
    name = request.node.name.replace("[", "-").replace("]", "")
    s = c.proxy.v1.services.create(unique_name=name, callback_url=receiver.url(f"/{name}-cb"))
    numbers = [c.incoming_phone_numbers.create(area_code="415") for _ in range(2)]
    for n in numbers:
        s.phone_numbers.create(sid=n.sid)
    mine = c.incoming_phone_numbers.create(area_code="415")  # a number this account hosts, not in the pool
    session = s.sessions.create(participants=[{"Identifier": mine.phone_number}, {"Identifier": "+14155550101"}])
    a, b = sorted(s.sessions(session.sid).participants.list(), key=lambda p: p.identifier != mine.phone_number)
    r = h.post("/numberpool/v1/InboundCalls", data={"To": a.proxy_identifier, "From": a.identifier, "CallDuration": "7"})
    assert r.status_code == 201 and r.json()["route"] == "proxy"
    sent = c.messages.create(to=a.proxy_identifier, from_=mine.phone_number, body="texting from my own number")
    settle(h)
    assert c.messages(sent.sid).fetch().status == "delivered"
    kinds = {i.type: i for i in s.sessions(session.sid).interactions.list()}
    assert set(kinds) == {"voice", "message"}
    voice = kinds["voice"]
    assert (voice.inbound_resource_type, voice.inbound_resource_status, voice.outbound_resource_type) == (
        "Call", "in-progress", "Call")
    assert json.loads(voice.data) == {"duration": "7"}
    # The other participant is called from their proxy number: the interaction's outbound resource.
    placed = c.calls(voice.outbound_resource_sid).fetch()
    assert (placed.to, placed._from, placed.direction, placed.status) == (
        b.identifier, b.proxy_identifier, "outbound-api", "completed")
    assert voice.outbound_resource_url.endswith(f"/Calls/{placed.sid}.json")
    assert c.calls(r.json()["sid"]).fetch().direction == "inbound"  # the inbound side is a Call too
    assert [m.body for m in c.messages.list(to=b.identifier)] == ["texting from my own number"]
    assert len(receiver.requests(f"/{name}-cb")) == 2


def test_a_message_interaction_sends_from_the_proxy_number(account, receiver, request):
    c, h, _ = account
    name = request.node.name.replace("[", "-").replace("]", "")
    s, session, _a, b = setup(c, receiver, name)
    mi = s.sessions(session.sid).participants(b.sid).message_interactions.create(body="your ride is here")
    assert (mi.participant_sid, mi.type, mi.inbound_resource_sid, mi.outbound_resource_type) == (
        b.sid, "message", None, "Message")
    settle(h)
    [m] = c.messages.list(to=b.identifier)
    assert (m.from_, m.body, m.sid) == (b.proxy_identifier, "your ride is here", mi.outbound_resource_sid)
    assert [x.sid for x in s.sessions(session.sid).participants(b.sid).message_interactions.list()] == [mi.sid]
    assert s.sessions(session.sid).participants(b.sid).message_interactions(mi.sid).fetch().data == mi.data

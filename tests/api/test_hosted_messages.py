"""Messages between numbers numberpool hosts: the receiving account's inbound Message, replies as
``outbound-reply`` Messages, the reply-loop limit (14107), the opt-out keywords (21610), and every
message of ``POST /numberpool/v1/InboundMessages`` as a Message. Both databases, through the SDK,
with real webhook receivers on 127.0.0.1."""

from __future__ import annotations

import pytest
from twilio.base.exceptions import TwilioRestException
from twilio.request_validator import RequestValidator

from tests.api.conftest import settle
from tests.receiver import Answer, Receiver

REPLY = "<Response><Message>{}</Message></Response>"


def family(h, **filters) -> list[dict]:
    r = h.get("/numberpool/v1/Messages", params={**filters, "PageSize": 200})
    assert r.status_code == 200, r.text
    return r.json()["messages"]


def hook(receiver: Receiver, name: str, body: str = "<Response/>") -> str:
    receiver.answers[f"/{name}"] = Answer(body=body)
    return receiver.url(f"/{name}")


def test_a_message_to_a_hosted_number_is_received_and_answered(server, client, account, receiver, request):
    c, h, _ = account
    name = request.node.name.replace("[", "-").replace("]", "")
    other = client.api.v2010.accounts.create(friendly_name="receiver")
    oc = server.client(other.sid, other.auth_token)
    sender = c.incoming_phone_numbers.create(area_code="415")
    target = oc.incoming_phone_numbers.create(area_code="415", sms_url=hook(receiver, name, REPLY.format("got it")))
    sent = c.messages.create(to=target.phone_number, from_=sender.phone_number, body="hello there",
                             status_callback=receiver.url(f"/{name}-status"))
    settle(h)
    assert c.messages(sent.sid).fetch().status == "delivered"
    # the receiving account has it as an inbound Message, routed to its webhook, signed with its token
    got = oc.messages.list(to=target.phone_number)
    assert [(m.direction, m.status, m.from_, m.body) for m in got] == [("inbound", "received", sender.phone_number, "hello there")]
    asked = [s for s in receiver.requests(f"/{name}") if s.form.get("Body") == "hello there"]
    assert len(asked) == 1 and asked[0].form["MessageSid"] == got[0].sid and asked[0].form["AccountSid"] == other.sid
    assert RequestValidator(other.auth_token).validate(receiver.url(f"/{name}"), asked[0].form,
                                                       asked[0].headers["X-Twilio-Signature"])
    with server.http(other.sid, other.auth_token) as oh:
        record = oh.get(f"/numberpool/v1/InboundMessages/{got[0].sid}").json()  # the same record, the same sid
        assert record["to"] == target.phone_number and record["replies"][0]["body"] == "got it"
    # its TwiML's reply is an outbound-reply Message from the target, delivered back to the sender
    replies = oc.messages.list(from_=target.phone_number)
    assert [(m.direction, m.status, m.to, m.body) for m in replies] == [("outbound-reply", "delivered", sender.phone_number, "got it")]
    back = c.messages.list(to=sender.phone_number)
    assert [(m.direction, m.body) for m in back] == [("inbound", "got it")]
    assert [s.form["MessageStatus"] for s in receiver.requests(f"/{name}-status")] == ["sent", "delivered"]


def test_a_delivery_rule_applies_before_the_hosted_number(account, receiver, request):
    c, h, _ = account
    name = request.node.name.replace("[", "-").replace("]", "")
    a = c.incoming_phone_numbers.create(area_code="415")
    b = c.incoming_phone_numbers.create(area_code="415", sms_url=hook(receiver, name))
    assert h.post("/numberpool/v1/DeliveryRules", data={"To": b.phone_number, "Status": "undelivered",
                                                         "ErrorCode": "30005"}).status_code == 201
    m = c.messages.create(to=b.phone_number, from_=a.phone_number, body="x")
    settle(h)
    assert (c.messages(m.sid).fetch().status, c.messages(m.sid).fetch().error_code) == ("undelivered", 30005)
    assert c.messages.list(to=b.phone_number, limit=5)[0].direction == "outbound-api"  # no inbound copy
    assert receiver.requests(f"/{name}") == []


def test_two_webhooks_answering_each_other_stop_at_the_loop_limit(account, receiver, request):
    c, h, _ = account
    name = request.node.name.replace("[", "-").replace("]", "")
    a = c.incoming_phone_numbers.create(area_code="415", sms_url=hook(receiver, name + "-a", REPLY.format("ping")))
    b = c.incoming_phone_numbers.create(area_code="415", sms_url=hook(receiver, name + "-b", REPLY.format("pong")))
    c.messages.create(to=b.phone_number, from_=a.phone_number, body="serve", status_callback=receiver.url(f"/{name}-cb"))
    settle(h)
    sent = [m for m in family(h) if m["direction"] != "inbound"]
    assert len(sent) == 31, [(m["direction"], m["status"], m["error_code"], m["body"]) for m in family(h)]  # 30 messages between the two, then the one that fails
    last = sent[0]
    assert (last["status"], last["error_code"], last["direction"]) == ("failed", 14107, "outbound-reply")
    assert sum(1 for m in sent if m["status"] == "failed") == 1
    assert [d["params"]["MessageStatus"] for d in h.get(f"/numberpool/v1/Messages/{last['sid']}").json()["deliveries"]] == []
    # and an API message between them now fails the same way, with its callback
    m = c.messages.create(to=b.phone_number, from_=a.phone_number, body="again", status_callback=receiver.url(f"/{name}-cb"))
    assert (m.status, m.error_code) == ("failed", 14107)
    settle(h)
    view = h.get(f"/numberpool/v1/Messages/{m.sid}").json()
    assert [d["params"]["MessageStatus"] for d in view["deliveries"]] == ["failed"]
    assert view["deliveries"][0]["params"]["ErrorCode"] == "14107"


def test_stop_opts_the_recipient_out_until_start(account, receiver, request):
    c, h, _ = account
    name = request.node.name.replace("[", "-").replace("]", "")
    n = c.incoming_phone_numbers.create(area_code="415", sms_url=hook(receiver, name, REPLY.format("thanks")))
    pooled = c.incoming_phone_numbers.create(area_code="415")
    service = c.messaging.v1.services.create(friendly_name="opt-out", use_inbound_webhook_on_number=True)
    service.phone_numbers.create(phone_number_sid=n.sid)
    service.phone_numbers.create(phone_number_sid=pooled.sid)
    person = "+14155550177"

    def text(body: str) -> None:
        r = h.post("/numberpool/v1/InboundMessages", data={"To": n.phone_number, "From": person, "Body": body})
        assert r.status_code == 201, r.text
        settle(h)

    text("  Stop. ")
    assert [s.form["Body"] for s in receiver.requests(f"/{name}")][-1] == "  Stop. "  # the webhook still gets it
    replies = c.messages.list(to=person)
    assert replies[0].body.startswith("You have successfully been unsubscribed") or replies[1].body.startswith(
        "You have successfully been unsubscribed")
    blocked = [m for m in replies if m.body == "thanks"]
    assert [(m.status, m.error_code) for m in blocked] == [("failed", 21610)]  # the webhook's own reply is blocked
    for kwargs in ({"from_": n.phone_number}, {"from_": pooled.phone_number, "messaging_service_sid": service.sid},
                   {"messaging_service_sid": service.sid}):
        with pytest.raises(TwilioRestException) as caught:
            c.messages.create(to=person, body="offer", **kwargs)
        assert (caught.value.status, caught.value.code) == (400, 21610)
    c.messages.create(to="+14155550178", from_=n.phone_number, body="someone else")  # only that recipient
    text("STOP PLEASE")  # not a keyword alone: no change
    text("start")
    assert c.messages.create(to=person, from_=n.phone_number, body="welcome back").status == "queued"
    text("help")
    assert c.messages.list(to=person, limit=3)[0].body != ""


def test_every_inbound_message_is_a_message_of_the_receiving_account(account, receiver, request):
    c, h, _ = account
    name = request.node.name.replace("[", "-").replace("]", "")
    n = c.incoming_phone_numbers.create(area_code="415", sms_url=hook(
        receiver, name, '<Response><Message to="+14155550111" statusCallback="{}">fwd</Message></Response>'.format(
            receiver.url(f"/{name}-cb"))))
    r = h.post("/numberpool/v1/InboundMessages", data={"To": n.phone_number, "From": "+14155550188", "Body": "hi"})
    assert r.status_code == 201
    sid = r.json()["sid"]
    m = c.messages(sid).fetch()
    assert (m.direction, m.status, m.to, m.from_, m.body) == ("inbound", "received", n.phone_number, "+14155550188", "hi")
    assert m.date_sent is not None
    settle(h)
    fwd = c.messages.list(to="+14155550111")
    assert [(x.direction, x.from_, x.body, x.status) for x in fwd] == [("outbound-reply", n.phone_number, "fwd", "delivered")]
    assert [s.form["MessageStatus"] for s in receiver.requests(f"/{name}-cb")] == ["sent", "delivered"]

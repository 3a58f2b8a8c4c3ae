"""Sending messages through the official SDK (2010-04-01 Messages): validation codes, the fields
and their types, lists, update and delete, Media, who sees what; a Messaging Service choosing the
sender; delivery through Settle with signed status callbacks to a real receiver on 127.0.0.1;
DeliveryRules; and numberpool's own Messages view. Both databases."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

import pytest
from twilio.request_validator import RequestValidator

from tests.api.conftest import refused
from tests.api.conftest import settle as settle_within

TO = "+14155550100"


def settle(h) -> None:
    settle_within(h, 30)


def view(h, sid: str) -> dict:
    r = h.get(f"/numberpool/v1/Messages/{sid}")
    assert r.status_code == 200, r.text
    return r.json()


# -- create: validation ------------------------------------------------------------------------

def test_every_validation_code(account):
    c, h, _ = account
    n = c.incoming_phone_numbers.create(area_code="415")
    send = c.messages.create
    r = h.post(f"/2010-04-01/Accounts/{n.account_sid}/Messages.json", data={"From": n.phone_number, "Body": "x"})
    assert (r.status_code, r.json()["code"]) == (400, 21604)  # the SDK itself refuses a create without To
    refused(21211, 400, send, to="4155550100", from_=n.phone_number, body="x")
    refused(21211, 400, send, to="whatsapp:+14155550100", from_=n.phone_number, body="x")
    refused(21211, 400, send, to="+1415555010", from_=n.phone_number, body="x")  # too short for +1
    refused(21603, 400, send, to=TO, body="x")
    refused(21212, 400, send, to=TO, from_="not a number!", body="x")
    refused(21606, 400, send, to=TO, from_="+14155550199", body="x")  # nobody's number
    refused(21619, 400, send, to=TO, from_=n.phone_number)
    refused(21617, 400, send, to=TO, from_=n.phone_number, body="x" * 1601)
    refused(21620, 400, send, to=TO, from_=n.phone_number, media_url=["ftp://example.com/a.png"])
    refused(21620, 400, send, to=TO, from_=n.phone_number, media_url=[f"https://example.com/{i}.png" for i in range(11)])
    refused(21266, 400, send, to=n.phone_number, from_=n.phone_number, body="x")
    refused(21609, 400, send, to=TO, from_=n.phone_number, body="x", status_callback="ftp://example.com/cb")
    refused(21609, 400, send, to=TO, from_=n.phone_number, body="x", status_callback="https://bad_host.example.com/cb")
    refused(21624, 400, send, to=TO, from_=n.phone_number, body="x", validity_period=0)
    refused(21624, 400, send, to=TO, from_=n.phone_number, body="x", validity_period=36001)
    refused(21705, 400, send, to=TO, messaging_service_sid="MGnope", body="x")
    refused(21701, 404, send, to=TO, messaging_service_sid="MG" + "0" * 32, body="x")
    refused(35118, 400, send, to=TO, from_=n.phone_number, body="x", schedule_type="fixed",
            send_at=dt.datetime.now(dt.UTC) + dt.timedelta(hours=1))
    # nothing above was stored
    assert c.messages.list() == []


def test_another_accounts_number_is_no_sender(account, client):
    c, _, _ = account
    theirs = client.incoming_phone_numbers.create(area_code="415")
    refused(21606, 400, c.messages.create, to=TO, from_=theirs.phone_number, body="x")


def test_twilio_test_numbers_answer_their_documented_errors(account):
    c, h, _ = account
    n = c.incoming_phone_numbers.create(area_code="415")
    for to, code in (("+15005550001", 21211), ("+15005550002", 21612), ("+15005550003", 21408),
                     ("+15005550004", 21610), ("+15005550009", 21614)):
        refused(code, 400, c.messages.create, to=to, from_=n.phone_number, body="x")
    refused(21212, 400, c.messages.create, to=TO, from_="+15005550001", body="x")
    refused(21606, 400, c.messages.create, to=TO, from_="+15005550007", body="x")
    refused(21611, 400, c.messages.create, to=TO, from_="+15005550008", body="x")
    m = c.messages.create(to=TO, from_="+15005550006", body="x")  # Twilio's magic sender: sent, nothing delivered
    assert m.status == "queued" and m.from_ == "+15005550006"
    settle(h)
    assert c.messages(m.sid).fetch().status == "queued"


# -- create: the resource ----------------------------------------------------------------------

def test_created_message_has_every_field_with_twilios_types(account):
    c, h, _ = account
    n = c.incoming_phone_numbers.create(area_code="415")
    r = h.post(f"/2010-04-01/Accounts/{n.account_sid}/Messages.json",
               data={"To": TO, "From": n.phone_number, "Body": "hello", "RiskCheck": "disable"})
    assert r.status_code == 201, r.text
    m = r.json()
    assert set(m) == {"account_sid", "api_version", "body", "date_created", "date_sent", "date_updated", "direction",
                      "error_code", "error_message", "from", "messaging_service_sid", "num_media", "num_segments",
                      "price", "price_unit", "sid", "status", "subresource_uris", "to", "uri"}
    assert m["sid"].startswith("SM") and len(m["sid"]) == 34
    assert (m["status"], m["direction"], m["from"], m["to"], m["body"]) == ("queued", "outbound-api", n.phone_number, TO, "hello")
    assert (m["num_segments"], m["num_media"], m["price"], m["price_unit"]) == ("1", "0", None, "USD")
    assert m["date_sent"] is None and m["error_code"] is None and m["messaging_service_sid"] is None
    assert m["date_created"].endswith("+0000") and m["api_version"] == "2010-04-01"
    assert m["uri"] == f"/2010-04-01/Accounts/{n.account_sid}/Messages/{m['sid']}.json"
    assert h.get(m["subresource_uris"]["media"]).json()["media_list"] == []
    settle(h)
    sent = c.messages(m["sid"]).fetch()
    assert sent.status == "delivered" and sent.price == "-0.00790" and isinstance(sent.date_sent, dt.datetime)


@pytest.mark.parametrize(("body", "segments"), [("a" * 160, "1"), ("a" * 161, "2"), ("é" * 160, "1"), ("€" * 80, "1"),
                                                 ("€" * 81, "2"), ("ж" * 70, "1"), ("ж" * 71, "2"), ("ж" * 135, "3")])
def test_num_segments_counted_as_a_carrier_does(account, body, segments):
    c, _, _ = account
    n = c.incoming_phone_numbers.create(area_code="415")
    assert c.messages.create(to=TO, from_=n.phone_number, body=body).num_segments == segments


def test_media_gives_an_mm_sid_and_a_media_list(account):
    c, _h, _ = account
    n = c.incoming_phone_numbers.create(area_code="415")
    m = c.messages.create(to=TO, from_=n.phone_number, media_url=["https://example.com/a.png", "https://example.com/b.gif"])
    assert m.sid.startswith("MM") and m.num_media == "2" and m.body == ""
    media = c.messages(m.sid).media.list()
    assert [x.content_type for x in media] == ["image/png", "image/gif"]
    assert all(x.sid.startswith("ME") and x.parent_sid == m.sid for x in media)
    one = c.messages(m.sid).media(media[0].sid).fetch()
    assert one.uri == f"/2010-04-01/Accounts/{m.account_sid}/Messages/{m.sid}/Media/{media[0].sid}.json"
    assert c.messages(m.sid).media(media[0].sid).delete() is True
    assert [x.sid for x in c.messages(m.sid).media.list()] == [media[1].sid]
    refused(20404, 404, c.messages(m.sid).media(media[0].sid).fetch)


def test_parameters_not_acted_on_are_accepted(account):
    c, _, _ = account
    n = c.incoming_phone_numbers.create(area_code="415")
    m = c.messages.create(to=TO, from_=n.phone_number, body="x", provide_feedback=True, attempt=2, max_price=0.5,
                          force_delivery=True, content_retention="retain", shorten_urls=False)
    assert m.status == "queued"


# -- lists, fetch, update, delete --------------------------------------------------------------

def test_list_newest_first_with_filters_and_paging(account):
    c, h, _ = account
    a = c.incoming_phone_numbers.create(area_code="415")
    b = c.incoming_phone_numbers.create(area_code="415")
    sent = [c.messages.create(to=to, from_=f.phone_number, body=str(i), media_url=["https://e.com/x.png"] if i % 2 else None)
            for i, (to, f) in enumerate([(TO, a), ("+14155550101", a), (TO, b), (TO, a), ("+14155550102", b)])]
    assert [m.sid for m in c.messages.list()] == [m.sid for m in reversed(sent)]  # SM and MM sids together
    assert c.messages.list(limit=1)[0].sid == sent[-1].sid
    assert [m.sid for m in c.messages.list(to=TO)] == [sent[3].sid, sent[2].sid, sent[0].sid]
    assert [m.sid for m in c.messages.list(from_=b.phone_number)] == [sent[4].sid, sent[2].sid]
    assert [m.sid for m in c.messages.list(page_size=2)] == [m.sid for m in reversed(sent)]  # the SDK follows next_page_uri
    page = h.get(f"/2010-04-01/Accounts/{a.account_sid}/Messages.json", params={"PageSize": 2}).json()
    assert page["next_page_uri"] and set(page) >= {"messages", "first_page_uri", "previous_page_uri", "page", "page_size"}
    back = h.get(h.get(page["next_page_uri"]).json()["previous_page_uri"]).json()
    assert [m["sid"] for m in back["messages"]] == [m["sid"] for m in page["messages"]]
    settle(h)
    today = dt.datetime.now(dt.UTC).date()
    assert len(c.messages.list(date_sent=today)) == 5
    assert len(c.messages.list(date_sent_before=today - dt.timedelta(days=1))) == 0
    assert len(c.messages.list(date_sent_after=today)) == 5
    r = h.get(f"/2010-04-01/Accounts/{a.account_sid}/Messages.json", params={"DateSent": "yesterday"})
    assert (r.status_code, r.json()["code"]) == (400, 20001)
    r = h.get(f"/2010-04-01/Accounts/{a.account_sid}/Messages.json", params={"PageToken": "PAPN" + "0" * 32})
    assert (r.status_code, r.json()["code"]) == (400, 21481)


def test_redact_cancel_and_delete_rules(account, receiver):
    c, h, _ = account
    n = c.incoming_phone_numbers.create(area_code="415")
    s = _service(c, [n], status_callback=receiver.url("/canceled"))
    later = c.messages.create(to=TO, messaging_service_sid=s.sid, body="later", schedule_type="fixed",
                              send_at=dt.datetime.now(dt.UTC) + dt.timedelta(hours=1))
    assert later.status == "scheduled"
    refused(20009, 400, c.messages(later.sid).delete)  # not final: it is still to be sent
    refused(20009, 400, c.messages(later.sid).update, body="")
    assert c.messages(later.sid).update(status="canceled").status == "canceled"
    settle(h)
    assert [d["params"]["MessageStatus"] for d in view(h, later.sid)["deliveries"]] == ["canceled"]
    refused(30409, 400, c.messages(later.sid).update, status="canceled")  # no longer scheduled
    assert c.messages(later.sid).delete() is True
    m = c.messages.create(to=TO, from_=n.phone_number, body="secret")
    refused(30409, 400, c.messages(m.sid).update, status="canceled")  # not scheduled
    refused(20001, 400, c.messages(m.sid).update, status="delivered")
    settle(h)
    refused(20001, 400, c.messages(m.sid).update, body="another text")
    redacted = c.messages(m.sid).update(body="")
    assert redacted.body == "" and redacted.status == "delivered" and redacted.to == TO
    assert c.messages(m.sid).delete() is True
    refused(20404, 404, c.messages(m.sid).fetch)
    refused(20404, 404, c.messages("SM" + "0" * 32).fetch)
    refused(20404, 404, c.messages("PN" + "0" * 32).fetch)


def test_a_subaccounts_message_is_its_own(server, client, subaccount, account):
    c, _h, _ = account
    n = c.incoming_phone_numbers.create(area_code="415")
    m = c.messages.create(to=TO, from_=n.phone_number, body="mine")
    other = client.api.v2010.accounts.create(friendly_name="sibling")
    sibling = server.client(other.sid, other.auth_token)
    refused(20404, 404, sibling.api.v2010.accounts(m.account_sid).messages(m.sid).fetch)
    refused(20404, 404, sibling.messages(m.sid).fetch)
    # the parent sees it under the subaccount's path, not under its own
    assert client.api.v2010.accounts(m.account_sid).messages(m.sid).fetch().body == "mine"
    refused(20404, 404, client.messages(m.sid).fetch)


def test_the_account_links_its_messages(account):
    c, h, _ = account
    me = c.api.v2010.accounts(c.username).fetch()
    link = me.subresource_uris["messages"]
    assert h.get(link).status_code == 200


# -- a Messaging Service chooses the sender ------------------------------------------------------

def _service(c, numbers, **settings):
    s = c.messaging.v1.services.create(friendly_name="pool", **settings)
    for n in numbers:
        s.phone_numbers.create(phone_number_sid=n.sid)
    return s


def test_service_message_is_accepted_then_gets_a_sender(account, receiver):
    c, h, token = account
    a = c.incoming_phone_numbers.create(area_code="415")
    s = _service(c, [a], status_callback=receiver.url("/service-cb"))
    m = c.messages.create(to=TO, messaging_service_sid=s.sid, body="hi")
    assert (m.status, m.from_, m.num_segments, m.messaging_service_sid) == ("accepted", None, "0", s.sid)
    settle(h)
    done = c.messages(m.sid).fetch()
    assert (done.status, done.from_, done.num_segments) == ("delivered", a.phone_number, "1")
    v = view(h, m.sid)
    assert [d["params"]["MessageStatus"] for d in v["deliveries"]] == ["queued", "sent", "delivered"]
    assert all(d["params"]["MessagingServiceSid"] == s.sid for d in v["deliveries"])
    assert v["selection"] == {"rule": "area_code", "least_used": False}  # area_code_geomatch is on by default
    for d in v["deliveries"]:
        assert RequestValidator(token).validate(d["url"], d["params"], d["signature"])


def test_from_a_service_sid_and_from_with_a_service(account):
    c, h, _ = account
    a = c.incoming_phone_numbers.create(area_code="415")
    outside = c.incoming_phone_numbers.create(area_code="415")
    s = _service(c, [a])
    m = c.messages.create(to=TO, from_=s.sid, body="x")  # From may name the Service
    assert m.status == "accepted" and m.messaging_service_sid == s.sid
    given = c.messages.create(to=TO, from_=a.phone_number, messaging_service_sid=s.sid, body="x")
    assert given.status == "queued" and given.from_ == a.phone_number
    refused(21711, 400, c.messages.create, to=TO, from_=outside.phone_number, messaging_service_sid=s.sid, body="x")
    settle(h)
    assert view(h, given.sid)["selection"] == {"rule": "given", "least_used": False}


def test_empty_pool_and_no_mms_sender_answer_at_once(account):
    c, h, _ = account
    empty = _service(c, [])
    refused(21704, 400, c.messages.create, to=TO, messaging_service_sid=empty.sid, body="x")
    gb_mobile = c.incoming_phone_numbers.create(phone_number=_gb_number(c))  # SMS, no MMS
    assert gb_mobile.capabilities["mms"] is False
    refused(21621, 400, c.messages.create, to=TO, from_=gb_mobile.phone_number, media_url=["https://e.com/a.png"])
    strict = _service(c, [gb_mobile], mms_converter=False)
    refused(21621, 400, c.messages.create, to=TO, messaging_service_sid=strict.sid, media_url=["https://e.com/a.png"])
    strict.phone_numbers(gb_mobile.sid).delete()
    converting = _service(c, [gb_mobile])  # mms_converter on (the default): an SMS with a link, sid still MM
    m = c.messages.create(to=TO, messaging_service_sid=converting.sid, media_url=["https://e.com/a.png"])
    assert m.status == "accepted" and m.sid.startswith("MM")
    settle(h)
    assert c.messages(m.sid).fetch().from_ == gb_mobile.phone_number


def test_mms_needs_an_mms_sender_from_the_pool(account):
    c, h, _ = account
    gb_mobile = c.incoming_phone_numbers.create(phone_number=_gb_number(c))
    us = c.incoming_phone_numbers.create(area_code="212")
    s = _service(c, [gb_mobile, us], area_code_geomatch=False)
    m = c.messages.create(to="+447400123456", messaging_service_sid=s.sid, media_url=["https://e.com/a.png"])
    settle(h)
    assert c.messages(m.sid).fetch().from_ == us.phone_number  # the GB number matches the country, but no MMS


def test_sticky_sender_then_least_used(account):
    c, h, _ = account
    numbers = [c.incoming_phone_numbers.create(area_code="415") for _ in range(3)]
    s = _service(c, numbers)
    first = [c.messages.create(to=f"+1415555{i:04d}", messaging_service_sid=s.sid, body="x") for i in range(3)]
    settle(h)
    senders = [c.messages(m.sid).fetch().from_ for m in first]
    assert sorted(senders) == sorted(n.phone_number for n in numbers)  # least used: spread over the pool
    assert [view(h, m.sid)["selection"]["rule"] for m in first] == ["area_code"] * 3
    again = c.messages.create(to="+14155550001", messaging_service_sid=s.sid, body="y")
    settle(h)
    assert c.messages(again.sid).fetch().from_ == senders[1]
    assert view(h, again.sid)["selection"] == {"rule": "sticky", "least_used": False}
    # the sticky number leaves the pool: the mapping goes with it
    gone = next(n for n in numbers if n.phone_number == senders[1])
    s.phone_numbers(gone.sid).delete()
    third = c.messages.create(to="+14155550001", messaging_service_sid=s.sid, body="z")
    settle(h)
    assert c.messages(third.sid).fetch().from_ != senders[1]
    assert view(h, third.sid)["selection"]["rule"] == "area_code"


def test_sticky_off_and_country_geomatch(account):
    c, h, _ = account
    us = c.incoming_phone_numbers.create(area_code="212")
    gb = c.incoming_phone_numbers.create(phone_number=_gb_number(c))
    s = _service(c, [us, gb], sticky_sender=False, area_code_geomatch=False)
    to_gb = c.messages.create(to="+447400123456", messaging_service_sid=s.sid, body="x")
    to_de = c.messages.create(to="+4915112345678", messaging_service_sid=s.sid, body="x")
    to_us = c.messages.create(to="+13105550100", messaging_service_sid=s.sid, body="x")
    settle(h)
    assert c.messages(to_gb.sid).fetch().from_ == gb.phone_number
    assert view(h, to_gb.sid)["selection"]["rule"] == "country"
    assert c.messages(to_de.sid).fetch().from_ == us.phone_number
    assert view(h, to_de.sid)["selection"]["rule"] == "us"
    assert c.messages(to_us.sid).fetch().from_ == us.phone_number


def _gb_number(c) -> str:
    return c.available_phone_numbers("GB").mobile.list(limit=1)[0].phone_number


# -- status callbacks and DeliveryRules ------------------------------------------------------------

def test_status_callbacks_are_signed_and_recorded(account, receiver):
    c, h, token = account
    n = c.incoming_phone_numbers.create(area_code="415")
    url = receiver.url("/status?x=1")
    m = c.messages.create(to=TO, from_=n.phone_number, body="x", status_callback=url)
    settle(h)
    seen = [s for s in receiver.requests("/status") if s.form.get("MessageSid") == m.sid]
    assert [s.form["MessageStatus"] for s in seen] == ["sent", "delivered"]  # no callback for the initial queued
    for s in seen:
        assert s.method == "POST"
        assert RequestValidator(token).validate(url, s.form, s.headers["X-Twilio-Signature"])
        assert set(s.form) >= {"AccountSid", "ApiVersion", "From", "To", "MessageSid", "SmsSid", "MessageStatus", "SmsStatus"}
        assert "MessagingServiceSid" not in s.form
    assert len(seen[1].form["RawDlrDoneDate"]) == 10
    v = view(h, m.sid)
    assert [d["status_code"] for d in v["deliveries"]] == [200, 200]
    assert all(d["purpose"] == "status_callback" and "response_body" not in d for d in v["deliveries"])


def test_delivery_rules_decide_the_outcome(account, receiver):
    c, h, _ = account
    n = c.incoming_phone_numbers.create(area_code="415")
    rule = h.post("/numberpool/v1/DeliveryRules", data={"To": "+1212*", "Status": "undelivered", "ErrorCode": "30003"})
    assert rule.status_code == 201, rule.text
    body = rule.json()
    assert body["sid"].startswith("DR") and (body["to"], body["status"], body["error_code"]) == ("+1212*", "undelivered", 30003)
    assert h.post("/numberpool/v1/DeliveryRules", data={"To": "+12125550100", "Status": "failed", "ErrorCode": "30006"}).status_code == 201
    assert h.post("/numberpool/v1/DeliveryRules", data={"To": "+1310*", "Status": "sent"}).status_code == 201
    url = receiver.url("/rules")
    sent = {to: c.messages.create(to=to, from_=n.phone_number, body="x", status_callback=url)
            for to in ("+12125550100", "+12125550199", "+13105550100", TO)}
    settle(h)
    got = {to: c.messages(m.sid).fetch() for to, m in sent.items()}
    assert (got["+12125550100"].status, got["+12125550100"].error_code) == ("failed", 30006)
    assert (got["+12125550199"].status, got["+12125550199"].error_code) == ("undelivered", 30003)
    assert got["+13105550100"].status == "sent" and got[TO].status == "delivered"
    calls = {to: [d["params"]["MessageStatus"] for d in view(h, m.sid)["deliveries"]] for to, m in sent.items()}
    assert calls == {"+12125550100": ["failed"], "+12125550199": ["sent", "undelivered"], "+13105550100": ["sent"],
                     TO: ["sent", "delivered"]}
    assert c.messages(sent["+13105550100"].sid).delete() is True  # held at sent by a rule: final
    listed = h.get("/numberpool/v1/DeliveryRules").json()
    assert len(listed["delivery_rules"]) == 3 and listed["meta"]["key"] == "delivery_rules"
    assert h.delete(f"/numberpool/v1/DeliveryRules/{body['sid']}").status_code == 204
    assert h.get(f"/numberpool/v1/DeliveryRules/{body['sid']}").status_code == 404


def test_delivery_rules_decide_a_message_with_no_callback_in_its_create(account):
    """No callback URL and a recipient nobody hosts: the message reaches its final status in its
    create's write (docs/sending.md), as its rule says: exact ``To``, the longest prefix, none."""
    c, h, _ = account
    n = c.incoming_phone_numbers.create(area_code="415")
    for form in ({"To": "+1212*", "Status": "undelivered", "ErrorCode": "30003"},
                 {"To": "+121255501*", "Status": "sent"},
                 {"To": "+12125550100", "Status": "failed", "ErrorCode": "30006"}):
        assert h.post("/numberpool/v1/DeliveryRules", data=form).status_code == 201
    sent = {to: c.messages.create(to=to, from_=n.phone_number, body="x")
            for to in ("+12125550100", "+12125550199", "+12125550200", TO)}
    assert {m.status for m in sent.values()} == {"queued"}  # as Twilio's create answers
    assert h.post("/numberpool/v1/Settle").json()["pending"] == 0
    got = {to: (m.status, m.error_code) for to, m in ((to, c.messages(m.sid).fetch()) for to, m in sent.items())}
    assert got == {"+12125550100": ("failed", 30006), "+12125550199": ("sent", None),
                   "+12125550200": ("undelivered", 30003), TO: ("delivered", None)}


def test_a_new_rule_for_the_same_to_replaces_the_old_and_the_own_beats_the_parents(server, client, account):
    c, h, _ = account
    n = c.incoming_phone_numbers.create(area_code="415")
    with server.http() as parent:
        r = parent.post("/numberpool/v1/DeliveryRules", data={"To": "+1646*", "Status": "failed", "ErrorCode": "30005"})
        assert r.status_code == 201
        parent_rule = r.json()["sid"]
        try:
            m = c.messages.create(to="+16465550100", from_=n.phone_number, body="x")
            settle(h)
            assert c.messages(m.sid).fetch().error_code == 30005  # the parent's rule applies to the subaccount
            assert h.get(f"/numberpool/v1/DeliveryRules/{parent_rule}").status_code == 404  # but it cannot see it
            h.post("/numberpool/v1/DeliveryRules", data={"To": "+1646*", "Status": "undelivered", "ErrorCode": "30004"})
            old = h.post("/numberpool/v1/DeliveryRules", data={"To": "+1646*", "Status": "undelivered", "ErrorCode": "30007"})
            assert len(h.get("/numberpool/v1/DeliveryRules").json()["delivery_rules"]) == 1
            m = c.messages.create(to="+16465550101", from_=n.phone_number, body="x")
            settle(h)
            assert (c.messages(m.sid).fetch().status, c.messages(m.sid).fetch().error_code) == ("undelivered", 30007)
            assert old.json()["error_code"] == 30007
        finally:
            parent.delete(f"/numberpool/v1/DeliveryRules/{parent_rule}")


@pytest.mark.parametrize("form", [
    {}, {"To": "12125550100"}, {"To": "+1212**"}, {"To": "+1212*", "Status": "lost"},
    {"To": "+1212*", "Status": "failed"}, {"To": "+1212*", "Status": "failed", "ErrorCode": "404"},
    {"To": "+1212*", "Status": "delivered", "ErrorCode": "30003"}, {"To": "+1212*", "Status": "failed", "ErrorCode": "3e4"},
])
def test_bad_delivery_rules_are_refused(account, form):
    _, h, _ = account
    r = h.post("/numberpool/v1/DeliveryRules", data=form)
    assert (r.status_code, r.json()["code"]) == (400, 20001), r.text
    assert h.get("/numberpool/v1/DeliveryRules").json()["delivery_rules"] == []


@pytest.mark.parametrize("raw", ["0", "-1", "301", "nan", "inf", "soon"])
def test_settle_refuses_a_bad_timeout(account, raw):
    _, h, _ = account
    r = h.post("/numberpool/v1/Settle", data={"Timeout": raw})
    assert (r.status_code, r.json()["code"]) == (400, 20001)


def test_settle_times_out_with_the_pending_work_named(account, receiver):
    c, h, _ = account
    n = c.incoming_phone_numbers.create(area_code="415")
    path = "/slow-status"
    from tests.receiver import Answer

    receiver.answers[path] = Answer(delay=1.5)
    m = c.messages.create(to=TO, from_=n.phone_number, body="x", status_callback=receiver.url(path))
    r = h.post("/numberpool/v1/Settle", data={"Timeout": "0.2"})
    assert r.status_code == 504 and r.json()["code"] == 20504 and m.sid in r.json()["message"]
    settle(h)
    assert c.messages(m.sid).fetch().status == "delivered"


# -- numberpool's own view ---------------------------------------------------------------------------

def test_the_messages_view_filters_the_family(server, client, account):
    c, h, _ = account
    n = c.incoming_phone_numbers.create(area_code="415")
    hello = c.messages.create(to=TO, from_=n.phone_number, body="Hello World")
    c.messages.create(to="+14155550101", from_=n.phone_number, body="bye")
    found = h.get("/numberpool/v1/Messages", params={"Body": "hello w"}).json()
    assert [m["sid"] for m in found["messages"]] == [hello.sid] and found["meta"]["key"] == "messages"
    assert [m["sid"] for m in h.get("/numberpool/v1/Messages", params={"To": TO}).json()["messages"]] == [hello.sid]
    assert h.get("/numberpool/v1/Messages", params={"Direction": "sideways"}).status_code == 400
    with server.http() as parent:  # the parent sees its subaccounts' messages here
        assert parent.get(f"/numberpool/v1/Messages/{hello.sid}").json()["body"] == "Hello World"
    other = client.api.v2010.accounts.create(friendly_name="stranger")
    with server.http(other.sid, other.auth_token) as stranger:
        assert stranger.get(f"/numberpool/v1/Messages/{hello.sid}").status_code == 404
        assert stranger.get("/numberpool/v1/Messages").json()["messages"] == []


def test_media_urls_with_repeated_keys(account):
    c, h, _ = account
    n = c.incoming_phone_numbers.create(area_code="415")
    form = urlencode([("To", TO), ("From", n.phone_number), ("MediaUrl", "https://e.com/1.jpg"),
                      ("MediaUrl", "https://e.com/2.jpg")])
    r = h.post(f"/2010-04-01/Accounts/{n.account_sid}/Messages.json", content=form,
               headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 201 and r.json()["num_media"] == "2"
    assert view(h, r.json()["sid"])["media_urls"] == ["https://e.com/1.jpg", "https://e.com/2.jpg"]

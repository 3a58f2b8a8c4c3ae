"""Messaging v1 Services and their PhoneNumber pool, through the official SDK."""

from __future__ import annotations

import datetime as dt

import pytest
from twilio.base.exceptions import TwilioRestException


def numbers(c, count, area_code="415"):
    return [c.incoming_phone_numbers.create(area_code=area_code) for _ in range(count)]


def test_service_crud_with_every_field(server, sub_client, subaccount):
    s = sub_client.messaging.v1.services.create(
        friendly_name="alerts", inbound_request_url="https://example.com/in", inbound_method="GET",
        fallback_url="https://example.com/fb", fallback_method="GET", status_callback="https://example.com/st",
        sticky_sender=False, mms_converter=False, smart_encoding=False, scan_message_content="disable",
        fallback_to_long_code=True, area_code_geomatch=False, validity_period=600, synchronous_validation=False,
        usecase="marketing", use_inbound_webhook_on_number=True,
    )
    assert s.sid.startswith("MG") and s.account_sid == subaccount.sid
    assert (s.friendly_name, s.inbound_request_url, s.inbound_method) == ("alerts", "https://example.com/in", "GET")
    assert (s.fallback_url, s.fallback_method, s.status_callback) == ("https://example.com/fb", "GET", "https://example.com/st")
    assert (s.sticky_sender, s.mms_converter, s.smart_encoding, s.scan_message_content) == (False, False, False, "disable")
    assert (s.fallback_to_long_code, s.area_code_geomatch, s.validity_period) == (True, False, 600)
    assert (s.synchronous_validation, s.usecase, s.use_inbound_webhook_on_number) == (False, "marketing", True)
    assert s.us_app_to_person_registered is False
    assert isinstance(s.date_created, dt.datetime)
    assert s.url == f"{server.base_url}/messaging/v1/Services/{s.sid}"
    assert s.links["phone_numbers"] == f"{s.url}/PhoneNumbers"
    fetched = sub_client.messaging.v1.services(s.sid).fetch()
    assert fetched.validity_period == 600 and fetched.friendly_name == "alerts"
    updated = sub_client.messaging.v1.services(s.sid).update(friendly_name="renamed", inbound_request_url="", sticky_sender=True)
    assert (updated.friendly_name, updated.inbound_request_url, updated.sticky_sender) == ("renamed", None, True)
    assert updated.validity_period == 600
    assert s.sid in [x.sid for x in sub_client.messaging.v1.services.list()]
    assert sub_client.messaging.v1.services(s.sid).delete() is True
    with pytest.raises(TwilioRestException) as e:
        sub_client.messaging.v1.services(s.sid).fetch()
    assert (e.value.status, e.value.code) == (404, 20404)


def test_service_defaults(sub_client):
    s = sub_client.messaging.v1.services.create(friendly_name="defaults")
    assert (s.inbound_method, s.fallback_method, s.validity_period, s.usecase) == ("POST", "POST", 36000, "undeclared")
    assert s.inbound_request_url is None and s.use_inbound_webhook_on_number is False


@pytest.mark.parametrize(
    "form, param",
    [
        ({}, "FriendlyName"),
        ({"FriendlyName": "x" * 65}, "FriendlyName"),
        ({"FriendlyName": "a", "InboundRequestUrl": "mailto:x@y"}, "InboundRequestUrl"),
        ({"FriendlyName": "a", "ValidityPeriod": "0"}, "ValidityPeriod"),
        ({"FriendlyName": "a", "ValidityPeriod": "36001"}, "ValidityPeriod"),
        ({"FriendlyName": "a", "Usecase": "spam"}, "Usecase"),
        ({"FriendlyName": "a", "StickySender": "yes"}, "StickySender"),
        ({"FriendlyName": "a", "InboundMethod": "PATCH"}, "InboundMethod"),
    ],
)
def test_service_validation(server, subaccount, form, param):
    with server.http(subaccount.sid, subaccount.auth_token) as h:
        before = h.get("/messaging/v1/Services").json()["services"]
        r = h.post("/messaging/v1/Services", data=form)
        assert r.status_code == 400, r.text
        assert param in r.json()["message"]
        assert h.get("/messaging/v1/Services").json()["services"] == before


def test_pool_add_fetch_list_remove(server, sub_client, subaccount):
    s = sub_client.messaging.v1.services.create(friendly_name="pool")
    made = numbers(sub_client, 3)
    added = [sub_client.messaging.v1.services(s.sid).phone_numbers.create(phone_number_sid=n.sid) for n in made]
    first = added[0]
    assert (first.sid, first.account_sid, first.service_sid) == (made[0].sid, subaccount.sid, s.sid)
    assert first.phone_number == made[0].phone_number and first.country_code == "US"
    assert first.capabilities == sorted(first.capabilities) and {"SMS", "Voice"} <= set(first.capabilities)
    assert first.url == f"{server.base_url}/messaging/v1/Services/{s.sid}/PhoneNumbers/{made[0].sid}"
    assert isinstance(first.date_created, dt.datetime)
    assert sub_client.messaging.v1.services(s.sid).phone_numbers(made[1].sid).fetch().phone_number == made[1].phone_number
    assert [x.sid for x in sub_client.messaging.v1.services(s.sid).phone_numbers.list(page_size=2)] == [n.sid for n in made]
    assert sub_client.messaging.v1.services(s.sid).phone_numbers(made[1].sid).delete() is True
    assert [x.sid for x in sub_client.messaging.v1.services(s.sid).phone_numbers.list()] == [made[0].sid, made[2].sid]
    # removing does not release the number
    assert sub_client.incoming_phone_numbers(made[1].sid).fetch().sid == made[1].sid
    with pytest.raises(TwilioRestException) as e:
        sub_client.messaging.v1.services(s.sid).phone_numbers(made[1].sid).fetch()
    assert e.value.status == 404
    with pytest.raises(TwilioRestException) as e:
        sub_client.messaging.v1.services(s.sid).phone_numbers(made[1].sid).delete()
    assert e.value.status == 404


def test_v1_meta_envelope(server, subaccount, sub_client):
    s = sub_client.messaging.v1.services.create(friendly_name="meta")
    for n in numbers(sub_client, 3):
        sub_client.messaging.v1.services(s.sid).phone_numbers.create(phone_number_sid=n.sid)
    with server.http(subaccount.sid, subaccount.auth_token) as h:
        body = h.get(f"/messaging/v1/Services/{s.sid}/PhoneNumbers", params={"PageSize": 2}).json()
        assert set(body) == {"phone_numbers", "meta"}
        meta = body["meta"]
        base = f"{server.base_url}/messaging/v1/Services/{s.sid}/PhoneNumbers"
        assert meta["key"] == "phone_numbers" and meta["page"] == 0 and meta["page_size"] == 2
        assert meta["first_page_url"] == f"{base}?PageSize=2&Page=0" and meta["url"] == meta["first_page_url"]
        assert meta["previous_page_url"] is None and meta["next_page_url"].startswith(f"{base}?PageSize=2&Page=1&PageToken=PA")
        nxt = h.get(meta["next_page_url"]).json()
        assert len(nxt["phone_numbers"]) == 1 and nxt["meta"]["next_page_url"] is None
        assert nxt["meta"]["previous_page_url"].startswith(f"{base}?PageSize=2&Page=0&PageToken=PB")


@pytest.mark.parametrize("bad", ["PN123", "XX" + "0" * 32, "PN" + "0" * 32])
def test_bad_or_unknown_phone_number_sid(sub_client, bad):
    s = sub_client.messaging.v1.services.create(friendly_name="bad-sid")
    with pytest.raises(TwilioRestException) as e:
        sub_client.messaging.v1.services(s.sid).phone_numbers.create(phone_number_sid=bad)
    assert (e.value.status, e.value.code) == (400, 21421)


def test_one_messaging_service_per_number(sub_client):
    a = sub_client.messaging.v1.services.create(friendly_name="a")
    b = sub_client.messaging.v1.services.create(friendly_name="b")
    (n,) = numbers(sub_client, 1)
    sub_client.messaging.v1.services(a.sid).phone_numbers.create(phone_number_sid=n.sid)
    with pytest.raises(TwilioRestException) as e:
        sub_client.messaging.v1.services(a.sid).phone_numbers.create(phone_number_sid=n.sid)
    assert (e.value.status, e.value.code) == (409, 21710)
    with pytest.raises(TwilioRestException) as e:
        sub_client.messaging.v1.services(b.sid).phone_numbers.create(phone_number_sid=n.sid)
    assert (e.value.status, e.value.code) == (409, 21712)
    assert sub_client.messaging.v1.services(b.sid).phone_numbers.list() == []


def test_number_needs_sms_or_mms(client, sub_client):
    found = None
    for country in ("US", "GB", "DE", "FR", "AU", "CA"):
        for kind in ("toll_free", "shared_cost", "national", "voip", "local", "mobile"):
            try:
                lst = getattr(sub_client.available_phone_numbers(country), kind).list(sms_enabled=False, mms_enabled=False, limit=1)
            except TwilioRestException:
                continue
            if lst:
                found = lst[0].phone_number
                break
        if found:
            break
    assert found, "the inventory offers no number without SMS and MMS"
    n = sub_client.incoming_phone_numbers.create(phone_number=found)
    assert not n.capabilities["sms"] and not n.capabilities["mms"]
    s = sub_client.messaging.v1.services.create(friendly_name="caps")
    with pytest.raises(TwilioRestException) as e:
        sub_client.messaging.v1.services(s.sid).phone_numbers.create(phone_number_sid=n.sid)
    assert (e.value.status, e.value.code) == (400, 21715)


def test_pool_limit(small):
    c = small.client()
    sub = c.api.v2010.accounts.create()
    sc = small.client(sub.sid, sub.auth_token)
    s = sc.messaging.v1.services.create(friendly_name="limit")
    made = numbers(sc, 11, "202")
    for n in made[:10]:
        sc.messaging.v1.services(s.sid).phone_numbers.create(phone_number_sid=n.sid)
    with pytest.raises(TwilioRestException) as e:
        sc.messaging.v1.services(s.sid).phone_numbers.create(phone_number_sid=made[10].sid)
    assert (e.value.status, e.value.code) == (400, 21714)
    assert len(sc.messaging.v1.services(s.sid).phone_numbers.list()) == 10


def test_only_own_numbers_and_services(server, client):
    a = client.api.v2010.accounts.create()
    b = client.api.v2010.accounts.create()
    ac, bc = server.client(a.sid, a.auth_token), server.client(b.sid, b.auth_token)
    a_service = ac.messaging.v1.services.create(friendly_name="a")
    b_service = bc.messaging.v1.services.create(friendly_name="b")
    (b_number,) = numbers(bc, 1)
    with pytest.raises(TwilioRestException) as e:
        ac.messaging.v1.services(a_service.sid).phone_numbers.create(phone_number_sid=b_number.sid)
    assert e.value.code == 21421
    for call in (
        lambda: ac.messaging.v1.services(b_service.sid).fetch(),
        lambda: ac.messaging.v1.services(b_service.sid).update(friendly_name="x"),
        lambda: ac.messaging.v1.services(b_service.sid).delete(),
        lambda: ac.messaging.v1.services(b_service.sid).phone_numbers(b_number.sid).fetch(),
    ):
        with pytest.raises(TwilioRestException) as e:
            call()
        assert (e.value.status, e.value.code) == (404, 20404)
    with server.http(a.sid, a.auth_token) as h:
        r = h.get(f"/messaging/v1/Services/{b_service.sid}/PhoneNumbers")
        assert (r.status_code, r.json()["code"]) == (404, 20404)
    assert b_service.sid not in [x.sid for x in ac.messaging.v1.services.list()]
    assert bc.messaging.v1.services(b_service.sid).fetch().friendly_name == "b"


def test_delete_service_keeps_numbers(sub_client):
    s = sub_client.messaging.v1.services.create(friendly_name="temp")
    (n,) = numbers(sub_client, 1)
    sub_client.messaging.v1.services(s.sid).phone_numbers.create(phone_number_sid=n.sid)
    sub_client.messaging.v1.services(s.sid).delete()
    assert sub_client.incoming_phone_numbers(n.sid).fetch().sid == n.sid
    other = sub_client.messaging.v1.services.create(friendly_name="next")
    assert sub_client.messaging.v1.services(other.sid).phone_numbers.create(phone_number_sid=n.sid).sid == n.sid

"""Proxy v1 Services and their PhoneNumber pool."""

from __future__ import annotations

import datetime as dt

import pytest
from twilio.base.exceptions import TwilioRestException


def test_service_crud(server, sub_client, subaccount):
    s = sub_client.proxy.v1.services.create(
        unique_name="rides", default_ttl=3600, callback_url="https://example.com/cb", geo_match_level="area-code",
        number_selection_behavior="avoid-sticky", intercept_callback_url="https://example.com/i",
        out_of_session_callback_url="https://example.com/o", chat_instance_sid="IS" + "a" * 32,
    )
    assert s.sid.startswith("KS") and s.account_sid == subaccount.sid
    assert (s.unique_name, s.default_ttl, s.callback_url, s.geo_match_level) == ("rides", 3600, "https://example.com/cb", "area-code")
    assert (s.number_selection_behavior, s.intercept_callback_url) == ("avoid-sticky", "https://example.com/i")
    assert (s.out_of_session_callback_url, s.chat_instance_sid) == ("https://example.com/o", "IS" + "a" * 32)
    assert isinstance(s.date_created, dt.datetime)
    assert s.url == f"{server.base_url}/proxy/v1/Services/{s.sid}"
    assert s.links["phone_numbers"] == f"{s.url}/PhoneNumbers"
    u = sub_client.proxy.v1.services(s.sid).update(default_ttl=0, callback_url="")
    assert (u.default_ttl, u.callback_url, u.unique_name) == (0, None, "rides")
    assert [x.sid for x in sub_client.proxy.v1.services.list()] == [s.sid]
    sub_client.proxy.v1.services(s.sid).delete()
    assert sub_client.proxy.v1.services.list() == []


def test_unique_name_unique_per_account(server, client):
    a = client.api.v2010.accounts.create()
    b = client.api.v2010.accounts.create()
    ac, bc = server.client(a.sid, a.auth_token), server.client(b.sid, b.auth_token)
    first = ac.proxy.v1.services.create(unique_name="same")
    with pytest.raises(TwilioRestException) as e:
        ac.proxy.v1.services.create(unique_name="same")
    assert e.value.status == 409
    other = ac.proxy.v1.services.create(unique_name="other")
    with pytest.raises(TwilioRestException) as e:
        ac.proxy.v1.services(other.sid).update(unique_name="same")
    assert e.value.status == 409
    assert bc.proxy.v1.services.create(unique_name="same").unique_name == "same"
    assert ac.proxy.v1.services(first.sid).fetch().unique_name == "same"


@pytest.mark.parametrize(
    "form",
    [{}, {"UniqueName": ""}, {"UniqueName": "a", "DefaultTtl": "-1"}, {"UniqueName": "a", "GeoMatchLevel": "planet"},
     {"UniqueName": "a", "ChatInstanceSid": "IS1"}, {"UniqueName": "a", "CallbackUrl": "x"}, {"UniqueName": "u" * 192}],
)
def test_service_validation(server, subaccount, form):
    with server.http(subaccount.sid, subaccount.auth_token) as h:
        r = h.post("/proxy/v1/Services", data=form)
        assert r.status_code == 400, r.text
        assert r.json()["code"] in (80701, 20001)
        assert h.get("/proxy/v1/Services").json()["services"] == []


def test_pool_by_sid_and_by_number(server, sub_client, subaccount):
    s = sub_client.proxy.v1.services.create(unique_name="pool")
    a = sub_client.incoming_phone_numbers.create(area_code="415")
    b = sub_client.incoming_phone_numbers.create(area_code="415")
    pa = sub_client.proxy.v1.services(s.sid).phone_numbers.create(sid=a.sid)
    pb = sub_client.proxy.v1.services(s.sid).phone_numbers.create(phone_number=b.phone_number, is_reserved=True)
    assert (pa.sid, pa.service_sid, pa.account_sid, pa.is_reserved, pa.in_use) == (a.sid, s.sid, subaccount.sid, False, 0)
    assert (pa.phone_number, pa.friendly_name, pa.iso_country) == (a.phone_number, a.friendly_name, "US")
    assert pa.capabilities == a.capabilities
    assert pa.url == f"{server.base_url}/proxy/v1/Services/{s.sid}/PhoneNumbers/{a.sid}"
    assert (pb.sid, pb.is_reserved) == (b.sid, True)
    assert sub_client.proxy.v1.services(s.sid).phone_numbers(b.sid).fetch().is_reserved is True
    assert sub_client.proxy.v1.services(s.sid).phone_numbers(b.sid).update(is_reserved=False).is_reserved is False
    assert [x.sid for x in sub_client.proxy.v1.services(s.sid).phone_numbers.list()] == [a.sid, b.sid]
    sub_client.proxy.v1.services(s.sid).phone_numbers(a.sid).delete()
    assert [x.sid for x in sub_client.proxy.v1.services(s.sid).phone_numbers.list()] == [b.sid]
    assert sub_client.incoming_phone_numbers(a.sid).fetch().sid == a.sid


def test_exactly_one_of_sid_and_phone_number(server, sub_client, subaccount):
    s = sub_client.proxy.v1.services.create(unique_name="one-of")
    n = sub_client.incoming_phone_numbers.create(area_code="415")
    with server.http(subaccount.sid, subaccount.auth_token) as h:
        for form in ({}, {"Sid": n.sid, "PhoneNumber": n.phone_number}, {"IsReserved": "true"}):
            r = h.post(f"/proxy/v1/Services/{s.sid}/PhoneNumbers", data=form)
            assert (r.status_code, r.json()["code"]) == (400, 80701), r.text
        r = h.post(f"/proxy/v1/Services/{s.sid}/PhoneNumbers", data={"Sid": n.sid, "IsReserved": "maybe"})
        assert (r.status_code, r.json()["code"]) == (400, 80701)
    assert sub_client.proxy.v1.services(s.sid).phone_numbers.list() == []


def test_one_proxy_service_per_number(sub_client):
    a = sub_client.proxy.v1.services.create(unique_name="pa")
    b = sub_client.proxy.v1.services.create(unique_name="pb")
    n = sub_client.incoming_phone_numbers.create(area_code="415")
    sub_client.proxy.v1.services(a.sid).phone_numbers.create(sid=n.sid)
    with pytest.raises(TwilioRestException) as e:
        sub_client.proxy.v1.services(a.sid).phone_numbers.create(sid=n.sid)
    assert (e.value.status, e.value.code) == (400, 80104)
    with pytest.raises(TwilioRestException) as e:
        sub_client.proxy.v1.services(b.sid).phone_numbers.create(phone_number=n.phone_number)
    assert (e.value.status, e.value.code) == (400, 80101)


def test_messaging_number_cannot_join_proxy_but_proxy_number_can_join_messaging(sub_client):
    ks = sub_client.proxy.v1.services.create(unique_name="a2p")
    mg = sub_client.messaging.v1.services.create(friendly_name="a2p", use_inbound_webhook_on_number=True)
    in_messaging = sub_client.incoming_phone_numbers.create(area_code="415")
    sub_client.messaging.v1.services(mg.sid).phone_numbers.create(phone_number_sid=in_messaging.sid)
    with pytest.raises(TwilioRestException) as e:
        sub_client.proxy.v1.services(ks.sid).phone_numbers.create(sid=in_messaging.sid)
    assert (e.value.status, e.value.code) == (400, 80601)
    in_proxy = sub_client.incoming_phone_numbers.create(area_code="415")
    sub_client.proxy.v1.services(ks.sid).phone_numbers.create(sid=in_proxy.sid)
    joined = sub_client.messaging.v1.services(mg.sid).phone_numbers.create(phone_number_sid=in_proxy.sid)
    assert joined.sid == in_proxy.sid
    assert sub_client.proxy.v1.services(ks.sid).phone_numbers(in_proxy.sid).fetch().sid == in_proxy.sid


def test_pool_limits(small):
    c = small.client()
    sub = c.api.v2010.accounts.create()
    sc = small.client(sub.sid, sub.auth_token)
    s = sc.proxy.v1.services.create(unique_name="limits")
    made = [sc.incoming_phone_numbers.create(area_code="202") for _ in range(11)]
    for n in made[:5]:
        sc.proxy.v1.services(s.sid).phone_numbers.create(sid=n.sid)
    with pytest.raises(TwilioRestException) as e:
        sc.proxy.v1.services(s.sid).phone_numbers.create(sid=made[5].sid)
    assert (e.value.status, e.value.code) == (400, 80622)
    for n in made[5:9]:  # the reserved pool has its own limit (4 here)
        sc.proxy.v1.services(s.sid).phone_numbers.create(sid=n.sid, is_reserved=True)
    with pytest.raises(TwilioRestException) as e:
        sc.proxy.v1.services(s.sid).phone_numbers.create(sid=made[9].sid, is_reserved=True)
    assert e.value.code == 80622
    with pytest.raises(TwilioRestException) as e:  # reserving a fifth by update is refused too
        sc.proxy.v1.services(s.sid).phone_numbers(made[0].sid).update(is_reserved=True)
    assert e.value.code == 80622
    assert sc.proxy.v1.services(s.sid).phone_numbers(made[0].sid).fetch().is_reserved is False
    # un-reserving one frees a reserved slot but the unreserved pool is full
    with pytest.raises(TwilioRestException) as e:
        sc.proxy.v1.services(s.sid).phone_numbers(made[5].sid).update(is_reserved=False)
    assert e.value.code == 80622
    assert len(sc.proxy.v1.services(s.sid).phone_numbers.list()) == 9


def test_other_accounts_numbers_are_not_found(server, client):
    a = client.api.v2010.accounts.create()
    b = client.api.v2010.accounts.create()
    ac, bc = server.client(a.sid, a.auth_token), server.client(b.sid, b.auth_token)
    s = ac.proxy.v1.services.create(unique_name="mine")
    theirs = bc.incoming_phone_numbers.create(area_code="415")
    for kwargs in ({"sid": theirs.sid}, {"phone_number": theirs.phone_number}):
        with pytest.raises(TwilioRestException) as e:
            ac.proxy.v1.services(s.sid).phone_numbers.create(**kwargs)
        assert e.value.status == 404
    with server.http(b.sid, b.auth_token) as h:
        assert h.get(f"/proxy/v1/Services/{s.sid}/PhoneNumbers").status_code == 404

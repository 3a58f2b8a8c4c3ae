"""IncomingPhoneNumbers through the official SDK: every operation, default, filter and rule."""

from __future__ import annotations

import datetime as dt

import pytest
from twilio.base.exceptions import TwilioRestException

AD = "AD" + "d" * 32
RI = "RI" + "e" * 32
BU = "BU" + "f" * 32


def first_available(c, country="US", kind="local", **filters):
    lst = getattr(c.available_phone_numbers(country), kind).list(limit=1, **filters)
    assert lst, f"no available {country} {kind} number for {filters}"
    return lst[0].phone_number


def test_provision_defaults(sub_client, subaccount):
    e164 = first_available(sub_client, area_code=415)
    n = sub_client.incoming_phone_numbers.create(phone_number=e164)
    assert n.sid.startswith("PN") and len(n.sid) == 34
    assert n.account_sid == subaccount.sid
    assert n.phone_number == e164
    assert n.friendly_name == f"({e164[2:5]}) {e164[5:8]}-{e164[8:]}"
    assert n.api_version == "2010-04-01"
    assert n.origin == "twilio"
    assert n.status == "in-use"
    assert n.beta is False
    for m in (n.voice_method, n.voice_fallback_method, n.sms_method, n.sms_fallback_method, n.status_callback_method):
        assert m == "POST"
    assert n.capabilities == {"voice": True, "sms": True, "mms": True, "fax": False} or set(n.capabilities) == {
        "voice", "sms", "mms", "fax"}
    assert n.address_requirements == "none"
    assert n.voice_receive_mode == "voice"
    assert n.emergency_status == "Inactive"
    assert n.trunk_sid is None and n.voice_url is None
    assert n.sms_url == "" and n.voice_application_sid == ""
    assert isinstance(n.date_created, dt.datetime) and isinstance(n.date_updated, dt.datetime)
    assert n.uri == f"/2010-04-01/Accounts/{subaccount.sid}/IncomingPhoneNumbers/{n.sid}.json"


@pytest.fixture
def apps(sub_client):
    """Two Applications of the subaccount: a number may name only its own account's (21420)."""
    return tuple(sub_client.applications.create(friendly_name=f"app {i}").sid for i in (1, 2))


def test_provision_with_every_parameter(sub_client, apps):
    ap, ap2 = apps
    e164 = first_available(sub_client, area_code=312)
    n = sub_client.incoming_phone_numbers.create(
        phone_number=e164, friendly_name="front desk", api_version="2008-08-01",
        sms_application_sid=ap, sms_fallback_method="GET", sms_fallback_url="https://example.com/sf",
        sms_method="GET", sms_url="https://example.com/s", status_callback="http://example.com/cb",
        status_callback_method="GET", voice_caller_id_lookup=True, voice_fallback_method="GET",
        voice_fallback_url="https://example.com/vf", voice_method="GET", voice_url="https://example.com/v",
        emergency_status="Active", emergency_address_sid=AD, identity_sid=RI, address_sid=AD,
        voice_receive_mode="fax", bundle_sid=BU, voice_application_sid=ap2,
    )
    assert (n.friendly_name, n.api_version) == ("front desk", "2008-08-01")
    assert (n.sms_application_sid, n.sms_fallback_method, n.sms_fallback_url) == (ap, "GET", "https://example.com/sf")
    assert (n.sms_method, n.sms_url) == ("GET", "https://example.com/s")
    assert (n.status_callback, n.status_callback_method) == ("http://example.com/cb", "GET")
    assert n.voice_caller_id_lookup is True
    assert (n.voice_fallback_method, n.voice_fallback_url) == ("GET", "https://example.com/vf")
    assert (n.voice_method, n.voice_url, n.voice_application_sid) == ("GET", "https://example.com/v", ap2)
    assert (n.emergency_status, n.emergency_address_sid, n.emergency_address_status) == ("Active", AD, "registered")
    assert (n.identity_sid, n.address_sid, n.bundle_sid, n.voice_receive_mode) == (RI, AD, BU, "fax")
    fetched = sub_client.incoming_phone_numbers(n.sid).fetch()
    assert fetched.voice_url == "https://example.com/v" and fetched.bundle_sid == BU


def test_provision_by_area_code(sub_client):
    n = sub_client.incoming_phone_numbers.create(area_code="415")
    assert n.phone_number.startswith("+1415")
    m = sub_client.incoming_phone_numbers.create(area_code="415")
    assert m.phone_number.startswith("+1415") and m.phone_number != n.phone_number


@pytest.mark.parametrize(
    "kwargs, status, code",
    [
        ({"phone_number": "+15005550000"}, 400, 21422),
        ({"phone_number": "+15005550001"}, 400, 21421),
        ({"area_code": "533"}, 400, 21452),
        ({"area_code": "41"}, 400, 21451),
        ({"phone_number": "4155551234"}, 400, 21421),
        ({"phone_number": "+1415555"}, 400, 21421),
        ({}, 400, 21421),
    ],
)
def test_provision_errors(sub_client, kwargs, status, code):
    before = len(sub_client.incoming_phone_numbers.list())
    with pytest.raises(TwilioRestException) as e:
        sub_client.incoming_phone_numbers.create(**kwargs)
    assert (e.value.status, e.value.code) == (status, code)
    assert len(sub_client.incoming_phone_numbers.list()) == before


def test_magic_test_numbers(client):
    a = client.api.v2010.accounts.create()
    b = client.api.v2010.accounts.create()
    n = client.api.v2010.accounts(a.sid).incoming_phone_numbers.create(phone_number="+15005550006")
    assert n.phone_number == "+15005550006"
    client.api.v2010.accounts(a.sid).incoming_phone_numbers(n.sid).delete()
    m = client.api.v2010.accounts(b.sid).incoming_phone_numbers.create(area_code="500")
    assert m.phone_number == "+15005550006"
    client.api.v2010.accounts(b.sid).incoming_phone_numbers(m.sid).delete()


def test_buying_own_number_again_acts_as_update(server, sub_client, subaccount):
    e164 = first_available(sub_client, area_code=646)
    n = sub_client.incoming_phone_numbers.create(phone_number=e164)
    with server.http(subaccount.sid, subaccount.auth_token) as h:
        r = h.post(f"/2010-04-01/Accounts/{subaccount.sid}/IncomingPhoneNumbers.json",
                   data={"PhoneNumber": e164, "FriendlyName": "again"})
    assert r.status_code == 201
    assert r.json()["sid"] == n.sid and r.json()["friendly_name"] == "again"
    assert len(sub_client.incoming_phone_numbers.list(phone_number=e164)) == 1


def test_number_owned_by_another_account_is_unavailable(client, sub_client):
    e164 = first_available(sub_client, area_code=718)
    sub_client.incoming_phone_numbers.create(phone_number=e164)
    other = client.api.v2010.accounts.create()
    with pytest.raises(TwilioRestException) as e:
        client.api.v2010.accounts(other.sid).incoming_phone_numbers.create(phone_number=e164)
    assert (e.value.status, e.value.code) == (400, 21422)
    assert e.value.msg.endswith(f"{e164} is not available")


def test_trunk_and_voice_application_exclude_each_other(sub_client, apps):
    ap, ap2 = apps
    tk = sub_client.trunking.v1.trunks.create(friendly_name="exclusive").sid
    n = sub_client.incoming_phone_numbers.create(area_code="303", voice_application_sid=ap)
    assert n.voice_application_sid == ap and n.trunk_sid is None
    n = sub_client.incoming_phone_numbers(n.sid).update(trunk_sid=tk)
    assert n.trunk_sid == tk and n.voice_application_sid == ""
    n = sub_client.incoming_phone_numbers(n.sid).update(voice_application_sid=ap2)
    assert n.voice_application_sid == ap2 and n.trunk_sid is None
    m = sub_client.incoming_phone_numbers.create(area_code="303", trunk_sid=tk)
    assert m.trunk_sid == tk and m.voice_application_sid == ""
    with pytest.raises(TwilioRestException) as e:
        sub_client.incoming_phone_numbers(m.sid).update(trunk_sid=tk, voice_application_sid=ap)
    assert e.value.status == 400


def test_update_every_parameter_and_clear(sub_client, apps):
    ap = apps[0]
    n = sub_client.incoming_phone_numbers.create(area_code="206")
    u = sub_client.incoming_phone_numbers(n.sid).update(
        friendly_name="ops", sms_url="https://example.com/sms", sms_method="GET", voice_url="https://example.com/v",
        voice_method="GET", voice_fallback_url="https://example.com/vf", voice_fallback_method="GET",
        sms_fallback_url="https://example.com/sf", sms_fallback_method="GET", status_callback="https://example.com/st",
        status_callback_method="GET", voice_caller_id_lookup=True, sms_application_sid=ap, emergency_status="Active",
        emergency_address_sid=AD, identity_sid=RI, address_sid=AD, bundle_sid=BU, voice_receive_mode="fax",
        api_version="2008-08-01",
    )
    assert (u.friendly_name, u.sms_url, u.sms_method, u.voice_url) == ("ops", "https://example.com/sms", "GET", "https://example.com/v")
    assert (u.voice_caller_id_lookup, u.sms_application_sid, u.emergency_status) == (True, ap, "Active")
    assert (u.identity_sid, u.address_sid, u.bundle_sid, u.voice_receive_mode, u.api_version) == (RI, AD, BU, "fax", "2008-08-01")
    assert u.date_updated >= n.date_updated
    cleared = sub_client.incoming_phone_numbers(n.sid).update(voice_url="", sms_url="", friendly_name="")
    assert cleared.voice_url is None and cleared.sms_url == ""
    assert cleared.friendly_name == n.friendly_name  # empty resets to the formatted number


@pytest.mark.parametrize(
    "kwargs, code, param",
    [
        ({"voice_url": "ftp://example.com/x"}, 21502, "VoiceUrl"),
        ({"sms_url": "not a url"}, 21502, "SmsUrl"),
        ({"status_callback": "javascript:alert(1)"}, 21502, "StatusCallback"),
        ({"voice_method": "PUT"}, 21403, "VoiceMethod"),
        ({"sms_fallback_method": "DELETE"}, 21403, "SmsFallbackMethod"),
        ({"voice_application_sid": "AP123"}, 20001, "VoiceApplicationSid"),
        ({"trunk_sid": "PN" + "0" * 32}, 20001, "TrunkSid"),
        ({"bundle_sid": "BUzz"}, 20001, "BundleSid"),
        ({"emergency_status": "On"}, 20001, "EmergencyStatus"),
        ({"voice_receive_mode": "sms"}, 20001, "VoiceReceiveMode"),
        ({"friendly_name": "y" * 65}, 20001, "FriendlyName"),
        ({"account_sid": "AC-nope"}, 20001, "AccountSid"),
        ({"api_version": "2020-01-01"}, 20001, "ApiVersion"),
    ],
)
def test_update_validation_writes_nothing(sub_client, kwargs, code, param):
    n = sub_client.incoming_phone_numbers.create(area_code="617")
    with pytest.raises(TwilioRestException) as e:
        # a valid change travels with the invalid one: it must not be applied
        sub_client.incoming_phone_numbers(n.sid).update(**{"voice_caller_id_lookup": True, **kwargs})
    assert (e.value.status, e.value.code) == (400, code)
    assert param in e.value.msg
    after = sub_client.incoming_phone_numbers(n.sid).fetch()
    assert (after.friendly_name, after.voice_caller_id_lookup) == (n.friendly_name, False)


def test_voice_caller_id_lookup_must_be_boolean(server, subaccount, sub_client):
    n = sub_client.incoming_phone_numbers.create(area_code="617")
    with server.http(subaccount.sid, subaccount.auth_token) as h:
        r = h.post(f"/2010-04-01/Accounts/{subaccount.sid}/IncomingPhoneNumbers/{n.sid}.json",
                   data={"VoiceCallerIdLookup": "maybe"})
    assert r.status_code == 400 and "VoiceCallerIdLookup" in r.json()["message"]


def test_transfer_between_parent_and_subaccount(client, server):
    parent = server.account_sid
    sub = client.api.v2010.accounts.create()
    n = client.api.v2010.accounts(sub.sid).incoming_phone_numbers.create(area_code="404")
    moved = client.api.v2010.accounts(sub.sid).incoming_phone_numbers(n.sid).update(account_sid=parent)
    assert moved.account_sid == parent
    assert moved.uri == f"/2010-04-01/Accounts/{parent}/IncomingPhoneNumbers/{n.sid}.json"
    with pytest.raises(TwilioRestException):
        client.api.v2010.accounts(sub.sid).incoming_phone_numbers(n.sid).fetch()
    back = client.api.v2010.accounts(parent).incoming_phone_numbers(n.sid).update(account_sid=sub.sid)
    assert back.account_sid == sub.sid


def test_transfer_refused_to_strangers(server, client):
    a = client.api.v2010.accounts.create()
    b = client.api.v2010.accounts.create()
    a_client = server.client(a.sid, a.auth_token)
    n = a_client.incoming_phone_numbers.create(area_code="404")
    for target in (b.sid, server.account_sid, "AC" + "1" * 32):  # sibling, parent (from the sub), unknown
        with pytest.raises(TwilioRestException) as e:
            a_client.incoming_phone_numbers(n.sid).update(account_sid=target, friendly_name="moved?")
        assert (e.value.status, e.value.code) == (400, 20001)
    still = a_client.incoming_phone_numbers(n.sid).fetch()
    assert still.account_sid == a.sid and still.friendly_name == n.friendly_name


def test_list_filters_combine(sub_client):
    a = sub_client.incoming_phone_numbers.create(area_code="415", friendly_name="alpha")
    b = sub_client.incoming_phone_numbers.create(area_code="415", friendly_name="beta-line")
    c = sub_client.incoming_phone_numbers.create(area_code="212", friendly_name="alpha")
    assert {x.sid for x in sub_client.incoming_phone_numbers.list(friendly_name="alpha")} == {a.sid, c.sid}
    assert [x.sid for x in sub_client.incoming_phone_numbers.list(friendly_name="alpha", phone_number="+1415")] == [a.sid]
    assert {x.sid for x in sub_client.incoming_phone_numbers.list(phone_number="415")} >= {a.sid, b.sid}
    wildcard = "+1" + "4*5" + a.phone_number[5:]
    assert [x.sid for x in sub_client.incoming_phone_numbers.list(phone_number=wildcard)] == [a.sid]
    assert sub_client.incoming_phone_numbers.list(origin="hosted") == []
    assert len(sub_client.incoming_phone_numbers.list(origin="twilio", beta=False)) == 3
    assert sub_client.incoming_phone_numbers.list(friendly_name="alp") == []  # exact match only


def test_list_rejects_bad_filters(server, subaccount):
    with server.http(subaccount.sid, subaccount.auth_token) as h:
        base = f"/2010-04-01/Accounts/{subaccount.sid}/IncomingPhoneNumbers.json"
        for params, name in (({"Beta": "perhaps"}, "Beta"), ({"Origin": "mars"}, "Origin"), ({"PhoneNumber": "abc"}, "PhoneNumber")):
            r = h.get(base, params=params)
            assert r.status_code == 400 and name in r.json()["message"], r.text


def test_paging_follows_next_page_uri(server, subaccount, sub_client):
    made = [sub_client.incoming_phone_numbers.create(area_code="503").sid for _ in range(7)]
    assert [x.sid for x in sub_client.incoming_phone_numbers.list(page_size=3)] == made
    page = sub_client.incoming_phone_numbers.page(page_size=3)
    assert [x.sid for x in page] == made[:3]
    nxt = page.next_page()
    assert [x.sid for x in nxt] == made[3:6]
    assert [x.sid for x in nxt.previous_page()] == made[:3]
    last = nxt.next_page()
    assert [x.sid for x in last] == made[6:] and last.next_page() is None


def test_type_sublists(client, sub_client):
    local = sub_client.incoming_phone_numbers.local.create(phone_number=first_available(sub_client, area_code=702))
    tf = sub_client.incoming_phone_numbers.toll_free.create(phone_number=first_available(sub_client, kind="toll_free"))
    mob = sub_client.incoming_phone_numbers.mobile.create(phone_number=first_available(sub_client, "GB", "mobile"))
    assert [x.sid for x in sub_client.incoming_phone_numbers.local.list()] == [local.sid]
    assert [x.sid for x in sub_client.incoming_phone_numbers.toll_free.list()] == [tf.sid]
    assert [x.sid for x in sub_client.incoming_phone_numbers.mobile.list()] == [mob.sid]
    assert mob.phone_number.startswith("+44")
    assert len(sub_client.incoming_phone_numbers.list()) == 3
    with pytest.raises(TwilioRestException) as e:
        sub_client.incoming_phone_numbers.local.create(phone_number=first_available(sub_client, kind="toll_free"))
    assert e.value.code == 21422


def test_area_code_not_supported_on_subresource(server, subaccount):
    with server.http(subaccount.sid, subaccount.auth_token) as h:
        r = h.post(f"/2010-04-01/Accounts/{subaccount.sid}/IncomingPhoneNumbers/Local.json", data={"AreaCode": "415"})
    assert r.status_code == 400 and r.json()["code"] == 21457


def test_release_returns_number_to_inventory(sub_client):
    offered = [x.phone_number for x in sub_client.available_phone_numbers("US").local.list(area_code=801, limit=3)]
    n = sub_client.incoming_phone_numbers.create(phone_number=offered[0])
    after_buy = [x.phone_number for x in sub_client.available_phone_numbers("US").local.list(area_code=801, limit=3)]
    assert offered[0] not in after_buy
    assert sub_client.incoming_phone_numbers(n.sid).delete() is True
    with pytest.raises(TwilioRestException) as e:
        sub_client.incoming_phone_numbers(n.sid).fetch()
    assert e.value.status == 404 and e.value.code == 20404
    with pytest.raises(TwilioRestException) as e:
        sub_client.incoming_phone_numbers(n.sid).delete()
    assert e.value.status == 404
    again = [x.phone_number for x in sub_client.available_phone_numbers("US").local.list(area_code=801, limit=3)]
    assert again == offered


def test_fetch_with_malformed_sid_is_not_found(sub_client):
    for sid in ("PN123", "XX" + "0" * 32, "PN" + "g" * 32):
        with pytest.raises(TwilioRestException) as e:
            sub_client.incoming_phone_numbers(sid).fetch()
        assert e.value.status == 404


@pytest.mark.parametrize("extra", [
    {},
    {"FriendlyName": "front desk", "VoiceUrl": "https://example.com/v", "VoiceCallerIdLookup": "true",
     "EmergencyAddressSid": AD, "VoiceReceiveMode": "fax", "BundleSid": BU},
], ids=["defaults", "parameters"])
@pytest.mark.parametrize("country,kind", [("US", "Local"), ("US", "TollFree"), ("GB", "Mobile"), ("CA", "Local")])
def test_created_number_reads_back_exactly_as_answered(server, http, country, kind, extra):
    """The 201 answer is built without reading the row back: it must equal what a fetch returns."""
    base = f"/2010-04-01/Accounts/{server.account_sid}"
    listed = http.get(f"{base}/AvailablePhoneNumbers/{country}/{kind}.json", params={"PageSize": 1}).json()
    e164 = listed["available_phone_numbers"][0]["phone_number"]
    created = http.post(f"{base}/IncomingPhoneNumbers.json", data={"PhoneNumber": e164, **extra})
    assert created.status_code == 201, created.text
    fetched = http.get(f"{base}/IncomingPhoneNumbers/{created.json()['sid']}.json")
    assert fetched.json() == created.json()
    assert http.delete(f"{base}/IncomingPhoneNumbers/{created.json()['sid']}.json").status_code == 204

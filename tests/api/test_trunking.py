"""Trunking v1 Trunks and their PhoneNumbers, the same association as IncomingPhoneNumber.trunk_sid."""

from __future__ import annotations

import secrets

import pytest
from twilio.base.exceptions import TwilioRestException


def domain() -> str:
    return f"t{secrets.token_hex(6)}.pstn.twilio.com"


def test_trunk_crud(server, sub_client, subaccount):
    d = domain()
    t = sub_client.trunking.v1.trunks.create(
        friendly_name="edge", domain_name=d, disaster_recovery_url="https://example.com/dr",
        disaster_recovery_method="GET", transfer_mode="sip-only", secure=True, cnam_lookup_enabled=True,
        transfer_caller_id="from-transferor",
    )
    assert t.sid.startswith("TK") and t.account_sid == subaccount.sid
    assert (t.friendly_name, t.domain_name, t.disaster_recovery_url, t.disaster_recovery_method) == ("edge", d, "https://example.com/dr", "GET")
    assert (t.transfer_mode, t.secure, t.cnam_lookup_enabled, t.transfer_caller_id) == ("sip-only", True, True, "from-transferor")
    assert t.recording == {"mode": "do-not-record", "trim": "do-not-trim"}
    assert t.url == f"{server.base_url}/trunking/v1/Trunks/{t.sid}"
    assert t.links["phone_numbers"] == f"{t.url}/PhoneNumbers"
    u = sub_client.trunking.v1.trunks(t.sid).update(friendly_name="edge2", secure=False, domain_name="")
    assert (u.friendly_name, u.secure, u.domain_name) == ("edge2", False, None)
    assert [x.sid for x in sub_client.trunking.v1.trunks.list()] == [t.sid]
    assert sub_client.trunking.v1.trunks(t.sid).delete() is True
    assert sub_client.trunking.v1.trunks.list() == []


def test_domain_name_unique_across_platform(server, client):
    d = domain()
    a = client.api.v2010.accounts.create()
    b = client.api.v2010.accounts.create()
    server.client(a.sid, a.auth_token).trunking.v1.trunks.create(domain_name=d)
    bc = server.client(b.sid, b.auth_token)
    with pytest.raises(TwilioRestException) as e:
        bc.trunking.v1.trunks.create(domain_name=d)
    assert (e.value.status, e.value.code) == (400, 21245)
    t = bc.trunking.v1.trunks.create(domain_name=domain())
    with pytest.raises(TwilioRestException) as e:
        bc.trunking.v1.trunks(t.sid).update(domain_name=d)
    assert e.value.code == 21245
    assert bc.trunking.v1.trunks(t.sid).fetch().domain_name != d


@pytest.mark.parametrize(
    "form, code",
    [
        ({"DomainName": "bad_domain.example.com"}, 21245),
        ({"DisasterRecoveryUrl": "nope"}, 21502),
        ({"TransferMode": "all"}, 20001),
        ({"TransferCallerId": "me"}, 20001),
        ({"Secure": "1"}, 20001),
        ({"FriendlyName": "z" * 65}, 20001),
    ],
)
def test_trunk_validation(server, subaccount, form, code):
    with server.http(subaccount.sid, subaccount.auth_token) as h:
        r = h.post("/trunking/v1/Trunks", data=form)
        assert (r.status_code, r.json()["code"]) == (400, code), r.text
        assert h.get("/trunking/v1/Trunks").json()["trunks"] == []


def test_add_number_is_the_ipn_trunk_sid(server, sub_client, subaccount):
    t = sub_client.trunking.v1.trunks.create(friendly_name="pbx")
    ap = sub_client.applications.create(friendly_name="ivr").sid
    n = sub_client.incoming_phone_numbers.create(area_code="415", voice_application_sid=ap, voice_url="https://example.com/v")
    tp = sub_client.trunking.v1.trunks(t.sid).phone_numbers.create(phone_number_sid=n.sid)
    assert (tp.sid, tp.trunk_sid, tp.phone_number, tp.friendly_name) == (n.sid, t.sid, n.phone_number, n.friendly_name)
    assert tp.voice_url == "https://example.com/v" and tp.voice_application_sid == ""
    assert tp.capabilities == n.capabilities
    assert tp.url == f"{server.base_url}/trunking/v1/Trunks/{t.sid}/PhoneNumbers/{n.sid}"
    ipn_url = f"{server.base_url}/2010-04-01/Accounts/{subaccount.sid}/IncomingPhoneNumbers/{n.sid}.json"
    assert tp.links["phone_number"] == ipn_url
    with server.http(subaccount.sid, subaccount.auth_token) as h:
        followed = h.get(ipn_url).json()
    assert followed["trunk_sid"] == t.sid and followed["voice_application_sid"] == ""
    assert sub_client.trunking.v1.trunks(t.sid).phone_numbers(n.sid).fetch().trunk_sid == t.sid
    assert [x.sid for x in sub_client.trunking.v1.trunks(t.sid).phone_numbers.list()] == [n.sid]
    assert sub_client.trunking.v1.trunks(t.sid).phone_numbers(n.sid).delete() is True
    assert sub_client.incoming_phone_numbers(n.sid).fetch().trunk_sid is None
    assert sub_client.trunking.v1.trunks(t.sid).phone_numbers.list() == []


def test_ipn_update_is_the_same_association(sub_client):
    t = sub_client.trunking.v1.trunks.create(friendly_name="side")
    n = sub_client.incoming_phone_numbers.create(area_code="415")
    sub_client.incoming_phone_numbers(n.sid).update(trunk_sid=t.sid)
    assert [x.sid for x in sub_client.trunking.v1.trunks(t.sid).phone_numbers.list()] == [n.sid]
    sub_client.incoming_phone_numbers(n.sid).update(trunk_sid="")
    assert sub_client.trunking.v1.trunks(t.sid).phone_numbers.list() == []


def test_one_trunk_per_number(sub_client):
    a = sub_client.trunking.v1.trunks.create(friendly_name="a")
    b = sub_client.trunking.v1.trunks.create(friendly_name="b")
    n = sub_client.incoming_phone_numbers.create(area_code="415")
    sub_client.trunking.v1.trunks(a.sid).phone_numbers.create(phone_number_sid=n.sid)
    sub_client.trunking.v1.trunks(b.sid).phone_numbers.create(phone_number_sid=n.sid)
    assert sub_client.trunking.v1.trunks(a.sid).phone_numbers.list() == []
    assert [x.sid for x in sub_client.trunking.v1.trunks(b.sid).phone_numbers.list()] == [n.sid]


def test_trunk_sid_must_be_a_trunk_of_the_account(server, client):
    a = client.api.v2010.accounts.create()
    b = client.api.v2010.accounts.create()
    ac, bc = server.client(a.sid, a.auth_token), server.client(b.sid, b.auth_token)
    b_trunk = bc.trunking.v1.trunks.create(friendly_name="b").sid
    ap = ac.applications.create(friendly_name="ivr").sid
    n = ac.incoming_phone_numbers.create(area_code="415", voice_application_sid=ap)
    for tk in (b_trunk, "TK" + "0" * 32):
        with pytest.raises(TwilioRestException) as e:
            ac.incoming_phone_numbers(n.sid).update(trunk_sid=tk, friendly_name="changed")
        assert (e.value.status, e.value.code) == (400, 21245)
        with pytest.raises(TwilioRestException) as e:
            ac.incoming_phone_numbers.create(area_code="415", trunk_sid=tk)
        assert e.value.code == 21245
    after = ac.incoming_phone_numbers(n.sid).fetch()
    assert (after.trunk_sid, after.voice_application_sid, after.friendly_name) == (None, ap, n.friendly_name)
    assert len(ac.incoming_phone_numbers.list()) == 1


def test_trunk_pool_is_account_scoped(server, client):
    a = client.api.v2010.accounts.create()
    b = client.api.v2010.accounts.create()
    ac, bc = server.client(a.sid, a.auth_token), server.client(b.sid, b.auth_token)
    a_trunk = ac.trunking.v1.trunks.create().sid
    b_number = bc.incoming_phone_numbers.create(area_code="415").sid
    with pytest.raises(TwilioRestException) as e:
        ac.trunking.v1.trunks(a_trunk).phone_numbers.create(phone_number_sid=b_number)
    assert e.value.status == 404
    with pytest.raises(TwilioRestException) as e:
        bc.trunking.v1.trunks(a_trunk).fetch()
    assert e.value.status == 404
    assert bc.incoming_phone_numbers(b_number).fetch().trunk_sid is None


def test_delete_trunk_clears_numbers(sub_client):
    t = sub_client.trunking.v1.trunks.create()
    n = sub_client.incoming_phone_numbers.create(area_code="415", trunk_sid=t.sid)
    sub_client.trunking.v1.trunks(t.sid).delete()
    assert sub_client.incoming_phone_numbers(n.sid).fetch().trunk_sid is None

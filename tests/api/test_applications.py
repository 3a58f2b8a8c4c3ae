"""Applications (2010-04-01) and the IncomingPhoneNumber application SIDs that must name one."""

from __future__ import annotations

import pytest
from twilio.base.exceptions import TwilioRestException

UNKNOWN_AP = "AP" + "0" * 32


def test_application_crud(server, sub_client, subaccount):
    a = sub_client.applications.create()
    assert a.sid.startswith("AP") and len(a.sid) == 34 and a.account_sid == subaccount.sid
    assert a.uri == f"/2010-04-01/Accounts/{subaccount.sid}/Applications/{a.sid}.json"
    assert (a.friendly_name, a.api_version, a.voice_url, a.voice_method, a.voice_fallback_url) == (None, "2010-04-01", None, "POST", None)
    assert (a.voice_fallback_method, a.voice_caller_id_lookup, a.status_callback, a.status_callback_method) == ("POST", False, None, "POST")
    assert (a.sms_url, a.sms_method, a.sms_fallback_url, a.sms_fallback_method) == (None, "POST", None, "POST")
    assert (a.sms_status_callback, a.message_status_callback, a.public_application_connect_enabled) == (None, None, False)
    assert a.date_created is not None and a.date_updated is not None

    full = sub_client.applications.create(
        friendly_name="ivr", api_version="2008-08-01", voice_url="https://example.com/v", voice_method="GET",
        voice_fallback_url="https://example.com/vf", voice_fallback_method="GET", voice_caller_id_lookup=True,
        status_callback="https://example.com/s", status_callback_method="GET", sms_url="https://example.com/m",
        sms_method="GET", sms_fallback_url="https://example.com/mf", sms_fallback_method="GET",
        sms_status_callback="https://example.com/ms", message_status_callback="https://example.com/mc",
        public_application_connect_enabled=True,
    )
    got = sub_client.applications(full.sid).fetch()
    for f in (full, got):
        assert (f.friendly_name, f.api_version, f.voice_url, f.voice_method) == ("ivr", "2008-08-01", "https://example.com/v", "GET")
        assert (f.voice_fallback_url, f.voice_fallback_method, f.voice_caller_id_lookup) == ("https://example.com/vf", "GET", True)
        assert (f.status_callback, f.status_callback_method) == ("https://example.com/s", "GET")
        assert (f.sms_url, f.sms_method, f.sms_fallback_url, f.sms_fallback_method) == (
            "https://example.com/m", "GET", "https://example.com/mf", "GET")
        assert (f.sms_status_callback, f.message_status_callback, f.public_application_connect_enabled) == (
            "https://example.com/ms", "https://example.com/mc", True)

    u = sub_client.applications(full.sid).update(friendly_name="ivr2", voice_url="", sms_method="POST",
                                                 public_application_connect_enabled=False)
    assert (u.friendly_name, u.voice_url, u.sms_method, u.public_application_connect_enabled) == ("ivr2", None, "POST", False)
    assert u.voice_fallback_url == "https://example.com/vf" and u.date_created == full.date_created

    assert sub_client.applications(a.sid).delete() is True
    with pytest.raises(TwilioRestException) as e:
        sub_client.applications(a.sid).fetch()
    assert (e.value.status, e.value.code) == (404, 20404)
    assert [x.sid for x in sub_client.applications.list()] == [full.sid]


def test_list_filter_and_paging(sub_client):
    made = sorted(sub_client.applications.create(friendly_name="pager").sid for _ in range(5))
    other = sub_client.applications.create(friendly_name="other").sid
    assert [x.sid for x in sub_client.applications.list(friendly_name="pager")] == made
    assert [x.sid for x in sub_client.applications.list(friendly_name="other")] == [other]
    assert sub_client.applications.list(friendly_name="pag") == []  # exact match only
    assert [x.sid for x in sub_client.applications.list(friendly_name="pager", page_size=2)] == made
    page = sub_client.applications.page(friendly_name="pager", page_size=2)
    assert [x.sid for x in page] == made[:2]
    nxt = page.next_page()
    assert [x.sid for x in nxt] == made[2:4]
    assert [x.sid for x in nxt.previous_page()] == made[:2]
    last = nxt.next_page()
    assert [x.sid for x in last] == made[4:] and last.next_page() is None
    assert len(sub_client.applications.list()) == 6


def test_list_envelope(server, subaccount, sub_client):
    sub_client.applications.create(friendly_name="env")
    with server.http(subaccount.sid, subaccount.auth_token) as h:
        r = h.get(f"/2010-04-01/Accounts/{subaccount.sid}/Applications.json", params={"FriendlyName": "env", "PageSize": 1})
        assert r.status_code == 200
        body = r.json()
        assert len(body["applications"]) == 1 and body["page_size"] == 1 and body["page"] == 0
        assert body["uri"].startswith(f"/2010-04-01/Accounts/{subaccount.sid}/Applications.json?") and "FriendlyName=env" in body["uri"]
        r = h.post(f"/2010-04-01/Accounts/{subaccount.sid}/Applications.json", data={"VoiceUrl": "nope"})
        assert (r.status_code, r.json()["code"]) == (400, 21502)


def test_other_accounts_application_is_not_found(server, client, sub_client):
    a = sub_client.applications.create(friendly_name="mine")
    with pytest.raises(TwilioRestException) as e:
        client.applications(a.sid).fetch()
    assert (e.value.status, e.value.code) == (404, 20404)
    for call in (lambda: client.applications(a.sid).update(friendly_name="x"), lambda: client.applications(a.sid).delete()):
        with pytest.raises(TwilioRestException) as e:
            call()
        assert e.value.status == 404
    assert sub_client.applications(a.sid).fetch().friendly_name == "mine"
    assert a.sid not in {x.sid for x in client.applications.list(friendly_name="mine")}


def test_number_applications_must_be_the_accounts(server, client, sub_client):
    stranger = client.applications.create(friendly_name="parent's")
    mine = sub_client.applications.create()
    n = sub_client.incoming_phone_numbers.create(area_code="415")
    for kwargs in ({"voice_application_sid": stranger.sid}, {"sms_application_sid": UNKNOWN_AP},
                   {"voice_application_sid": mine.sid, "sms_application_sid": stranger.sid}):
        with pytest.raises(TwilioRestException) as e:
            sub_client.incoming_phone_numbers(n.sid).update(friendly_name="changed?", **kwargs)
        assert (e.value.status, e.value.code) == (400, 21420), kwargs
        with pytest.raises(TwilioRestException) as e:  # a purchase too, the fast path included
            sub_client.incoming_phone_numbers.create(area_code="415", **kwargs)
        assert (e.value.status, e.value.code) == (400, 21420), kwargs
    assert sub_client.incoming_phone_numbers(n.sid).fetch().friendly_name == n.friendly_name
    # a purchase of a named free number (the one-statement path) is checked as well
    free = sub_client.available_phone_numbers("US").local.list(area_code="212", limit=1)[0].phone_number
    with pytest.raises(TwilioRestException) as e:
        sub_client.incoming_phone_numbers.create(phone_number=free, voice_application_sid=stranger.sid)
    assert e.value.code == 21420
    assert sub_client.incoming_phone_numbers.list(phone_number=free) == []

    u = sub_client.incoming_phone_numbers(n.sid).update(voice_application_sid=mine.sid, sms_application_sid=mine.sid)
    assert (u.voice_application_sid, u.sms_application_sid) == (mine.sid, mine.sid)
    bought = sub_client.incoming_phone_numbers.create(phone_number=free, sms_application_sid=mine.sid)
    assert bought.sms_application_sid == mine.sid and bought.voice_application_sid == ""
    cleared = sub_client.incoming_phone_numbers(n.sid).update(voice_application_sid="")
    assert (cleared.voice_application_sid, cleared.sms_application_sid) == ("", mine.sid)


def test_deleting_an_application_clears_its_numbers(sub_client):
    app = sub_client.applications.create()
    keep = sub_client.applications.create()
    a = sub_client.incoming_phone_numbers.create(area_code="303", voice_application_sid=app.sid, sms_application_sid=keep.sid)
    b = sub_client.incoming_phone_numbers.create(area_code="303", sms_application_sid=app.sid)
    c = sub_client.incoming_phone_numbers.create(area_code="303", voice_application_sid=keep.sid)
    sub_client.applications(app.sid).delete()
    a2, b2, c2 = (sub_client.incoming_phone_numbers(x.sid).fetch() for x in (a, b, c))
    assert (a2.voice_application_sid, a2.sms_application_sid) == ("", keep.sid)
    assert (b2.voice_application_sid, b2.sms_application_sid) == ("", "")
    assert (c2.voice_application_sid, c2.date_updated) == (keep.sid, c.date_updated)
    assert a2.date_updated >= a.date_updated and b2.date_updated >= b.date_updated
    with pytest.raises(TwilioRestException) as e:
        sub_client.incoming_phone_numbers(c.sid).update(sms_application_sid=app.sid)
    assert e.value.code == 21420


def test_moving_a_number_clears_its_applications(server, client):
    parent_app = client.applications.create()
    n = client.incoming_phone_numbers.create(area_code="404", voice_application_sid=parent_app.sid,
                                             sms_application_sid=parent_app.sid)
    sub = client.api.v2010.accounts.create()
    moved = client.incoming_phone_numbers(n.sid).update(account_sid=sub.sid)
    assert (moved.account_sid, moved.voice_application_sid, moved.sms_application_sid) == (sub.sid, "", "")
    sub_client = server.client(sub.sid, sub.auth_token)
    with pytest.raises(TwilioRestException) as e:  # the parent's application is a stranger's to the sub
        sub_client.incoming_phone_numbers(n.sid).update(voice_application_sid=parent_app.sid)
    assert e.value.code == 21420
    sub_app = sub_client.applications.create()
    as_parent = client.api.v2010.accounts(sub.sid).incoming_phone_numbers(n.sid)  # only the parent moves it back
    with pytest.raises(TwilioRestException) as e:  # checked against the account it moves to
        as_parent.update(account_sid=server.account_sid, voice_application_sid=sub_app.sid)
    assert e.value.code == 21420
    back = as_parent.update(account_sid=server.account_sid, voice_application_sid=parent_app.sid)
    assert (back.account_sid, back.voice_application_sid, back.sms_application_sid) == (server.account_sid, parent_app.sid, "")

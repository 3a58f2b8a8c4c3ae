"""Accounts and subaccounts through the official SDK."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from twilio.base.exceptions import TwilioRestException

HEX32 = re.compile(r"^[0-9a-f]{32}$")


def test_main_account_fetch_has_spec_fields(server, client):
    a = client.api.v2010.accounts(server.account_sid).fetch()
    assert a.sid == server.account_sid
    assert a.auth_token == server.auth_token
    assert a.owner_account_sid == server.account_sid
    assert a.status == "active"
    assert a.type == "Full"
    assert isinstance(a.date_created, dt.datetime) and a.date_created.tzinfo is not None
    assert a.uri == f"/2010-04-01/Accounts/{server.account_sid}.json"
    assert a.subresource_uris["incoming_phone_numbers"] == f"/2010-04-01/Accounts/{a.sid}/IncomingPhoneNumbers.json"
    assert a.subresource_uris["available_phone_numbers"] == f"/2010-04-01/Accounts/{a.sid}/AvailablePhoneNumbers.json"
    # only what numberpool serves: Twilio's calls, messages, queues, ... would answer 404
    assert set(a.subresource_uris) == {"applications", "calls", "incoming_phone_numbers", "available_phone_numbers", "keys",
                                       "messages"}


def test_subresource_uris_lead_to_real_paths(server, http):
    body = http.get(f"/2010-04-01/Accounts/{server.account_sid}.json").json()
    for key, uri in body["subresource_uris"].items():
        r = http.get(uri)
        assert r.status_code == 200, (key, r.text)


def test_create_subaccount(server, client):
    sub = client.api.v2010.accounts.create(friendly_name="billing team")
    assert sub.sid.startswith("AC") and sub.sid != server.account_sid
    assert sub.friendly_name == "billing team"
    assert sub.owner_account_sid == server.account_sid
    assert HEX32.match(sub.auth_token) and sub.auth_token != server.auth_token
    assert sub.status == "active"
    # the new credentials work on their own
    own = server.client(sub.sid, sub.auth_token).api.v2010.accounts(sub.sid).fetch()
    assert own.sid == sub.sid


def test_create_subaccount_default_name(client):
    sub = client.api.v2010.accounts.create()
    assert sub.friendly_name.startswith("SubAccount Created at ")


def test_list_shows_self_and_subaccounts_with_filters(server, client):
    a = client.api.v2010.accounts.create(friendly_name="list-filter-a")
    b = client.api.v2010.accounts.create(friendly_name="list-filter-b")
    sids = {x.sid for x in client.api.v2010.accounts.list()}
    assert {server.account_sid, a.sid, b.sid} <= sids
    named = client.api.v2010.accounts.list(friendly_name="list-filter-a")
    assert [x.sid for x in named] == [a.sid]
    client.api.v2010.accounts(b.sid).update(status="suspended")
    suspended = {x.sid for x in client.api.v2010.accounts.list(status="suspended")}
    assert b.sid in suspended and a.sid not in suspended
    # a subaccount lists only itself
    own = [x.sid for x in server.client(a.sid, a.auth_token).api.v2010.accounts.list()]
    assert own == [a.sid]


def test_paging_accounts(server, client):
    made = [client.api.v2010.accounts.create(friendly_name="paging-acc").sid for _ in range(5)]
    got = [x.sid for x in client.api.v2010.accounts.list(friendly_name="paging-acc", page_size=2)]
    assert got == made  # creation order, every record once, across three pages


def test_update_friendly_name(client, subaccount):
    updated = client.api.v2010.accounts(subaccount.sid).update(friendly_name="renamed")
    assert updated.friendly_name == "renamed"
    assert client.api.v2010.accounts(subaccount.sid).fetch().friendly_name == "renamed"


def test_friendly_name_too_long(client, subaccount):
    with pytest.raises(TwilioRestException) as e:
        client.api.v2010.accounts(subaccount.sid).update(friendly_name="x" * 65)
    assert e.value.status == 400 and e.value.code == 20001
    assert "FriendlyName" in e.value.msg


def test_bad_status_value(client, subaccount):
    with pytest.raises(TwilioRestException) as e:
        client.api.v2010.accounts(subaccount.sid).update(status="sleeping")
    assert e.value.status == 400 and "Status" in e.value.msg


def test_suspended_account_cannot_authenticate_until_reactivated(server, client, subaccount):
    sub_client = server.client(subaccount.sid, subaccount.auth_token)
    client.api.v2010.accounts(subaccount.sid).update(status="suspended")
    with pytest.raises(TwilioRestException) as e:
        sub_client.api.v2010.accounts(subaccount.sid).fetch()
    assert e.value.code == 20005
    # the parent still reaches it, and can reactivate it
    assert client.api.v2010.accounts(subaccount.sid).fetch().status == "suspended"
    client.api.v2010.accounts(subaccount.sid).update(status="active")
    assert sub_client.api.v2010.accounts(subaccount.sid).fetch().status == "active"


def test_closed_account_is_final_and_releases_numbers(server, client, subaccount):
    n = client.api.v2010.accounts(subaccount.sid).incoming_phone_numbers.create(area_code="212")
    client.api.v2010.accounts(subaccount.sid).update(status="closed")
    with pytest.raises(TwilioRestException) as e:
        client.api.v2010.accounts(subaccount.sid).update(status="active")
    assert e.value.status == 400 and e.value.code == 20001
    with pytest.raises(TwilioRestException) as e:
        server.client(subaccount.sid, subaccount.auth_token).api.v2010.accounts(subaccount.sid).fetch()
    assert e.value.code == 20005
    # the number went back to the inventory: another account can buy it
    other = client.api.v2010.accounts.create()
    again = client.api.v2010.accounts(other.sid).incoming_phone_numbers.create(phone_number=n.phone_number)
    assert again.account_sid == other.sid


def test_account_cannot_change_its_own_status(server, subaccount):
    sub = server.client(subaccount.sid, subaccount.auth_token)
    with pytest.raises(TwilioRestException) as e:
        sub.api.v2010.accounts(subaccount.sid).update(status="suspended")
    assert e.value.status == 403


def test_subaccount_cannot_create_subaccounts(server, subaccount):
    with pytest.raises(TwilioRestException) as e:
        server.client(subaccount.sid, subaccount.auth_token).api.v2010.accounts.create(friendly_name="x")
    assert e.value.status == 403


def test_isolation_answers_exactly_as_not_found(server, client):
    a = client.api.v2010.accounts.create(friendly_name="iso-a")
    b = client.api.v2010.accounts.create(friendly_name="iso-b")
    a_client = server.client(a.sid, a.auth_token)
    number = client.api.v2010.accounts(b.sid).incoming_phone_numbers.create(area_code="646")
    missing_acc = "AC" + "0" * 32
    missing_pn = "PN" + "0" * 32
    probes = [
        (f"/2010-04-01/Accounts/{b.sid}.json", f"/2010-04-01/Accounts/{missing_acc}.json"),
        (f"/2010-04-01/Accounts/{server.account_sid}.json", f"/2010-04-01/Accounts/{missing_acc}.json"),
        (
            f"/2010-04-01/Accounts/{b.sid}/IncomingPhoneNumbers/{number.sid}.json",
            f"/2010-04-01/Accounts/{missing_acc}/IncomingPhoneNumbers/{missing_pn}.json",
        ),
        (
            f"/2010-04-01/Accounts/{a.sid}/IncomingPhoneNumbers/{number.sid}.json",
            f"/2010-04-01/Accounts/{a.sid}/IncomingPhoneNumbers/{missing_pn}.json",
        ),
    ]
    with server.http(a.sid, a.auth_token) as h:
        for hidden, absent in probes:
            r1, r2 = h.get(hidden), h.get(absent)
            assert r1.status_code == r2.status_code == 404
            b1, b2 = r1.json(), r2.json()
            assert b1["code"] == b2["code"] == 20404
            assert b1["message"] == f"The requested resource {hidden} was not found"
            assert set(b1) == set(b2) == {"code", "message", "more_info", "status"}
    with pytest.raises(TwilioRestException) as e:
        a_client.api.v2010.accounts(b.sid).incoming_phone_numbers(number.sid).delete()
    assert e.value.status == 404
    # nothing changed for the owner
    assert client.api.v2010.accounts(b.sid).incoming_phone_numbers(number.sid).fetch().sid == number.sid


def test_parent_reaches_subaccount_resources(client, subaccount):
    n = client.api.v2010.accounts(subaccount.sid).incoming_phone_numbers.create(area_code="312")
    assert n.account_sid == subaccount.sid
    got = client.api.v2010.accounts(subaccount.sid).incoming_phone_numbers(n.sid).fetch()
    assert got.phone_number == n.phone_number

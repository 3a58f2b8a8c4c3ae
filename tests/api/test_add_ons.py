"""A number's AssignedAddOns: the link every IncomingPhoneNumber gives resolves, through the SDK."""

from __future__ import annotations

import pytest
from twilio.base.exceptions import TwilioRestException


def _not_found(call) -> TwilioRestException:
    with pytest.raises(TwilioRestException) as e:
        call()
    assert (e.value.status, e.value.code) == (404, 20404)
    return e.value


def test_the_assigned_add_ons_link_resolves_to_an_empty_list(server, sub_client, subaccount):
    n = sub_client.incoming_phone_numbers.create(area_code="415")
    with server.http(subaccount.sid, subaccount.auth_token) as h:
        link = h.get(f"/2010-04-01/Accounts/{subaccount.sid}/IncomingPhoneNumbers/{n.sid}.json").json()[
            "subresource_uris"]["assigned_add_ons"]
    assert link == f"/2010-04-01/Accounts/{subaccount.sid}/IncomingPhoneNumbers/{n.sid}/AssignedAddOns.json"
    add_ons = sub_client.incoming_phone_numbers(n.sid).assigned_add_ons
    assert add_ons.list() == []
    with server.http(subaccount.sid, subaccount.auth_token) as h:
        page = h.get(link, params={"PageSize": 5}).json()
    assert page["assigned_add_ons"] == [] and page["page_size"] == 5 and page["next_page_uri"] is None
    assert page["uri"] == link + "?PageSize=5&Page=0"
    err = _not_found(lambda: add_ons.create(installed_add_on_sid="XE" + "0" * 32))
    assert "Marketplace" in err.msg
    _not_found(lambda: add_ons("XE" + "1" * 32).fetch())
    _not_found(lambda: add_ons("XE" + "1" * 32).delete())
    assert add_ons("XE" + "1" * 32).extensions.list() == []  # an empty collection, as the list above
    with server.http(subaccount.sid, subaccount.auth_token) as h:
        ext = h.get(link.replace(".json", f"/XE{'1' * 32}/Extensions.json")).json()
        assert ext["extensions"] == [] and ext["uri"].startswith(link.replace(".json", f"/XE{'1' * 32}/Extensions.json?"))
        r = h.get(link.replace(".json", "/nonsense/Extensions.json"))  # the SDK raises a bare TwilioException on a list's 404
        assert (r.status_code, r.json()["code"]) == (404, 20404)
    _not_found(lambda: add_ons("XE" + "1" * 32).extensions("XF" + "2" * 32).fetch())
    with server.http(subaccount.sid, subaccount.auth_token) as h:
        r = h.post(link, data={})
        assert (r.status_code, r.json()["code"]) == (400, 20001)


def test_another_accounts_number_has_no_add_ons_to_show(server, client, sub_client):
    n = sub_client.incoming_phone_numbers.create(area_code="415")
    other = client.api.v2010.accounts.create(friendly_name="other")
    with server.http(other.sid, other.auth_token) as h:
        for account in (n.account_sid, other.sid):
            r = h.get(f"/2010-04-01/Accounts/{account}/IncomingPhoneNumbers/{n.sid}/AssignedAddOns.json")
            assert (r.status_code, r.json()["code"]) == (404, 20404)
    with server.http() as parent:  # the owner's parent sees the list
        r = parent.get(f"/2010-04-01/Accounts/{n.account_sid}/IncomingPhoneNumbers/{n.sid}/AssignedAddOns.json")
        assert r.status_code == 200 and r.json()["assigned_add_ons"] == []

"""API keys: create one (its secret shown once), authenticate with its SID and secret wherever its
account's credentials work, except managing accounts and keys (403, 70051), and revoke it."""

from __future__ import annotations

import hashlib

import pytest
import sqlalchemy as sa
from twilio.base.exceptions import TwilioRestException

import numberpool


def key_client(server, key, account_sid):
    return numberpool.client(server.base_url, key.sid, key.secret, account_sid=account_sid)


def _error(call) -> tuple[int, int]:
    with pytest.raises(TwilioRestException) as e:
        call()
    return e.value.status, e.value.code


def test_key_lifecycle(server, sub_client, subaccount):
    k = sub_client.new_keys.create(friendly_name="ci")
    assert k.sid.startswith("SK") and len(k.sid) == 34 and len(k.secret) == 32 and k.friendly_name == "ci"
    assert k.date_created is not None
    got = sub_client.keys(k.sid).fetch()
    assert (got.sid, got.friendly_name) == (k.sid, "ci") and not hasattr(got, "secret")
    with server.http(subaccount.sid, subaccount.auth_token) as h:
        body = h.get(f"/2010-04-01/Accounts/{subaccount.sid}/Keys/{k.sid}.json").json()
        assert set(body) == {"sid", "friendly_name", "date_created", "date_updated"}  # the secret: only when made
        page = h.get(f"/2010-04-01/Accounts/{subaccount.sid}/Keys.json", params={"PageSize": 1}).json()
        assert [x["sid"] for x in page["keys"]] == [k.sid] and page["page_size"] == 1
        r = h.post(f"/2010-04-01/Accounts/{subaccount.sid}/Keys.json", data={"FriendlyName": "x" * 65})
        assert (r.status_code, r.json()["code"]) == (400, 20001)
    assert sub_client.keys(k.sid).update(friendly_name="renamed").friendly_name == "renamed"
    other = sub_client.new_keys.create()
    assert other.friendly_name is None and other.secret != k.secret
    assert {x.sid for x in sub_client.keys.list()} == {k.sid, other.sid}
    assert sub_client.keys(other.sid).delete() is True
    assert _error(lambda: sub_client.keys(other.sid).fetch()) == (404, 20404)
    if server.db_url.startswith("sqlite"):  # the secret itself is stored nowhere, only its digest
        engine = sa.create_engine(server.db_url)
        with engine.connect() as conn:
            stored = conn.execute(sa.text("SELECT secret_hash FROM api_keys WHERE sid = :s"), {"s": k.sid}).scalar()
        engine.dispose()
        assert stored == hashlib.sha256(k.secret.encode()).hexdigest() and k.secret not in stored


def test_a_key_authenticates_as_its_account(server, sub_client, subaccount):
    k = sub_client.new_keys.create(friendly_name="app")
    c = key_client(server, k, subaccount.sid)
    n = c.incoming_phone_numbers.create(area_code="415")
    assert n.account_sid == subaccount.sid
    assert c.incoming_phone_numbers(n.sid).update(friendly_name="by key").friendly_name == "by key"
    assert c.messaging.v1.services.create(friendly_name="by key").account_sid == subaccount.sid
    assert [x.sid for x in c.incoming_phone_numbers.list()] == [n.sid]
    # a Standard key may not manage accounts or keys: 403, 70051
    assert _error(lambda: c.api.v2010.accounts(subaccount.sid).fetch()) == (403, 70051)
    assert _error(lambda: c.api.v2010.accounts.create(friendly_name="no")) == (403, 70051)
    assert _error(lambda: c.new_keys.create()) == (403, 70051)
    assert _error(lambda: c.keys(k.sid).fetch()) == (403, 70051)
    with server.http(k.sid, k.secret) as h:
        r = h.get(f"/2010-04-01/Accounts/{subaccount.sid}/Keys.json")
        assert (r.status_code, r.json()["code"]) == (403, 70051)
        r = h.get("/numberpool/v1/State")
        assert (r.status_code, r.json()["code"]) == (403, 70051)
        r = h.get("/2010-04-01/Accounts.json")
        assert (r.status_code, r.json()["code"]) == (403, 70051)
    # wrong secrets, someone else's account, and deletion
    assert _error(lambda: numberpool.client(server.base_url, k.sid, "x" * 32, account_sid=subaccount.sid)
                  .incoming_phone_numbers(n.sid).fetch()) == (401, 20003)
    assert _error(lambda: numberpool.client(server.base_url, "SK" + "0" * 32, k.secret, account_sid=subaccount.sid)
                  .incoming_phone_numbers(n.sid).fetch()) == (401, 20003)
    assert _error(lambda: key_client(server, k, server.account_sid).incoming_phone_numbers(n.sid).fetch())[0] == 404
    sub_client.keys(k.sid).delete()
    assert _error(lambda: c.incoming_phone_numbers(n.sid).fetch()) == (401, 20003)  # revoked at once


def test_a_key_of_a_closed_or_suspended_account_is_refused(server, client):
    sub = client.api.v2010.accounts.create(friendly_name="to suspend")
    k = server.client(sub.sid, sub.auth_token).new_keys.create()
    c = key_client(server, k, sub.sid)
    assert c.incoming_phone_numbers.list() == []
    client.api.v2010.accounts(sub.sid).update(status="suspended")
    assert _error(lambda: c.incoming_phone_numbers.create(area_code="415")) == (401, 20005)
    client.api.v2010.accounts(sub.sid).update(status="closed")
    assert _error(lambda: c.incoming_phone_numbers.create(area_code="415")) == (403, 20005)

"""Releasing, transferring and closing take a number out of every pool in the same transaction."""

from __future__ import annotations

import pytest
from twilio.base.exceptions import TwilioRestException


def in_all_pools(c):
    n = c.incoming_phone_numbers.create(area_code="415")
    mg = c.messaging.v1.services.create(friendly_name="cascade")
    tk = c.trunking.v1.trunks.create(friendly_name="cascade")
    ks = c.proxy.v1.services.create(unique_name=f"cascade-{n.sid}")
    c.proxy.v1.services(ks.sid).phone_numbers.create(sid=n.sid)  # proxy first: messaging may follow
    c.messaging.v1.services(mg.sid).phone_numbers.create(phone_number_sid=n.sid)
    c.trunking.v1.trunks(tk.sid).phone_numbers.create(phone_number_sid=n.sid)
    return n, mg.sid, tk.sid, ks.sid


def assert_in_no_pool(c, n, mg, tk, ks):
    assert c.messaging.v1.services(mg).phone_numbers.list() == []
    assert c.trunking.v1.trunks(tk).phone_numbers.list() == []
    assert c.proxy.v1.services(ks).phone_numbers.list() == []
    for fetch in (
        c.messaging.v1.services(mg).phone_numbers(n.sid).fetch,
        c.trunking.v1.trunks(tk).phone_numbers(n.sid).fetch,
        c.proxy.v1.services(ks).phone_numbers(n.sid).fetch,
    ):
        with pytest.raises(TwilioRestException) as e:
            fetch()
        assert e.value.status == 404


def test_release_leaves_every_pool(sub_client):
    n, mg, tk, ks = in_all_pools(sub_client)
    sub_client.incoming_phone_numbers(n.sid).delete()
    assert_in_no_pool(sub_client, n, mg, tk, ks)


def test_transfer_leaves_the_old_accounts_pools(client, server):
    sub = client.api.v2010.accounts.create()
    sc = server.client(sub.sid, sub.auth_token)
    n, mg, tk, ks = in_all_pools(sc)
    moved = client.api.v2010.accounts(sub.sid).incoming_phone_numbers(n.sid).update(account_sid=server.account_sid)
    assert moved.account_sid == server.account_sid and moved.trunk_sid is None
    assert_in_no_pool(sc, n, mg, tk, ks)
    # in its new account it can join that account's pools
    mine = client.messaging.v1.services.create(friendly_name="new home")
    assert client.messaging.v1.services(mine.sid).phone_numbers.create(phone_number_sid=n.sid).sid == n.sid


def test_closing_an_account_releases_out_of_pools(client, server):
    sub = client.api.v2010.accounts.create()
    sc = server.client(sub.sid, sub.auth_token)
    n, _mg, _tk, _ks = in_all_pools(sc)
    client.api.v2010.accounts(sub.sid).update(status="closed")
    # the number is back in the inventory and free to join pools elsewhere
    again = client.incoming_phone_numbers.create(phone_number=n.phone_number)
    mine = client.proxy.v1.services.create(unique_name=f"after-close-{n.sid}")
    assert client.proxy.v1.services(mine.sid).phone_numbers.create(sid=again.sid).sid == again.sid


def test_deleting_parents_keeps_numbers(sub_client):
    n, mg, tk, ks = in_all_pools(sub_client)
    sub_client.messaging.v1.services(mg).delete()
    sub_client.trunking.v1.trunks(tk).delete()
    sub_client.proxy.v1.services(ks).delete()
    kept = sub_client.incoming_phone_numbers(n.sid).fetch()
    assert kept.sid == n.sid and kept.trunk_sid is None

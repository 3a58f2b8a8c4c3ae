"""Trunking v1 Trunks/{TrunkSid}/OriginationUrls: CRUD, paging, account scoping, validation, cascade."""

from __future__ import annotations

import datetime

import pytest
import sqlalchemy as sa
from twilio.base.exceptions import TwilioException, TwilioRestException

UNKNOWN_OU = "OU" + "0" * 32


def _not_found(call) -> None:
    """20404; a list's page raises TwilioException carrying the response, the rest TwilioRestException."""
    with pytest.raises(TwilioException) as e:
        call()
    if isinstance(e.value, TwilioRestException):
        assert (e.value.status, e.value.code) == (404, 20404)
    else:
        response = e.value.args[1]
        assert response.status_code == 404 and '"code":20404' in response.text.replace(" ", "")


def _create(c, tk, **kw):
    args = {"weight": 1, "priority": 1, "enabled": True, "friendly_name": "x", "sip_url": "sip:a@example.com", **kw}
    return c.trunking.v1.trunks(tk).origination_urls.create(**args)


def test_origination_url_crud(server, sub_client, subaccount):
    tk = sub_client.trunking.v1.trunks.create(friendly_name="pbx").sid
    o = _create(sub_client, tk, weight=10, priority=0, enabled=False, friendly_name="edge",
                sip_url="sip://sip-box.com:1234")
    assert o.sid.startswith("OU") and len(o.sid) == 34
    assert (o.account_sid, o.trunk_sid) == (subaccount.sid, tk)
    assert (o.weight, o.priority, o.enabled, o.friendly_name, o.sip_url) == (10, 0, False, "edge", "sip://sip-box.com:1234")
    assert isinstance(o.date_created, datetime.datetime) and isinstance(o.date_updated, datetime.datetime)
    assert o.url == f"{server.base_url}/trunking/v1/Trunks/{tk}/OriginationUrls/{o.sid}"

    got = sub_client.trunking.v1.trunks(tk).origination_urls(o.sid).fetch()
    assert (got.sid, got.weight, got.priority, got.enabled, got.friendly_name, got.sip_url, got.url) == (
        o.sid, 10, 0, False, "edge", "sip://sip-box.com:1234", o.url)

    u = sub_client.trunking.v1.trunks(tk).origination_urls(o.sid).update(
        weight=65535, enabled=True, sip_url="sip:b@example.org", friendly_name="edge2")
    assert (u.weight, u.priority, u.enabled, u.friendly_name, u.sip_url) == (65535, 0, True, "edge2", "sip:b@example.org")
    assert u.date_created == o.date_created
    unchanged = sub_client.trunking.v1.trunks(tk).origination_urls(o.sid).update(priority=7)
    assert (unchanged.weight, unchanged.priority, unchanged.friendly_name) == (65535, 7, "edge2")

    assert [x.sid for x in sub_client.trunking.v1.trunks(tk).origination_urls.list()] == [o.sid]
    assert sub_client.trunking.v1.trunks(tk).origination_urls(o.sid).delete() is True
    with pytest.raises(TwilioRestException) as e:
        sub_client.trunking.v1.trunks(tk).origination_urls(o.sid).fetch()
    assert (e.value.status, e.value.code) == (404, 20404)
    with pytest.raises(TwilioRestException) as e:
        sub_client.trunking.v1.trunks(tk).origination_urls(o.sid).delete()
    assert e.value.status == 404
    assert sub_client.trunking.v1.trunks(tk).origination_urls.list() == []


def test_list_envelope_and_paging(server, subaccount, sub_client):
    tk = sub_client.trunking.v1.trunks.create().sid
    other = sub_client.trunking.v1.trunks.create().sid
    made = [_create(sub_client, tk, friendly_name=f"u{i}").sid for i in range(5)]
    _create(sub_client, other)
    urls = sub_client.trunking.v1.trunks(tk).origination_urls
    assert [x.sid for x in urls.list()] == made
    assert [x.sid for x in urls.list(page_size=2)] == made
    page = urls.page(page_size=2)
    assert [x.sid for x in page] == made[:2]
    nxt = page.next_page()
    assert [x.sid for x in nxt] == made[2:4]
    assert [x.sid for x in nxt.previous_page()] == made[:2]
    last = nxt.next_page()
    assert [x.sid for x in last] == made[4:] and last.next_page() is None
    with server.http(subaccount.sid, subaccount.auth_token) as h:
        body = h.get(f"/trunking/v1/Trunks/{tk}/OriginationUrls", params={"PageSize": 2}).json()
        assert set(body) == {"origination_urls", "meta"}
        assert [x["sid"] for x in body["origination_urls"]] == made[:2]
        meta = body["meta"]
        assert (meta["key"], meta["page"], meta["page_size"]) == ("origination_urls", 0, 2)
        assert meta["url"].startswith(f"{server.base_url}/trunking/v1/Trunks/{tk}/OriginationUrls")
        assert meta["next_page_url"] and "PageToken=" in meta["next_page_url"]
        item = body["origination_urls"][0]
        assert list(item) == ["account_sid", "sid", "trunk_sid", "weight", "enabled", "sip_url", "friendly_name",
                              "priority", "date_created", "date_updated", "url"]
        assert item["date_created"].endswith("Z") and "T" in item["date_created"]


def test_another_accounts_trunk_is_not_found(server, client):
    a = client.api.v2010.accounts.create()
    b = client.api.v2010.accounts.create()
    ac, bc = server.client(a.sid, a.auth_token), server.client(b.sid, b.auth_token)
    a_trunk = ac.trunking.v1.trunks.create().sid
    b_trunk = bc.trunking.v1.trunks.create().sid
    o = _create(ac, a_trunk)
    calls = [
        lambda: _create(bc, a_trunk),
        lambda: bc.trunking.v1.trunks(a_trunk).origination_urls.list(),
        lambda: bc.trunking.v1.trunks(a_trunk).origination_urls(o.sid).fetch(),
        lambda: bc.trunking.v1.trunks(a_trunk).origination_urls(o.sid).update(weight=5),
        lambda: bc.trunking.v1.trunks(a_trunk).origination_urls(o.sid).delete(),
        # its own trunk does not make another trunk's OriginationUrl reachable
        lambda: bc.trunking.v1.trunks(b_trunk).origination_urls(o.sid).fetch(),
        lambda: bc.trunking.v1.trunks(b_trunk).origination_urls(o.sid).delete(),
        lambda: ac.trunking.v1.trunks("TK" + "0" * 32).origination_urls.list(),
        lambda: ac.trunking.v1.trunks(a_trunk).origination_urls(UNKNOWN_OU).fetch(),
        lambda: ac.trunking.v1.trunks(a_trunk).origination_urls("nope").fetch(),
    ]
    for call in calls:
        _not_found(call)
    after = ac.trunking.v1.trunks(a_trunk).origination_urls(o.sid).fetch()
    assert after.weight == 1
    assert bc.trunking.v1.trunks(b_trunk).origination_urls.list() == []


@pytest.mark.parametrize(
    "form, code",
    [
        ({"SipUrl": "https://example.com"}, 21245),
        ({"SipUrl": "sips:a@example.com"}, 21245),
        ({"SipUrl": "tel:+14155550100"}, 21245),
        ({"SipUrl": "sip:"}, 21245),
        ({"SipUrl": "example.com"}, 21245),
        ({"Weight": "65536"}, 20001),
        ({"Weight": "-1"}, 20001),
        ({"Weight": "heavy"}, 20001),
        ({"Priority": "70000"}, 20001),
        ({"Enabled": "yes"}, 20001),
        ({"FriendlyName": "z" * 65}, 20001),
        ({"SipUrl": ""}, 20001),
        ({"Weight": None}, 20001),
        ({"Priority": None}, 20001),
        ({"Enabled": None}, 20001),
        ({"FriendlyName": None}, 20001),
        ({"SipUrl": None}, 20001),
    ],
)
def test_validation(server, subaccount, sub_client, form, code):
    tk = sub_client.trunking.v1.trunks.create().sid
    good = {"Weight": "1", "Priority": "1", "Enabled": "true", "FriendlyName": "x", "SipUrl": "sip:a@example.com"}
    data = {k: v for k, v in {**good, **form}.items() if v is not None}
    path = f"/trunking/v1/Trunks/{tk}/OriginationUrls"
    with server.http(subaccount.sid, subaccount.auth_token) as h:
        r = h.post(path, data=data)
        assert (r.status_code, r.json()["code"]) == (400, code), r.text
        listed = h.get(path)
        assert listed.json()["origination_urls"] == [], listed.text
        sid = h.post(path, data=good).json()["sid"]
        update = {k: v for k, v in form.items() if v is not None}
        if update:
            r = h.post(f"{path}/{sid}", data=update)
            assert (r.status_code, r.json()["code"]) == (400, code), r.text
            assert {k: h.get(f"{path}/{sid}").json()[k] for k in ("weight", "priority", "enabled", "friendly_name", "sip_url")} == {
                "weight": 1, "priority": 1, "enabled": True, "friendly_name": "x", "sip_url": "sip:a@example.com"}


def test_sdk_refuses_bad_values_with_the_code(sub_client):
    tk = sub_client.trunking.v1.trunks.create().sid
    with pytest.raises(TwilioRestException) as e:
        _create(sub_client, tk, sip_url="http://example.com")
    assert (e.value.status, e.value.code) == (400, 21245)
    with pytest.raises(TwilioRestException) as e:
        _create(sub_client, tk, weight=65536)
    assert (e.value.status, e.value.code) == (400, 20001)
    assert sub_client.trunking.v1.trunks(tk).origination_urls.list() == []


def test_deleting_the_trunk_deletes_its_origination_urls(server, subaccount, sub_client):
    tk = sub_client.trunking.v1.trunks.create().sid
    keep = sub_client.trunking.v1.trunks.create().sid
    gone = [_create(sub_client, tk).sid for _ in range(3)]
    kept = _create(sub_client, keep).sid
    n = sub_client.incoming_phone_numbers.create(area_code="415", trunk_sid=tk)  # numbers leave it too
    assert sub_client.trunking.v1.trunks(tk).delete() is True
    assert sub_client.incoming_phone_numbers(n.sid).fetch().trunk_sid is None
    for sid in gone:
        with pytest.raises(TwilioRestException) as e:
            sub_client.trunking.v1.trunks(tk).origination_urls(sid).fetch()
        assert e.value.status == 404
    _not_found(lambda: sub_client.trunking.v1.trunks(tk).origination_urls.list())
    assert [x.sid for x in sub_client.trunking.v1.trunks(keep).origination_urls.list()] == [kept]
    # the rows are gone, not merely unreachable
    engine = sa.create_engine(server.db_url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with engine.connect() as conn:
            left = conn.execute(sa.text("SELECT sid FROM origination_urls WHERE trunk_sid = :t"), {"t": tk}).all()
    finally:
        engine.dispose()
    assert left == []

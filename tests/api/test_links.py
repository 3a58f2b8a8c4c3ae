"""Every link the server gives resolves: each ``uri``, ``url``, ``subresource_uris`` and ``links``
value of every resource type (and of their list envelopes), followed through the SDK's own host
rewriting (relative 2010-04-01 URIs on api.twilio.com, absolute v1 URLs as given)."""

from __future__ import annotations

from typing import Any

import pytest

KEYS = {"uri", "url", "first_page_uri", "next_page_uri", "previous_page_uri", "first_page_url", "next_page_url",
        "previous_page_url"}


def links_in(node: Any, found: set[str]) -> set[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key in KEYS and isinstance(value, str):
                found.add(value)
            elif key in ("subresource_uris", "links") and isinstance(value, dict):
                found.update(v for v in value.values() if isinstance(v, str))
            else:
                links_in(value, found)
    elif isinstance(node, list):
        for value in node:
            links_in(value, found)
    return found


@pytest.fixture
def everything(server, client, subaccount, sub_client):
    """One of every resource type numberpool serves, under a subaccount."""
    c = sub_client
    app = c.applications.create(friendly_name="links")
    n = c.incoming_phone_numbers.create(area_code="415", sms_application_sid=app.sid)
    m = c.incoming_phone_numbers.create(area_code="212")
    svc = c.messaging.v1.services.create(friendly_name="links")
    svc.phone_numbers.create(phone_number_sid=n.sid)
    t = c.trunking.v1.trunks.create(friendly_name="links")
    t.phone_numbers.create(phone_number_sid=m.sid)
    ou = t.origination_urls.create(weight=1, priority=1, enabled=True, friendly_name="o", sip_url="sip:o.example.com")
    k = c.proxy.v1.services.create(unique_name=f"links-{subaccount.sid}")
    p = c.incoming_phone_numbers.create(area_code="646")
    k.phone_numbers.create(sid=p.sid)
    a = f"/2010-04-01/Accounts/{subaccount.sid}"
    with server.http(subaccount.sid, subaccount.auth_token) as h:
        sms = h.post("/numberpool/v1/InboundMessages", data={"To": n.phone_number, "From": "+12125551234"}).json()
        call = h.post("/numberpool/v1/InboundCalls", data={"To": m.phone_number, "From": "+12125551234"}).json()
    return [
        f"{a}.json", "/2010-04-01/Accounts.json", f"{a}/IncomingPhoneNumbers.json?PageSize=1",
        f"{a}/IncomingPhoneNumbers/{n.sid}.json", f"{a}/Applications.json", f"{a}/Applications/{app.sid}.json",
        f"{a}/AvailablePhoneNumbers.json", f"{a}/AvailablePhoneNumbers/US.json", f"{a}/AvailablePhoneNumbers/US/Local.json?PageSize=2",
        "/messaging/v1/Services", f"/messaging/v1/Services/{svc.sid}", f"/messaging/v1/Services/{svc.sid}/PhoneNumbers",
        f"/messaging/v1/Services/{svc.sid}/PhoneNumbers/{n.sid}", "/trunking/v1/Trunks", f"/trunking/v1/Trunks/{t.sid}",
        f"/trunking/v1/Trunks/{t.sid}/PhoneNumbers/{m.sid}", f"/trunking/v1/Trunks/{t.sid}/OriginationUrls/{ou.sid}",
        "/proxy/v1/Services", f"/proxy/v1/Services/{k.sid}", f"/proxy/v1/Services/{k.sid}/PhoneNumbers/{p.sid}",
        "/numberpool/v1/InboundMessages", f"/numberpool/v1/InboundMessages/{sms['sid']}", "/numberpool/v1/InboundCalls",
        f"/numberpool/v1/InboundCalls/{call['sid']}",
    ]


def test_every_link_of_every_resource_resolves(server, subaccount, everything):
    with server.http(subaccount.sid, subaccount.auth_token) as h:
        links: set[str] = set()
        for path in everything:
            r = h.get(path)
            assert r.status_code == 200, (path, r.text)
            links_in(r.json(), links)
    assert len(links) > 40
    sdk = server.client(subaccount.sid, subaccount.auth_token)
    for link in sorted(links):
        # the SDK's own request: a relative URI is on api.twilio.com, and the client's host rewriting applies
        uri = link if "://" in link else "https://api.twilio.com" + link
        response = sdk.request("GET", uri)
        assert response.status_code == 200, (link, response.text)

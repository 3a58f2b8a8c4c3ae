"""What the SDKs never send: bad credentials, malformed bodies, unknown paths, odd methods."""

from __future__ import annotations

import base64

import httpx
import pytest

ERROR_KEYS = {"code", "message", "more_info", "status"}


def assert_error(r: httpx.Response, status: int, code: int) -> dict:
    assert r.status_code == status, r.text
    body = r.json()
    assert set(body) == ERROR_KEYS
    assert (body["status"], body["code"]) == (status, code)
    assert body["more_info"] == f"https://www.twilio.com/docs/errors/{code}"
    return body


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer abc"},
        {"Authorization": "Basic !!!notbase64"},
        {"Authorization": "Basic " + base64.b64encode(b"no-colon").decode()},
        {"Authorization": "Basic " + base64.b64encode(b"AC00000000000000000000000000000000:wrong").decode()},
        {"Authorization": "Basic " + base64.b64encode(b"\xff\xfe:\xff").decode()},
    ],
)
def test_bad_credentials(server, headers):
    r = httpx.get(f"{server.base_url}/2010-04-01/Accounts/{server.account_sid}.json", headers=headers)
    body = assert_error(r, 401, 20003)
    assert body["message"] == "Authenticate"
    assert r.headers["www-authenticate"] == 'Basic realm="Twilio API"'


def test_wrong_token_for_real_account(server):
    r = httpx.get(f"{server.base_url}/2010-04-01/Accounts.json", auth=(server.account_sid, server.auth_token + "x"))
    assert_error(r, 401, 20003)


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/favicon.ico",
        "/2010-04-01",
        "/2010-04-01/Accounts/{sid}/Nope.json",
        "/2010-04-01/Accounts/{sid}/IncomingPhoneNumbers/PN0/extra.json",
        "/2010-04-01/Accounts/{sid}/AvailablePhoneNumbers/ZZ.json",
        "/2010-04-01/Accounts/{sid}/AvailablePhoneNumbers/US/Premium.json",
        "/v1/Services",
        "/messaging/v2/Services",
        "/2010-04-01/Accounts/{sid}/IncomingPhoneNumbers/%00.json",
    ],
)
def test_unknown_paths(http, server, path):
    path = path.replace("{sid}", server.account_sid)
    body = assert_error(http.get(path), 404, 20404)
    assert "was not found" in body["message"]


def test_a_2010_path_without_extension_answers_xml(http, server):
    """Twilio's default representation: /2010-04-01/Accounts is the account list, in XML; a path
    that names nothing is a 404 in XML too."""
    import xml.etree.ElementTree as ET

    listed = http.get("/2010-04-01/Accounts")
    assert listed.status_code == 200 and listed.headers["content-type"].startswith("application/xml")
    assert server.account_sid in [e.text for e in ET.fromstring(listed.content).iter("Sid")]
    missing = http.get("/2010-04-01/")
    assert missing.status_code == 404 and ET.fromstring(missing.content).find("RestException/Code").text == "20404"


@pytest.mark.parametrize("method", ["PUT", "PATCH"])
def test_wrong_methods(http, server, method):
    r = http.request(method, f"/2010-04-01/Accounts/{server.account_sid}/IncomingPhoneNumbers.json")
    assert_error(r, 405, 20004)


def test_accounts_have_no_delete(http, server):
    assert_error(http.delete(f"/2010-04-01/Accounts/{server.account_sid}.json"), 405, 20004)


def test_non_form_body_is_rejected(http, server):
    r = http.post(f"/2010-04-01/Accounts/{server.account_sid}/IncomingPhoneNumbers.json", json={"AreaCode": "415"})
    assert_error(r, 400, 20001)


def test_invalid_utf8_body(http, server):
    r = http.post(
        "/2010-04-01/Accounts.json", content=b"FriendlyName=%ff%fe",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert_error(r, 400, 20001)


def test_oversized_body(http, server):
    r = http.post(
        "/2010-04-01/Accounts.json", content=b"FriendlyName=" + b"x" * (2 << 20),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert r.status_code == 413 and r.json()["code"] == 20001


def test_list_get_with_form_content_type_and_empty_body(http, server):
    r = http.get("/2010-04-01/Accounts.json", headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 200


def test_v2010_envelope_has_exactly_the_paging_keys(http, server):
    body = http.get(f"/2010-04-01/Accounts/{server.account_sid}/IncomingPhoneNumbers.json",
                    params={"FriendlyName": "none here", "PageSize": 2}).json()
    assert set(body) == {"incoming_phone_numbers", "first_page_uri", "next_page_uri", "previous_page_uri",
                         "page", "page_size", "start", "end", "uri"}
    base = f"/2010-04-01/Accounts/{server.account_sid}/IncomingPhoneNumbers.json"
    assert body["first_page_uri"] == f"{base}?FriendlyName=none+here&PageSize=2&Page=0"
    assert body["uri"] == body["first_page_uri"]
    assert (body["page"], body["page_size"], body["start"], body["next_page_uri"]) == (0, 2, 0, None)


@pytest.mark.parametrize("token", ["garbage", "PA", "PAAC" + "0" * 32, "PZPN" + "0" * 32, "PAPN" + "0" * 31])
def test_bad_page_token(http, server, token):
    r = http.get(f"/2010-04-01/Accounts/{server.account_sid}/IncomingPhoneNumbers.json", params={"PageToken": token})
    assert_error(r, 400, 21481)


@pytest.mark.parametrize("params", [{"PageSize": "0"}, {"PageSize": "ten"}, {"Page": "-1"}, {"Page": "x"}])
def test_bad_paging_numbers(http, server, params):
    r = http.get(f"/2010-04-01/Accounts/{server.account_sid}/IncomingPhoneNumbers.json", params=params)
    assert_error(r, 400, 20001)


def test_page_size_is_clamped(http, server):
    body = http.get("/2010-04-01/Accounts.json", params={"PageSize": 5000}).json()
    assert body["page_size"] == 1000


def test_page_without_token_is_served_by_offset(http, server):
    body = http.get("/2010-04-01/Accounts.json", params={"PageSize": 1, "Page": 0}).json()
    first = body["accounts"][0]["sid"]
    assert first == server.account_sid or body["accounts"]
    second = http.get("/2010-04-01/Accounts.json", params={"PageSize": 1, "Page": 1}).json()
    assert second["page"] == 1 and second["start"] == 1
    if second["accounts"]:
        assert second["accounts"][0]["sid"] != first


def test_odd_requests_never_500(http, server):
    paths = [
        f"/2010-04-01/Accounts/{server.account_sid}/IncomingPhoneNumbers.json?PageSize=%ff",
        f"/2010-04-01/Accounts/{server.account_sid}/IncomingPhoneNumbers.json?PhoneNumber=%2B%2B%2B",
        f"/2010-04-01/Accounts/{server.account_sid}/AvailablePhoneNumbers/US/Local.json?AreaCode=abc",
        f"/2010-04-01/Accounts/{server.account_sid}/AvailablePhoneNumbers/us/Local.json?Contains=%25%25",
        "/2010-04-01/Accounts/" + "A" * 5000 + ".json",
    ]
    for p in paths:
        for method in ("GET", "POST", "DELETE", "OPTIONS"):
            r = http.request(method, p, content=b"a=%ZZ&&=&b", headers={"Content-Type": "application/x-www-form-urlencoded"})
            assert r.status_code < 500, (method, p, r.text)
            assert set(r.json()) >= {"code", "message"} or r.status_code < 300


def test_nul_characters_are_refused(http, server):
    r = http.post(f"/2010-04-01/Accounts/{server.account_sid}.json", data={"FriendlyName": "a\x00b"})
    assert_error(r, 400, 20001)
    r = http.get(f"/2010-04-01/Accounts/{server.account_sid}/IncomingPhoneNumbers.json", params={"FriendlyName": "\x00"})
    assert_error(r, 400, 20001)


def test_host_based_routing(server, subaccount, sub_client):
    m = sub_client.messaging.v1.services.create(friendly_name="by-host")
    p = sub_client.proxy.v1.services.create(unique_name="by-host")
    port = server.base_url.rsplit(":", 1)[1]
    with server.http(subaccount.sid, subaccount.auth_token) as h:
        via_host = h.get("/v1/Services", headers={"Host": f"messaging.example.test:{port}"}).json()
        assert [x["sid"] for x in via_host["services"]] == [m.sid]
        assert via_host["services"][0]["url"] == f"http://messaging.example.test:{port}/v1/Services/{m.sid}"
        proxied = h.get("/v1/Services", headers={"Host": "proxy.twilio.com"}).json()
        assert [x["sid"] for x in proxied["services"]] == [p.sid]
        assert h.get("/v1/Services", headers={"Host": "api.example.test"}).status_code == 404


def test_a_link_to_the_2010_api_points_at_the_api_host_of_the_domain(server, subaccount, sub_client):
    """As seed 002 shows links.phone_number on api.twilio.com when asked on trunking.twilio.com."""
    t = sub_client.trunking.v1.trunks.create(friendly_name="links")
    n = sub_client.incoming_phone_numbers.create(area_code="415", trunk_sid=t.sid)
    port = server.base_url.rsplit(":", 1)[1]
    ipn = f"/2010-04-01/Accounts/{subaccount.sid}/IncomingPhoneNumbers/{n.sid}.json"
    with server.http(subaccount.sid, subaccount.auth_token) as h:
        by_host = h.get(f"/v1/Trunks/{t.sid}/PhoneNumbers/{n.sid}", headers={"Host": f"trunking.example.test:{port}"}).json()
        assert by_host["links"]["phone_number"] == f"http://api.example.test:{port}{ipn}"
        assert by_host["url"] == f"http://trunking.example.test:{port}/v1/Trunks/{t.sid}/PhoneNumbers/{n.sid}"
        by_prefix = h.get(f"/trunking/v1/Trunks/{t.sid}/PhoneNumbers/{n.sid}").json()
        assert by_prefix["links"]["phone_number"] == f"{server.base_url}{ipn}"  # path prefixes: the same host
        one_label = h.get(f"/v1/Trunks/{t.sid}/PhoneNumbers/{n.sid}", headers={"Host": f"trunking:{port}"}).json()
        assert one_label["links"]["phone_number"] == f"http://trunking:{port}{ipn}"  # no domain to put api. before

"""The 2010-04-01 API in its three representations: every operation answers .json, .xml and .csv
(and XML with no extension); each parses (XML with the standard library's parser, CSV with
``csv``) and carries exactly the values of its JSON; ``&``, ``<`` and quotes are escaped. The v1
products are JSON only."""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET
from typing import Any

import pytest

NASTY = 'R&D <"team"> \'x\''


def pascal(name: str) -> str:
    return {"sms": "SMS", "mms": "MMS"}.get(name) or "".join(p[:1].upper() + p[1:] for p in name.split("_"))


def text_of(value: Any) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def assert_xml_matches(element: ET.Element, record: dict[str, Any]) -> None:
    """Every JSON field is the element of its PascalCase name, in order, with the same value."""
    assert [child.tag for child in element] == [pascal(k) for k in record]
    for child, (key, value) in zip(element, record.items(), strict=True):
        if isinstance(value, dict) and value:
            assert_xml_matches(child, value)
        else:
            assert child.text == text_of(value), (key, child.text, value)


def flatten(record: dict[str, Any], prefix: str = "") -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in record.items():
        if isinstance(value, dict):
            out.update(flatten(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = text_of(value) or ""
    return out


def list_key(body: dict[str, Any]) -> str | None:
    paging = {"page", "page_size", "start", "end", "uri", "first_page_uri", "previous_page_uri", "next_page_uri"}
    keys = [k for k in body if k not in paging]
    listed = len(keys) == 1 and isinstance(body[keys[0]], list)
    return keys[0] if listed and ("page_size" in body or set(body) == {keys[0], "uri"}) else None


def check_all_three(h, method: str, json_path: str, data: dict[str, str] | None = None, name: str | None = None):
    """The operation at ``json_path`` in JSON, XML, no extension and CSV: the same values. For a
    POST, each representation makes its own resource, so only the shape and fixed values compare."""
    answers = {}
    for ext in (".json", ".xml", "", ".csv"):
        path = json_path.removesuffix(".json") + ext if "?" not in json_path else json_path.replace(".json?", f"{ext}?")
        r = h.request(method, path, data=data)
        assert r.status_code in (200, 201), (path, r.status_code, r.text[:300])
        answers[ext] = r
    body = answers[".json"].json()
    key = list_key(body)
    for ext in (".xml", ""):
        r = answers[ext]
        assert r.headers["content-type"].startswith("application/xml")
        root = ET.fromstring(r.content)
        assert root.tag == "TwilioResponse" and len(root) == 1
        if key is not None:
            listing = root[0]
            assert listing.tag == pascal(key)
            assert listing.get("uri") == body["uri"].replace(".json", ext)
            if "page_size" in body:
                assert listing.get("page") == str(body["page"]) and listing.get("pagesize") == str(body["page_size"])
                assert listing.get("start") == str(body["start"]) and listing.get("end") == str(body["end"])
                assert listing.get("nextpageuri") == (body["next_page_uri"] or "").replace(".json", ext)
            if method == "GET":
                assert len(listing) == len(body[key])
                for element, record in zip(listing, body[key], strict=True):
                    assert_xml_matches(element, record)
        elif method == "GET":
            assert root[0].tag == name
            assert_xml_matches(root[0], body)
        else:
            assert root[0].tag == name and [c.tag for c in root[0]] == [pascal(k) for k in body]
    r = answers[".csv"]
    assert r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    records = body[key] if key is not None else [body]
    assert len(rows) == len(records)
    if method == "GET" and rows:
        header = list(rows[0])
        assert header[: len(flatten(records[0]))] == list(flatten(records[0]))  # the JSON's order, then any others
        assert rows == [{col: flatten(rec).get(col, "") for col in header} for rec in records]
    return body


@pytest.fixture
def world(server, sub_client, subaccount):
    app = sub_client.applications.create(friendly_name=NASTY, sms_url="https://example.com/a?x=1&y=<2>")
    n = sub_client.incoming_phone_numbers.create(area_code="415", friendly_name=NASTY, sms_application_sid=app.sid)
    key = sub_client.new_keys.create(friendly_name=NASTY)
    return {"A": f"/2010-04-01/Accounts/{subaccount.sid}", "PN": n.sid, "AP": app.sid, "SK": key.sid}


def test_every_read_in_three_representations(server, subaccount, world):
    a = world["A"]
    reads = [
        ("/2010-04-01/Accounts.json", None), (f"{a}.json", "Account"),
        (f"{a}/IncomingPhoneNumbers.json", None), (f"{a}/IncomingPhoneNumbers.json?PageSize=1", None),
        (f"{a}/IncomingPhoneNumbers/Local.json", None), (f"{a}/IncomingPhoneNumbers/Mobile.json", None),
        (f"{a}/IncomingPhoneNumbers/TollFree.json", None), (f"{a}/IncomingPhoneNumbers/{world['PN']}.json", "IncomingPhoneNumber"),
        (f"{a}/IncomingPhoneNumbers/{world['PN']}/AssignedAddOns.json", None),
        (f"{a}/AvailablePhoneNumbers.json", None), (f"{a}/AvailablePhoneNumbers/US.json", "AvailablePhoneNumberCountry"),
        (f"{a}/AvailablePhoneNumbers/US/Local.json?PageSize=3", None), (f"{a}/AvailablePhoneNumbers/US/TollFree.json?PageSize=2", None),
        (f"{a}/AvailablePhoneNumbers/GB/Mobile.json?PageSize=2", None), (f"{a}/AvailablePhoneNumbers/GB/National.json?PageSize=2", None),
        (f"{a}/Applications.json", None), (f"{a}/Applications/{world['AP']}.json", "Application"),
        (f"{a}/Keys.json", None), (f"{a}/Keys/{world['SK']}.json", "Key"),
    ]
    with server.http(subaccount.sid, subaccount.auth_token) as h:
        for path, name in reads:
            check_all_three(h, "GET", path, name=name)
        xml = h.get(f"{a}/IncomingPhoneNumbers/{world['PN']}.xml").content
        assert b"R&amp;D &lt;\"team\"&gt; 'x'" in xml  # escaped for XML, and parsed back whole above
        assert ET.fromstring(xml).find("IncomingPhoneNumber/FriendlyName").text == NASTY


def test_every_write_in_three_representations(server, subaccount, world):
    a = world["A"]
    with server.http(subaccount.sid, subaccount.auth_token) as h:
        check_all_three(h, "POST", f"{a}/IncomingPhoneNumbers.json", {"AreaCode": "212"}, name="IncomingPhoneNumber")
        for i, ext in enumerate((".json", ".xml", ".csv")):  # a typed list buys by PhoneNumber only: one number each
            r = h.post(f"{a}/IncomingPhoneNumbers/Local{ext}", data={"PhoneNumber": f"+1415200{1000 + i}"})
            assert r.status_code == 201 and b"+1415200100" in r.content, r.text[:200]
        check_all_three(h, "POST", f"{a}/IncomingPhoneNumbers/{world['PN']}.json", {"FriendlyName": "x"}, name="IncomingPhoneNumber")
        check_all_three(h, "POST", f"{a}/Applications.json", {"FriendlyName": NASTY}, name="Application")
        check_all_three(h, "POST", f"{a}/Applications/{world['AP']}.json", {"VoiceUrl": "https://e.com/v"}, name="Application")
        check_all_three(h, "POST", f"{a}/Keys.json", {"FriendlyName": "k"}, name="Key")
        check_all_three(h, "POST", f"{a}/Keys/{world['SK']}.json", {"FriendlyName": "k2"}, name="Key")
        check_all_three(h, "POST", f"{a}.json", {"FriendlyName": "renamed"}, name="Account")
        made = [h.post(f"{a}/Applications.json", data={"FriendlyName": "gone"}).json()["sid"] for _ in range(3)]
        for sid, ext in zip(made, (".json", ".xml", ".csv"), strict=True):
            assert h.delete(f"{a}/Applications/{sid}{ext}").status_code == 204
    with server.http() as main:
        check_all_three(main, "POST", "/2010-04-01/Accounts.json", {"FriendlyName": NASTY}, name="Account")


def test_errors_in_xml_and_the_v1_products_are_json_only(server, subaccount, world):
    a = world["A"]
    with server.http(subaccount.sid, subaccount.auth_token) as h:
        for path, status, code in ((f"{a}/IncomingPhoneNumbers/PN{'0' * 32}.xml", 404, 20404),
                                   (f"{a}/IncomingPhoneNumbers/PN{'0' * 32}", 404, 20404),
                                   (f"{a}/Nothing.xml", 404, 20404)):
            r = h.get(path)
            assert r.status_code == status and r.headers["content-type"].startswith("application/xml")
            error = ET.fromstring(r.content).find("RestException")
            assert (error.find("Code").text, error.find("Status").text) == (str(code), str(status))
            assert error.find("MoreInfo").text == f"https://www.twilio.com/docs/errors/{code}"
        r = h.post(f"{a}/IncomingPhoneNumbers.xml", data={"PhoneNumber": "+1"})
        assert r.status_code == 400 and ET.fromstring(r.content).find("RestException/Code").text == "21421"
        r = h.get(f"{a}/IncomingPhoneNumbers.xml", auth=(subaccount.sid, "wrong"))
        assert r.status_code == 401 and ET.fromstring(r.content).find("RestException/Code").text == "20003"
        assert h.get("/messaging/v1/Services.xml").status_code == 404
        assert h.get("/trunking/v1/Trunks.csv").status_code == 404
        r = h.get(f"{a}/IncomingPhoneNumbers/PN{'0' * 32}.csv")  # CSV has no error form: JSON, as documented
        assert r.status_code == 404 and r.json()["code"] == 20404
        empty = h.get(f"{a}/Applications.csv", params={"FriendlyName": "none such"})
        assert empty.status_code == 200 and empty.content == b""


CONTROL = "a\x01b\x1fc"  # XML 1.0 cannot carry these, not even as character references
SHOWN = "a\ufffdb\ufffdc"
_TYPED_CREATES = {"CreateIncomingPhoneNumberLocal", "CreateIncomingPhoneNumberMobile", "CreateIncomingPhoneNumberTollFree"}


def _text_parameters() -> list[tuple[str, str, str]]:
    """``(operationId, path, parameter)`` for every string parameter of every 2010-04-01 write the
    server answers (the typed-number creates take CreateIncomingPhoneNumber's table)."""
    from tests.spec.served import served_operations, spec

    served = served_operations()["api"]
    found = []
    for path, item in spec("api")["paths"].items():
        op = item.get("post")
        if not op or op["operationId"] not in served or op["operationId"] in _TYPED_CREATES:
            continue
        form = op.get("requestBody", {}).get("content", {}).get("application/x-www-form-urlencoded", {})
        for name, schema in form.get("schema", {}).get("properties", {}).items():
            if schema.get("type") == "string" and not schema.get("enum") and "$ref" not in schema:
                found.append((op["operationId"], path, name))
    return found


def _elements_with(root: ET.Element, text: str) -> list[str]:
    return [e.tag for e in root.iter() if e.text is not None and text in e.text]


def test_control_characters_never_make_xml_ill_formed(server, subaccount, sub_client):
    """Every text parameter of every 2010-04-01 write, given control characters: the answer in XML
    parses (an error quoting the value too), and what was stored reads back in XML as U+FFFD,
    in JSON as it was sent."""
    parameters = _text_parameters()
    assert {op for op, _, _ in parameters} >= {"CreateAccount", "UpdateAccount", "CreateApplication",
                                               "UpdateIncomingPhoneNumber", "CreateNewKey", "UpdateKey"}
    app = sub_client.applications.create(friendly_name="app")
    number = sub_client.incoming_phone_numbers.create(area_code="415")
    key = sub_client.new_keys.create(friendly_name="key")
    stored = 0
    with server.http(subaccount.sid, subaccount.auth_token) as h, server.http() as main:
        for operation, template, name in parameters:
            sid = {"UpdateAccount": subaccount.sid, "UpdateApplication": app.sid, "UpdateKey": key.sid,
                   "UpdateIncomingPhoneNumber": number.sid}.get(operation, "")
            path = (template.replace("{AccountSid}", subaccount.sid).replace("{ResourceSid}", number.sid)
                    .replace("{Sid}", sid).removesuffix(".json") + ".xml")
            value = f"https://example.com/{CONTROL}" if "Url" in name or name == "StatusCallback" else CONTROL
            data = {name: value}
            if operation == "CreateIncomingPhoneNumber" and name not in ("AreaCode", "PhoneNumber"):
                data["AreaCode"] = "415"
            r = (main if operation == "CreateAccount" else h).post(path, data=data)
            root = ET.fromstring(r.content)  # raises if ill-formed, error answers included
            assert root.tag == "TwilioResponse", (operation, name)
            if r.status_code < 300 and _elements_with(root, SHOWN):
                stored += 1
                assert CONTROL not in r.text
                fetched = h.get(path) if operation.startswith("Update") else None
                if fetched is not None:
                    assert _elements_with(ET.fromstring(fetched.content), SHOWN), (operation, name)
        listed = {p: h.get(f"/2010-04-01/Accounts/{subaccount.sid}/{p}") for p in ("IncomingPhoneNumbers", "Applications", "Keys")}
        for r in [*listed.values(), main.get("/2010-04-01/Accounts")]:
            assert r.status_code == 200 and ET.fromstring(r.content).tag == "TwilioResponse"
        assert _elements_with(ET.fromstring(listed["Applications"].content), SHOWN)
        assert h.get(f"/2010-04-01/Accounts/{subaccount.sid}/Keys/{key.sid}.json").json()["friendly_name"] == CONTROL
    assert stored >= 6  # at least the friendly names of accounts, numbers, applications and keys


def test_an_error_quoting_a_control_character_parses(server, subaccount):
    with server.http(subaccount.sid, subaccount.auth_token) as h:
        r = h.post(f"/2010-04-01/Accounts/{subaccount.sid}/IncomingPhoneNumbers.xml", data={"PhoneNumber": "+1\x01"})
        assert r.status_code == 400
        assert ET.fromstring(r.content).find("RestException/Code").text == "21421"

"""An unfriendly client: however malformed the request, the answer is a 4xx with Twilio's error body.

5xx is for a lost database only. Every route family gets mistyped paths, percent-encoded garbage,
invalid UTF-8, out-of-range numbers in every numeric parameter, empty and repeated parameters,
wrong content types, over-long values, unknown methods and bodies where none belong.
"""

from __future__ import annotations

import base64
import socket
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from numberpool.products.paging import MAX_PAGE, MAX_PAGE_SIZE

ERROR_KEYS = {"code", "message", "more_info", "status"}
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


@dataclass(frozen=True)
class World:
    """A subaccount of its own, with one of everything, so paths name real resources."""

    base_url: str
    sid: str
    token: str
    ids: dict[str, str]

    def path(self, template: str) -> str:
        return template.format(**self.ids)

    def http(self) -> httpx.Client:
        return httpx.Client(base_url=self.base_url, auth=(self.sid, self.token), timeout=30)


@pytest.fixture(scope="module")
def world(server) -> World:
    with server.http() as main:
        sub = main.post("/2010-04-01/Accounts.json", data={"FriendlyName": "malformed"}).json()
    with httpx.Client(base_url=server.base_url, auth=(sub["sid"], sub["auth_token"]), timeout=30) as h:
        def create(path: str, data: dict[str, str]) -> str:
            r = h.post(path, data=data)
            assert r.status_code == 201, r.text
            return r.json()["sid"]

        account = f"/2010-04-01/Accounts/{sub['sid']}"
        pn = create(f"{account}/IncomingPhoneNumbers.json", {"AreaCode": "415"})
        pn2 = create(f"{account}/IncomingPhoneNumbers.json", {"AreaCode": "212"})
        mg = create("/messaging/v1/Services", {"FriendlyName": "malformed"})
        tk = create("/trunking/v1/Trunks", {"FriendlyName": "malformed"})
        ks = create("/proxy/v1/Services", {"UniqueName": f"malformed-{sub['sid']}"})
        create(f"/messaging/v1/Services/{mg}/PhoneNumbers", {"PhoneNumberSid": pn})
        create(f"/trunking/v1/Trunks/{tk}/PhoneNumbers", {"PhoneNumberSid": pn})
        create(f"/proxy/v1/Services/{ks}/PhoneNumbers", {"Sid": pn2})
    return World(server.base_url, sub["sid"], sub["auth_token"],
                 {"A": account, "AC": sub["sid"], "PN": pn, "PN2": pn2, "MG": mg, "TK": tk, "KS": ks,
                  "SM": "SM" + "0" * 32, "CA": "CA" + "0" * 32})


def assert_twilio_error(r: httpx.Response) -> dict[str, Any]:
    assert 400 <= r.status_code < 500, (r.status_code, r.request.method, str(r.request.url)[:200], r.text[:300])
    body = r.json()
    assert set(body) == ERROR_KEYS, body
    assert body["status"] == r.status_code and isinstance(body["code"], int)
    assert body["more_info"] == f"https://www.twilio.com/docs/errors/{body['code']}"
    return body


# -- Page and PageSize on every list route --------------------------------------------------------
V2010_LISTS = {  # path -> the record key
    "/2010-04-01/Accounts.json": "accounts",
    "{A}/IncomingPhoneNumbers.json": "incoming_phone_numbers",
    "{A}/IncomingPhoneNumbers/Local.json": "incoming_phone_numbers",
    "{A}/IncomingPhoneNumbers/Mobile.json": "incoming_phone_numbers",
    "{A}/IncomingPhoneNumbers/TollFree.json": "incoming_phone_numbers",
    "{A}/AvailablePhoneNumbers/US/Local.json": "available_phone_numbers",
    "{A}/AvailablePhoneNumbers/US/TollFree.json": "available_phone_numbers",
    "{A}/AvailablePhoneNumbers/GB/Mobile.json": "available_phone_numbers",
}
V1_LISTS = {
    "/messaging/v1/Services": "services",
    "/messaging/v1/Services/{MG}/PhoneNumbers": "phone_numbers",
    "/trunking/v1/Trunks": "trunks",
    "/trunking/v1/Trunks/{TK}/PhoneNumbers": "phone_numbers",
    "/proxy/v1/Services": "services",
    "/proxy/v1/Services/{KS}/PhoneNumbers": "phone_numbers",
    "/numberpool/v1/InboundMessages": "inbound_messages",
    "/numberpool/v1/InboundCalls": "inbound_calls",
}
COUNTRY_LIST = "{A}/AvailablePhoneNumbers.json"  # never paged, but its Page is checked all the same
LISTS = [*V2010_LISTS, *V1_LISTS, COUNTRY_LIST]


PAGES_OUT_OF_BOUNDS = [
    *[(route, page) for route in LISTS for page in (
        "9223372036854775807",  # overflowed SQLite's and PostgreSQL's OFFSET once multiplied by PageSize
        "99999999999999999999",  # beyond 64 bits: SQLite, psycopg and orjson all refused it
        str(MAX_PAGE + 1),
    )],
    *[(route, page) for route in ("/2010-04-01/Accounts.json", "/proxy/v1/Services/{KS}/PhoneNumbers")
      for page in ("-1", "-9223372036854775809", "9" * 5000)],  # 5000 digits: more than int() converts
]


@pytest.mark.parametrize("route, page", PAGES_OUT_OF_BOUNDS, ids=lambda v: v if len(v) < 30 else f"{v[:3]}...{len(v)}")
def test_page_beyond_the_bound_is_refused(world, route, page):
    with world.http() as h:
        body = assert_twilio_error(h.get(world.path(route), params={"Page": page, "PageSize": MAX_PAGE_SIZE}))
    assert body["code"] == 20001 and "Page" in body["message"] and len(body["message"]) < 200


@pytest.mark.parametrize("route", LISTS)
def test_the_last_page_allowed_is_served_empty(world, route):
    with world.http() as h:
        r = h.get(world.path(route), params={"Page": MAX_PAGE, "PageSize": MAX_PAGE_SIZE})
    assert r.status_code == 200, r.text
    body = r.json()
    if route in V2010_LISTS:
        assert body[V2010_LISTS[route]] == [] and body["start"] == MAX_PAGE * MAX_PAGE_SIZE == body["end"]
        assert body["page"] == MAX_PAGE and body["next_page_uri"] is None
    elif route in V1_LISTS:
        assert body[V1_LISTS[route]] == [] and body["meta"]["page"] == MAX_PAGE


@pytest.mark.parametrize("size, status", [
    ("99999999999999999999", 200),  # clamped to 1000, as list(limit=N) needs
    ("9" * 5000, 200),
    ("-99999999999999999999", 400),
    ("0", 400),
    ("1e3", 400),
    ("", 400),
])
@pytest.mark.parametrize("route", ["{A}/IncomingPhoneNumbers.json", "/messaging/v1/Services", "{A}/AvailablePhoneNumbers/US/Local.json"])
def test_page_size_extremes(world, route, size, status):
    with world.http() as h:
        r = h.get(world.path(route), params={"PageSize": size})
    if status == 200:
        assert r.status_code == 200, r.text
        body = r.json()
        assert body.get("page_size", body.get("meta", {}).get("page_size")) == MAX_PAGE_SIZE
    else:
        assert assert_twilio_error(r)["code"] == 20001


# -- every route family, malformed -----------------------------------------------------------------
@dataclass(frozen=True)
class Case:
    method: str
    path: str  # a template of World.ids
    params: dict[str, str] | None = None
    data: dict[str, str] | None = None
    content: str | bytes | None = None  # a str is a template too
    headers: dict[str, str] | None = None
    mangle: Callable[[str], str] | None = None  # applied to the path once filled in


def _numeric(param: str, where: str, collection: str, instance: str) -> dict[str, Case]:
    """Out-of-range and malformed values of one numeric parameter, sent where it is taken:
    ``GET`` (the collection's query), ``CREATE`` (a POST to the collection) or ``UPDATE``."""
    cases = {}
    for label, value in (("int64", "9223372036854775808"), ("negative", "-99999999999999999999"), ("digits", "9" * 5000),
                         ("fraction", "1.5"), ("superscript", "\u00b2"), ("empty", "")):
        if where == "GET":
            cases[f"{param}-{label}"] = Case("GET", collection, params={param: value})
        else:
            cases[f"{param}-{label}"] = Case("POST", collection if where == "CREATE" else instance, data={param: value})
    return cases


def _family(
    name: str, collection: str, instance: str, *, numeric: dict[str, str] | None = None,
    required: dict[str, str] | None = None, text: str = "FriendlyName",
) -> dict[str, Case]:
    """The malformed requests of one route family: ``collection`` lists and creates, ``instance``
    fetches and updates; ``numeric`` maps numeric parameters to where they are sent (see
    `_numeric`), ``required`` are the parameters a create needs, ``text`` one that an update takes."""
    json = instance.endswith(".json")
    bad_sid = instance.rsplit("/", 1)[0] + "/{garbage}" + (".json" if json else "")
    cases = {
        "mistyped": Case("GET", collection[:-5] + "x.json" if json else collection + "x"),
        "lower-case": Case("GET", collection, mangle=str.lower),
        "trailing-slash": Case("GET", collection + "/"),
        "double-slash": Case("GET", collection, mangle=lambda p: p[:1] + p[1:].replace("/", "//", 1)),
        "wrong-extension": Case("GET", instance[:-5] + ".xml.json" if json else instance + ".json"),
        "sid-%ff": Case("GET", bad_sid.replace("{garbage}", "%ff%fe")),
        "sid-%00": Case("GET", bad_sid.replace("{garbage}", "%00")),
        "sid-%2F": Case("DELETE", bad_sid.replace("{garbage}", "a%2Fb")),
        "sid-%zz": Case("POST", bad_sid.replace("{garbage}", "%zz%"), data={text: "x"}),
        "sid-overlong": Case("GET", bad_sid.replace("{garbage}", "X" * 20_000)),
        "query-invalid-utf8": Case("GET", collection + "?FriendlyName=%ff%fe&PageSize=2"),
        "query-nul": Case("GET", collection + "?PageToken=%00"),
        "body-invalid-utf8": Case("POST", instance, content=f"{text}=%ff", headers=FORM),
        "body-raw-bytes": Case("POST", instance, content=b"\xff\xfe=\x00", headers=FORM),
        "json-body": Case("POST", collection, content=b'{"FriendlyName": "x"}', headers={"Content-Type": "application/json"}),
        "text-body": Case("POST", instance, content=f"{text}=x", headers={"Content-Type": "text/plain"}),
        "body-on-get": Case("GET", instance, content=b"FriendlyName=%ff", headers=FORM),
        "body-on-delete": Case("DELETE", bad_sid.replace("{garbage}", "nothing"), content=b"a=b", headers=FORM),
        "over-long-value": Case("POST", instance, data={text: "x" * 100_000}),
        "over-long-token": Case("GET", collection, params={"PageToken": "PA" + "f" * 20_000}),
        "repeated-page-size": Case("GET", collection + "?PageSize=1&PageSize=many"),
        "empty-page-size": Case("GET", collection, params={"PageSize": ""}),
        "PATCH": Case("PATCH", instance, data={text: "x"}),
        "PUT": Case("PUT", collection, data={text: "x"}),
        "PROPFIND": Case("PROPFIND", instance),
    }
    for param, where in (numeric or {}).items():
        cases.update(_numeric(param, where, collection, instance))
    for param, value in (required or {}).items():
        cases[f"{param}-empty"] = Case("POST", collection, data={**(required or {}), param: ""})
        cases[f"{param}-repeated-last-empty"] = Case("POST", collection, content=f"{param}={value}&{param}=", headers=FORM)
    return {f"{name}:{k}": v for k, v in cases.items()}


CASES: dict[str, Case] = {
    **_family("accounts", "/2010-04-01/Accounts.json", "{A}.json"),
    **_family("incoming", "{A}/IncomingPhoneNumbers.json", "{A}/IncomingPhoneNumbers/{PN}.json",
              numeric={"AreaCode": "CREATE"}, required={"PhoneNumber": "%2B14155550100"}),
    **_family("available", "{A}/AvailablePhoneNumbers/US/Local.json", "{A}/AvailablePhoneNumbers/US.json",
              numeric={"AreaCode": "GET", "Distance": "GET"}),
    **_family("messaging", "/messaging/v1/Services", "/messaging/v1/Services/{MG}", numeric={"ValidityPeriod": "UPDATE"},
              required={"FriendlyName": "x"}),
    **_family("messaging-numbers", "/messaging/v1/Services/{MG}/PhoneNumbers", "/messaging/v1/Services/{MG}/PhoneNumbers/{PN}",
              required={"PhoneNumberSid": "{PN2}"}),
    **_family("trunking", "/trunking/v1/Trunks", "/trunking/v1/Trunks/{TK}"),
    **_family("trunking-numbers", "/trunking/v1/Trunks/{TK}/PhoneNumbers", "/trunking/v1/Trunks/{TK}/PhoneNumbers/{PN}",
              required={"PhoneNumberSid": "{PN2}"}),
    **_family("proxy", "/proxy/v1/Services", "/proxy/v1/Services/{KS}", numeric={"DefaultTtl": "UPDATE"},
              required={"UniqueName": "x"}, text="UniqueName"),
    **_family("proxy-numbers", "/proxy/v1/Services/{KS}/PhoneNumbers", "/proxy/v1/Services/{KS}/PhoneNumbers/{PN2}",
              required={"Sid": "{PN}"}, text="IsReserved"),
    **_family("inbound-messages", "/numberpool/v1/InboundMessages", "/numberpool/v1/InboundMessages/{SM}",
              required={"To": "%2B14155550100", "From": "%2B12125551234"}, text="Body"),
    **_family("inbound-calls", "/numberpool/v1/InboundCalls", "/numberpool/v1/InboundCalls/{CA}",
              numeric={"CallDuration": "CREATE"}, required={"To": "%2B14155550100", "From": "%2B12125551234"}),
}


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_malformed_request_gets_a_twilio_error(world, case):
    path = world.path(case.path)
    if case.mangle is not None:
        path = case.mangle(path)
    content = world.path(case.content).encode() if isinstance(case.content, str) else case.content
    data = None if case.data is None else {k: world.path(v) for k, v in case.data.items()}
    with world.http() as h:
        r = h.request(case.method, path, params=case.params, data=data, content=content, headers=case.headers)
    assert_twilio_error(r)


def _raw(base_url: str, request: bytes) -> bytes:
    """The status line of the answer to ``request``, sent as it is."""
    host, port = base_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as s:
        s.sendall(request)
        return s.recv(65536).split(b"\r\n", 1)[0]


@pytest.mark.parametrize("target", [b"/2010-04-01/Accounts/\xff.json", b"/2010-04-01/Accounts.json?FriendlyName=\xff"])
def test_raw_bytes_in_the_request_target(world, target):
    # Not HTTP: granian refuses it before the application sees it, with an empty 400 (no Twilio body to check).
    auth = base64.b64encode(f"{world.sid}:{world.token}".encode())
    request = b"GET " + target + b" HTTP/1.1\r\nHost: x\r\nAuthorization: Basic " + auth + b"\r\nConnection: close\r\n\r\n"
    status = _raw(world.base_url, request)
    assert status.startswith(b"HTTP/1.1 4"), status

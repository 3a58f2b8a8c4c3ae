"""The server's control endpoints: /numberpool/health, Reset, the state document, --seed, the access log.

Reset deletes the main account's subaccounts and all they and it hold, so every test that resets
or loads runs its own server on a database of its own; the shared ``server`` serves only the tests
that write nothing global. (A demoted former main account, which Reset spares, and what a
subaccount's document may not learn of its siblings: test_main_account.py, test_state_leaks.py.)
"""

from __future__ import annotations

import copy
import json
import os
import re
import secrets
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.engine import make_url

import numberpool
from tests.conftest import (
    Server,
    _servers,
    free_port,
    fresh_database,
    server_behind_proxy,
    start_server,
    stop_server,
)

API = "/2010-04-01/Accounts"
STATE, RESET, HEALTH = "/numberpool/v1/State", "/numberpool/v1/Reset", "/numberpool/health"
DATABASE_NAME = {"sqlite": "sqlite", "postgres": "postgresql"}


@contextmanager
def own_server(backend: str, tmp_path_factory: pytest.TempPathFactory, env: dict[str, str] | None = None,
               **options: Any) -> Iterator[tuple[Server, subprocess.Popen]]:
    """A server on a database of its own, so that a Reset touches no other test."""
    sid, token = "AC" + secrets.token_hex(16), secrets.token_hex(16)
    with fresh_database(backend, tmp_path_factory) as db_url:
        proc, base_url = start_server(db_url, {"TWILIO_ACCOUNT_SID": sid, "TWILIO_AUTH_TOKEN": token, **(env or {})},
                                      **options)
        try:
            yield Server(base_url, sid, token, db_url), proc
        finally:
            stop_server(proc)


def ok(r: httpx.Response, status: int = 200) -> Any:
    assert r.status_code == status, r.text
    return r.json() if r.content else None


def refused(r: httpx.Response, status: int, code: int) -> dict[str, Any]:
    assert (r.status_code, r.json()["code"]) == (status, code), r.text
    assert set(r.json()) == {"code", "message", "more_info", "status"}
    return r.json()


def buy(h: httpx.Client, account: str, **form: str) -> dict[str, Any]:
    return ok(h.post(f"{API}/{account}/IncomingPhoneNumbers.json", data={"AreaCode": "415", **form}), 201)


def build_world(s: Server) -> dict[str, Any]:
    """Something of every kind: subaccounts (one suspended with a number, one closed), numbers with
    applications, a trunk, URLs; a trunk with origination URLs; Messaging and Proxy Services
    (a number in both); an inbound message record."""
    main = s.account_sid
    with s.http() as h:
        sub = ok(h.post(f"{API}.json", data={"FriendlyName": "sub one"}), 201)
        idle = ok(h.post(f"{API}.json", data={"FriendlyName": "sub suspended"}), 201)
        gone = ok(h.post(f"{API}.json", data={"FriendlyName": "sub closed"}), 201)
        app = ok(h.post(f"{API}/{main}/Applications.json", data={"FriendlyName": "app", "SmsUrl": "https://example.com/sms"}), 201)
        trunk = ok(h.post("/trunking/v1/Trunks", data={"FriendlyName": "t", "DomainName": f"np{secrets.token_hex(4)}.pstn.twilio.com",
                                                       "Secure": "true"}), 201)
        ok(h.post(f"/trunking/v1/Trunks/{trunk['sid']}/OriginationUrls",
                  data={"Weight": "10", "Priority": "1", "Enabled": "true", "FriendlyName": "pbx", "SipUrl": "sip:pbx@example.com"}), 201)
        first = buy(h, main, SmsApplicationSid=app["sid"], VoiceUrl="https://example.com/voice", VoiceMethod="GET",
                    FriendlyName="first")
        trunked = buy(h, main, TrunkSid=trunk["sid"])
        in_messaging = buy(h, main)
        reserved = buy(h, main)
        in_both = buy(h, main, EmergencyAddressSid="AD" + "1" * 32)
        mg = ok(h.post("/messaging/v1/Services", data={"FriendlyName": "mg", "StickySender": "false", "ValidityPeriod": "600"}), 201)
        ks = ok(h.post("/proxy/v1/Services", data={"UniqueName": "ks", "DefaultTtl": "60"}), 201)
        ok(h.post(f"/proxy/v1/Services/{ks['sid']}/PhoneNumbers", data={"Sid": reserved["sid"], "IsReserved": "true"}), 201)
        ok(h.post(f"/proxy/v1/Services/{ks['sid']}/PhoneNumbers", data={"Sid": in_both["sid"]}), 201)
        for pn in (in_messaging, in_both):  # a Proxy number may join a Messaging Service later
            ok(h.post(f"/messaging/v1/Services/{mg['sid']}/PhoneNumbers", data={"PhoneNumberSid": pn["sid"]}), 201)
        sub_app = ok(h.post(f"{API}/{sub['sid']}/Applications.json", data={"VoiceUrl": "https://example.com/v"}), 201)
        sub_number = buy(h, sub["sid"], AreaCode="212", VoiceApplicationSid=sub_app["sid"], SmsUrl="https://example.com/s")
        idle_number = buy(h, idle["sid"], AreaCode="212")
        ok(h.post(f"{API}/{idle['sid']}.json", data={"Status": "suspended"}))
        ok(h.post(f"{API}/{gone['sid']}.json", data={"Status": "closed"}))
        ok(h.post("/numberpool/v1/InboundMessages", data={"To": in_messaging["phone_number"], "From": "+12125550100"}), 201)
    return {"sub": sub, "idle": idle, "gone": gone, "app": app, "trunk": trunk, "mg": mg, "ks": ks, "first": first,
            "trunked": trunked, "in_messaging": in_messaging, "reserved": reserved, "in_both": in_both,
            "sub_number": sub_number, "idle_number": idle_number}


def state(s: Server, sid: str | None = None, token: str | None = None) -> dict[str, Any]:
    with s.http(sid, token) as h:
        return ok(h.get(STATE))


def load(s: Server, doc: Any, sid: str | None = None, token: str | None = None) -> httpx.Response:
    body = doc if isinstance(doc, bytes) else json.dumps(doc).encode()
    with s.http(sid, token) as h:
        return h.post(STATE, content=body, headers={"Content-Type": "application/json"})


def empty_state(s: Server) -> dict[str, Any]:
    return {"version": 1, "accounts": [{"sid": s.account_sid, "owner_account_sid": s.account_sid,
                                        "friendly_name": "numberpool main account", "status": "active",
                                        "auth_token": s.auth_token}],
            "applications": [], "numbers": [], "messaging_services": [], "trunks": [], "proxy_services": [],
            "delivery_rules": [], "call_rules": []}


# -- health ---------------------------------------------------------------------------------------

def test_health_needs_no_credentials_and_names_the_database(server, backend):
    expected = {"status": "ok", "version": numberpool.__version__, "database": DATABASE_NAME[backend]}
    assert ok(httpx.get(server.base_url + HEALTH)) == expected
    assert ok(httpx.get(server.base_url + HEALTH, auth=(server.account_sid, server.auth_token))) == expected
    assert ok(httpx.get(server.base_url + HEALTH, auth=("AC" + "0" * 32, "wrong"))) == expected
    for method in ("POST", "DELETE", "PUT"):
        body = refused(httpx.request(method, server.base_url + HEALTH), 405, 20004)
        assert HEALTH in body["message"]


def test_health_is_503_while_the_sqlite_file_is_gone(tmp_path_factory):
    with own_server("sqlite", tmp_path_factory) as (s, _):
        assert ok(httpx.get(s.base_url + HEALTH))["status"] == "ok"
        path = Path(make_url(s.db_url).database or "")
        path.rename(path.with_suffix(".away"))
        try:
            for _ in range(2):  # never an answer kept from before
                r = httpx.get(s.base_url + HEALTH)
                assert r.status_code == 503, r.text
                assert r.json() == {"status": "unavailable", "version": numberpool.__version__, "database": "sqlite"}
        finally:
            path.with_suffix(".away").rename(path)
        assert ok(httpx.get(s.base_url + HEALTH))["status"] == "ok"


def test_health_is_503_within_seconds_while_postgres_is_cut_off(tmp_path_factory):
    with server_behind_proxy(tmp_path_factory) as (proxy, server):
        base_url = server.base_url
        assert ok(httpx.get(base_url + HEALTH))["database"] == "postgresql"
        for cut in (proxy.stop, proxy.freeze):
            cut()
            started = time.monotonic()
            r = httpx.get(base_url + HEALTH, timeout=30)
            assert time.monotonic() - started < 5
            assert r.status_code == 503, r.text
            assert r.json() == {"status": "unavailable", "version": numberpool.__version__, "database": "postgresql"}
            proxy.stop()
            proxy.thaw()
            proxy.start()
            deadline = time.monotonic() + 30
            while (r := httpx.get(base_url + HEALTH, timeout=30)).status_code != 200 and time.monotonic() < deadline:
                time.sleep(0.2)
            assert r.json()["status"] == "ok"


# -- reset ----------------------------------------------------------------------------------------

def test_reset_deletes_everything_but_the_main_account(backend, tmp_path_factory):
    with own_server(backend, tmp_path_factory) as (s, _):
        world = build_world(s)
        main, sub = s.account_sid, world["sub"]
        search = f"{API}/{main}/AvailablePhoneNumbers/US/Local.json?AreaCode=415&PageSize=10"
        with s.http() as h:
            offered = [n["phone_number"] for n in ok(h.get(search))["available_phone_numbers"]]
            assert world["first"]["phone_number"] not in offered
            assert ok(h.post(RESET), 204) is None
            offered = [n["phone_number"] for n in ok(h.get(search))["available_phone_numbers"]]
            assert world["first"]["phone_number"] in offered  # released numbers are offered again
            for path, key in ((f"{API}/{main}/IncomingPhoneNumbers.json", "incoming_phone_numbers"),
                              (f"{API}/{main}/Applications.json", "applications"),
                              (f"{API}.json", "accounts"),
                              ("/messaging/v1/Services", "services"), ("/trunking/v1/Trunks", "trunks"),
                              ("/proxy/v1/Services", "services"), ("/numberpool/v1/InboundMessages", "inbound_messages")):
                listed = ok(h.get(path))[key]
                assert listed == [] or [a["sid"] for a in listed] == [main], (path, listed)
            refused(h.get(f"{API}/{sub['sid']}.json"), 404, 20404)
        with s.http(sub["sid"], sub["auth_token"]) as hs:
            refused(hs.get(f"{API}/{sub['sid']}.json"), 401, 20003)
        assert state(s) == empty_state(s)


def test_reset_is_for_the_main_account_only(backend, tmp_path_factory):
    with own_server(backend, tmp_path_factory) as (s, _):
        world = build_world(s)
        before = state(s)
        sub = world["sub"]
        with s.http(sub["sid"], sub["auth_token"]) as hs:
            body = refused(hs.post(RESET), 403, 20403)
            assert "main account" in body["message"]
            refused(hs.get(RESET), 405, 20004)
        assert state(s) == before


def test_every_process_refuses_a_deleted_subaccount_at_once(backend, tmp_path_factory):
    with contextmanager(_servers)(backend, tmp_path_factory, 2, {}) as (a, b):
        with a.http() as h:
            sub = ok(h.post(f"{API}.json", data={"FriendlyName": "short-lived"}), 201)
        with b.http(sub["sid"], sub["auth_token"]) as hb:
            for _ in range(3):  # known to process b (and its caches) before the reset
                ok(hb.get(f"{API}/{sub['sid']}.json"))
            with a.http() as h:
                ok(h.post(RESET), 204)
            refused(hb.get(f"{API}/{sub['sid']}.json"), 401, 20003)
            refused(hb.get(f"{API}/{sub['sid']}/IncomingPhoneNumbers.json"), 401, 20003)


# -- the state document ---------------------------------------------------------------------------

def test_dump_reset_load_gives_the_same_state(backend, tmp_path_factory):
    with own_server(backend, tmp_path_factory) as (s, _):
        world = build_world(s)
        doc = state(s)
        assert [a["sid"] for a in doc["accounts"]] == sorted([s.account_sid, *(world[k]["sid"] for k in ("sub", "idle", "gone"))])
        assert len(doc["numbers"]) == 7 and doc["trunks"][0]["origination_urls"][0]["sip_url"] == "sip:pbx@example.com"
        number = next(n for n in doc["numbers"] if n["sid"] == world["first"]["sid"])
        assert (number["sms_application_sid"], number["voice_method"], number["friendly_name"]) == (world["app"]["sid"], "GET", "first")
        assert {m["sid"]: m["is_reserved"] for m in doc["proxy_services"][0]["phone_numbers"]} == {
            world["reserved"]["sid"]: True, world["in_both"]["sid"]: False}
        assert doc["messaging_services"][0]["phone_numbers"] == sorted(
            [{"sid": world["in_messaging"]["sid"]}, {"sid": world["in_both"]["sid"]}], key=lambda m: m["sid"])
        with s.http() as h:
            ok(h.post(RESET), 204)
        assert state(s) == empty_state(s)
        assert ok(load(s, doc)) == doc
        assert state(s) == doc
        sub = world["sub"]
        with s.http(sub["sid"], sub["auth_token"]) as hs:  # the subaccount's credentials work again
            assert ok(hs.get(f"{API}/{sub['sid']}/IncomingPhoneNumbers.json"))["incoming_phone_numbers"][0]["sid"] == world["sub_number"]["sid"]


def test_loading_the_same_document_twice_changes_nothing(backend, tmp_path_factory):
    with own_server(backend, tmp_path_factory) as (s, _):
        world = build_world(s)
        doc = state(s)
        number = f"{API}/{s.account_sid}/IncomingPhoneNumbers/{world['first']['sid']}.json"
        with s.http() as h:
            before = ok(h.get(number))
            time.sleep(1.1)  # a write would move date_updated
            assert ok(load(s, doc)) == doc
            assert ok(load(s, doc)) == doc
            assert ok(h.get(number)) == before
            mg = ok(h.get(f"/messaging/v1/Services/{world['mg']['sid']}"))
            assert mg["date_updated"] == world["mg"]["date_updated"]


def test_loading_updates_existing_resources_to_the_documents_values(backend, tmp_path_factory):
    with own_server(backend, tmp_path_factory) as (s, _):
        world = build_world(s)
        doc = state(s)
        changed = copy.deepcopy(doc)
        n = next(n for n in changed["numbers"] if n["sid"] == world["first"]["sid"])
        n["sms_url"], n["friendly_name"] = "https://example.com/new", "renamed"
        del n["voice_url"]  # left out: the API's default
        changed["messaging_services"][0]["phone_numbers"] = []
        changed["trunks"][0]["origination_urls"] = []
        assert ok(load(s, changed))["numbers"] != doc["numbers"]
        after = state(s)
        n_after = next(x for x in after["numbers"] if x["sid"] == world["first"]["sid"])
        assert (n_after["sms_url"], n_after["friendly_name"], n_after["voice_url"]) == ("https://example.com/new", "renamed", None)
        assert after["messaging_services"][0]["phone_numbers"] == [] and after["trunks"][0]["origination_urls"] == []
        assert ok(load(s, doc)) == doc  # and back


def _breakers(doc: dict[str, Any], world: dict[str, Any], main: str) -> list[tuple[str, dict[str, Any], int, int]]:
    """(what, a document breaking one rule, status, code) as the API answers the same request."""
    cases = []

    def case(what: str, status: int, code: int) -> dict[str, Any]:
        broken = copy.deepcopy(doc)
        cases.append((what, broken, status, code))
        return broken

    def number(d: dict[str, Any], sid: str) -> dict[str, Any]:
        return next(n for n in d["numbers"] if n["sid"] == sid)

    d = case("two Messaging Services for one number", 409, 21712)
    d["messaging_services"].append({"sid": "MG" + secrets.token_hex(16), "account_sid": main, "friendly_name": "second",
                                    "phone_numbers": [{"sid": world["in_messaging"]["sid"]}]})
    d = case("a trunk of another account", 400, 21245)
    number(d, world["sub_number"]["sid"])["trunk_sid"] = world["trunk"]["sid"]
    number(d, world["sub_number"]["sid"])["voice_application_sid"] = None
    d = case("an invalid phone number", 400, 21421)
    number(d, world["in_messaging"]["sid"])["phone_number"] = "+1415555"
    d = case("an unknown application", 400, 21420)
    number(d, world["first"]["sid"])["sms_application_sid"] = "AP" + "0" * 32
    d = case("another account's application", 400, 21420)
    number(d, world["first"]["sid"])["sms_application_sid"] = doc["applications"][-1]["sid"]  # the subaccount's
    d = case("a full Messaging Service", 400, 21714)  # the server's limit is 2
    d["messaging_services"][0]["phone_numbers"].append({"sid": world["first"]["sid"]})
    d = case("a Proxy UniqueName taken", 409, 20409)
    d["proxy_services"].append({**d["proxy_services"][0], "sid": "KS" + secrets.token_hex(16), "phone_numbers": []})
    d = case("an account nobody can see", 404, 20404)
    number(d, world["first"]["sid"])["account_sid"] = "AC" + secrets.token_hex(16)
    d = case("a number of a closed account", 403, 20005)
    number(d, world["sub_number"]["sid"])["account_sid"] = world["gone"]["sid"]
    d = case("a bad URL", 400, 21502)
    number(d, world["first"]["sid"])["sms_url"] = "ftp://example.com"
    d = case("a bad Proxy parameter", 400, 80701)
    d["proxy_services"][0]["geo_match_level"] = "planet"
    d = case("the same number in two documents' numbers", 400, 21422)
    d["numbers"].append({**number(d, world["first"]["sid"]), "sid": "PN" + secrets.token_hex(16)})
    return cases


def test_a_document_that_breaks_a_rule_is_refused_whole(backend, tmp_path_factory):
    with own_server(backend, tmp_path_factory, {"NUMBERPOOL_MESSAGING_POOL_LIMIT": "2"}) as (s, _):
        world = build_world(s)
        doc = state(s)
        cases = _breakers(doc, world, s.account_sid)
        with s.http() as h:
            ok(h.post(RESET), 204)
        empty = state(s)
        for what, broken, status, code in cases:
            r = load(s, broken)
            assert (r.status_code, r.json().get("code")) == (status, code), (what, r.text)
            assert state(s) == empty, what  # nothing was written
        assert ok(load(s, doc)) == doc


def test_a_malformed_document_is_400_naming_what_is_wrong(server):
    pn = {"sid": "PN" + "a" * 32, "account_sid": server.account_sid, "phone_number": "+14155550100"}
    cases: list[tuple[Any, str]] = [
        (b"{not json", "not JSON"),
        (b"[]", "must be a JSON object"),
        ({}, "version must be 1"),
        ({"version": 2}, "version must be 1"),
        ({"version": "1"}, "version must be 1"),
        ({"version": 1, "numbrs": []}, "unknown key 'numbrs'"),
        ({"version": 1, "numbers": {}}, "numbers must be a list"),
        ({"version": 1, "numbers": [7]}, "numbers[0] must be a JSON object"),
        ({"version": 1, "numbers": [{**pn, "sid": None}]}, "numbers[0].sid is missing"),
        ({"version": 1, "numbers": [{**pn, "sid": "PN12"}]}, "numbers[0].sid must be a SID"),
        ({"version": 1, "numbers": [{**pn, "sms_urll": "x"}]}, "numbers[0] has an unknown field 'sms_urll'"),
        ({"version": 1, "numbers": [{**pn, "beta": True}]}, "numbers[0] has an unknown field 'beta'"),
        ({"version": 1, "numbers": [{**pn, "voice_caller_id_lookup": "maybe"}]}, "numbers[0].voice_caller_id_lookup"),
        ({"version": 1, "numbers": [{**pn, "friendly_name": [1]}]}, "numbers[0].friendly_name must be a string"),
        ({"version": 1, "numbers": [pn, pn]}, "appears twice"),
        ({"version": 1, "accounts": [{"sid": server.account_sid, "owner_account_sid": server.account_sid}]},
         "accounts[0].friendly_name"),
        ({"version": 1, "messaging_services": [{"sid": "MG" + "a" * 32, "account_sid": server.account_sid}]},
         "messaging_services[0].friendly_name"),
    ]
    for body, expected in cases:
        r = load(server, body)
        assert (r.status_code, r.json()["code"]) == (400, 20001), (body, r.text)
        assert expected in r.json()["message"], (body, r.json()["message"])
    big = b'{"version": 1' + b" " * (3 << 20) + b"}"  # larger than any form may be (1 MB), nothing in it
    assert ok(load(server, big))["version"] == 1
    with server.http() as h:
        for content, headers in ((json.dumps({"version": 1}), {"Content-Type": "application/x-www-form-urlencoded"}),
                                 ("", {}), ("{}", {"Content-Type": "text/plain"})):
            r = h.post(STATE, content=content, headers=headers)
            assert (r.status_code, r.json()["code"]) == (400, 20001), r.text
            assert "application/json" in r.json()["message"]


def test_a_subaccount_sees_and_loads_only_its_own(server, client):
    sub = client.api.v2010.accounts.create(friendly_name="own state")
    with server.http() as h:
        number = buy(h, sub.sid, AreaCode="212")
        app = ok(h.post(f"{API}/{sub.sid}/Applications.json", data={"FriendlyName": "mine"}), 201)
    doc = state(server, sub.sid, sub.auth_token)
    assert doc["accounts"] == [{"sid": sub.sid, "owner_account_sid": server.account_sid, "friendly_name": "own state",
                                "status": "active", "auth_token": sub.auth_token}]
    assert [n["sid"] for n in doc["numbers"]] == [number["sid"]] and [a["sid"] for a in doc["applications"]] == [app["sid"]]
    assert doc["messaging_services"] == doc["trunks"] == doc["proxy_services"] == []
    main_view = state(server)
    assert sub.sid in [a["sid"] for a in main_view["accounts"]] and number["sid"] in [n["sid"] for n in main_view["numbers"]]
    assert ok(load(server, doc, sub.sid, sub.auth_token)) == doc
    main_account = {"sid": server.account_sid, "owner_account_sid": server.account_sid, "friendly_name": "x"}
    refused(load(server, {"version": 1, "accounts": [main_account]}, sub.sid, sub.auth_token), 403, 20403)
    grandchild = {"sid": "AC" + secrets.token_hex(16), "owner_account_sid": sub.sid, "friendly_name": "x"}
    refused(load(server, {"version": 1, "accounts": [grandchild]}, sub.sid, sub.auth_token), 403, 20403)
    stranger = {**grandchild, "owner_account_sid": "AC" + secrets.token_hex(16)}
    refused(load(server, {"version": 1, "accounts": [stranger]}), 403, 20403)
    refused(load(server, {"version": 1, "accounts": [{**doc["accounts"][0], "status": "closed"}]}, sub.sid,
                 sub.auth_token), 403, 20403)  # an account cannot change its own status
    assert state(server, sub.sid, sub.auth_token) == doc


# -- serve --seed ---------------------------------------------------------------------------------

def test_serve_seed_loads_a_document_before_serving(backend, tmp_path_factory, tmp_path):
    with own_server(backend, tmp_path_factory) as (s, _):
        build_world(s)
        doc = state(s)
    seed = tmp_path / "seed.json"
    seed.write_text(json.dumps(doc))
    env = {"TWILIO_ACCOUNT_SID": s.account_sid, "TWILIO_AUTH_TOKEN": s.auth_token}
    with fresh_database(backend, tmp_path_factory) as db_url:
        proc, base_url = start_server(db_url, env, extra=["--seed", str(seed)])
        try:
            assert state(Server(base_url, s.account_sid, s.auth_token, db_url)) == doc  # there at once
        finally:
            stop_server(proc)


def test_serve_seed_refuses_a_bad_file_in_one_line(tmp_path):
    sid, token = "AC" + secrets.token_hex(16), secrets.token_hex(16)
    bad_number = {"version": 1, "numbers": [{"sid": "PN" + "b" * 32, "account_sid": sid, "phone_number": "+1415555"}]}
    files = {"number.json": json.dumps(bad_number), "shape.json": "[1, 2]"}
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    env = {**os.environ, "TWILIO_ACCOUNT_SID": sid, "TWILIO_AUTH_TOKEN": token}
    db = f"sqlite:///{tmp_path / 'seeded.db'}"
    expected = {"number.json": ("+1415555", "(error 21421)"), "shape.json": ("must be a JSON object", "(error 20001)"),
                "missing.json": ("cannot read it",)}
    for name, parts in expected.items():
        done = subprocess.run([sys.executable, "-m", "numberpool", "serve", "--port", str(free_port()), "--db", db,
                               "--seed", str(tmp_path / name)], env=env, capture_output=True, text=True, timeout=60,
                              check=False)
        assert done.returncode == 2, done
        assert done.stderr.count("\n") == 1 and done.stderr.startswith(f"numberpool: --seed {tmp_path / name}: "), done.stderr
        assert all(part in done.stderr for part in parts) and "Traceback" not in done.stderr, done.stderr
        assert "serving on" not in done.stdout
    proc, base_url = start_server(db, {"TWILIO_ACCOUNT_SID": sid, "TWILIO_AUTH_TOKEN": token})
    try:
        assert state(Server(base_url, sid, token, db))["numbers"] == []  # nothing of it was written
    finally:
        stop_server(proc)


# -- the access log -------------------------------------------------------------------------------

LINE = re.compile(r"^(GET|POST|DELETE) (\S+) (\d{3}) (\d+\.\d)ms (AC[0-9a-f]{32}|-)$")


def test_the_access_log_has_one_line_per_request(tmp_path_factory):
    with own_server("sqlite", tmp_path_factory, access_log=True) as (s, proc):
        with s.http() as h:
            number = buy(h, s.account_sid)
            for _ in range(2):  # the second answer comes from the response cache
                ok(h.get(f"{API}/{s.account_sid}/IncomingPhoneNumbers.json?PageSize=5&FriendlyName=a%20b"))
            refused(h.delete(f"{API}/{s.account_sid}/Nothing.json"), 404, 20404)
        refused(httpx.get(s.base_url + f"{API}/{s.account_sid}.json", auth=(s.account_sid, "wrong")), 401, 20003)
        ok(httpx.get(s.base_url + HEALTH))
    lines = [m.groups() for line in proc.stdout.read().splitlines() if (m := LINE.match(line))]
    main = s.account_sid
    assert number["sid"] and sorted((method, path, status, sid) for method, path, status, _ms, sid in lines) == sorted([
        ("POST", f"{API}/{main}/IncomingPhoneNumbers.json", "201", main),
        ("GET", f"{API}/{main}/IncomingPhoneNumbers.json?PageSize=5&FriendlyName=a%20b", "200", main),
        ("GET", f"{API}/{main}/IncomingPhoneNumbers.json?PageSize=5&FriendlyName=a%20b", "200", main),
        ("DELETE", f"{API}/{main}/Nothing.json", "404", "-"),
        ("GET", f"{API}/{main}.json", "401", "-"),
        ("GET", HEALTH, "200", "-"),
    ]), lines


def test_no_access_log_with_the_flag(tmp_path_factory):
    with own_server("sqlite", tmp_path_factory) as (s, proc):  # start_server passes --no-access-log
        with s.http() as h:
            ok(h.get(f"{API}/{s.account_sid}.json"))
        ok(httpx.get(s.base_url + HEALTH))
    assert not [line for line in proc.stdout.read().splitlines() if LINE.match(line)]

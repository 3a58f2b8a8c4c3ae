"""CallRules in the state document (GET/POST /numberpool/v1/State): exported with their SIDs and
fields, restored by a load with the same SIDs, refused (nothing written) when a rule is bad, with
the API's own error naming where the field is in the document, replacing the account's rule for
the same To as the API does, and gone after a Reset. Both databases.

The ``server`` is shared by every test of the session, so each test here works in subaccounts of
its own and never resets it; the Reset test has a server of its own (``own``)."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.api.conftest import serving
from tests.api.test_state_delivery_rules import load, ok, refused

STATE, RULES, RESET = "/numberpool/v1/State", "/numberpool/v1/CallRules", "/numberpool/v1/Reset"
FIELDS = ("sid", "account_sid", "to", "status", "ring_seconds", "hold_seconds", "digits", "duration", "answered_by")


@pytest.fixture(scope="module")
def own(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A server of this module's own (a fresh mock on SQLite, a server process on PostgreSQL), so
    that its Reset deletes no other test's accounts."""
    yield from serving(backend, tmp_path_factory)


def rules_of(doc: dict[str, Any], account_sid: str) -> list[dict[str, Any]]:
    return [r for r in doc["call_rules"] if r["account_sid"] == account_sid]


def shown(rule: dict[str, Any]) -> dict[str, Any]:
    """An API rule's fields as the document carries them."""
    return {k: rule[k] for k in FIELDS}


def listed(h: httpx.Client) -> list[dict[str, Any]]:
    """The caller's rules through the API, as the document carries them, in SID order."""
    return sorted((shown(r) for r in ok(h.get(RULES, params={"PageSize": 1000}))["call_rules"]),
                  key=lambda r: r["sid"])


def new_sid() -> str:
    return "CL" + secrets.token_hex(16)


def make_rules(h: httpx.Client) -> list[dict[str, Any]]:
    made = [
        ok(h.post(RULES, data={"To": "+12125550100", "Status": "busy", "RingSeconds": "7"}), 201),
        ok(h.post(RULES, data={"To": "+1310*", "Status": "answered", "RingSeconds": "2", "HoldSeconds": "30",
                               "Duration": "90", "Digits": ["1", "w#", "42*"], "AnsweredBy": "machine_end_beep"}), 201),
        ok(h.post(RULES, data={"To": "+14155550123"}), 201),  # every default
    ]
    return sorted(made, key=lambda r: r["sid"])


def test_the_document_shows_each_call_rule_of_the_family(server, subaccount):
    with server.http(subaccount.sid, subaccount.auth_token) as hs, server.http() as h:
        made = make_rules(hs)
        mine = rules_of(ok(hs.get(STATE)), subaccount.sid)
        assert mine == [shown(r) for r in made]
        assert [r["digits"] for r in mine if r["to"] == "+1310*"] == [["1", "w#", "42*"]]
        assert [(r["status"], r["ring_seconds"], r["hold_seconds"], r["digits"], r["duration"], r["answered_by"])
                for r in mine if r["to"] == "+14155550123"] == [("answered", 0, 0, [], 0, "human")]
        assert rules_of(ok(h.get(STATE)), subaccount.sid) == mine  # the main account sees its subaccount's
        sibling = ok(h.post("/2010-04-01/Accounts.json", data={"FriendlyName": "sibling"}), 201)
        with server.http(sibling["sid"], sibling["auth_token"]) as hb:
            ok(hb.post(RULES, data={"To": "+1646*", "Status": "failed"}), 201)
        assert rules_of(ok(hs.get(STATE)), sibling["sid"]) == []  # not a sibling's
        assert {r["account_sid"] for r in ok(hs.get(STATE))["call_rules"]} == {subaccount.sid}


def test_a_round_trip_restores_the_same_call_rules(server, subaccount):
    with server.http(subaccount.sid, subaccount.auth_token) as hs:
        make_rules(hs)
        before = listed(hs)
        assert len(before) == 3
        doc = ok(hs.get(STATE))
        for r in before:
            ok(hs.delete(f"{RULES}/{r['sid']}"), 204)
        assert listed(hs) == [] and ok(hs.get(STATE))["call_rules"] == []
        assert ok(load(hs, doc)) == doc
        assert listed(hs) == before
        assert ok(load(hs, doc)) == doc  # a second load changes nothing
        assert listed(hs) == before


def test_fields_left_out_take_the_apis_defaults(server, subaccount):
    with server.http(subaccount.sid, subaccount.auth_token) as hs:
        api = shown(ok(hs.post(RULES, data={"To": "+15035550100"}), 201))
        sparse = {"sid": new_sid(), "account_sid": subaccount.sid, "to": "+15035550101"}
        nulls = {"sid": new_sid(), "account_sid": subaccount.sid, "to": "+15035550102",
                 **{k: None for k in FIELDS[3:]}}
        strings = {"sid": new_sid(), "account_sid": subaccount.sid, "to": "+15035550103", "ring_seconds": "5",
                   "hold_seconds": 6, "duration": "86400"}  # a form string, as the API reads it, or a JSON integer
        ok(load(hs, {"version": 1, "call_rules": [sparse, nulls, strings]}))
        after = {r["sid"]: r for r in listed(hs)}
        defaults = {k: v for k, v in api.items() if k not in ("sid", "to")}
        assert after[sparse["sid"]] == {**defaults, "sid": sparse["sid"], "to": sparse["to"]}
        assert after[nulls["sid"]] == {**defaults, "sid": nulls["sid"], "to": nulls["to"]}
        assert (after[strings["sid"]]["ring_seconds"], after[strings["sid"]]["hold_seconds"],
                after[strings["sid"]]["duration"]) == (5, 6, 86400)


def test_a_load_updates_and_replaces_and_leaves_unlisted_call_rules_alone(server, subaccount):
    with server.http(subaccount.sid, subaccount.auth_token) as hs:
        exact, prefix, plain = (ok(hs.post(RULES, data=form), 201) for form in (
            {"To": "+12125550100", "Status": "busy"},
            {"To": "+1310*", "Status": "no-answer", "RingSeconds": "20"},
            {"To": "+14155550123"}))
        changed = {**shown(exact), "status": "answered", "ring_seconds": 3, "hold_seconds": 4, "digits": ["9", "#"],
                   "duration": 60, "answered_by": "machine_start"}
        new = {"sid": new_sid(), "account_sid": subaccount.sid, "to": "+1310*", "status": "failed", "ring_seconds": 1,
               "hold_seconds": 0, "digits": [], "duration": 0, "answered_by": "human"}  # takes +1310* from ``prefix``
        ok(load(hs, {"version": 1, "call_rules": [changed, new]}))
        after = {r["sid"]: r for r in listed(hs)}
        assert set(after) == {exact["sid"], new["sid"], plain["sid"]}  # ``plain``, not listed, stays
        ok(hs.get(f"{RULES}/{prefix['sid']}"), 404)  # replaced by ``new``, as creating it through the API would
        assert after[exact["sid"]] == changed and after[new["sid"]] == new
        # a rule moved to another rule's To takes its place
        moved = {**changed, "to": "+14155550123"}
        ok(load(hs, {"version": 1, "call_rules": [moved]}))
        assert listed(hs) == sorted([moved, new], key=lambda r: r["sid"])
        ok(hs.get(f"{RULES}/{plain['sid']}"), 404)
        fetched = ok(hs.get(f"{RULES}/{exact['sid']}"))
        assert fetched["date_created"] == exact["date_created"]  # the same rule, updated
        assert shown(fetched) == moved


def test_a_subaccounts_call_rule_is_loaded_under_its_account(server, subaccount):
    rule = {"sid": new_sid(), "account_sid": subaccount.sid, "to": "+1718*", "status": "no-answer",
            "ring_seconds": 25, "hold_seconds": 0, "digits": ["1"], "duration": 0, "answered_by": "unknown"}
    with server.http() as h, server.http(subaccount.sid, subaccount.auth_token) as hs:
        doc = ok(load(h, {"version": 1, "call_rules": [rule]}))  # loaded by the main account
        assert rule in doc["call_rules"]
        assert listed(hs) == [rule]  # the subaccount's own, through the API
        assert rules_of(ok(hs.get(STATE)), subaccount.sid) == [rule]
        assert rule["sid"] not in [r["sid"] for r in listed(h)]  # not the main account's


# (the document's change, the same value for the API's form or None, what the message says)
BAD: list[tuple[dict[str, Any], dict[str, Any] | None, str]] = [
    ({"to": None}, {"To": ""}, "Missing required parameter call_rules[1].to"),
    ({"to": "12025550100"}, {"To": "12025550100"}, "Invalid parameter call_rules[1].to: "),
    ({"to": "+1202*5"}, {"To": "+1202*5"}, "Invalid parameter call_rules[1].to: "),
    ({"status": "lost"}, {"Status": "lost"}, "Invalid parameter call_rules[1].status: "),
    ({"ring_seconds": -1}, {"RingSeconds": "-1"}, "Invalid parameter call_rules[1].ring_seconds: "),
    ({"ring_seconds": True}, {"RingSeconds": "true"}, "Invalid parameter call_rules[1].ring_seconds: "),
    ({"hold_seconds": 86401}, {"HoldSeconds": "86401"}, "Invalid parameter call_rules[1].hold_seconds: "),
    ({"duration": "ten"}, {"Duration": "ten"}, "Invalid parameter call_rules[1].duration: "),
    ({"digits": ["12x"]}, {"Digits": ["12x"]}, "Invalid parameter call_rules[1].digits: "),
    ({"digits": ["1"] * 101}, {"Digits": ["1"] * 101}, "Invalid parameter call_rules[1].digits: at most 100"),
    ({"answered_by": "robot"}, {"AnsweredBy": "robot"}, "Invalid parameter call_rules[1].answered_by: "),
    ({"duration": 1.5}, None, "call_rules[1].duration must be a string"),
    ({"digits": "123"}, None, "call_rules[1].digits must be a list of strings"),
    ({"digits": [1, 2]}, None, "call_rules[1].digits must be a list of strings"),
    ({"sid": "CL12"}, None, "call_rules[1].sid must be a SID"),
    ({"sid": "DR" + "a" * 32}, None, "call_rules[1].sid must be a SID (CL"),
    ({"account_sid": None}, None, "call_rules[1].account_sid is missing"),
    ({"date_created": 0}, None, "call_rules[1] has an unknown field 'date_created'"),
    ({"error_code": None}, None, "call_rules[1] has an unknown field 'error_code'"),
]


def test_bad_call_rules_are_refused_as_the_api_refuses_them_naming_where(server, subaccount):
    good = {"sid": new_sid(), "account_sid": subaccount.sid, "to": "+12025550100", "status": "busy"}
    fields = {"To": "to", "Status": "status", "RingSeconds": "ring_seconds", "HoldSeconds": "hold_seconds",
              "Digits": "digits", "Duration": "duration", "AnsweredBy": "answered_by"}
    with server.http() as h, server.http(subaccount.sid, subaccount.auth_token) as hs:
        for change, form, expected in BAD:
            bad = {**good, "sid": new_sid(), "to": "+12025550199", **change}
            message = refused(load(h, {"version": 1, "call_rules": [good, bad]}), 400, 20001)
            assert expected in message, (change, message)
            if form is not None:  # the API's own words, with the document's name for the field
                api = refused(hs.post(RULES, data={"To": "+12025550199", **form}), 400, 20001)
                param = next(iter(form))
                assert message == api.replace(f" {param}", f" call_rules[1].{fields[param]}", 1), (message, api)
        assert listed(hs) == []  # neither ``good`` nor anything the API refused was written
        # one rule per account and To
        twin = {**good, "sid": new_sid(), "status": "failed"}
        message = refused(load(h, {"version": 1, "call_rules": [good, twin]}), 400, 20001)
        assert f"call_rules[1].to: account {subaccount.sid} has another rule for +12025550100" in message
        message = refused(load(h, {"version": 1, "call_rules": [good, {**twin, "sid": good["sid"], "to": "+12025550199"}]}),
                          400, 20001)
        assert "call_rules[1].sid" in message and "appears twice in call_rules" in message
        assert "call_rules" in refused(load(h, {"version": 1, "call_rule": []}), 400, 20001)
        assert "call_rules must be a list" in refused(load(h, {"version": 1, "call_rules": {}}), 400, 20001)
        assert listed(hs) == []
        # an account the caller cannot see: 404 as for any resource, after ``good`` was written, which is undone
        stranger = "AC" + secrets.token_hex(16)
        bad = {**good, "sid": new_sid(), "account_sid": stranger, "to": "+12025550199"}
        message = refused(load(h, {"version": 1, "call_rules": [good, bad]}), 404, 20404)
        assert stranger in message and "call_rules[1].account_sid" in message
        assert listed(hs) == []
        # a subaccount cannot load a rule into its parent
        refused(load(hs, {"version": 1, "call_rules": [{**good, "account_sid": server.account_sid}]}), 404, 20404)
        assert good["sid"] not in [r["sid"] for r in listed(h)]


def test_a_call_rule_of_an_account_the_caller_cannot_see_is_not_taken_over(server, client, subaccount):
    sibling = client.api.v2010.accounts.create(friendly_name="sibling")
    with server.http(sibling.sid, sibling.auth_token) as hb, server.http(subaccount.sid, subaccount.auth_token) as hs:
        theirs = ok(hb.post(RULES, data={"To": "+13125550100", "Status": "busy"}), 201)
        ours = {**shown(theirs), "account_sid": subaccount.sid}
        message = refused(load(hs, {"version": 1, "call_rules": [ours]}), 404, 20404)
        assert message == f"The requested resource CallRule {theirs['sid']} (call_rules[0].sid) was not found"
        assert listed(hs) == [] and listed(hb) == [shown(theirs)]
    with server.http() as h:  # the main account sees both: the rule cannot move between them
        message = refused(load(h, {"version": 1, "call_rules": [ours]}), 400, 20001)
        assert "call_rules[0].sid" in message and "cannot move it" in message


def test_reset_removes_call_rules_and_a_load_brings_them_back(own):
    with own.http() as h:
        sub = ok(h.post("/2010-04-01/Accounts.json", data={"FriendlyName": "sub"}), 201)
        mine = ok(h.post(RULES, data={"To": "+12125550100", "Status": "busy", "Digits": ["5"]}), 201)
        with own.http(sub["sid"], sub["auth_token"]) as hs:
            theirs = ok(hs.post(RULES, data={"To": "+1415*", "Duration": "30"}), 201)
        loaded = {"sid": new_sid(), "account_sid": own.account_sid, "to": "+1646*", "status": "no-answer",
                  "ring_seconds": 12}
        doc = ok(load(h, {"version": 1, "call_rules": [loaded]}))
        assert {r["sid"] for r in doc["call_rules"]} == {mine["sid"], theirs["sid"], loaded["sid"]}
        assert len(listed(h)) == 2  # the main account's own: ``mine`` and ``loaded``
        ok(h.post(RESET), 204)
        assert ok(h.get(STATE))["call_rules"] == []
        assert listed(h) == []
        for sid in (mine["sid"], loaded["sid"]):
            ok(h.get(f"{RULES}/{sid}"), 404)
        assert ok(load(h, doc)) == doc  # a document taken before the Reset restores them
        assert [r["sid"] for r in listed(h)] == sorted([mine["sid"], loaded["sid"]])
        with own.http(sub["sid"], sub["auth_token"]) as hs:
            assert listed(hs) == [shown(theirs)]

"""DeliveryRules in the state document (GET/POST /numberpool/v1/State): exported with their SIDs
and fields, restored by a load with the same SIDs, refused (nothing written) when a rule is bad or
names an account the caller cannot see, replacing the account's rule for the same To as the API
does. Both databases.

The ``server`` is shared by every test of the session, so each test here works in subaccounts of
its own and never resets: the documents it loads hold only the rules it made."""

from __future__ import annotations

import json
import secrets
from typing import Any

import httpx

STATE, RULES = "/numberpool/v1/State", "/numberpool/v1/DeliveryRules"


def ok(r: httpx.Response, status: int = 200) -> Any:
    assert r.status_code == status, r.text
    return r.json() if r.content else None


def refused(r: httpx.Response, status: int, code: int) -> str:
    assert (r.status_code, r.json()["code"]) == (status, code), r.text
    return r.json()["message"]


def load(h: httpx.Client, doc: Any) -> httpx.Response:
    return h.post(STATE, content=json.dumps(doc).encode(), headers={"Content-Type": "application/json"})


def rules_of(doc: dict[str, Any], account_sid: str) -> list[dict[str, Any]]:
    return [r for r in doc["delivery_rules"] if r["account_sid"] == account_sid]


def listed(h: httpx.Client) -> list[dict[str, Any]]:
    """The caller's rules through the API: (sid, to, status, error_code), in SID order."""
    return sorted(({k: r[k] for k in ("sid", "account_sid", "to", "status", "error_code")}
                   for r in ok(h.get(RULES, params={"PageSize": 1000}))["delivery_rules"]), key=lambda r: r["sid"])


def make_rules(h: httpx.Client) -> list[dict[str, Any]]:
    made = [
        ok(h.post(RULES, data={"To": "+12125550100", "Status": "failed", "ErrorCode": "30006"}), 201),
        ok(h.post(RULES, data={"To": "+1310*", "Status": "sent"}), 201),
        ok(h.post(RULES, data={"To": "+14155550123"}), 201),  # delivered, the default
    ]
    return sorted(made, key=lambda r: r["sid"])


def test_the_document_shows_each_rule_of_the_family(server, subaccount):
    with server.http(subaccount.sid, subaccount.auth_token) as hs, server.http() as h:
        made = make_rules(hs)
        mine = rules_of(ok(hs.get(STATE)), subaccount.sid)
        assert mine == [{"sid": r["sid"], "account_sid": subaccount.sid, "to": r["to"], "status": r["status"],
                         "error_code": r["error_code"]} for r in made]
        assert [r["error_code"] for r in mine if r["to"] == "+12125550100"] == [30006]
        assert rules_of(ok(h.get(STATE)), subaccount.sid) == mine  # the main account sees its subaccount's
        sibling = ok(h.post("/2010-04-01/Accounts.json", data={"FriendlyName": "sibling"}), 201)
        with server.http(sibling["sid"], sibling["auth_token"]) as hb:
            ok(hb.post(RULES, data={"To": "+1646*", "Status": "sent"}), 201)
        assert rules_of(ok(hs.get(STATE)), sibling["sid"]) == []  # not a sibling's
        assert {r["account_sid"] for r in ok(hs.get(STATE))["delivery_rules"]} == {subaccount.sid}


def test_a_round_trip_restores_the_same_rules(server, subaccount):
    with server.http(subaccount.sid, subaccount.auth_token) as hs:
        make_rules(hs)
        before = listed(hs)
        doc = ok(hs.get(STATE))
        for r in before:
            ok(hs.delete(f"{RULES}/{r['sid']}"), 204)
        assert listed(hs) == [] and ok(hs.get(STATE))["delivery_rules"] == []
        assert ok(load(hs, doc)) == doc
        assert listed(hs) == before
        assert ok(load(hs, doc)) == doc  # a second load changes nothing
        assert listed(hs) == before


def test_a_load_updates_and_replaces_and_leaves_unlisted_rules_alone(server, subaccount):
    with server.http(subaccount.sid, subaccount.auth_token) as hs:
        exact, prefix, plain = (ok(hs.post(RULES, data=form), 201) for form in (
            {"To": "+12125550100", "Status": "failed", "ErrorCode": "30006"},
            {"To": "+1310*", "Status": "sent"},
            {"To": "+14155550123"}))
        changed = {"sid": exact["sid"], "account_sid": subaccount.sid, "to": "+12125550100", "status": "undelivered",
                   "error_code": 30003}
        new = {"sid": "DR" + secrets.token_hex(16), "account_sid": subaccount.sid, "to": "+1310*", "status": "delivered",
               "error_code": None}  # takes +1310* from ``prefix``, as creating it through the API would
        ok(load(hs, {"version": 1, "delivery_rules": [changed, new]}))
        after = {r["sid"]: r for r in listed(hs)}
        assert set(after) == {exact["sid"], new["sid"], plain["sid"]}  # ``plain``, not listed, stays
        ok(hs.get(f"{RULES}/{prefix['sid']}"), 404)  # replaced by ``new``
        assert after[exact["sid"]] == changed and after[new["sid"]] == new
        # a rule moved to another rule's To takes its place
        moved = {**changed, "to": "+14155550123", "status": "delivered", "error_code": None}
        ok(load(hs, {"version": 1, "delivery_rules": [moved]}))
        assert listed(hs) == sorted([moved, new], key=lambda r: r["sid"])
        fetched = ok(hs.get(f"{RULES}/{exact['sid']}"))
        assert fetched["date_created"] == exact["date_created"]  # the same rule, updated


def test_a_subaccounts_rule_is_loaded_under_its_account(server, subaccount):
    rule = {"sid": "DR" + secrets.token_hex(16), "account_sid": subaccount.sid, "to": "+1718*", "status": "undelivered",
            "error_code": 30005}
    with server.http() as h, server.http(subaccount.sid, subaccount.auth_token) as hs:
        doc = ok(load(h, {"version": 1, "delivery_rules": [rule]}))  # loaded by the main account
        assert rule in doc["delivery_rules"]
        assert listed(hs) == [rule]  # the subaccount's own, through the API
        assert rules_of(ok(hs.get(STATE)), subaccount.sid) == [rule]
        assert rule["sid"] not in [r["sid"] for r in listed(h)]  # not the main account's


def test_bad_rules_are_refused_naming_where_and_nothing_is_written(server, subaccount):
    main = server.account_sid
    good = {"sid": "DR" + secrets.token_hex(16), "account_sid": subaccount.sid, "to": "+12025550100", "status": "sent"}
    cases: list[tuple[dict[str, Any], str]] = [
        ({"to": None}, "Missing required parameter delivery_rules[1].to"),
        ({"to": "12025550100"}, "Invalid parameter delivery_rules[1].to: "),
        ({"to": "+1202*5"}, "delivery_rules[1].to"),
        ({"status": "lost"}, "Invalid parameter delivery_rules[1].status: "),
        ({"status": "failed"}, "Invalid parameter delivery_rules[1].error_code: is required with Status failed"),
        ({"status": "undelivered", "error_code": 20001}, "Invalid parameter delivery_rules[1].error_code: "),
        ({"status": "delivered", "error_code": 30003}, "delivery_rules[1].error_code: is not allowed"),
        ({"error_code": [30003]}, "delivery_rules[1].error_code must be a string"),
        ({"sid": "DR12"}, "delivery_rules[1].sid must be a SID"),
        ({"sid": "PN" + "a" * 32}, "delivery_rules[1].sid must be a SID (DR"),
        ({"account_sid": None}, "delivery_rules[1].account_sid is missing"),
        ({"date_created": 0}, "delivery_rules[1] has an unknown field 'date_created'"),
        ({"sid": good["sid"]}, "appears twice"),
        ({"to": good["to"]}, f"delivery_rules[1].to: account {subaccount.sid} has another rule for +12025550100"),
    ]
    with server.http() as h, server.http(subaccount.sid, subaccount.auth_token) as hs:
        for change, expected in cases:
            bad = {**good, "sid": "DR" + secrets.token_hex(16), "to": "+12025550199", **change}
            message = refused(load(h, {"version": 1, "delivery_rules": [good, bad]}), 400, 20001)
            assert expected in message, (change, message)
        assert "delivery_rules" in refused(load(h, {"version": 1, "delivery_rule": []}), 400, 20001)
        assert listed(hs) == []
        # an account the caller cannot see: 404 as for any resource, after ``good`` was written, which is undone
        stranger = "AC" + secrets.token_hex(16)
        bad = {**good, "sid": "DR" + secrets.token_hex(16), "account_sid": stranger, "to": "+12025550199"}
        message = refused(load(h, {"version": 1, "delivery_rules": [good, bad]}), 404, 20404)
        assert stranger in message and "delivery_rules[1].account_sid" in message
        assert listed(hs) == []
        # a subaccount cannot load a rule into its parent
        refused(load(hs, {"version": 1, "delivery_rules": [{**good, "account_sid": main}]}), 404, 20404)
        assert good["sid"] not in [r["sid"] for r in listed(h)]


def test_a_rule_of_an_account_the_caller_cannot_see_is_not_taken_over(server, client, subaccount):
    sibling = client.api.v2010.accounts.create(friendly_name="sibling")
    with server.http(sibling.sid, sibling.auth_token) as hb, server.http(subaccount.sid, subaccount.auth_token) as hs:
        theirs = ok(hb.post(RULES, data={"To": "+13125550100", "Status": "sent"}), 201)
        ours = {"sid": theirs["sid"], "account_sid": subaccount.sid, "to": "+13125550100", "status": "sent",
                "error_code": None}
        message = refused(load(hs, {"version": 1, "delivery_rules": [ours]}), 404, 20404)
        assert message == f"The requested resource DeliveryRule {theirs['sid']} (delivery_rules[0].sid) was not found"
        assert listed(hs) == [] and [r["sid"] for r in listed(hb)] == [theirs["sid"]]
    with server.http() as h:  # the main account sees both: the rule cannot move between them
        message = refused(load(h, {"version": 1, "delivery_rules": [ours]}), 400, 20001)
        assert "delivery_rules[0].sid" in message and "cannot move it" in message

"""A state document loaded by a subaccount learns nothing of a sibling subaccount: for every kind of
resource the document carries, a sibling's resource named in it is 404 (20404) and a sibling's
account 403 (20403), with a message that names nothing of the sibling's beyond what the document
itself says, the same whatever the sibling holds, and nothing is written."""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.conftest import Server

API = "/2010-04-01/Accounts"
STATE = "/numberpool/v1/State"


def ok(r: httpx.Response, status: int = 200) -> Any:
    assert r.status_code == status, r.text
    return r.json()


@dataclass
class Pair:
    """Two subaccounts of the main account: the caller, and its sibling with something of every kind."""

    server: Server
    caller: dict[str, Any]
    sibling: dict[str, Any]
    theirs: dict[str, Any]  # the sibling's state document

    def load(self, doc: dict[str, Any]) -> httpx.Response:
        with self.server.http(self.caller["sid"], self.caller["auth_token"]) as h:
            return h.post(STATE, content=json.dumps({"version": 1, **doc}), headers={"Content-Type": "application/json"})

    def state(self, who: dict[str, Any]) -> dict[str, Any]:
        with self.server.http(who["sid"], who["auth_token"]) as h:
            return ok(h.get(STATE))

    def secrets(self) -> set[str]:
        """What the sibling holds that a message must not name unless the document did."""
        t = self.theirs
        found = {self.sibling["sid"], self.sibling["auth_token"], "sibling-secret-name"}
        found |= {n["phone_number"] for n in t["numbers"]}
        for kind in ("applications", "numbers", "messaging_services", "trunks", "proxy_services"):
            found |= {r["sid"] for r in t[kind]}
        found |= {u["sid"] for tk in t["trunks"] for u in tk["origination_urls"]}
        found |= {tk["domain_name"] for tk in t["trunks"]}
        return found


@pytest.fixture
def pair(server: Server) -> Pair:
    with server.http() as h:
        caller = ok(h.post(f"{API}.json", data={"FriendlyName": "caller"}), 201)
        sibling = ok(h.post(f"{API}.json", data={"FriendlyName": "sibling"}), 201)
    with server.http(sibling["sid"], sibling["auth_token"]) as h:
        sid = sibling["sid"]
        app = ok(h.post(f"{API}/{sid}/Applications.json", data={"FriendlyName": "sibling-secret-name"}), 201)
        in_messaging = ok(h.post(f"{API}/{sid}/IncomingPhoneNumbers.json", data={"AreaCode": "415"}), 201)
        in_proxy = ok(h.post(f"{API}/{sid}/IncomingPhoneNumbers.json", data={"AreaCode": "415"}), 201)
        ok(h.post(f"{API}/{sid}/IncomingPhoneNumbers.json", data={"AreaCode": "415", "SmsApplicationSid": app["sid"]}), 201)
        mg = ok(h.post("/messaging/v1/Services", data={"FriendlyName": "sibling-secret-name"}), 201)
        ok(h.post(f"/messaging/v1/Services/{mg['sid']}/PhoneNumbers", data={"PhoneNumberSid": in_messaging["sid"]}), 201)
        tk = ok(h.post("/trunking/v1/Trunks", data={"DomainName": f"sib{secrets.token_hex(4)}.pstn.twilio.com"}), 201)
        ok(h.post(f"/trunking/v1/Trunks/{tk['sid']}/OriginationUrls", data={
            "Weight": "1", "Priority": "1", "Enabled": "true", "FriendlyName": "pbx", "SipUrl": "sip:pbx@example.com"}), 201)
        ks = ok(h.post("/proxy/v1/Services", data={"UniqueName": "sibling-secret-name"}), 201)
        ok(h.post(f"/proxy/v1/Services/{ks['sid']}/PhoneNumbers", data={"Sid": in_proxy["sid"]}), 201)
    p = Pair(server, caller, sibling, {})
    p.theirs = p.state(sibling)
    assert all(p.theirs[k] for k in ("applications", "numbers", "messaging_services", "trunks", "proxy_services"))
    return p


def _new(prefix: str) -> str:
    return prefix + secrets.token_hex(16)


def _mine(p: Pair, item: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """The sibling's resource, claimed for the caller's account."""
    return {**item, "account_sid": p.caller["sid"], **changes}


# Each case: documents that name something of the sibling's, in both its forms where it has two
# (claimed for the caller's account, or left in the sibling's), and the (status, code) expected.
Case = Callable[[Pair], list[dict[str, Any]]]


def _accounts(p: Pair) -> list[dict[str, Any]]:
    them = p.theirs["accounts"][0]
    return [{"accounts": [them]}, {"accounts": [{**them, "owner_account_sid": p.caller["sid"]}]}]


def _numbers(p: Pair) -> list[dict[str, Any]]:
    n = p.theirs["numbers"][0]
    return [{"numbers": [_mine(p, n, phone_number="+14155550000")]}, {"numbers": [_mine(p, n)]},
            {"numbers": [{**n, "phone_number": "+14155550000"}]}, {"numbers": [n]}]


def _kind(key: str) -> Case:
    def documents(p: Pair) -> list[dict[str, Any]]:
        item = p.theirs[key][0]
        return [{key: [_mine(p, item)]}, {key: [item]}]
    return documents


def _origination_urls(p: Pair) -> list[dict[str, Any]]:
    url = p.theirs["trunks"][0]["origination_urls"][0]
    mine = {"sid": _new("TK"), "account_sid": p.caller["sid"], "origination_urls": [url]}
    return [{"trunks": [mine]}, {"trunks": [{**mine, "origination_urls": [{**url, "sip_url": "sip:x@example.com"}]}]}]


def _memberships(p: Pair) -> list[dict[str, Any]]:
    """The sibling's services with their members (as they are, and emptied)."""
    mg, ks = p.theirs["messaging_services"][0], p.theirs["proxy_services"][0]
    return [{"messaging_services": [_mine(p, mg)]}, {"messaging_services": [_mine(p, mg, phone_numbers=[])]},
            {"messaging_services": [{**mg, "phone_numbers": []}]},
            {"proxy_services": [_mine(p, ks, phone_numbers=[])]}, {"proxy_services": [{**ks, "phone_numbers": []}]}]


def _unique_names(p: Pair) -> list[dict[str, Any]]:
    """A new Proxy Service in the sibling's account: the same answer whether its name is taken there or not."""
    base = {"sid": _new("KS"), "account_sid": p.sibling["sid"]}
    return [{"proxy_services": [{**base, "unique_name": "sibling-secret-name"}]},
            {"proxy_services": [{**base, "unique_name": "a-name-nobody-has"}]}]


# kind -> (the documents, the status and code, pairs of documents that differ only in what the
# sibling holds (a phone_number, a UniqueName, a member list) and must be answered alike)
CASES: dict[str, tuple[Case, int, int, tuple[tuple[int, int], ...]]] = {
    "accounts": (_accounts, 403, 20403, ((0, 1),)),
    "numbers": (_numbers, 404, 20404, ((0, 1), (2, 3))),
    "applications": (_kind("applications"), 404, 20404, ()),
    "messaging_services": (_kind("messaging_services"), 404, 20404, ()),
    "trunks": (_kind("trunks"), 404, 20404, ()),
    "origination_urls": (_origination_urls, 404, 20404, ((0, 1),)),
    "proxy_services": (_kind("proxy_services"), 404, 20404, ()),
    "memberships": (_memberships, 404, 20404, ((0, 1),)),
    "unique_names": (_unique_names, 404, 20404, ((0, 1),)),
}


@pytest.mark.parametrize("kind", CASES)
def test_a_siblings_resource_in_a_document_is_not_found_and_named_nowhere(pair, kind):
    documents, status, code, alike = CASES[kind]
    before = pair.state(pair.caller)
    answers = []
    for doc in documents(pair):
        r = pair.load(doc)
        body = r.json()
        assert (r.status_code, body.get("code")) == (status, code), (doc, r.text)
        named = json.dumps(doc)
        leaked = {s for s in pair.secrets() if s in body["message"] and s not in named}
        assert not leaked, (doc, body["message"])
        answers.append(body)
    for i, j in alike:
        assert answers[i] == answers[j], (i, j, answers)
    assert pair.state(pair.sibling) == pair.theirs  # nothing was written
    assert pair.state(pair.caller) == before


def test_a_siblings_number_in_a_service_of_the_caller_is_answered_as_a_number_that_does_not_exist(pair):
    """A membership names a number: the sibling's is answered exactly as an unknown SID."""
    mine = {"sid": _new("MG"), "account_sid": pair.caller["sid"], "friendly_name": "mine"}
    theirs_pn = pair.theirs["numbers"][0]["sid"]
    for key, service in (("messaging_services", mine), ("proxy_services", {**mine, "sid": _new("KS"), "unique_name": "u"})):
        answers = []
        for pn in (theirs_pn, _new("PN")):
            service_doc = {k: v for k, v in service.items() if k != "friendly_name" or key == "messaging_services"}
            r = pair.load({key: [{**service_doc, "phone_numbers": [{"sid": pn}]}]})
            answers.append((r.status_code, r.json()["code"], r.json()["message"].replace(pn, "PN…")))
        assert answers[0] == answers[1] and answers[0][0] in (400, 404), answers
    assert pair.state(pair.sibling) == pair.theirs


def test_a_siblings_account_is_refused_as_an_account_that_does_not_exist(pair):
    """403 in the same words whether the SID is a sibling's or nobody's: nothing is looked up."""
    answers = []
    for sid in (pair.sibling["sid"], _new("AC")):
        for owner in (pair.caller["sid"], pair.server.account_sid):
            r = pair.load({"accounts": [{"sid": sid, "owner_account_sid": owner, "friendly_name": "x"}]})
            answers.append((r.status_code, r.json()["code"], r.json()["message"].replace(sid, "AC…")))
    assert answers[:2] == answers[2:] and {a[:2] for a in answers} == {(403, 20403)}, answers

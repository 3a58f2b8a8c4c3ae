"""The one access rule (``numberpool.domain.access``): every route of every product declares its
rule where it is registered, the router enforces it through that module, the rule's Python form
and its SQL form (``numberpool.store.access``) agree on every pair of accounts, and a sample of
what it answers, on both databases: an API key refused with 70051 on Accounts, Keys, State and
Reset, a subaccount refused on Reset with 20403, a sibling's resources 404."""

from __future__ import annotations

import secrets
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from numberpool.domain import access
from numberpool.domain.accounts import Account
from numberpool.domain.errors import TwilioError
from numberpool.http.router import Operation
from numberpool.store.access import family_sids
from tests.spec.served import routes

MAIN = "AC" + "a" * 32
KEY = "SK" + "b" * 32


def expected_rule(product: str, op: Operation) -> access.Rule:
    """What each route must declare, from what it serves (not from the code that declares it)."""
    template = op.path.template
    if product in ("messaging", "trunking", "proxy"):
        return access.OWN  # no AccountSid in the path: the caller's own account's resources
    if product == "api":
        managing = template.endswith("/Accounts.json") or template == "/2010-04-01/Accounts/{Sid}.json"
        return access.FAMILY_NO_KEYS if managing or "/Keys" in template else access.FAMILY
    assert product == "numberpool", product
    if op.operation_id in ("CreateReset", "CreateClock"):  # the whole server's: Reset, advancing the clock
        return access.MAIN_ONLY_NO_KEYS
    if template.endswith("/State"):
        return access.FAMILY_NO_KEYS  # a state document holds auth tokens
    # inbound traffic, Settle, DeliveryRules, CallRules and the Messages and Calls views: any account of the family
    assert any(word in op.operation_id for word in ("Inbound", "Settle", "DeliveryRule", "CallRule", "Message", "Call", "Clock")), op.operation_id
    return access.FAMILY


def account(sid: str, owner: str | None = None, *, main: bool = False, key: str | None = None) -> Account:
    return Account(sid, owner or sid, "x", "active", "Full", "token", main, 0, 0, key)


def test_every_route_declares_its_rule() -> None:
    served = routes()
    assert set(served) == {"api", "messaging", "trunking", "proxy", "numberpool"}
    table: dict[str, list[str]] = {}
    for product, ops in served.items():
        assert ops, product
        for op in ops:
            assert isinstance(op.access, access.Rule), (product, op.operation_id)
            assert op.access == expected_rule(product, op), (product, op.method, op.path.template, str(op.access))
            table.setdefault(str(op.access), []).append(op.operation_id)
    assert set(table) == {"own", "family", "family keys refused", "family main only keys refused"}
    assert sorted(table["family main only keys refused"]) == ["CreateClock", "CreateReset"]
    assert sorted(table["family keys refused"]) == sorted([
        "ListAccount", "CreateAccount", "FetchAccount", "UpdateAccount", "ListKey", "CreateNewKey", "FetchKey",
        "UpdateKey", "DeleteKey", "FetchState", "CreateState"])


def test_each_route_is_guarded_through_the_access_module() -> None:
    """The handler served for a route runs its rule's caller checks first: a key gets 70051 and a
    caller other than the main account 20403 where the rule says so, before the handler reads
    anything (the request carries nothing else); elsewhere the rule refuses neither."""
    by_key, sub, main = account(MAIN, main=True, key=KEY), account("AC" + "c" * 32, MAIN), account(MAIN, main=True)
    for product, ops in routes().items():
        for op in ops:
            rule = op.access
            for caller in (by_key, sub, main):
                try:
                    rule.check(caller)
                    refused = None
                except TwilioError as e:
                    refused = e.code
                want = 70051 if rule.keys_refused and caller is by_key else (
                    20403 if rule.main_only and caller is not main else None)
                assert refused == want, (product, op.operation_id, caller.sid, caller.key_sid)
                if want is None:
                    continue
                with pytest.raises(TwilioError) as raised:
                    op.handler(SimpleNamespace(caller=caller), *(["X"] * len(op.path.params)))
                assert raised.value.code == want, (product, op.operation_id)


def test_the_rule_on_callers() -> None:
    main, other = account(MAIN, main=True), account("AC" + "d" * 32)
    sub, sibling = account("AC" + "e" * 32, MAIN), account("AC" + "f" * 32, MAIN)
    assert access.may_see(main, sub) and access.may_see(main, main) and access.may_see(sub, sub)
    assert not access.may_see(sub, main) and not access.may_see(sub, sibling) and not access.may_see(main, other)
    assert access.is_main(main) and not access.is_main(other) and not access.is_main(account(MAIN, "AC" + "0" * 32, main=True))
    assert access.by_key(account(MAIN, key=KEY)) and not access.by_key(main)
    with pytest.raises(TwilioError) as e:
        access.require_top_level(sub)
    assert (e.value.status, e.value.code) == (403, 20403)


def _error(response: httpx.Response) -> tuple[int, int]:
    return response.status_code, response.json()["code"]


@pytest.fixture
def family(client: Any) -> SimpleNamespace:
    """Two sibling subaccounts of the main account."""
    a = client.api.v2010.accounts.create(friendly_name="access a")
    b = client.api.v2010.accounts.create(friendly_name="access b")
    return SimpleNamespace(a=a, b=b)


def test_python_and_sql_forms_agree(server: Any, family: SimpleNamespace) -> None:
    """``access.may_see`` and ``store.access.family_sids`` give the same family for every account
    of the database, read from the database itself."""
    engine = sa.create_engine(server.db_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(sa.text("SELECT sid, owner_account_sid, is_main FROM accounts")).all()
            by_sid = {r.sid: r for r in rows}
            assert {server.account_sid, family.a.sid, family.b.sid} <= set(by_sid)
            for caller_sid in (server.account_sid, family.a.sid, family.b.sid):
                caller = by_sid[caller_sid]
                in_sql = {r[0] for r in conn.execute(family_sids(caller_sid))}
                in_python = {r.sid for r in rows if access.may_see(caller, r)}
                assert in_sql == in_python
            assert {family.a.sid, family.b.sid, server.account_sid} <= {
                r[0] for r in conn.execute(family_sids(server.account_sid))}
            assert {r[0] for r in conn.execute(family_sids(family.a.sid))} == {family.a.sid}
            assert access.is_main(by_sid[server.account_sid]) and not access.is_main(by_sid[family.a.sid])
    finally:
        engine.dispose()


def test_a_key_is_refused_on_accounts_keys_state_and_reset(server: Any, sub_client: Any, subaccount: Any) -> None:
    key = sub_client.new_keys.create(friendly_name="access")
    sid = subaccount.sid
    with server.http(key.sid, key.secret) as h:
        assert h.get(f"/2010-04-01/Accounts/{sid}/IncomingPhoneNumbers.json").status_code == 200  # a key works
        for method, path in (("GET", "/2010-04-01/Accounts.json"), ("GET", f"/2010-04-01/Accounts/{sid}.json"),
                             ("POST", f"/2010-04-01/Accounts/{sid}.json"), ("GET", f"/2010-04-01/Accounts/{sid}/Keys.json"),
                             ("POST", f"/2010-04-01/Accounts/{sid}/Keys.json"),
                             ("GET", f"/2010-04-01/Accounts/{sid}/Keys/{key.sid}.json"),
                             ("GET", "/numberpool/v1/State"), ("POST", "/numberpool/v1/Reset")):
            assert _error(h.request(method, path)) == (403, 70051), (method, path)
        r = h.post("/numberpool/v1/State", content=b'{"version": 1}', headers={"content-type": "application/json"})
        assert _error(r) == (403, 70051)
    assert [k.sid for k in sub_client.keys.list()] == [key.sid]  # nothing the key asked was done


def test_a_subaccount_may_not_reset(server: Any, family: SimpleNamespace) -> None:
    with server.http(family.a.sid, family.a.auth_token) as h:
        assert _error(h.post("/numberpool/v1/Reset")) == (403, 20403)
        assert h.get(f"/2010-04-01/Accounts/{family.a.sid}.json").status_code == 200  # still there
    with server.http(family.b.sid, family.b.auth_token) as h:
        assert h.get(f"/2010-04-01/Accounts/{family.b.sid}.json").status_code == 200


def test_a_siblings_resources_are_not_found(server: Any, family: SimpleNamespace) -> None:
    a, b = family.a, family.b
    with server.http(a.sid, a.auth_token) as ha:
        app = ha.post(f"/2010-04-01/Accounts/{a.sid}/Applications.json", data={"FriendlyName": "mine"}).json()
    with server.http(b.sid, b.auth_token) as hb:
        for path in (f"/2010-04-01/Accounts/{a.sid}.json", f"/2010-04-01/Accounts/{a.sid}/IncomingPhoneNumbers.json",
                     f"/2010-04-01/Accounts/{a.sid}/Applications/{app['sid']}.json",
                     f"/2010-04-01/Accounts/{a.sid}/Keys.json"):
            assert _error(hb.get(path)) == (404, 20404), path
        # its own path, the sibling's resource: as absent as an unknown one
        assert _error(hb.get(f"/2010-04-01/Accounts/{b.sid}/Applications/{app['sid']}.json")) == (404, 20404)
        assert _error(hb.get(f"/2010-04-01/Accounts/AC{secrets.token_hex(16)}.json")) == (404, 20404)
    with server.http() as main:  # the parent sees both
        assert main.get(f"/2010-04-01/Accounts/{a.sid}/Applications/{app['sid']}.json").status_code == 200

"""Loading a state document (``state_document``; ``state`` says what a load means) inside one
write transaction, with the API's rules.

The order is the order the API would have to be driven in to reach the document's state:
accounts (created active), Applications, Trunks with their OriginationUrls, Messaging and Proxy
Services, numbers (which name Applications and Trunks), then the services' numbers (first every
number that leaves a listed service, then additions to Proxy Services, then to Messaging
Services: a Proxy number may later join a Messaging Service, never the reverse), DeliveryRules
and CallRules (each replacing the rule of its kind its account had for the same ``To``, as
creating it does), and last the accounts' statuses (a suspended account may hold numbers bought
before it was suspended; a closed one holds none). Every check is the domain's own code for the
API's operation, run on this transaction; the first one that fails ends the transaction unwritten.

Ownership (``access.may_see``) is checked first, before anything about a resource is compared or looked up, so that
the answer to a document says nothing of what other accounts hold: an account the caller may not
load is 403 (20403), a resource of an account the caller may not see (a sibling subaccount's,
another top-level account's) is 404 (20404) naming only what the document itself says, as the API
answers for a resource of another account.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson

from numberpool.domain import access, errors, phone
from numberpool.domain.accounts import Account
from numberpool.domain.backend import Backend
from numberpool.domain.clock import now
from numberpool.domain.errors import invalid_parameter
from numberpool.domain.numbers import DEFAULTS as NUMBER_DEFAULTS
from numberpool.domain.numbers import check_references, configure, new_row
from numberpool.domain.pools.base import Resources
from numberpool.domain.sids import new_token
from numberpool.domain.state_document import (
    AccountDoc,
    CallRuleDoc,
    Document,
    NumberDoc,
    ResourceDoc,
    RuleDoc,
    ServiceDoc,
    TrunkDoc,
)
from numberpool.store import accounts as accounts_q
from numberpool.store import calls as calls_q
from numberpool.store import messages as messages_q
from numberpool.store import numbers as numbers_q
from numberpool.store import origination_urls as origination_urls_q
from numberpool.store import pools as pools_q
from numberpool.store import state as state_q
from numberpool.store.crud import Crud
from numberpool.store.db import Connection, Row, present
from numberpool.store.rules import RuleTable
from numberpool.store.schema import call_rules, delivery_rules, messaging_numbers, proxy_numbers

_RULES = Crud(delivery_rules)
_CALL_RULES = Crud(call_rules)


def _elsewhere(where: str, what: str, sid: str) -> errors.TwilioError:
    """A SID the document gives that belongs to an account the caller may not see: as if absent,
    in the words of ``_owner``'s 404 (the where and the SID are the document's own)."""
    return errors.not_found(f"{what} {sid} ({where}.sid)")


def _moved(where: str, what: str, sid: str) -> errors.TwilioError:
    return invalid_parameter(f"{where}.sid", f"{what} {sid} exists under another account or parent; a state document "
                                             "cannot move it")


def _changes(row: Row, values: dict[str, Any]) -> dict[str, Any]:
    """The values that differ from the stored row: only those are written (a second load writes nothing)."""
    return {key: value for key, value in values.items() if getattr(row, key) != value}


class Load:
    def __init__(self, backend: Backend, conn: Connection, caller: Account, doc: Document) -> None:
        self.b = backend
        self.conn = conn
        self.caller = caller
        self.doc = doc
        self._owners: dict[str, Account] = {}
        self._seen: dict[str, bool] = {}  # account SID -> whether the caller may see it
        self._before: dict[str, str | None] = {}  # status of each account before the load (None: new)
        self._reactivated: set[str] = set()  # suspended accounts made active while numbers join them
        self._doc_status = {a.sid: a.status for a in doc.accounts}

    def run(self) -> None:
        state_q.lock_writers(self.conn)
        for a in self.doc.accounts:
            self._account(a)
        for app in self.doc.applications:
            self._upsert(self.b.applications.resources, app, "Application")
        for trunk in self.doc.trunks:
            self._trunk(trunk)
        for service in self.doc.messaging_services:
            self._upsert(self.b.messaging.parents, service, "Messaging Service")
        for service in self.doc.proxy_services:
            self._proxy_service(service)
        for n in self.doc.numbers:
            self._number(n)
        self._members()
        for rule in self.doc.delivery_rules:
            self._rule(rule)
        for call_rule in self.doc.call_rules:
            self._call_rule(call_rule)
        self._statuses()

    # -- accounts -------------------------------------------------------------------------------
    def _account(self, a: AccountDoc) -> None:
        caller, conn = self.caller, self.conn
        if a.sid == caller.sid:
            if a.owner_account_sid != caller.owner_account_sid:
                raise invalid_parameter(f"{a.where}.owner_account_sid", "an account's owner cannot change")
            if a.auth_token is not None and a.auth_token != caller.auth_token:
                raise invalid_parameter(f"{a.where}.auth_token", "the caller's own auth token cannot be changed")
            name = a.friendly_name if a.friendly_name != caller.friendly_name else None
            status = a.status if a.status != caller.status else None
            self.b.accounts.update_in(conn, caller, caller, friendly_name=name, status=status)  # 20403 for a status
            return
        if not access.is_top_level(caller) or not access.may_see(caller, a):
            # a subaccount loads only itself; nothing is looked up, so the answer is the same
            # whether the account exists (a sibling) or not
            raise errors.state_account_not_visible(a.sid)
        row = accounts_q.get(conn, a.sid)
        if row is None:
            self._before[a.sid] = None
            self.b.accounts.create_in(conn, caller, a.sid, a.friendly_name, a.auth_token or new_token())
            return
        if not access.may_see(caller, row):
            raise errors.state_account_not_visible(a.sid)
        account = Account.from_row(row)
        self._before[a.sid] = account.status
        if a.friendly_name != account.friendly_name:
            self.b.accounts.update_in(conn, caller, account, friendly_name=a.friendly_name, status=None)
        if a.auth_token is not None and a.auth_token != account.auth_token:
            accounts_q.update(conn, a.sid, {"auth_token": a.auth_token, "date_updated": now()})

    def _owner(self, where: str, sid: str) -> Account:
        """The account a resource of the document belongs to: the caller's or a subaccount's (20404 otherwise)."""
        found = self._owners.get(sid)
        if found is None:
            row = accounts_q.get(self.conn, sid)
            if row is None or not access.may_see(self.caller, row):
                raise errors.not_found(f"Account {sid} ({where}.account_sid)")
            found = self._owners[sid] = Account.from_row(row)
        return found

    def _sees(self, account_sid: str) -> bool:
        """Whether the caller may see the account (its own or a subaccount of it)."""
        seen = self._seen.get(account_sid)
        if seen is None:
            row = accounts_q.get(self.conn, account_sid)
            seen = self._seen[account_sid] = row is not None and access.may_see(self.caller, row)
        return seen

    def _final_status(self, account: Account) -> str:
        return self._doc_status.get(account.sid, account.status)

    def _activate(self, account: Account) -> None:
        """Numbers join only active accounts (migration 0004's trigger): a suspended one is active
        until the load's end, when it gets its status back (or the document's)."""
        status = accounts_q.lock_status(self.conn, account.sid)
        if status == "closed":
            raise errors.account_not_active(account.sid, status)
        if status == "suspended":
            accounts_q.update(self.conn, account.sid, {"status": "active"})
            self._reactivated.add(account.sid)

    def _statuses(self) -> None:
        conn = self.conn
        for sid in self._reactivated:
            accounts_q.update(conn, sid, {"status": "suspended"})  # as it was; the document may change it below
        for a in self.doc.accounts:
            if a.sid == self.caller.sid:
                continue
            before = self._before.get(a.sid) or "active"
            if a.status != before:
                target = Account.from_row(present(accounts_q.get(conn, a.sid)))
                self.b.accounts.update_in(conn, self.caller, target, friendly_name=None, status=a.status)

    # -- resources ------------------------------------------------------------------------------
    def _upsert(self, resources: Resources, doc: ResourceDoc, what: str,
                check: Callable[[Account], None] | None = None) -> Account:
        """Create the resource with the document's SID, or bring the existing one to its values.
        Ownership first: the owner named, then the row's own account; ``check`` runs after both."""
        owner = self._owner(doc.where, doc.account_sid)
        values = {**resources.spec.defaults, **doc.values}
        row = resources.spec.crud.get(self.conn, doc.sid, lock=True)
        if row is not None and row.account_sid != owner.sid:
            if not self._sees(row.account_sid):
                raise _elsewhere(doc.where, what, doc.sid)
            raise _moved(doc.where, what, doc.sid)
        if check is not None:
            check(owner)
        if row is None:
            resources.create_in(self.conn, owner, values, sid=doc.sid)
        elif changes := _changes(row, values):
            resources.update_in(self.conn, owner, doc.sid, changes)
        return owner

    def _proxy_service(self, doc: ServiceDoc) -> None:
        def unique_name(owner: Account) -> None:  # unique per account: looked up in the owner's only
            name = doc.values.get("unique_name")
            holder = state_q.proxy_unique_name_holder(self.conn, owner.sid, name) if name else None
            if holder is not None and holder != doc.sid:
                raise errors.proxy_unique_name_taken(name)

        self._upsert(self.b.proxy.parents, doc, "Proxy Service", unique_name)

    def _trunk(self, doc: TrunkDoc) -> None:
        owner = self._upsert(self.b.trunks.parents, doc, "Trunk")
        conn, urls = self.conn, self.b.origination_urls
        listed = {u.sid for u in doc.origination_urls}
        for sid in state_q.origination_url_sids(conn, doc.sid):
            if sid not in listed:
                origination_urls_q.origination_url.delete(conn, sid)
        for u in doc.origination_urls:
            row = origination_urls_q.origination_url.get(conn, u.sid, lock=True)
            if row is None:
                urls.create_in(conn, owner, doc.sid, u.values, sid=u.sid)
            elif row.trunk_sid != doc.sid:
                if row.account_sid != owner.sid and not self._sees(row.account_sid):
                    raise _elsewhere(u.where, "OriginationUrl", u.sid)
                raise _moved(u.where, "OriginationUrl", u.sid)
            elif changes := _changes(row, u.values):
                urls.update_in(conn, owner, doc.sid, u.sid, changes)

    # -- numbers --------------------------------------------------------------------------------
    def _number(self, n: NumberDoc) -> None:
        conn = self.conn
        owner = self._owner(n.where, n.account_sid)
        if self._final_status(owner) == "closed":  # closing an account releases its numbers: it holds none
            raise errors.account_not_active(owner.sid, "closed")
        values = configure({**NUMBER_DEFAULTS, **n.values})  # 20001: a trunk and a voice application
        row = numbers_q.get_for_update(conn, n.sid)
        if row is not None and row.account_sid != owner.sid and not self._sees(row.account_sid):
            raise _elsewhere(n.where, "IncomingPhoneNumber", n.sid)  # before its phone_number is compared
        if row is None:
            facts = phone.provisionable(n.phone_number)  # 21421 / 21422, as buying it would answer
            if numbers_q.get_by_number(conn, facts.phone_number) is not None:
                raise errors.number_unavailable(facts.phone_number)
            self._activate(owner)
            check_references(conn, owner.sid, values)  # 21245 / 21420
            numbers_q.insert(conn, new_row(owner.sid, facts, values, sid=n.sid))
            return
        if row.phone_number != n.phone_number:
            raise invalid_parameter(f"{n.where}.phone_number", f"number {n.sid} is {row.phone_number}; a number's "
                                                               "phone_number cannot change")
        if row.account_sid != owner.sid:  # a transfer, between accounts the caller sees (checked above)
            self._activate(owner)
            pools_q.leave_all_pools(conn, [n.sid])  # as a transfer does: out of the old account's pools
            values["account_sid"] = owner.sid
        if not values.get("friendly_name"):
            values["friendly_name"] = phone.national_format(row.phone_number)
        check_references(conn, owner.sid, values)
        if changes := _changes(row, values):
            numbers_q.update(conn, n.sid, {**changes, "date_updated": now()})

    # -- the services' numbers ------------------------------------------------------------------
    def _members(self) -> None:
        conn, messaging, proxy = self.conn, self.b.messaging, self.b.proxy
        kept: dict[str, set[str]] = {}  # service -> the numbers it had and keeps
        for services, table in ((self.doc.messaging_services, messaging_numbers), (self.doc.proxy_services, proxy_numbers)):
            pool = messaging if table is messaging_numbers else proxy
            for s in services:
                listed = {m.phone_number_sid for m in s.members}
                have = state_q.member_sids(conn, table, s.sid)
                for pn in have:
                    if pn not in listed:
                        pool.members.remove(conn, s.sid, pn)
                kept[s.sid] = {pn for pn in have if pn in listed}
        for s in self.doc.proxy_services:
            owner = self._owner(s.where, s.account_sid)
            for m in s.members:
                if m.phone_number_sid not in kept[s.sid]:
                    proxy.add_in(conn, owner, s.sid, pn_sid=m.phone_number_sid, e164=None, reserved=m.is_reserved)
                else:
                    proxy.update_in(conn, owner, s.sid, m.phone_number_sid, reserved=m.is_reserved)
        for s in self.doc.messaging_services:
            owner = self._owner(s.where, s.account_sid)
            for m in s.members:
                if m.phone_number_sid not in kept[s.sid]:
                    messaging.add_in(conn, owner, s.sid, m.phone_number_sid)

    # -- DeliveryRules and CallRules -----------------------------------------------------------
    def _rule(self, r: RuleDoc) -> None:
        self._rule_of(r, "DeliveryRule", _RULES, messages_q.rules,
                      {"to_pattern": r.to, "status": r.status, "error_code": r.error_code})

    def _call_rule(self, r: CallRuleDoc) -> None:
        self._rule_of(r, "CallRule", _CALL_RULES, calls_q.rules, {
            "to_pattern": r.to, "status": r.status, "ring_seconds": r.ring_seconds, "hold_seconds": r.hold_seconds,
            "digits": orjson.dumps(list(r.digits)).decode(), "duration": r.duration, "answered_by": r.answered_by})

    def _rule_of(self, r: RuleDoc | CallRuleDoc, kind: str, crud: Crud, rules: RuleTable,
                 values: dict[str, Any]) -> None:
        """The rule with the document's SID and ``values``; the account's other rule of the same
        kind for the same ``To``, if any, goes (as a rule created through the API replaces it)."""
        conn = self.conn
        owner = self._owner(r.where, r.account_sid)
        row = crud.get(conn, r.sid, lock=True)
        if row is not None and row.account_sid != owner.sid:
            if not self._sees(row.account_sid):
                raise _elsewhere(r.where, kind, r.sid)
            raise _moved(r.where, kind, r.sid)
        if row is None:
            ts = now()
            rules.insert(conn, {"sid": r.sid, "account_sid": owner.sid, **values, "date_created": ts, "date_updated": ts})
            return
        changes = _changes(row, values)
        if not changes:
            return
        if "to_pattern" in changes:
            holder = rules.holder(conn, owner.sid, r.to)
            if holder is not None and holder != r.sid:
                rules.delete(conn, holder)
        crud.update(conn, r.sid, {**changes, "date_updated": now()})

"""IncomingPhoneNumbers: provisioning, configuration, transfer and release.

Every operation validates its whole request first, then runs in one write
transaction. "A number is owned once" is the unique index on ``phone_number``;
when two clients race for a number the loser's insert fails and the request is
re-run, answering as Twilio would (21422, or an update for the same account).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from numberpool.domain import errors, phone, tx
from numberpool.domain.accounts import Account, Accounts
from numberpool.domain.clock import now
from numberpool.domain.errors import invalid_parameter, not_found
from numberpool.domain.inventory.countries import Country
from numberpool.domain.inventory.facts import NumberFacts
from numberpool.domain.inventory.filters import Filters
from numberpool.domain.inventory.filters import area_code as valid_area_code
from numberpool.domain.inventory.search import number_for_area_code, search
from numberpool.domain.sids import new_sid
from numberpool.store import accounts as accounts_q
from numberpool.store import applications as applications_q
from numberpool.store import numbers as q
from numberpool.store import pools as pools_q
from numberpool.store.db import Connection, Database, Row, present
from numberpool.store.numbers import NumberFilter
from numberpool.store.paging import PageRequest

DEFAULTS: dict[str, Any] = {
    "api_version": "2010-04-01",
    "voice_url": None, "voice_method": "POST", "voice_fallback_url": None, "voice_fallback_method": "POST",
    "voice_caller_id_lookup": False, "voice_application_sid": None, "voice_receive_mode": "voice", "trunk_sid": None,
    "sms_url": None, "sms_method": "POST", "sms_fallback_url": None, "sms_fallback_method": "POST",
    "sms_application_sid": None, "status_callback": None, "status_callback_method": "POST",
    "emergency_status": "Inactive", "emergency_address_sid": None, "emergency_address_status": "unregistered",
    "identity_sid": None, "address_sid": None, "bundle_sid": None,
}


def configure(values: dict[str, Any]) -> dict[str, Any]:
    """Configuration fields with Twilio's rules applied: a trunk replaces the voice application
    (and an application the trunk), and an emergency address registers the number."""
    values = dict(values)
    if values.get("trunk_sid") and values.get("voice_application_sid"):
        raise invalid_parameter("TrunkSid", "TrunkSid and VoiceApplicationSid cannot both be set; a trunk replaces the voice application")
    if values.get("trunk_sid"):
        values["voice_application_sid"] = None
    elif values.get("voice_application_sid"):
        values["trunk_sid"] = None
    if "emergency_address_sid" in values:
        values["emergency_address_status"] = "registered" if values["emergency_address_sid"] else "unregistered"
    return values


class Numbers:
    def __init__(self, db: Database, accounts: Accounts) -> None:
        self.db = db
        self.accounts = accounts
        self.free_inserts = q.free_inserts(db)

    # -- reads -------------------------------------------------------------
    def fetch(self, account: Account, sid: str) -> Row:
        row = q.fetch(self.db, sid)
        if row is None or row.account_sid != account.sid:
            raise not_found()
        return row

    def list(self, account: Account, which: NumberFilter, req: PageRequest) -> tuple[Sequence[Row], bool]:
        return q.list_page(self.db, account.sid, which, req)

    def available(
        self, country: Country, number_type: str, filters: Filters, size: int
    ) -> Sequence[NumberFacts]:
        """Up to ``size`` numbers of the inventory that pass ``filters`` and nobody owns."""
        with q.checking_taken(self.db) as taken:
            return search(country, number_type, filters, taken, size)

    # -- writes ------------------------------------------------------------
    async def provision(
        self, account: Account, *, phone_number: str | None, area_code: str | None, number_type: str | None,
        config: dict[str, Any],
    ) -> Row:
        """Buy ``phone_number`` (or one in ``area_code``, on the list of every type) for ``account``.

        Async for one reason: the common case's insert may share a statement with other
        requests' (store.group). Everything else runs without yielding to the loop."""
        values = configure(config)
        facts: NumberFacts | None = None
        if phone_number:
            facts = phone.provisionable(phone_number)
            if number_type is not None and facts.number_type != number_type:
                raise errors.number_not_of_type(facts.phone_number, number_type)
        elif number_type is not None:
            if area_code:
                raise errors.area_code_not_on_type(number_type)
            raise errors.phone_number_required()
        elif area_code:
            valid_area_code(area_code, "US")
            if area_code == phone.MAGIC_AREA_CODE_NONE:
                raise errors.no_numbers_in_area_code(area_code)
        else:
            raise errors.phone_number_or_area_code_required()

        if facts is not None and not any(values.get(key) for key in _CHECKED_IN_TRANSACTION):
            # The common case, a number nobody owns and nothing else to check: one statement that
            # inserts unless the number is owned. Not inserted (owned, by this account or another,
            # or refused by another key) or a trunk or application to check: the transaction below
            # decides.
            stored = await q.insert_if_free(self.free_inserts, new_row(account.sid, facts, values))
            if stored is not None:
                return stored
        # Another client may take the number between our read and insert: tx.write decides again.
        return await self.db.call(tx.write, self.db, lambda conn: self._provision_in(
            conn, account, facts, area_code or "", values))

    def _provision_picked(self, conn: Connection, account: Account, area_code: str, values: dict[str, Any]) -> Row:
        """A number of ``area_code`` that nobody owns. Buyers of one area code take turns
        (``_provision_in``); one buying a number it did not pick by area code may still take the pick
        between the pick and the look: then pick again (an insert that collides re-runs the
        transaction)."""
        for _ in range(PICKS):
            facts = _pick_by_area(conn, area_code)
            if q.get_by_number(conn, facts.phone_number) is None:
                row = new_row(account.sid, facts, values)
                q.insert(conn, row)
                return present(q.get(conn, row["sid"]))
        raise errors.concurrent_change()

    def _provision_in(self, conn: Connection, account: Account, facts: NumberFacts | None, area_code: str,
                      values: dict[str, Any]) -> Row:
        if facts is None:  # buyers of one area code take turns, before they lock their account
            q.lock_area_code(conn, area_code)  # (a close waits for the account's row, never the turns)
        _lock_active(conn, account)
        check_references(conn, account.sid, values)
        if facts is None:
            return self._provision_picked(conn, account, area_code, values)
        existing = q.get_by_number(conn, facts.phone_number)
        if existing is not None:
            if existing.account_sid != account.sid:
                raise errors.number_unavailable(facts.phone_number)
            # Buying a number you already own acts as an update (WIRE.md).
            self._apply(conn, existing, values)
            return present(q.get(conn, existing.sid))
        row = new_row(account.sid, facts, values)
        q.insert(conn, row)
        return present(q.get(conn, row["sid"]))

    def update(self, caller: Account, account: Account, sid: str, config: dict[str, Any], *, move_to: str | None) -> Row:
        """Configure the number, and move it to account ``move_to`` (a parent or subaccount the caller sees)."""
        values = configure(config)
        target: Account | None = None
        if move_to is not None and move_to != account.sid:
            target = self._transfer_target(caller, move_to)
        with self.db.write() as conn:
            row = q.get_for_update(conn, sid)
            if row is None or row.account_sid != account.sid:
                raise not_found()
            owner = account.sid
            if target is not None:
                _lock_active(conn, target)
                # A number leaves the old account's pools before it moves (its trunk too).
                pools_q.leave_all_pools(conn, [sid])
                values["account_sid"] = owner = target.sid
                values.setdefault("trunk_sid", None)
                # and its applications, which belong to the old account
                values.setdefault("voice_application_sid", None)
                values.setdefault("sms_application_sid", None)
            check_references(conn, owner, values)
            self._apply(conn, row, values)
            return present(q.get(conn, sid))

    def release(self, account: Account, sid: str) -> None:
        with self.db.write() as conn:
            row = q.get_for_update(conn, sid)
            if row is None or row.account_sid != account.sid:
                raise not_found()
            q.delete(conn, sid)

    # -- helpers -----------------------------------------------------------
    def _transfer_target(self, caller: Account, sid: str) -> Account:
        """Numbers move only between a parent and its subaccounts: the caller must see the target."""
        try:
            target = self.accounts.resolve(caller, sid)
        except errors.NotFound:
            raise invalid_parameter("AccountSid", f"account {sid} was not found") from None
        if not target.active:
            raise errors.account_not_active(target.sid, target.status)
        return target

    def _apply(self, conn: Connection, row: Row, values: dict[str, Any]) -> None:
        if not values:
            return
        changes = dict(values)
        if changes.get("friendly_name") == "":
            changes["friendly_name"] = phone.national_format(row.phone_number)
        changes["date_updated"] = now()
        q.update(conn, row.sid, changes)


def new_row(account_sid: str, facts: NumberFacts, values: dict[str, Any], sid: str | None = None) -> dict[str, Any]:
    """A number of ``account_sid`` as buying it stores it (``sid``: the SID to give it, else a new one)."""
    ts = now()
    row: dict[str, Any] = {
        **DEFAULTS,
        "sid": sid or new_sid("PN"), "account_sid": account_sid, "phone_number": facts.phone_number,
        "friendly_name": facts.friendly_name, "iso_country": facts.iso_country, "number_type": facts.number_type,
        "origin": "twilio", "beta": facts.beta, "status": "in-use",
        "address_requirements": facts.address_requirements,
        "cap_voice": facts.capabilities["voice"], "cap_sms": facts.capabilities["sms"],
        "cap_mms": facts.capabilities["mms"], "cap_fax": facts.capabilities["fax"],
        "date_created": ts, "date_updated": ts,
    }
    row.update(values)
    if not row["friendly_name"]:
        row["friendly_name"] = facts.friendly_name
    return row


def _lock_active(conn: Connection, account: Account) -> None:
    """The account must be active when the number becomes its own; its row stays locked against a
    close until this transaction ends (the database refuses the row otherwise: migration 0004)."""
    status = accounts_q.lock_status(conn, account.sid)
    if status != "active":
        raise errors.account_not_active(account.sid, status or "closed")


_CHECKED_IN_TRANSACTION = ("trunk_sid", "voice_application_sid", "sms_application_sid")
_APPLICATION_PARAMS = {"voice_application_sid": "VoiceApplicationSid", "sms_application_sid": "SmsApplicationSid"}


def check_references(conn: Connection, account_sid: str, values: dict[str, Any]) -> None:
    """The trunk and applications the number is given must be the account's (21245, 21420)."""
    if values.get("trunk_sid"):
        _check_trunk(conn, account_sid, values["trunk_sid"])
    for key, name in _APPLICATION_PARAMS.items():
        if values.get(key):
            _check_application(conn, account_sid, name, values[key])


def _check_application(conn: Connection, account_sid: str, name: str, application_sid: str) -> None:
    """``name`` must name an Application of the number's account; nothing is written otherwise.
    The row is held ``FOR SHARE`` until the transaction ends (SQLite serialises writers), so a
    delete of the application waits, then clears it from this number."""
    application = applications_q.application.get(conn, application_sid, share=True)
    if application is None or application.account_sid != account_sid:
        raise errors.application_not_of_account(name, application_sid, account_sid)


def _check_trunk(conn: Connection, account_sid: str, trunk_sid: str) -> None:
    """``TrunkSid`` must name a trunk of the number's account; nothing is written otherwise. The
    trunk row is held until the transaction ends, so the trunk cannot be deleted under the number."""
    trunk = pools_q.trunk.get(conn, trunk_sid, share=True)
    if trunk is None or trunk.account_sid != account_sid:
        raise errors.trunk_not_of_account(trunk_sid, account_sid)


PICKS = 8  # numbers of an area code picked in turn before a buy gives up to concurrent buyers


def _pick_by_area(conn: Connection, area_code: str) -> NumberFacts:
    if area_code == phone.MAGIC_AREA_CODE_OK:
        return phone.magic_area_code_number()
    found = number_for_area_code(area_code, lambda batch: q.taken(conn, batch))
    if found is None:
        raise errors.no_numbers_in_area_code(area_code)
    return found

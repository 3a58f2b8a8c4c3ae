"""IncomingPhoneNumbers: provisioning, configuration, transfer and release.

Every operation validates its whole request first, then runs in one write
transaction. "A number is owned once" is the unique index on ``phone_number``;
when two clients race for a number the loser's insert fails and the request is
re-run, answering as Twilio would (21422, or an update for the same account).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from numberpool.domain import inventory, phone, tx
from numberpool.domain import params as p
from numberpool.domain.accounts import Account, Accounts, inactive
from numberpool.domain.clock import now
from numberpool.domain.errors import TwilioError, invalid_parameter, not_found
from numberpool.domain.paging import PageRequest
from numberpool.domain.sids import new_sid
from numberpool.store import accounts as accounts_q
from numberpool.store import numbers as q
from numberpool.store import pools as pools_q
from numberpool.store.db import Connection, Database, Row
from numberpool.store.numbers import NumberFilter

# Wire sub-resource name -> stored number type.
SUBRESOURCE_TYPES = {"Local": "Local", "Mobile": "Mobile", "TollFree": "TollFree"}

CONFIG_PARAMS = (
    p.Param("ApiVersion", "api_version", p.enum("2010-04-01", "2008-08-01")),
    p.Param("FriendlyName", "friendly_name", p.text(64)),
    p.Param("SmsApplicationSid", "sms_application_sid", p.sid("AP")),
    p.Param("SmsFallbackMethod", "sms_fallback_method", p.method),
    p.Param("SmsFallbackUrl", "sms_fallback_url", p.url),
    p.Param("SmsMethod", "sms_method", p.method),
    p.Param("SmsUrl", "sms_url", p.url),
    p.Param("StatusCallback", "status_callback", p.url),
    p.Param("StatusCallbackMethod", "status_callback_method", p.method),
    p.Param("VoiceApplicationSid", "voice_application_sid", p.sid("AP")),
    p.Param("VoiceCallerIdLookup", "voice_caller_id_lookup", p.boolean),
    p.Param("VoiceFallbackMethod", "voice_fallback_method", p.method),
    p.Param("VoiceFallbackUrl", "voice_fallback_url", p.url),
    p.Param("VoiceMethod", "voice_method", p.method),
    p.Param("VoiceUrl", "voice_url", p.url),
    p.Param("EmergencyStatus", "emergency_status", p.enum("Active", "Inactive")),
    p.Param("EmergencyAddressSid", "emergency_address_sid", p.sid("AD")),
    p.Param("TrunkSid", "trunk_sid", p.sid("TK")),
    p.Param("IdentitySid", "identity_sid", p.sid("RI")),
    p.Param("AddressSid", "address_sid", p.sid("AD")),
    p.Param("VoiceReceiveMode", "voice_receive_mode", p.enum("voice", "fax")),
    p.Param("BundleSid", "bundle_sid", p.sid("BU")),
)
UPDATE_PARAMS = (*CONFIG_PARAMS, p.Param("AccountSid", "account_sid", p.sid("AC")))
LIST_PARAMS = (
    p.Param("Beta", "beta", p.boolean),
    p.Param("FriendlyName", "friendly_name", p.text(4000)),
    p.Param("Origin", "origin", p.enum("twilio", "hosted")),
)

DEFAULTS: dict[str, Any] = {
    "api_version": "2010-04-01",
    "voice_url": None, "voice_method": "POST", "voice_fallback_url": None, "voice_fallback_method": "POST",
    "voice_caller_id_lookup": False, "voice_application_sid": None, "voice_receive_mode": "voice", "trunk_sid": None,
    "sms_url": None, "sms_method": "POST", "sms_fallback_url": None, "sms_fallback_method": "POST",
    "sms_application_sid": None, "status_callback": None, "status_callback_method": "POST",
    "emergency_status": "Inactive", "emergency_address_sid": None, "emergency_address_status": "unregistered",
    "identity_sid": None, "address_sid": None, "bundle_sid": None,
}

_PATTERN_STRIP = re.compile(r"[\s().-]")
_PATTERN_OK = re.compile(r"^\+?[0-9*]+$")


def _config(params: Sequence[p.Param], form: Mapping[str, str]) -> dict[str, Any]:
    """Validated configuration fields, with Twilio's trunk-versus-application rule applied."""
    values = p.parse(params, form)
    if values.get("trunk_sid") and values.get("voice_application_sid"):
        raise invalid_parameter("TrunkSid", "TrunkSid and VoiceApplicationSid cannot both be set; a trunk replaces the voice application")
    if values.get("trunk_sid"):
        values["voice_application_sid"] = None
    elif values.get("voice_application_sid"):
        values["trunk_sid"] = None
    if "emergency_address_sid" in values:
        values["emergency_address_status"] = "registered" if values["emergency_address_sid"] else "unregistered"
    return values


def phone_number_pattern(raw: str) -> str:
    """The PhoneNumber list filter as a LIKE pattern: partial match, ``*`` is any one digit."""
    cleaned = _PATTERN_STRIP.sub("", raw)
    if not _PATTERN_OK.match(cleaned):
        raise invalid_parameter("PhoneNumber", f"{raw!r} is not a phone number pattern (digits, an optional leading +, and * for any digit)")
    return "%" + cleaned.replace("*", "_") + "%"


class Numbers:
    def __init__(self, db: Database, accounts: Accounts) -> None:
        self.db = db
        self.accounts = accounts
        self.free_inserts = q.free_inserts(db)

    # -- reads -------------------------------------------------------------
    def fetch(self, account: Account, sid: str, path: str) -> Row:
        row = q.fetch(self.db, sid)
        if row is None or row.account_sid != account.sid:
            raise not_found(path)
        return row

    def list(self, account: Account, query: Mapping[str, str], number_type: str | None, req: PageRequest) -> tuple[Sequence[Row], bool]:
        values = p.parse(LIST_PARAMS, query)
        like = None
        raw = query.get("PhoneNumber")
        if raw:
            like = phone_number_pattern(raw)
        filt = NumberFilter(number_type, values.get("beta"), values.get("friendly_name"), like, values.get("origin"))
        return q.list_page(self.db, account.sid, filt, req)

    # -- writes ------------------------------------------------------------
    async def provision(self, account: Account, form: Mapping[str, str], number_type: str | None) -> Row:
        """Buy a number by ``PhoneNumber`` (or ``AreaCode`` on the main list) for ``account``.

        Async for one reason: the common case's insert may share a statement with other
        requests' (store.group). Everything else runs without yielding to the loop."""
        values = _config(CONFIG_PARAMS, form)
        raw_number = form.get("PhoneNumber")
        area_code = form.get("AreaCode")
        facts: inventory.NumberFacts | None = None
        if raw_number:
            facts = phone.provisionable(raw_number)
            if number_type is not None and facts.number_type != number_type:
                raise TwilioError(21422, 400, f"{facts.phone_number} is not available as a {number_type} number")
        elif number_type is not None:
            if area_code:
                raise TwilioError(21457, 400, f"AreaCode is not supported on the {number_type} sub-resource; give PhoneNumber")
            raise p_missing("PhoneNumber")
        elif area_code:
            if not (len(area_code) == 3 and area_code.isdigit()):
                raise TwilioError(21451, 400, f"AreaCode {area_code!r} is invalid (three digits, US or Canada)")
            if area_code == phone.MAGIC_AREA_CODE_NONE:
                raise _none_in_area(area_code)
        else:
            raise TwilioError(21421, 400, "Either PhoneNumber or AreaCode is required")

        if facts is not None and not values.get("trunk_sid"):
            # The common case, a number nobody owns and nothing else to check: one statement that
            # inserts unless the number is owned. Not inserted (owned, by this account or another,
            # or refused by another key) or a trunk to check: the transaction below decides.
            stored = await q.insert_if_free(self.free_inserts, _new_row(account, facts, values))
            if stored is not None:
                return stored
        # Another client may take the number between our read and insert: tx.write decides again.
        return tx.write(self.db, lambda conn: self._provision_in(conn, account, facts or _pick_by_area(conn, area_code or ""), values))

    def _provision_in(self, conn: Connection, account: Account, facts: inventory.NumberFacts, values: dict[str, Any]) -> Row:
        _lock_active(conn, account)
        if values.get("trunk_sid"):
            _check_trunk(conn, account.sid, values["trunk_sid"])
        existing = q.get_by_number(conn, facts.phone_number)
        if existing is not None:
            if existing.account_sid != account.sid:
                raise phone.unavailable(facts.phone_number)
            # Buying a number you already own acts as an update (WIRE.md).
            self._apply(conn, existing, values)
            return q.get(conn, existing.sid)
        row = _new_row(account, facts, values)
        q.insert(conn, row)
        return q.get(conn, row["sid"])

    def update(self, caller: Account, account: Account, sid: str, form: Mapping[str, str], path: str) -> Row:
        values = _config(UPDATE_PARAMS, form)
        target_sid = values.pop("account_sid", None)
        target: Account | None = None
        if target_sid is not None and target_sid != account.sid:
            target = self._transfer_target(caller, target_sid)
        with self.db.write() as conn:
            row = q.get_for_update(conn, sid)
            if row is None or row.account_sid != account.sid:
                raise not_found(path)
            owner = account.sid
            if target is not None:
                _lock_active(conn, target)
                # A number leaves the old account's pools before it moves (its trunk too).
                pools_q.leave_all_pools(conn, [sid])
                values["account_sid"] = owner = target.sid
                values.setdefault("trunk_sid", None)
            if values.get("trunk_sid"):
                _check_trunk(conn, owner, values["trunk_sid"])
            self._apply(conn, row, values)
            return q.get(conn, sid)

    def release(self, account: Account, sid: str, path: str) -> None:
        with self.db.write() as conn:
            row = q.get_for_update(conn, sid)
            if row is None or row.account_sid != account.sid:
                raise not_found(path)
            q.delete(conn, sid)

    # -- helpers -----------------------------------------------------------
    def _transfer_target(self, caller: Account, sid: str) -> Account:
        """Numbers move only between a parent and its subaccounts: the caller must see the target."""
        try:
            target = self.accounts.resolve(caller, sid, sid)
        except TwilioError:
            raise invalid_parameter("AccountSid", f"account {sid} was not found") from None
        if not target.active:
            raise inactive(target)
        return target

    def _apply(self, conn: Connection, row: Row, values: dict[str, Any]) -> None:
        if not values:
            return
        changes = dict(values)
        if changes.get("friendly_name") == "":
            changes["friendly_name"] = phone.national_format(row.phone_number)
        changes["date_updated"] = now()
        q.update(conn, row.sid, changes)


def _new_row(account: Account, facts: inventory.NumberFacts, values: dict[str, Any]) -> dict[str, Any]:
    ts = now()
    row: dict[str, Any] = {
        **DEFAULTS,
        "sid": new_sid("PN"), "account_sid": account.sid, "phone_number": facts.phone_number,
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


def p_missing(name: str) -> TwilioError:
    return TwilioError(21421 if name == "PhoneNumber" else 20001, 400, f"Missing required parameter {name} in the post body")


def _lock_active(conn: Connection, account: Account) -> None:
    """The account must be active when the number becomes its own; its row stays locked against a
    close until this transaction ends (the database refuses the row otherwise: migration 0004)."""
    status = accounts_q.lock_status(conn, account.sid)
    if status != "active":
        raise inactive(replace(account, status=status or "closed"))


def _check_trunk(conn: Connection, account_sid: str, trunk_sid: str) -> None:
    """``TrunkSid`` must name a trunk of the number's account; nothing is written otherwise. The
    trunk row is held until the transaction ends, so the trunk cannot be deleted under the number."""
    trunk = pools_q.trunk.get(conn, trunk_sid, share=True)
    if trunk is None or trunk.account_sid != account_sid:
        raise TwilioError(21245, 400, f"TrunkSid {trunk_sid} is not a trunk of account {account_sid}")


def _none_in_area(area_code: str) -> TwilioError:
    return TwilioError(21452, 400, f"No phone numbers found in area code {area_code}")


def _pick_by_area(conn: Connection, area_code: str) -> inventory.NumberFacts:
    if area_code == phone.MAGIC_AREA_CODE_OK:
        return phone.magic_area_code_number()
    found = inventory.number_for_area_code(area_code, lambda batch: q.taken(conn, batch))
    if found is None:
        raise _none_in_area(area_code)
    return found

"""The rules that tie numbers to pools.

- A number joins only pools of the account that owns it; anything else is "not found".
- Messaging: one Messaging Service per number (21710 same, 21712 other), at most
  ``messaging`` numbers per service (21714), SMS or MMS capability required (21715).
- Trunking: the number's ``trunk_sid`` column is the association, so one trunk per
  number by construction; joining a trunk clears the voice application.
- Proxy: one Proxy Service per number (80104 same, 80101 other); a number already in a
  Messaging Service may not join (80601), while a Proxy number may later join a Messaging
  Service (A2P 10DLC); at most ``proxy_unreserved`` unreserved and ``proxy_reserved``
  reserved numbers per service (80622).

Every check and its write run in one transaction with the parent row locked, and the
primary keys of the membership tables back the one-pool rules, so racing clients on
several processes get exactly the allowed outcomes.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from numberpool.domain import params as p
from numberpool.domain import tx
from numberpool.domain.accounts import Account
from numberpool.domain.clock import now
from numberpool.domain.errors import TwilioError, missing_parameter, not_found
from numberpool.domain.paging import PageRequest
from numberpool.domain.resources import Resources
from numberpool.domain.services import MESSAGING, PROXY, TRUNK
from numberpool.domain.sids import is_sid
from numberpool.store import numbers as numbers_q
from numberpool.store import pools as q
from numberpool.store.db import Connection, Database, Row


@dataclass(frozen=True)
class PoolLimits:
    messaging: int = 400
    proxy_unreserved: int = 500
    proxy_reserved: int = 5000

    @classmethod
    def from_env(cls) -> PoolLimits:
        d = cls()
        return cls(
            int(os.environ.get("NUMBERPOOL_MESSAGING_POOL_LIMIT", d.messaging)),
            int(os.environ.get("NUMBERPOOL_PROXY_POOL_LIMIT", d.proxy_unreserved)),
            int(os.environ.get("NUMBERPOOL_PROXY_RESERVED_LIMIT", d.proxy_reserved)),
        )


def _owned_number(conn: Connection, account: Account, pn_sid: str) -> Row | None:
    row = numbers_q.get_for_update(conn, pn_sid) if is_sid(pn_sid, "PN") else None
    return row if row is not None and row.account_sid == account.sid else None


class Pools:
    def __init__(self, db: Database, limits: PoolLimits) -> None:
        self.db = db
        self.limits = limits
        self.messaging_services = Resources(db, MESSAGING)
        self.trunks = Resources(db, TRUNK)
        self.proxy_services = Resources(db, PROXY)

    # -- Messaging ------------------------------------------------------------------------
    def messaging_add(self, account: Account, service_sid: str, form: Mapping[str, str], path: str) -> Row:
        pn_sid = form.get("PhoneNumberSid")
        if not pn_sid:
            raise missing_parameter("PhoneNumberSid")

        def work(conn: Connection) -> Row:
            self.messaging_services.get_owned(conn, account, service_sid, path, lock=True)
            number = _owned_number(conn, account, pn_sid)
            if number is None:
                raise TwilioError(21421, 400, f"PhoneNumberSid {pn_sid} is not a valid phone number of this account")
            if not (number.cap_sms or number.cap_mms):
                raise TwilioError(21715, 400, f"Phone number {number.phone_number} has neither SMS nor MMS capability")
            member = q.messaging_membership(conn, pn_sid)
            if member is not None:
                if member.service_sid == service_sid:
                    raise TwilioError(21710, 409, "Phone Number or Short Code is already in the Messaging Service.")
                raise TwilioError(21712, 409, f"Phone number {number.phone_number} is already associated with another Messaging Service")
            if q.messaging_count(conn, service_sid) >= self.limits.messaging:
                raise TwilioError(21714, 400, f"Messaging Service number pool size limit ({self.limits.messaging}) reached")
            ts = now()
            q.messaging_add(conn, {"phone_number_sid": pn_sid, "service_sid": service_sid, "date_created": ts, "date_updated": ts})
            return q.messaging_get(conn, service_sid, pn_sid)

        return tx.write(self.db, work)

    def messaging_fetch(self, account: Account, service_sid: str, pn_sid: str, path: str) -> Row:
        self.messaging_services.fetch(account, service_sid, path)
        row = q.messaging_fetch(self.db, service_sid, pn_sid)
        if row is None:
            raise not_found(path)
        return row

    def messaging_list(self, account: Account, service_sid: str, req: PageRequest, path: str) -> tuple[Sequence[Row], bool]:
        self.messaging_services.fetch(account, service_sid, path)
        return q.messaging_page(self.db, service_sid, req)

    def messaging_remove(self, account: Account, service_sid: str, pn_sid: str, path: str) -> None:
        with self.db.write() as conn:
            self.messaging_services.get_owned(conn, account, service_sid, path, lock=True)
            if not q.messaging_remove(conn, service_sid, pn_sid):
                raise not_found(path)

    # -- Trunking -------------------------------------------------------------------------
    def trunk_add(self, account: Account, trunk_sid: str, form: Mapping[str, str], path: str) -> Row:
        pn_sid = form.get("PhoneNumberSid")
        if not pn_sid:
            raise missing_parameter("PhoneNumberSid")
        with self.db.write() as conn:
            self.trunks.get_owned(conn, account, trunk_sid, path, lock=True)
            number = _owned_number(conn, account, pn_sid)
            if number is None:
                raise TwilioError(20404, 404, f"The requested resource PhoneNumberSid {pn_sid} was not found")
            numbers_q.update(conn, pn_sid, {"trunk_sid": trunk_sid, "voice_application_sid": None, "date_updated": now()})
            return numbers_q.get(conn, pn_sid)

    def trunk_fetch(self, account: Account, trunk_sid: str, pn_sid: str, path: str) -> Row:
        self.trunks.fetch(account, trunk_sid, path)
        row = numbers_q.fetch(self.db, pn_sid)
        if row is None or row.trunk_sid != trunk_sid:
            raise not_found(path)
        return row

    def trunk_list(self, account: Account, trunk_sid: str, req: PageRequest, path: str) -> tuple[Sequence[Row], bool]:
        self.trunks.fetch(account, trunk_sid, path)
        return q.trunk_numbers_page(self.db, trunk_sid, req)

    def trunk_remove(self, account: Account, trunk_sid: str, pn_sid: str, path: str) -> None:
        with self.db.write() as conn:
            self.trunks.get_owned(conn, account, trunk_sid, path, lock=True)
            row = numbers_q.get_for_update(conn, pn_sid)
            if row is None or row.trunk_sid != trunk_sid:
                raise not_found(path)
            numbers_q.update(conn, pn_sid, {"trunk_sid": None, "date_updated": now()})

    # -- Proxy ----------------------------------------------------------------------------
    def proxy_add(self, account: Account, service_sid: str, form: Mapping[str, str], path: str) -> Row:
        sid, e164 = form.get("Sid"), form.get("PhoneNumber")
        if bool(sid) == bool(e164):
            raise TwilioError(80701, 400, "'Sid' is invalid. Give exactly one of Sid and PhoneNumber.")
        reserved = False
        if "IsReserved" in form:
            try:
                reserved = p.boolean("IsReserved", form["IsReserved"])
            except TwilioError:
                raise TwilioError(80701, 400, "'IsReserved' is invalid.") from None

        def work(conn: Connection) -> Row:
            self.proxy_services.get_owned(conn, account, service_sid, path, lock=True)
            if sid:
                number = _owned_number(conn, account, sid)
            else:
                found = numbers_q.get_by_number(conn, e164)
                number = _owned_number(conn, account, found.sid) if found is not None else None
            if number is None:
                raise TwilioError(20404, 404, f"The requested resource {sid or e164} was not found")
            member = q.proxy_membership(conn, number.sid)
            if member is not None:
                if member.service_sid == service_sid:
                    raise TwilioError(80104, 400, "PhoneNumber has already been added to Service")
                raise TwilioError(80101, 400, f"PhoneNumber {number.phone_number} has already been added to another Proxy Service")
            if q.messaging_membership(conn, number.sid) is not None:
                raise TwilioError(80601, 400, "PhoneNumber is not available. It may be bound to a number pool.")
            self._check_proxy_room(conn, service_sid, reserved)
            ts = now()
            q.proxy_add(conn, {"phone_number_sid": number.sid, "service_sid": service_sid, "is_reserved": reserved,
                               "in_use": 0, "date_created": ts, "date_updated": ts})
            return q.proxy_get(conn, service_sid, number.sid)

        return tx.write(self.db, work)

    def _check_proxy_room(self, conn: Connection, service_sid: str, reserved: bool) -> None:
        limit = self.limits.proxy_reserved if reserved else self.limits.proxy_unreserved
        if q.proxy_count(conn, service_sid, reserved) >= limit:
            kind = "reserved" if reserved else "unreserved"
            raise TwilioError(80622, 400, f"Proxy number pool maximum size reached ({limit} {kind} numbers)")

    def proxy_update(self, account: Account, service_sid: str, pn_sid: str, form: Mapping[str, str], path: str) -> Row:
        reserved: bool | None = None
        if "IsReserved" in form:
            try:
                reserved = p.boolean("IsReserved", form["IsReserved"])
            except TwilioError:
                raise TwilioError(80701, 400, "'IsReserved' is invalid.") from None
        with self.db.write() as conn:
            self.proxy_services.get_owned(conn, account, service_sid, path, lock=True)
            row = q.proxy_get(conn, service_sid, pn_sid)
            if row is None:
                raise not_found(path)
            if reserved is not None and reserved != row.is_reserved:
                self._check_proxy_room(conn, service_sid, reserved)
                q.proxy_update(conn, service_sid, pn_sid, {"is_reserved": reserved, "date_updated": now()})
                row = q.proxy_get(conn, service_sid, pn_sid)
            return row

    def proxy_fetch(self, account: Account, service_sid: str, pn_sid: str, path: str) -> Row:
        self.proxy_services.fetch(account, service_sid, path)
        row = q.proxy_fetch(self.db, service_sid, pn_sid)
        if row is None:
            raise not_found(path)
        return row

    def proxy_list(self, account: Account, service_sid: str, req: PageRequest, path: str) -> tuple[Sequence[Row], bool]:
        self.proxy_services.fetch(account, service_sid, path)
        return q.proxy_page(self.db, service_sid, req)

    def proxy_remove(self, account: Account, service_sid: str, pn_sid: str, path: str) -> None:
        with self.db.write() as conn:
            self.proxy_services.get_owned(conn, account, service_sid, path, lock=True)
            if not q.proxy_remove(conn, service_sid, pn_sid):
                raise not_found(path)

"""Proxy Services and their numbers.

- One Proxy Service per number: 80104 when it is in this one already, 80101 in another (the
  membership table's primary key keeps it with any number of processes).
- A number in a Messaging Service may not join (80601); a Proxy number may later join a Messaging
  Service (A2P 10DLC), so only this direction is refused.
- At most ``limits.proxy_unreserved`` unreserved and ``limits.proxy_reserved`` reserved numbers
  per service (80622), counted with the service row locked, also when a number changes side.
- ``UniqueName`` is unique per account (20409).
"""

from __future__ import annotations

from typing import Any

from numberpool.domain import errors, tx
from numberpool.domain.accounts import Account
from numberpool.domain.clock import now
from numberpool.domain.pools.base import MembershipPool, PoolLimits, Resources, ResourceSpec, owned_number
from numberpool.store import numbers as numbers_q
from numberpool.store import pools as q
from numberpool.store import sessions as sessions_q
from numberpool.store.db import Connection, Database, Row, present


def _unique_name_taken(values: dict[str, Any]) -> errors.TwilioError:
    return errors.proxy_unique_name_taken(values.get("unique_name"))


def _delete_sessions_and_members(conn: Connection, service_sid: str) -> None:
    """A deleted Service's sessions (with their participants, interactions and expiries) go
    first, then its pool."""
    sessions_q.delete_service_sessions(conn, service_sid)
    q.proxy_members.delete_service(conn, service_sid)


SERVICE = ResourceSpec(
    prefix="KS",
    crud=q.proxy,
    defaults={
        "default_ttl": 0, "callback_url": None, "geo_match_level": "country",
        "number_selection_behavior": "prefer-sticky", "intercept_callback_url": None,
        "out_of_session_callback_url": None, "chat_instance_sid": None,
    },
    conflict=_unique_name_taken,
    on_delete=_delete_sessions_and_members,
)


class ProxyServices(MembershipPool):
    def __init__(self, db: Database, limits: PoolLimits) -> None:
        super().__init__(db, Resources(db, SERVICE), q.proxy_members)
        self.limits = limits

    def add(self, account: Account, service_sid: str, *, pn_sid: str | None, e164: str | None, reserved: bool) -> Row:
        """Add the account's number named by SID or by E.164 number (exactly one of them)."""
        return tx.write(self.db, lambda conn: self.add_in(conn, account, service_sid, pn_sid=pn_sid, e164=e164,
                                                          reserved=reserved))

    def add_in(self, conn: Connection, account: Account, service_sid: str, *, pn_sid: str | None, e164: str | None,
               reserved: bool) -> Row:
        """``add`` in the caller's transaction."""
        self.parents.get_owned(conn, account, service_sid, lock=True)
        if pn_sid:
            number = owned_number(conn, account, pn_sid)
        else:
            found = numbers_q.get_by_number(conn, e164 or "")
            number = owned_number(conn, account, found.sid) if found is not None else None
        if number is None:
            raise errors.not_found(pn_sid or e164)
        member = self.members.of_number(conn, number.sid)
        if member is not None:
            if member.service_sid == service_sid:
                raise errors.proxy_number_in_this_service()
            raise errors.proxy_number_in_other_service(number.phone_number)
        if q.messaging_members.of_number(conn, number.sid) is not None:
            raise errors.proxy_number_in_messaging_service()
        self._check_room(conn, service_sid, reserved)
        ts = now()
        self.members.add(conn, {"phone_number_sid": number.sid, "service_sid": service_sid, "is_reserved": reserved,
                                "in_use": 0, "date_created": ts, "date_updated": ts})
        return present(self.members.get(conn, service_sid, number.sid))

    def update(self, account: Account, service_sid: str, pn_sid: str, *, reserved: bool | None) -> Row:
        with self.db.write() as conn:
            return self.update_in(conn, account, service_sid, pn_sid, reserved=reserved)

    def update_in(self, conn: Connection, account: Account, service_sid: str, pn_sid: str, *, reserved: bool | None) -> Row:
        """``update`` in the caller's transaction."""
        self.parents.get_owned(conn, account, service_sid, lock=True)
        row = self.members.get(conn, service_sid, pn_sid)
        if row is None:
            raise errors.not_found()
        if reserved is not None and reserved != row.is_reserved:
            self._check_room(conn, service_sid, reserved)
            self.members.update(conn, service_sid, pn_sid, {"is_reserved": reserved, "date_updated": now()})
            row = self.members.get(conn, service_sid, pn_sid)
        return present(row)

    def _check_room(self, conn: Connection, service_sid: str, reserved: bool) -> None:
        limit = self.limits.proxy_reserved if reserved else self.limits.proxy_unreserved
        if self.members.count(conn, service_sid, is_reserved=reserved) >= limit:
            raise errors.proxy_pool_full(limit, "reserved" if reserved else "unreserved")

"""Messaging Services and their numbers.

- One Messaging Service per number: 21710 when it is in this one already, 21712 in another
  (the membership table's primary key keeps it with any number of processes).
- At most ``limits.messaging`` numbers per service (21714), counted with the service row locked.
- A number needs SMS or MMS capability (21715); one the service's account does not own is 21421.
"""

from __future__ import annotations

from numberpool.domain import errors, tx
from numberpool.domain.accounts import Account
from numberpool.domain.clock import now
from numberpool.domain.pools.base import MembershipPool, Resources, ResourceSpec, owned_number
from numberpool.store import pools as q
from numberpool.store.db import Connection, Database, Row, present

USECASES = ("notifications", "marketing", "verification", "discussion", "poll", "undeclared")

SERVICE = ResourceSpec(
    prefix="MG",
    crud=q.messaging,
    defaults={
        "inbound_request_url": None, "inbound_method": "POST", "fallback_url": None, "fallback_method": "POST",
        "status_callback": None, "sticky_sender": True, "mms_converter": True, "smart_encoding": True,
        "scan_message_content": "inherit", "fallback_to_long_code": False, "area_code_geomatch": True,
        "validity_period": 36000, "synchronous_validation": True, "usecase": "undeclared",
        "use_inbound_webhook_on_number": False,
    },
    on_delete=q.messaging_members.delete_service,
)


class MessagingServices(MembershipPool):
    def __init__(self, db: Database, limit: int) -> None:
        super().__init__(db, Resources(db, SERVICE), q.messaging_members)
        self.limit = limit

    def add(self, account: Account, service_sid: str, pn_sid: str) -> Row:
        return tx.write(self.db, lambda conn: self.add_in(conn, account, service_sid, pn_sid))

    def add_in(self, conn: Connection, account: Account, service_sid: str, pn_sid: str) -> Row:
        """``add`` in the caller's transaction."""
        self.parents.get_owned(conn, account, service_sid, lock=True)
        number = owned_number(conn, account, pn_sid)
        if number is None:
            raise errors.not_a_number_of_this_account(pn_sid)
        if not (number.cap_sms or number.cap_mms):
            raise errors.messaging_number_without_sms(number.phone_number)
        member = self.members.of_number(conn, pn_sid)
        if member is not None:
            if member.service_sid == service_sid:
                raise errors.messaging_number_in_this_service()
            raise errors.messaging_number_in_other_service(number.phone_number)
        if self.members.count(conn, service_sid) >= self.limit:
            raise errors.messaging_pool_full(self.limit)
        ts = now()
        self.members.add(conn, {"phone_number_sid": pn_sid, "service_sid": service_sid, "date_created": ts, "date_updated": ts})
        return present(self.members.get(conn, service_sid, pn_sid))

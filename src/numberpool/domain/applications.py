"""Applications (2010-04-01): TwiML settings a number can point at instead of its own URLs.

- A number's ``VoiceApplicationSid`` / ``SmsApplicationSid`` must name an Application of the
  number's account (21420), checked in the number's write transaction (``numbers``), which holds
  the application row until it ends, so the application cannot be deleted under the number.
- Deleting an Application clears it from its numbers (``date_updated`` moves), in the same
  transaction; moving a number to another account clears both of its applications.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from numberpool.domain.accounts import Account
from numberpool.domain.clock import now
from numberpool.domain.pools.base import Resources, ResourceSpec
from numberpool.store import applications as q
from numberpool.store.db import Connection, Database, Row, present
from numberpool.store.paging import PageRequest

DEFAULTS: dict[str, Any] = {
    "friendly_name": None, "api_version": "2010-04-01",
    "voice_url": None, "voice_method": "POST", "voice_fallback_url": None, "voice_fallback_method": "POST",
    "voice_caller_id_lookup": False, "status_callback": None, "status_callback_method": "POST",
    "sms_url": None, "sms_method": "POST", "sms_fallback_url": None, "sms_fallback_method": "POST",
    "sms_status_callback": None, "message_status_callback": None, "public_application_connect_enabled": False,
}


def _clear_numbers(conn: Connection, sid: str) -> None:
    """Runs after the row was locked by ``Resources.delete``: its numbers forget it."""
    row = present(q.application.get(conn, sid))
    q.clear(conn, row.account_sid, sid, now())


APPLICATION = ResourceSpec(prefix="AP", crud=q.application, defaults=DEFAULTS, on_delete=_clear_numbers)


class Applications:
    def __init__(self, db: Database) -> None:
        self.db = db
        self.resources = Resources(db, APPLICATION)

    def create(self, account: Account, values: dict[str, Any]) -> Row:
        return self.resources.create(account, values)

    def fetch(self, account: Account, sid: str) -> Row:
        return self.resources.fetch(account, sid)

    def update(self, account: Account, sid: str, values: dict[str, Any]) -> Row:
        return self.resources.update(account, sid, values)

    def delete(self, account: Account, sid: str) -> None:
        self.resources.delete(account, sid)

    def list(self, account: Account, req: PageRequest, *, friendly_name: str | None = None) -> tuple[Sequence[Row], bool]:
        return q.list_page(self.db, account.sid, friendly_name, req)

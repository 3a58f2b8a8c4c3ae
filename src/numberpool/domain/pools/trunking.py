"""SIP Trunks and their numbers.

- A number's trunk is its ``trunk_sid`` column, set from either side, so one trunk per number by
  construction; joining a trunk clears the number's voice application (``numbers.configure``).
- ``TrunkSid`` must name a trunk of the number's account (21245), and the database keeps that
  trunk in existence for as long as numbers name it (migration 0004).
- A trunk's ``DomainName`` is unique across the server and ends in ``.pstn.twilio.com`` (21245).
- Deleting a trunk leaves its numbers in the account, with no trunk, and deletes its
  OriginationUrls (``domain.origination_urls``), in the same transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from numberpool.domain import errors
from numberpool.domain.accounts import Account
from numberpool.domain.clock import now
from numberpool.domain.numbers import configure
from numberpool.domain.pools.base import Resources, ResourceSpec, owned_number
from numberpool.store import numbers as numbers_q
from numberpool.store import origination_urls as origination_urls_q
from numberpool.store import pools as q
from numberpool.store.db import Connection, Database, Row, present
from numberpool.store.paging import PageRequest


def _domain_in_use(values: dict[str, Any]) -> errors.TwilioError:
    return errors.trunk_domain_in_use(values.get("domain_name"))


def _check(conn: Connection, _account: Account, values: dict[str, Any], sid: str | None) -> None:
    domain = values.get("domain_name")
    if domain and q.trunk_domain_taken(conn, domain, sid):
        raise _domain_in_use(values)


def _on_delete(conn: Connection, sid: str) -> None:
    """Runs after the trunk row was locked, before it is deleted: its origination URLs go first
    (they name it), then its numbers leave it (migration 0004 refuses a trunk numbers still name)."""
    origination_urls_q.delete_of_trunk(conn, sid)
    q.trunk_clear(conn, sid, now())


TRUNK = ResourceSpec(
    prefix="TK",
    crud=q.trunk,
    defaults={
        "friendly_name": None, "domain_name": None, "disaster_recovery_url": None, "disaster_recovery_method": "POST",
        "transfer_mode": "disable-all", "secure": False, "cnam_lookup_enabled": False,
        "transfer_caller_id": "from-transferee", "symmetric_rtp_enabled": False,
        "recording_mode": "do-not-record", "recording_trim": "do-not-trim",
    },
    check=_check,
    conflict=_domain_in_use,
    on_delete=_on_delete,
)


class Trunks:
    member_key = "sid"

    def __init__(self, db: Database) -> None:
        self.db = db
        self.parents = Resources(db, TRUNK)

    def add(self, account: Account, trunk_sid: str, pn_sid: str) -> Row:
        with self.db.write() as conn:
            self.parents.get_owned(conn, account, trunk_sid, lock=True)
            if owned_number(conn, account, pn_sid) is None:
                raise errors.not_found(f"PhoneNumberSid {pn_sid}")
            numbers_q.update(conn, pn_sid, {**configure({"trunk_sid": trunk_sid}), "date_updated": now()})
            return present(numbers_q.get(conn, pn_sid))

    def fetch(self, account: Account, trunk_sid: str, pn_sid: str) -> Row:
        self.parents.fetch(account, trunk_sid)
        row = numbers_q.fetch(self.db, pn_sid)
        if row is None or row.trunk_sid != trunk_sid:
            raise errors.not_found()
        return row

    def list(self, account: Account, trunk_sid: str, req: PageRequest) -> tuple[Sequence[Row], bool]:
        self.parents.fetch(account, trunk_sid)
        return q.trunk_numbers_page(self.db, trunk_sid, req)

    def remove(self, account: Account, trunk_sid: str, pn_sid: str) -> None:
        with self.db.write() as conn:
            self.parents.get_owned(conn, account, trunk_sid, lock=True)
            row = numbers_q.get_for_update(conn, pn_sid)
            if row is None or row.trunk_sid != trunk_sid:
                raise errors.not_found()
            numbers_q.update(conn, pn_sid, {"trunk_sid": None, "date_updated": now()})

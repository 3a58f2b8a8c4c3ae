"""Trunk OriginationUrls (trunking v1): where a trunk sends its origination calls.

- An OriginationUrl belongs to one trunk of the caller's account; a trunk of another account, or
  an OriginationUrl of another trunk, is 20404 exactly as if absent.
- Writes hold the trunk row (``FOR SHARE`` on PostgreSQL; SQLite serialises writers) until they
  end, so a trunk cannot be deleted under a create; deleting a trunk deletes its OriginationUrls
  first, in the same transaction (``pools.trunking``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from numberpool.domain.accounts import Account
from numberpool.domain.clock import now
from numberpool.domain.errors import not_found
from numberpool.domain.pools.base import Resources
from numberpool.domain.sids import is_sid, new_sid
from numberpool.store import origination_urls as q
from numberpool.store.db import Connection, Database, Row, present
from numberpool.store.paging import PageRequest

PREFIX = "OU"


class OriginationUrls:
    def __init__(self, db: Database, trunks: Resources) -> None:
        self.db = db
        self.trunks = trunks

    def _owned_trunk(self, conn: Connection, account: Account, trunk_sid: str) -> None:
        row = self.trunks.spec.crud.get(conn, trunk_sid, share=True) if is_sid(trunk_sid, "TK") else None
        if row is None or row.account_sid != account.sid:
            raise not_found()

    def _locked(self, conn: Connection, account: Account, trunk_sid: str, sid: str) -> Row:
        self._owned_trunk(conn, account, trunk_sid)
        row = q.origination_url.get(conn, sid, lock=True) if is_sid(sid, PREFIX) else None
        if row is None or row.trunk_sid != trunk_sid:
            raise not_found()
        return row

    def create(self, account: Account, trunk_sid: str, values: dict[str, Any]) -> Row:
        with self.db.write() as conn:
            return self.create_in(conn, account, trunk_sid, values)

    def create_in(self, conn: Connection, account: Account, trunk_sid: str, values: dict[str, Any], *,
                  sid: str | None = None) -> Row:
        """``create`` in the caller's transaction; ``sid``: the SID to give it, else a new one."""
        ts = now()
        sid = sid or new_sid(PREFIX)
        self._owned_trunk(conn, account, trunk_sid)
        q.origination_url.insert(conn, {
            **values, "sid": sid, "account_sid": account.sid, "trunk_sid": trunk_sid,
            "date_created": ts, "date_updated": ts,
        })
        return present(q.origination_url.get(conn, sid))

    def fetch(self, account: Account, trunk_sid: str, sid: str) -> Row:
        self.trunks.fetch(account, trunk_sid)
        row = q.origination_url.fetch(self.db, sid) if is_sid(sid, PREFIX) else None
        if row is None or row.trunk_sid != trunk_sid:
            raise not_found()
        return row

    def list(self, account: Account, trunk_sid: str, req: PageRequest) -> tuple[Sequence[Row], bool]:
        self.trunks.fetch(account, trunk_sid)
        return q.list_page(self.db, trunk_sid, req)

    def update(self, account: Account, trunk_sid: str, sid: str, values: dict[str, Any]) -> Row:
        with self.db.write() as conn:
            return self.update_in(conn, account, trunk_sid, sid, values)

    def update_in(self, conn: Connection, account: Account, trunk_sid: str, sid: str, values: dict[str, Any]) -> Row:
        """``update`` in the caller's transaction."""
        self._locked(conn, account, trunk_sid, sid)
        if values:
            q.origination_url.update(conn, sid, {**values, "date_updated": now()})
        return present(q.origination_url.get(conn, sid))

    def delete(self, account: Account, trunk_sid: str, sid: str) -> None:
        with self.db.write() as conn:
            self._locked(conn, account, trunk_sid, sid)
            q.origination_url.delete(conn, sid)

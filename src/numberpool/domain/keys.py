"""API keys (2010-04-01 Keys): an account's Standard keys, each a SID and a secret that
authenticate as the account (``accounts.Accounts.authenticate``).

- The secret is made here (32 random characters), shown once in the create answer, and stored
  only as its digest (``accounts.secret_digest``); a lost secret cannot be shown again.
- A Standard key may do everything its account may, except manage accounts and keys (Twilio's
  Key resource documentation: "Access to all Twilio API resources, except for API key and Account
  resources"); those answer 403 with Twilio's authorization error 70051 (``access.refuse_key``, which
  the routes of Accounts and Keys declare).
- Deleting a key revokes it at once, in every server process (authentication reads the key again
  after any commit; see ``Accounts._stamp``).
"""

from __future__ import annotations

import secrets
import string
from collections.abc import Sequence
from typing import Any

from numberpool.domain.accounts import Account, secret_digest
from numberpool.domain.pools.base import Resources, ResourceSpec
from numberpool.store import keys as q
from numberpool.store.db import Database, Row
from numberpool.store.paging import PageRequest

KEY = ResourceSpec(prefix="SK", crud=q.key, defaults={"friendly_name": None})
_ALPHABET = string.ascii_letters + string.digits


class Keys:
    def __init__(self, db: Database) -> None:
        self.resources = Resources(db, KEY)

    def create(self, account: Account, friendly_name: str | None) -> tuple[Row, str]:
        """The new key and its secret, which nothing will show again."""
        secret = "".join(secrets.choice(_ALPHABET) for _ in range(32))
        row = self.resources.create(account, {"friendly_name": friendly_name, "secret_hash": secret_digest(secret)})
        return row, secret

    def fetch(self, account: Account, sid: str) -> Row:
        return self.resources.fetch(account, sid)

    def update(self, account: Account, sid: str, values: dict[str, Any]) -> Row:
        return self.resources.update(account, sid, values)

    def delete(self, account: Account, sid: str) -> None:
        self.resources.delete(account, sid)

    def list(self, account: Account, req: PageRequest) -> tuple[Sequence[Row], bool]:
        return self.resources.list(account, req)

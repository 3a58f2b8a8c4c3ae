"""API keys (2010-04-01 Keys): the rows, and the one read authentication makes."""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, select

from numberpool.store.crud import Crud
from numberpool.store.db import Database
from numberpool.store.schema import accounts, api_keys

key = Crud(api_keys)

# The key and its account in one read: authentication by key costs what authentication by account does.
_WITH_ACCOUNT = (
    select(api_keys.c.secret_hash, api_keys.c.sid.label("key_sid"), *accounts.columns)
    .join(accounts, accounts.c.sid == api_keys.c.account_sid)
    .where(api_keys.c.sid == bindparam("sid"))
)


def fetch_with_account(db: Database, key_sid: str) -> Any:
    """``(secret_hash, key_sid, <the account's columns>)`` outside any transaction, or None."""
    return db.one(_WITH_ACCOUNT, sid=key_sid)

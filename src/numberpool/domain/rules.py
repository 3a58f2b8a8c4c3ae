"""Which of numberpool's rules by ``To`` (a DeliveryRule, a CallRule) decides traffic to a number:
the account's own before its parent's; within one account an exact ``To`` before the longest
matching prefix."""

from __future__ import annotations

from typing import Any

from numberpool.store.db import Database
from numberpool.store.rules import RuleTable


def chain(owner: Any) -> list[str]:
    """The accounts whose rules decide traffic of ``owner`` (an accounts row): it, then its parent."""
    return [owner.sid] if owner.owner_account_sid in (None, owner.sid) else [owner.sid, owner.owner_account_sid]


def deciding(rules: RuleTable, db: Database, owner: Any, to: str) -> Any:
    """The rule of ``rules`` that decides traffic of ``owner`` (an accounts row) to ``to``, or None."""
    if owner is None:
        return None
    accounts = chain(owner)
    found = rules.for_to(db, accounts, to)
    if not found:
        return None
    return min(found, key=lambda r: (accounts.index(r.account_sid), r.to_pattern != to, -len(r.to_pattern)))

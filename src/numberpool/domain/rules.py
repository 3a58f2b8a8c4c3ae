"""Which of numberpool's rules by ``To`` (a DeliveryRule, a CallRule) decides traffic to a number:
the account's own before its parent's; within one account an exact ``To`` before the longest
matching prefix."""

from __future__ import annotations

from typing import Any

from numberpool.store.db import Database
from numberpool.store.rules import RuleTable


def deciding(rules: RuleTable, db: Database, owner: Any, to: str) -> Any:
    """The rule of ``rules`` that decides traffic of ``owner`` (an accounts row) to ``to``, or None."""
    if owner is None:
        return None
    chain = [owner.sid] if owner.owner_account_sid in (None, owner.sid) else [owner.sid, owner.owner_account_sid]
    found = rules.for_to(db, chain, to)
    if not found:
        return None
    return min(found, key=lambda r: (chain.index(r.account_sid), r.to_pattern != to, -len(r.to_pattern)))

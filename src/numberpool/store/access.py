"""The access rule's definitions, in SQL and in Python side by side: which accounts a caller may
see (its family: its own account and its subaccounts) and which account is the main one.

Each relation is written once, as the columns it compares (:data:`FAMILY_COLUMNS`, :data:`MAIN`),
and both forms are built from that description: the SQL clause every store read bounds its rows
with (``family_sids``), and the Python predicate ``domain.access`` decides with (``in_family``); the
main account is one predicate (``is_main``), which the domain and the Reset's transaction both use.
So the two cannot drift. Nothing here raises: ``domain.access`` turns a "no" into the API's error.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import BindParameter, ColumnElement, Select, and_, or_, select

from numberpool.store.schema import accounts

# An account is in the family of the account whose SID one of these columns holds: its own
# (``sid``) and its parent's (``owner_account_sid``). A subaccount owns none, so its family is itself.
FAMILY_COLUMNS: tuple[str, ...] = ("sid", "owner_account_sid")

# The main account: flagged (``uq_accounts_one_main`` keeps at most one) and its own owner.
MAIN_FLAG = "is_main"

SidValue = str | BindParameter[Any] | ColumnElement[Any]


def family_clause(caller: SidValue) -> ColumnElement[bool]:
    """``accounts`` rows in the family of ``caller`` (a SID, or a bind parameter naming one)."""
    return or_(*(accounts.c[name] == caller for name in FAMILY_COLUMNS))


def family_sids(caller: SidValue) -> Select[Any]:
    """The SIDs of the family of ``caller``: ``table.c.account_sid.in_(family_sids(caller))``
    bounds any account-held table to what the caller may see."""
    return select(accounts.c.sid).where(family_clause(caller))


def in_family(caller_sid: str, account: Any) -> bool:
    """Whether ``account`` (anything with the ``accounts`` columns as attributes) is in the family
    of ``caller_sid``: ``family_clause`` evaluated in Python."""
    return any(getattr(account, name) == caller_sid for name in FAMILY_COLUMNS)


def subaccounts_clause(sid: SidValue) -> ColumnElement[bool]:
    """``accounts`` rows in the family of ``sid`` other than ``sid`` itself: its subaccounts."""
    return and_(family_clause(sid), accounts.c.sid != sid)


def is_top_level(account: Any) -> bool:
    """Whether ``account`` is no account's subaccount (it owns itself)."""
    return bool(account.owner_account_sid == account.sid)


def is_main(account: Any) -> bool:
    """Whether ``account`` is the main account: flagged, and top-level."""
    return bool(getattr(account, MAIN_FLAG)) and is_top_level(account)


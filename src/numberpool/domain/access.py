"""The one access rule: who the caller is, which accounts it may see, what only the main account
may do and what an API key may not, each raising the error the API answers.

- **Who.** The caller is an account (``accounts.Account``), authenticated with its own auth token
  or with one of its API keys; then ``key_sid`` names the key (:func:`by_key`).
- **Which accounts.** Its family: its own account and its subaccounts (:func:`may_see`). A parent's
  credentials reach its subaccounts; a subaccount reaches only itself; nobody reaches a stranger or
  a sibling. An account the caller may not see is answered exactly as one that does not exist
  (20404), so SIDs leak nothing. The store bounds its reads with the same relation in SQL
  (``store.access.family_sids``); :func:`may_see` is that relation evaluated in Python
  (``store.access.in_family``), both built from one description, so the two cannot drift.
- **Main account only.** Reset (20403, :func:`require_main`).
- **Keys refused.** A Standard API key may do everything its account may, except manage accounts
  and keys (Twilio's Key resource page: "Access to all Twilio API resources, except for API key
  and Account resources"); numberpool adds its State and Reset (a state document holds auth
  tokens). Those answer 403, 70051 (:func:`refuse_key`).

Every route declares its :class:`Rule` where it is registered (``http.router.Router.add``): its
:class:`Scope` (the caller's own account, or any account of its family, named in the path or by
the resource) and the caller checks it needs. The router runs :meth:`Rule.check` before the
handler; the scope is kept by the domain calls the handler makes with the caller (a lookup under
the caller's SID, ``Accounts.resolve``), which ask :func:`may_see`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Protocol

from numberpool.domain import errors
from numberpool.store import access as sql


class Member(Protocol):
    """What the family relation reads of an account: a stored row, an ``accounts.Account``, or a
    state document's account."""

    @property
    def sid(self) -> str: ...
    @property
    def owner_account_sid(self) -> str: ...


class Caller(Member, Protocol):
    """What the rule reads of the caller (``accounts.Account`` is one)."""

    @property
    def is_main(self) -> bool: ...
    @property
    def key_sid(self) -> str | None: ...


def by_key(caller: Caller) -> bool:
    """Whether the caller authenticated with an API key rather than its account's auth token."""
    return caller.key_sid is not None


def may_see(caller: Caller, account: Member) -> bool:
    """Whether ``account`` is the caller's own or one of its subaccounts."""
    return sql.in_family(caller.sid, account)


def is_top_level(account: Member) -> bool:
    """Whether ``account`` is no account's subaccount."""
    return sql.is_top_level(account)


def is_main(account: Caller) -> bool:
    """Whether ``account`` is the main account (the one the server was started with)."""
    return sql.is_main(account)


def refuse_key(caller: Caller) -> None:
    """403, 70051 when the caller is an API key (docs/api/errors/70051)."""
    if caller.key_sid is not None:
        raise errors.key_not_allowed(caller.key_sid)


def require_main(caller: Caller) -> None:
    """403, 20403 unless the caller is the main account."""
    if not sql.is_main(caller):
        raise errors.reset_requires_main_account()


def require_top_level(caller: Caller) -> None:
    """403, 20403 when the caller is a subaccount (which cannot create subaccounts)."""
    if not sql.is_top_level(caller):
        raise errors.subaccount_cannot_create_subaccounts()


class Scope(Enum):
    OWN = "own"  # the caller's own account's resources only (Messaging, Trunking, Proxy: no AccountSid in the path)
    FAMILY = "family"  # any account of the caller's family: named in the path ({AccountSid}) or owning the resource


@dataclass(frozen=True)
class Rule:
    """A route's access: its scope, and the checks of the caller alone that run before its handler."""

    scope: Scope
    main_only: bool = False
    keys_refused: bool = False

    @property
    def checks_caller(self) -> bool:
        """Whether :meth:`check` can refuse anything (the router guards only those handlers)."""
        return self.main_only or self.keys_refused

    def check(self, caller: Caller) -> None:
        """The caller checks, in the order the API answers them: a key first (70051), then 20403."""
        if self.keys_refused:
            refuse_key(caller)
        if self.main_only:
            require_main(caller)

    def __str__(self) -> str:
        return " ".join([self.scope.value, *(["main only"] if self.main_only else []),
                         *(["keys refused"] if self.keys_refused else [])])


OWN = Rule(Scope.OWN)
FAMILY = Rule(Scope.FAMILY)
FAMILY_NO_KEYS = Rule(Scope.FAMILY, keys_refused=True)  # Accounts, Keys, State
MAIN_ONLY_NO_KEYS = Rule(Scope.FAMILY, main_only=True, keys_refused=True)  # Reset

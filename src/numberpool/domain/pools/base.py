"""What the three pools share: their account-scoped parent resource, and a pool of numbers under it.

A product declares its parent (Messaging Service, Trunk, Proxy Service) with a
:class:`ResourceSpec`: SID prefix, defaults, extra checks, what must be unique, what deleting it
cascades to. :class:`Resources` implements create, fetch, update, delete and list once for all
three. Every pool of numbers answers the :class:`NumberPool` protocol (list, fetch, remove), which
is all the HTTP routes of a pool need besides the product's own add; :class:`MembershipPool`
implements it for the pools kept in a membership table (Messaging, Proxy).

Rules common to every pool: a number joins only pools of the account that owns it (anything
else is "not found", exactly as if it did not exist), and a parent that belongs to another
account does not exist either.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from numberpool.domain.accounts import Account
from numberpool.domain.clock import now
from numberpool.domain.errors import TwilioError, not_found
from numberpool.domain.sids import is_sid, new_sid
from numberpool.store import numbers as numbers_q
from numberpool.store.crud import Crud
from numberpool.store.db import Connection, Database, Row, present
from numberpool.store.errors import ConstraintViolation, unique_violation
from numberpool.store.paging import PageRequest
from numberpool.store.pools import Membership

Check = Callable[[Connection, Account, dict[str, Any], "str | None"], None]
"""``check(conn, account, values, sid_or_None)``: extra rules inside the write transaction."""


@dataclass(frozen=True)
class PoolLimits:
    messaging: int = 400
    proxy_unreserved: int = 500
    proxy_reserved: int = 5000


@dataclass(frozen=True)
class ResourceSpec:
    prefix: str
    crud: Crud
    defaults: dict[str, Any]
    check: Check | None = None
    conflict: Callable[[dict[str, Any]], TwilioError] | None = None  # unique-key violation -> error
    on_delete: Callable[[Connection, str], None] | None = None


class Resources:
    """Create, fetch, update, delete and list one kind of account-scoped parent resource."""

    def __init__(self, db: Database, spec: ResourceSpec) -> None:
        self.db = db
        self.spec = spec

    def get_owned(self, conn: Connection, account: Account, sid: str, *, lock: bool = False) -> Row:
        """The row if it exists and belongs to ``account``; otherwise 20404, exactly as if absent."""
        row = self.spec.crud.get(conn, sid, lock=lock) if is_sid(sid, self.spec.prefix) else None
        if row is None or row.account_sid != account.sid:
            raise not_found()
        return row

    def create(self, account: Account, values: dict[str, Any]) -> Row:
        try:
            with self.db.write() as conn:
                return self.create_in(conn, account, values)
        except ConstraintViolation as exc:
            raise self._conflict(exc, {**self.spec.defaults, **values}) from None

    def create_in(self, conn: Connection, account: Account, values: dict[str, Any], *, sid: str | None = None) -> Row:
        """``create`` in the caller's transaction; ``sid``: the SID to give it, else a new one."""
        ts = now()
        sid = sid or new_sid(self.spec.prefix)
        row = {**self.spec.defaults, **values, "sid": sid, "account_sid": account.sid, "date_created": ts, "date_updated": ts}
        if self.spec.check is not None:
            self.spec.check(conn, account, row, None)
        self.spec.crud.insert(conn, row)
        return present(self.spec.crud.get(conn, sid))

    def fetch(self, account: Account, sid: str) -> Row:
        """Outside any transaction; 20404 unless it exists and belongs to ``account``."""
        row = self.spec.crud.fetch(self.db, sid) if is_sid(sid, self.spec.prefix) else None
        if row is None or row.account_sid != account.sid:
            raise not_found()
        return row

    def update(self, account: Account, sid: str, values: dict[str, Any]) -> Row:
        try:
            with self.db.write() as conn:
                return self.update_in(conn, account, sid, values)
        except ConstraintViolation as exc:
            raise self._conflict(exc, values) from None

    def update_in(self, conn: Connection, account: Account, sid: str, values: dict[str, Any]) -> Row:
        """``update`` in the caller's transaction."""
        self.get_owned(conn, account, sid, lock=True)
        if values:
            if self.spec.check is not None:
                self.spec.check(conn, account, values, sid)
            self.spec.crud.update(conn, sid, {**values, "date_updated": now()})
        return present(self.spec.crud.get(conn, sid))

    def delete(self, account: Account, sid: str) -> None:
        with self.db.write() as conn:
            self.get_owned(conn, account, sid, lock=True)
            if self.spec.on_delete is not None:
                self.spec.on_delete(conn, sid)
            self.spec.crud.delete(conn, sid)

    def list(self, account: Account, req: PageRequest) -> tuple[Sequence[Row], bool]:
        return self.spec.crud.list_page(self.db, account.sid, req)

    def _conflict(self, exc: ConstraintViolation, values: dict[str, Any]) -> Exception:
        """A unique key another row holds, in the product's words; anything else as it came."""
        if self.spec.conflict is None or not unique_violation(exc):
            return exc
        return self.spec.conflict(values)


class NumberPool(Protocol):
    """The numbers under one kind of parent, as the HTTP routes of a pool see them."""

    parents: Resources
    member_key: str  # the column a list page seeks on: the number's SID

    def list(self, account: Account, parent_sid: str, req: PageRequest) -> tuple[Sequence[Row], bool]: ...

    def fetch(self, account: Account, parent_sid: str, pn_sid: str) -> Row: ...

    def remove(self, account: Account, parent_sid: str, pn_sid: str) -> None: ...


def owned_number(conn: Connection, account: Account, pn_sid: str) -> Row | None:
    """The number, locked, if ``account`` owns it; None as if it did not exist otherwise."""
    row = numbers_q.get_for_update(conn, pn_sid) if is_sid(pn_sid, "PN") else None
    return row if row is not None and row.account_sid == account.sid else None


class MembershipPool:
    """A :class:`NumberPool` kept in a membership table (one row per number: one pool per number)."""

    member_key = "phone_number_sid"

    def __init__(self, db: Database, parents: Resources, members: Membership) -> None:
        self.db = db
        self.parents = parents
        self.members = members

    def fetch(self, account: Account, parent_sid: str, pn_sid: str) -> Row:
        self.parents.fetch(account, parent_sid)
        row = self.members.fetch(self.db, parent_sid, pn_sid)
        if row is None:
            raise not_found()
        return row

    def list(self, account: Account, parent_sid: str, req: PageRequest) -> tuple[Sequence[Row], bool]:
        self.parents.fetch(account, parent_sid)
        return self.members.page(self.db, parent_sid, req)

    def remove(self, account: Account, parent_sid: str, pn_sid: str) -> None:
        with self.db.write() as conn:
            self.parents.get_owned(conn, account, parent_sid, lock=True)
            if not self.members.remove(conn, parent_sid, pn_sid):
                raise not_found()

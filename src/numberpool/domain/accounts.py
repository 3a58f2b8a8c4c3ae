"""Accounts and subaccounts: authentication, who may see whom, and their lifecycle.

Who may see whom is ``access``'s rule (a parent's credentials reach its subaccounts; a
subaccount reaches only itself; nobody reaches a stranger); an account the caller may not see is
reported exactly as one that does not exist, so SIDs leak nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TypeVar

from numberpool.domain import access, errors, tx
from numberpool.domain.clock import now
from numberpool.domain.errors import invalid_parameter, not_found
from numberpool.domain.sids import is_sid, new_sid, new_token
from numberpool.store import accounts as q
from numberpool.store import keys as keys_store
from numberpool.store import numbers as numbers_q
from numberpool.store.changes import Watch
from numberpool.store.db import Connection, Database, Row, present
from numberpool.store.paging import PageRequest

STATUSES = ("active", "suspended", "closed")


def secret_digest(secret: str) -> str:
    """How an API key's secret is stored: its SHA-256, hex. The secret is 32 random characters, so
    a plain digest is as hard to reverse as the secret is to guess (no password stretching needed)."""
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class Account:
    sid: str
    owner_account_sid: str
    friendly_name: str
    status: str
    type: str
    auth_token: str
    is_main: bool
    date_created: int
    date_updated: int
    key_sid: str | None = None  # the API key the request authenticated with, if not the account's token (access.by_key)

    @classmethod
    def from_row(cls, row: Row) -> Account:
        return cls(
            row.sid, row.owner_account_sid, row.friendly_name, row.status, row.type,
            row.auth_token, bool(row.is_main), row.date_created, row.date_updated,
        )

    @property
    def active(self) -> bool:
        return self.status == "active"


V = TypeVar("V")
_KEPT_AT_MOST = 10_000  # entries of a credential cache; beyond, it starts afresh


def _kept(cache: dict[str, tuple[bytes, V]], key: str, stamp: bytes | None) -> V | None:
    """What ``cache`` holds for ``key``, if it was read under ``stamp`` (None: nothing)."""
    entry = cache.get(key) if stamp is not None else None
    return entry[1] if entry is not None and entry[0] == stamp else None


def _keep(cache: dict[str, tuple[bytes, V]], key: str, stamp: bytes | None, value: V) -> None:
    """``value``, read after ``stamp`` was, kept for requests with that very stamp (None: not kept)."""
    if stamp is None:
        return
    if len(cache) > _KEPT_AT_MOST:
        cache.clear()
    cache[key] = (stamp, value)


def holds(db: Database, caller: Account, account_sid: str) -> bool:
    """Whether the record of account ``account_sid`` is the caller's to see: its own account's,
    or one of its subaccounts' (the one access rule)."""
    if account_sid == caller.sid:
        return True
    row = q.fetch(db, account_sid)
    return row is not None and access.may_see(caller, row)


class Accounts:
    def __init__(self, db: Database) -> None:
        self.db = db
        # Accounts read for authentication, reused while the database is unchanged: SQLite's
        # change stamp moves on every commit by any process, so a close or a suspension is seen
        # by every worker from the moment it is acknowledged. On PostgreSQL the stamp is the
        # database's snapshot, read once per request. Each entry keeps the stamp it was read
        # under and serves only a request with that very stamp (PostgreSQL's request threads
        # may read different stamps at once).
        self._watch: Watch | None | bool = False  # False: not looked for yet
        self._auth_cache: dict[str, tuple[bytes, Account]] = {}
        self._key_cache: dict[str, tuple[bytes, tuple[Account, str]]] = {}  # key SID -> (its account, the secret's digest)
        self._auth_stamp: bytes | None = None

    def authenticate(self, sid: str, token: str) -> Account:
        """The caller for HTTP Basic ``sid:token``, an account's SID and auth token or an API key's
        SID and secret; 20003 unless it matches, 20005 unless the account is active."""
        stamp = self._stamp()
        if sid.startswith("SK"):
            return self._by_key(sid, token, stamp)
        account = _kept(self._auth_cache, sid, stamp)
        if account is None:
            if not is_sid(sid, "AC"):
                raise errors.authentication_failed()
            row = q.fetch(self.db, sid)
            if row is None:
                raise errors.authentication_failed()
            account = Account.from_row(row)
            _keep(self._auth_cache, sid, stamp, account)  # read after the stamp, so at least as new as it
        if not hmac.compare_digest(account.auth_token.encode(), token.encode()):
            raise errors.authentication_failed()
        if not account.active:
            raise errors.account_not_active(account.sid, account.status)
        return account

    def _by_key(self, key_sid: str, secret: str, stamp: bytes | None) -> Account:
        found = _kept(self._key_cache, key_sid, stamp)
        if found is None:
            if not is_sid(key_sid, "SK"):
                raise errors.authentication_failed()
            row = keys_store.fetch_with_account(self.db, key_sid)
            if row is None:  # no such key, or deleted: revoked from the next request on, in every process
                raise errors.authentication_failed()
            found = (replace(Account.from_row(row), key_sid=key_sid), row.secret_hash)
            _keep(self._key_cache, key_sid, stamp, found)
        account, digest = found
        if not hmac.compare_digest(digest.encode(), secret_digest(secret).encode()):
            raise errors.authentication_failed()
        if not account.active:
            raise errors.account_not_active(account.sid, account.status)
        return account

    def _stamp(self) -> bytes | None:
        """The database's change stamp now (None: do not cache); a new stamp empties the cache."""
        watch = self._watch
        if watch is False:
            watch = self._watch = self.db.change_watch()
        if watch is None or isinstance(watch, bool):
            return None
        stamp = watch.stamp()
        if stamp != self._auth_stamp:
            self._auth_cache.clear()
            self._key_cache.clear()
            self._auth_stamp = stamp
        return stamp

    def resolve(self, caller: Account, sid: str) -> Account:
        """The account at ``sid`` if the caller may see it (``access.may_see``), else 20404."""
        if sid == caller.sid:
            return caller
        if not is_sid(sid, "AC"):
            raise not_found()
        row = q.fetch(self.db, sid)
        if row is None:
            raise not_found()
        if not access.may_see(caller, row):
            raise not_found()
        return Account.from_row(row)

    def resolve_active(self, caller: Account, sid: str) -> Account:
        account = self.resolve(caller, sid)
        if not account.active:
            raise errors.account_not_active(account.sid, account.status)
        return account

    def ensure_main(self, sid: str | None, token: str | None) -> Account:
        """The main account, of which the database keeps at most one (``uq_accounts_one_main``).

        With ``sid`` (``TWILIO_ACCOUNT_SID``): that account, created if new, its token updated if
        changed, made the main account; a main account with another SID becomes an ordinary
        top-level account, keeping its subaccounts and all they hold (which a Reset then leaves
        alone). A subaccount's SID is refused (ValueError). Without: the main account already in the
        database, else a new one. One transaction, re-run when a server starting at the same moment
        committed first (its unique key refused ours): several servers started at once on an empty
        database end with one main account, which they all adopt."""
        if sid and (not is_sid(sid, "AC") or not token):
            raise ValueError("TWILIO_ACCOUNT_SID must match ^AC[0-9a-fA-F]{32}$ and TWILIO_AUTH_TOKEN must be set")
        return tx.write(self.db, lambda conn: _ensure_main(conn, sid, token or ""))

    def create_subaccount(self, caller: Account, friendly_name: str | None) -> Account:
        access.require_top_level(caller)
        name = friendly_name or "SubAccount Created at " + time.strftime("%Y-%m-%d %I:%M %p", time.gmtime())
        with self.db.write() as conn:
            return self.create_in(conn, caller, new_sid("AC"), name, new_token())

    @staticmethod
    def create_in(conn: Connection, caller: Account, sid: str, friendly_name: str, token: str) -> Account:
        """A subaccount of ``caller`` with this SID and token, in the caller's transaction."""
        access.require_top_level(caller)
        q.insert(conn, _new_account(sid, caller.sid, friendly_name, token, is_main=False))
        return Account.from_row(present(q.get(conn, sid)))

    def update(self, caller: Account, target: Account, *, friendly_name: str | None, status: str | None) -> Account:
        values = _changes(caller, target, friendly_name, status)
        if not values:
            return target
        with self.db.write() as conn:
            _write(conn, target, values)
            return Account.from_row(present(q.get(conn, target.sid)))

    @staticmethod
    def update_in(conn: Connection, caller: Account, target: Account, *, friendly_name: str | None,
                  status: str | None) -> None:
        """``update``, in the caller's transaction."""
        values = _changes(caller, target, friendly_name, status)
        if values:
            _write(conn, target, values)

    def list(
        self, caller: Account, req: PageRequest, *, friendly_name: str | None, status: str | None
    ) -> tuple[Sequence[Account], bool]:
        """The caller's own account and its subaccounts (``access.may_see``, in SQL)."""
        rows, more = q.list_visible(self.db, caller.sid, friendly_name, status, req)
        return [Account.from_row(r) for r in rows], more


def _changes(caller: Account, target: Account, friendly_name: str | None, status: str | None) -> dict[str, object]:
    """The columns an update writes, after its rules: none, or the changes and ``date_updated``."""
    values: dict[str, object] = {}
    if friendly_name is not None:
        values["friendly_name"] = friendly_name
    if status is not None:
        values["status"] = status
    if status is not None and status != target.status:
        if target.sid == caller.sid:
            raise errors.own_status_change()
        if target.status == "closed":
            raise invalid_parameter("Status", "a closed account cannot be reopened")
    if not values:
        return values
    if "friendly_name" in values and values["friendly_name"] == "":
        raise invalid_parameter("FriendlyName", "must not be empty")
    values["date_updated"] = now()
    return values


def _write(conn: Connection, target: Account, values: dict[str, object]) -> None:
    q.update(conn, target.sid, values)
    if values.get("status") == "closed" and target.status != "closed":
        # Twilio releases a closed account's numbers.
        numbers_q.delete_for_account(conn, target.sid)


MAIN_NAME = "numberpool main account"


def _ensure_main(conn: Connection, sid: str | None, token: str) -> Account:
    """``Accounts.ensure_main`` inside its transaction."""
    if not sid:
        row = q.get_main(conn)
        if row is None:
            sid = new_sid("AC")
            q.insert(conn, _new_account(sid, sid, MAIN_NAME, new_token(), is_main=True))
            row = q.get(conn, sid)
        return Account.from_row(present(row))
    row = q.get(conn, sid)
    if row is not None and not access.is_top_level(row):
        raise ValueError(f"TWILIO_ACCOUNT_SID {sid} is a subaccount of {row.owner_account_sid} in this database, and a "
                         "subaccount cannot be the main account: set it to another SID, or unset it")
    ts = now()
    q.demote_main(conn, sid, ts)  # before ours is made main: the unique index allows one at any moment
    if row is None:
        q.insert(conn, _new_account(sid, sid, MAIN_NAME, token, is_main=True))
    else:
        changes: dict[str, object] = {}
        if row.auth_token != token:
            changes["auth_token"] = token
        if not row.is_main:
            changes["is_main"] = True
        if changes:
            q.update(conn, sid, {**changes, "date_updated": ts})
    return Account.from_row(present(q.get(conn, sid)))


def _new_account(sid: str, owner: str, name: str, token: str, *, is_main: bool) -> dict[str, object]:
    ts = now()
    return {
        "sid": sid, "owner_account_sid": owner, "friendly_name": name, "status": "active", "type": "Full",
        "auth_token": token, "is_main": is_main, "date_created": ts, "date_updated": ts,
    }

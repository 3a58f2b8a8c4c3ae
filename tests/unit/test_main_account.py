"""One main account, kept by the database: the partial unique index, what ``ensure_main`` does with
another SID, a server starting while another is making the main account, and migration 0009."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from sqlalchemy import text

from numberpool.domain.accounts import Accounts
from numberpool.store import accounts as q
from numberpool.store import migrate
from numberpool.store.db import Database
from numberpool.store.errors import ConstraintViolation, unique_violation

OLD, NEW, OTHER = "AC" + "1" * 32, "AC" + "2" * 32, "AC" + "3" * 32


def account(sid: str, *, owner: str | None = None, is_main: bool = False, created: int = 1000) -> dict[str, Any]:
    return {"sid": sid, "owner_account_sid": owner or sid, "friendly_name": "x", "status": "active", "type": "Full",
            "auth_token": "tok-" + sid[-4:], "is_main": is_main, "date_created": created, "date_updated": created}


def mains(db: Database) -> list[str]:
    with db.read() as conn:
        return [r[0] for r in conn.execute(text("SELECT sid FROM accounts WHERE is_main ORDER BY sid"))]


def test_the_database_refuses_a_second_main_account(db):
    migrate.upgrade(db)
    with db.write() as conn:
        q.insert(conn, account(OLD, is_main=True))
        q.insert(conn, account(OTHER))  # other top-level accounts are allowed, as long as they are not main
    with pytest.raises(ConstraintViolation) as caught, db.write() as conn:
        q.insert(conn, account(NEW, is_main=True))
    assert unique_violation(caught.value)
    with pytest.raises(ConstraintViolation), db.write() as conn:
        conn.execute(text("UPDATE accounts SET is_main = (1 = 1) WHERE sid = :sid"), {"sid": OTHER})
    assert mains(db) == [OLD]


def test_another_sid_demotes_the_old_main_account_and_its_own_sid_promotes_it_again(db):
    migrate.upgrade(db)
    accounts = Accounts(db)
    old = accounts.ensure_main(OLD, "one")
    with db.write() as conn:
        q.insert(conn, account(OTHER, owner=OLD))  # the old main account's subaccount
    new = accounts.ensure_main(NEW, "two")
    assert (new.sid, new.is_main, new.auth_token) == (NEW, True, "two")
    assert mains(db) == [NEW]
    with db.read() as conn:
        demoted, sub = q.get(conn, OLD), q.get(conn, OTHER)
    assert (demoted.is_main, demoted.owner_account_sid, demoted.auth_token) == (False, OLD, old.auth_token)
    assert sub.owner_account_sid == OLD  # its subaccounts stay its own
    assert Accounts(db).ensure_main(None, None).sid == NEW  # without a SID: the main account there is
    assert accounts.ensure_main(OLD, "one").is_main and mains(db) == [OLD]


def test_a_subaccount_sid_is_refused_as_the_main_account(db):
    migrate.upgrade(db)
    accounts = Accounts(db)
    accounts.ensure_main(OLD, "one")
    with db.write() as conn:
        q.insert(conn, account(OTHER, owner=OLD))
    with pytest.raises(ValueError, match=f"TWILIO_ACCOUNT_SID {OTHER} is a subaccount of {OLD}"):
        accounts.ensure_main(OTHER, "x")
    assert mains(db) == [OLD]


def _lock_waiters(db: Database) -> int:
    with db.read() as conn:
        return int(conn.execute(text("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                                     "AND wait_event_type = 'Lock'")).scalar_one())


def test_a_server_starting_while_another_makes_the_main_account_adopts_it(db, backend):
    """Server A has inserted the main account and not committed yet when server B looks for one:
    B's insert of its own waits on the unique index, fails when A commits, and B runs again and
    adopts A's (SQLite: B's write waits for A's from the start)."""
    migrate.upgrade(db)
    found: dict[str, Any] = {}

    def second_server() -> None:
        other = Database(db.url)
        try:
            found["account"] = Accounts(other).ensure_main(None, None)
        except Exception as exc:  # noqa: BLE001 -- reported by the assertion below
            found["error"] = exc
        finally:
            other.dispose()

    thread = threading.Thread(target=second_server)
    with db.write() as conn:
        q.insert(conn, account(OLD, is_main=True))
        thread.start()
        if backend == "postgres":  # commit only once B waits on our row (or, without the index, is done)
            deadline = time.monotonic() + 30
            while thread.is_alive() and _lock_waiters(db) == 0 and time.monotonic() < deadline:
                thread.join(0.02)
            assert thread.is_alive(), found  # B must be waiting for us, not done with a main account of its own
    thread.join(30)
    assert "error" not in found, found
    assert found["account"].sid == OLD
    assert mains(db) == [OLD]


def test_migration_0009_keeps_the_newest_of_two_main_accounts(db):
    migrate.upgrade(db, "0008")
    with db.write() as conn:
        q.insert(conn, account(OLD, is_main=True, created=1000))
        q.insert(conn, account(NEW, is_main=True, created=2000))
        q.insert(conn, account(OTHER, owner=OLD, created=1500))
    assert migrate.upgrade(db) == ("0008", migrate.HEAD)
    assert mains(db) == [NEW]
    with db.read() as conn:
        assert (q.get(conn, OLD).owner_account_sid, q.get(conn, OTHER).owner_account_sid) == (OLD, OLD)
    assert Accounts(db).ensure_main(OLD, "tok-" + OLD[-4:]).is_main  # a start with the other SID takes it back
    assert mains(db) == [OLD]

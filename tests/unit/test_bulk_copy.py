"""`numberpool bulk-load` on PostgreSQL writes with COPY: the same rows as its INSERT batches, the
same rules (numbers owned elsewhere skipped, an inactive account refused), and lists that find them.
On SQLite the default is the INSERT path, so the same checks run there too."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, select, text, update

from numberpool.domain import bulk
from numberpool.domain.accounts import Accounts
from numberpool.store import migrate
from numberpool.store import numbers as q
from numberpool.store.errors import ConstraintViolation
from numberpool.store.paging import PageRequest
from numberpool.store.schema import accounts as accounts_table
from numberpool.store.schema import incoming_numbers as t

MAIN = "AC" + "1" * 32
COUNT = 3000
CHANGING = {"sid", "date_created", "date_updated"}


def _rows(db, account_sid: str) -> list:
    with db.read() as conn:
        return conn.execute(select(t).where(t.c.account_sid == account_sid).order_by(t.c.sid)).all()


def _same(row) -> tuple:
    return tuple(v for k, v in row._mapping.items() if k not in CHANGING)


def test_copy_writes_the_rows_of_the_insert_path_and_lists_find_them(db, monkeypatch):
    monkeypatch.setattr(bulk, "SORTED", 700)  # several sorted runs and COPY transactions in a small load
    monkeypatch.setattr(bulk, "COPY_BATCH", 1200)
    migrate.upgrade(db)
    accounts = Accounts(db)
    main = accounts.ensure_main(MAIN, "t" * 32)
    other = accounts.create_subaccount(main, "other")
    # another account owns some of the numbers the load would pick: both paths skip them
    assert bulk.load(db, other, 7, lambda n: None, copy=False) == 7
    owned = {r.phone_number for r in _rows(db, other.sid)}

    progress: list[int] = []
    assert bulk.load(db, main, COUNT, progress.append, tag_every=1000, copy=False) == COUNT
    inserted = _rows(db, main.sid)
    with db.write() as conn:
        conn.execute(delete(t).where(t.c.account_sid == main.sid))
    assert bulk.load(db, main, COUNT, progress.append, tag_every=1000) == COUNT  # COPY on PostgreSQL
    assert sum(progress) == 2 * COUNT
    copied = _rows(db, main.sid)

    # column by column, in creation (SID) order, but for the SIDs and times themselves
    assert [_same(r) for r in copied] == [_same(r) for r in inserted]
    assert len({r.sid for r in copied}) == COUNT
    assert not owned & {r.phone_number for r in copied}
    assert all(r.date_created == r.date_updated for r in copied)
    assert sorted(r.friendly_name for r in copied if r.friendly_name.startswith("bulk-")) == ["bulk-0", "bulk-1", "bulk-2"]
    if db.engine.dialect.name == "postgresql":  # the rules trigger is back on, for every writer
        with db.read() as conn:
            assert conn.execute(text("SELECT tgenabled FROM pg_trigger WHERE tgname = 'numberpool_number_rules'")
                                ).scalar() == "O"

    wildcard = [r for r in copied if "555" in r.phone_number]
    assert wildcard  # ~8 positions x 1/1000 of 3000 numbers
    listed, more = q.list_page(db, main.sid, q.NumberFilter(phone_like="%555%"), PageRequest(size=1000, page=0))
    assert not more
    assert [r.sid for r in listed] == [r.sid for r in wildcard]
    tagged, _ = q.list_page(db, main.sid, q.NumberFilter(friendly_name="bulk-1"), PageRequest(size=50, page=0))
    assert [r.phone_number for r in tagged] == [r.phone_number for r in copied if r.friendly_name == "bulk-1"]
    first, more = q.list_page(db, main.sid, q.NumberFilter(), PageRequest(size=50, page=0))
    assert more and [r.sid for r in first] == [r.sid for r in copied[:50]]
    after, _ = q.list_page(db, main.sid, q.NumberFilter(), PageRequest(size=50, page=1, after=first[-1].sid))
    assert [r.sid for r in after] == [r.sid for r in copied[50:100]]


def test_a_load_into_an_inactive_account_writes_nothing(db):
    migrate.upgrade(db)
    accounts = Accounts(db)
    main = accounts.ensure_main(MAIN, "t" * 32)
    sub = accounts.create_subaccount(main, "closed")
    with db.write() as conn:
        conn.execute(update(accounts_table).where(accounts_table.c.sid == sub.sid).values(status="closed"))
    with pytest.raises((ConstraintViolation, ValueError)):  # the trigger (INSERT) or the check before a COPY
        bulk.load(db, sub, 10, lambda n: None)
    assert _rows(db, sub.sid) == []


def test_copy_is_postgresqls(db):
    migrate.upgrade(db)
    main = Accounts(db).ensure_main(MAIN, "t" * 32)
    if db.engine.dialect.name == "sqlite":
        with pytest.raises(ValueError):
            bulk.load(db, main, 1, lambda n: None, copy=True)
    else:
        assert bulk.load(db, main, 1, lambda n: None, copy=True) == 1


@pytest.mark.parametrize("backend", ["postgres"], indirect=True)  # COPY is PostgreSQL's
def test_copy_keeps_the_rules_trigger_where_it_cannot_disable_it(db, monkeypatch):
    """A role that does not own the table cannot disable its trigger: the COPY then runs with it,
    as an INSERT does (here: a trigger name the table does not have fails the same way)."""
    assert db.engine.dialect.name == "postgresql"
    monkeypatch.setattr(q, "_RULES_TRIGGER", "no_such_trigger")
    migrate.upgrade(db)
    main = Accounts(db).ensure_main(MAIN, "t" * 32)
    assert bulk.load(db, main, 100, lambda n: None, tag_every=10) == 100
    assert len(_rows(db, main.sid)) == 100

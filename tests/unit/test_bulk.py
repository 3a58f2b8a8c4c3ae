"""The bulk loader behind `numberpool bulk-load`."""

from __future__ import annotations

import phonenumbers
from sqlalchemy import func, select

from numberpool.domain import bulk
from numberpool.domain.accounts import Account
from numberpool.server import cli
from numberpool.store import accounts as accounts_store
from numberpool.store.db import Database
from numberpool.store.schema import incoming_numbers as t


def test_bulk_load_inserts_distinct_valid_spread_numbers_and_skips_owned_ones(tmp_path, monkeypatch):
    sid = "AC" + "3" * 32
    monkeypatch.setenv("TWILIO_ACCOUNT_SID", sid)
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", "t" * 32)
    url = f"sqlite:///{tmp_path}/bulk.db"
    cli.prepare(url)
    db = Database(url)
    try:
        account = Account.from_row(accounts_store.fetch(db, sid))
        progress: list[int] = []
        assert bulk.load(db, account, 3000, progress.append, tag_every=1000) == 3000
        assert sum(progress) == 3000
        # a second load skips what the account already holds
        assert bulk.load(db, account, 500, progress.append) == 500
        with db.read() as conn:
            rows = conn.execute(select(t.c.phone_number, t.c.friendly_name)).all()
            assert conn.execute(select(func.count()).select_from(t)).scalar() == 3500
        numbers = [r.phone_number for r in rows]
        assert len(set(numbers)) == 3500
        assert all(phonenumbers.is_valid_number(phonenumbers.parse(n)) for n in numbers)
        assert len({n[2:5] for n in numbers}) > 100  # spread over area codes, not one after another
        assert sorted(r.friendly_name for r in rows if r.friendly_name.startswith("bulk-")) == ["bulk-0", "bulk-1", "bulk-2"]
    finally:
        db.dispose()

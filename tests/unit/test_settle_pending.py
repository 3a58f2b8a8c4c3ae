"""What Settle waits for (store.messages.pending): work that is due, and work a process is running
now whatever its due time says (a wall clock set back while it ran); never work waiting for a
later time, nor a claim that lapsed. On SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import update

from numberpool.store import messages as mq
from numberpool.store.schema import message_work
from tests.unit.test_group_insert import message

NOW, WALL = 1_000_000_000, 2_000_000_000  # the server clock and the wall clock, milliseconds


def test_settle_waits_for_due_work_and_work_in_flight(served_db):
    db = served_db
    sids = {}
    with db.write() as conn:
        for name, due, claimed_until in [("due", NOW - 1, 0), ("due, claimed", NOW, WALL + 15_000),
                                         ("later", NOW + 60_000, 0), ("in flight", NOW + 60_000, WALL + 15_000),
                                         ("lapsed", NOW + 60_000, WALL - 1)]:
            row = message(db)
            mq.insert(conn, row, due)
            conn.execute(update(message_work).where(message_work.c.message_sid == row["sid"])
                         .values(claimed_until=claimed_until))
            sids[row["sid"]] = name
    left = {sids[r.message_sid] for r in mq.pending(db, [db.main_sid], NOW, WALL)}
    assert left == {"due", "due, claimed", "in flight"}

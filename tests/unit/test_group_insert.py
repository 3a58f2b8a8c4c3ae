"""Group commit (store.group): requests that buy numbers in the same loop turn share one INSERT,
and each learns exactly what inserting alone would have told it. On SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import itertools

import pytest
from sqlalchemy import select

from numberpool.domain import received
from numberpool.domain.clock import now
from numberpool.domain.messages import AtOnce, Messages
from numberpool.domain.numbers import DEFAULTS
from numberpool.domain.sids import new_sid
from numberpool.store import group
from numberpool.store import messages as mq
from numberpool.store import numbers as q
from numberpool.store.errors import ConstraintViolation, DatabaseFailure
from numberpool.store.schema import incoming_numbers as t
from numberpool.store.schema import messages as messages_table

_lines = itertools.count(1000)


@pytest.fixture
def db(served_db):
    return served_db


def row(db, phone_number=None, account_sid=None):
    ts = now()
    return {
        **DEFAULTS, "sid": new_sid("PN"), "account_sid": account_sid or db.main_sid,
        "phone_number": phone_number or f"+1415555{next(_lines):04d}", "friendly_name": "x", "iso_country": "US",
        "number_type": "Local", "origin": "twilio", "beta": False, "status": "in-use", "address_requirements": "none",
        "cap_voice": True, "cap_sms": True, "cap_mms": True, "cap_fax": False, "date_created": ts, "date_updated": ts,
    }


def stored(db):
    with db.read() as conn:
        return {r.sid: r.phone_number for r in conn.execute(select(t.c.sid, t.c.phone_number))}


async def together(inserts, rows):
    """Every row submitted in the same loop turn, as concurrent requests are."""
    return await asyncio.gather(*(inserts.insert_if_free(r) for r in rows), return_exceptions=True)


def test_rows_of_one_turn_share_one_statement_and_each_learns_its_outcome(db):
    inserts = q.free_inserts(db)
    rows = [row(db) for _ in range(5)]
    taken_before = row(db)
    assert asyncio.run(together(inserts, [taken_before])) == [True]
    rival = row(db, phone_number=taken_before["phone_number"])  # owned already
    twin = row(db, phone_number=rows[2]["phone_number"])  # the same number twice in one group
    statements = inserts.statements
    outcomes = asyncio.run(together(inserts, [*rows[:3], rival, twin, *rows[3:]]))
    assert outcomes == [True, True, True, False, False, True, True]
    assert inserts.statements - statements == 1
    assert stored(db) == {r["sid"]: r["phone_number"] for r in [taken_before, *rows]}


def test_a_row_refused_by_another_key_refuses_only_itself(db):
    inserts = q.free_inserts(db)
    rows = [row(db) for _ in range(4)]
    orphan = row(db, account_sid="AC" + "0" * 32)  # no such account: the foreign key refuses it
    clash = row(db)
    clash["sid"] = rows[0]["sid"]  # a sid another row of the group has
    outcomes = asyncio.run(together(inserts, [*rows[:2], orphan, clash, *rows[2:]]))
    assert outcomes == [True, True, False, False, True, True]
    assert stored(db) == {r["sid"]: r["phone_number"] for r in rows}


def test_a_large_group_is_written_in_bounded_statements(db):
    inserts = q.free_inserts(db)
    rows = [row(db) for _ in range(group.MAX_ROWS * 2 + 3)]
    assert asyncio.run(together(inserts, rows)) == [True] * len(rows)
    assert inserts.statements == 3
    assert len(stored(db)) == len(rows)


def test_a_failing_database_answers_every_waiter_and_the_next_group_works(db, monkeypatch):
    inserts = q.free_inserts(db)

    def down(*args, **kwargs):
        raise DatabaseFailure("INSERT", None, Exception("the database is away"))

    with monkeypatch.context() as m:
        m.setattr(db, "autocommit_returning", down)
        outcomes = asyncio.run(together(inserts, [row(db) for _ in range(3)]))
    assert all(isinstance(o, DatabaseFailure) for o in outcomes)
    assert stored(db) == {}
    assert asyncio.run(together(inserts, [row(db)])) == [True]


def test_a_cancelled_waiter_leaves_the_others_answered(db):
    inserts = q.free_inserts(db)
    rows = [row(db) for _ in range(3)]

    async def scenario():
        tasks = [asyncio.ensure_future(inserts.insert_if_free(r)) for r in rows]
        await asyncio.sleep(0)  # every task has queued its row
        tasks[1].cancel()
        return await asyncio.gather(*tasks, return_exceptions=True)

    outcomes = asyncio.run(scenario())
    assert outcomes[0] is True and outcomes[2] is True
    assert isinstance(outcomes[1], asyncio.CancelledError)
    # Written all the same: the statement was already on its way, as a request whose client hung up.
    assert len(stored(db)) == 3


def test_loops_in_two_threads_each_group_their_own_rows(db):
    import threading

    inserts = q.free_inserts(db)
    rows = [[row(db) for _ in range(4)] for _ in range(2)]
    outcomes = {}

    def worker(i):
        outcomes[i] = asyncio.run(together(inserts, rows[i]))

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(2)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=60)
    assert outcomes == {0: [True] * 4, 1: [True] * 4}
    assert len(stored(db)) == 8
    assert inserts._pending == {}  # nothing left waiting for a loop that is gone


def message(db, account_sid=None):
    return received.row(sid=new_sid("SM"), account_sid=account_sid or db.main_sid, service_sid=None,
                        from_="+14155550100", to=f"+1415555{next(_lines):04d}", body="hi", status="delivered",
                        direction="outbound-api", media=[], ts=now())


def test_messages_delivered_at_once_share_one_statement_and_a_refused_one_fails_alone(db):
    """A create's message that needs no transaction (``Messages.finish``): the ones finished in one
    turn are one INSERT; one the database refuses fails its own request only, written by none."""
    messages = Messages(db)
    good = [message(db) for _ in range(4)]
    orphan = message(db, account_sid="AC" + "0" * 32)  # no such account: the foreign key refuses it

    async def finish_together(rows):
        created = [AtOnce(mq.keyed(m), m["sid"]) for m in rows]
        return await asyncio.gather(*(messages.finish(c) for c in created), return_exceptions=True)

    statements = messages.alone_inserts.statements
    assert asyncio.run(finish_together(good[:3])) == [m["sid"] for m in good[:3]]
    assert messages.alone_inserts.statements - statements == 1
    outcomes = asyncio.run(finish_together([orphan, good[3]]))
    assert isinstance(outcomes[0], ConstraintViolation) and outcomes[1] == good[3]["sid"]
    with db.read() as conn:
        written = {r.sid: r.created_key for r in conn.execute(select(messages_table.c.sid, messages_table.c.created_key))}
    assert written == {m["sid"]: m["sid"][2:] for m in good}

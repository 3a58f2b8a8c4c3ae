"""store.messages.insert_plain: on PostgreSQL a create from a number writes a plain message (one
delivered at once) by one statement that inserts it only when every check the create would read
passes. Each check that fails writes nothing, so the create reads and decides as for any message.
On SQLite and PostgreSQL (the statement is the same SQL)."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, select

from numberpool.domain import received
from numberpool.domain.accounts import Accounts
from numberpool.domain.clock import now
from numberpool.domain.sids import new_sid
from numberpool.store import messages as mq
from numberpool.store import numbers as nq
from numberpool.store.schema import delivery_rules, messages
from tests.unit.test_group_insert import row as number_row

SENDER, TO, LIMIT = "+14155550100", "+12125550100", 3


@pytest.fixture
def db(served_db):
    with served_db.write() as conn:
        nq.insert_many(conn, [number_row(served_db, SENDER)])
    return served_db


def plain(db, account_sid=None, *, mms=False, to=TO):
    account_sid = account_sid or db.main_sid
    values = mq.keyed(received.row(sid=new_sid("SM"), account_sid=account_sid, service_sid=None, from_=SENDER, to=to,
                                   body="hi", status="delivered", direction="outbound-api", media=[], ts=now()))
    written = mq.insert_plain(db, values, chain=[account_sid], since=now() - 30, limit=LIMIT, mms=mms)
    with db.read() as conn:
        stored = conn.execute(select(messages.c.sid).where(messages.c.sid == values["sid"])).first() is not None
    assert written == stored
    return written


def test_a_plain_message_is_written(db):
    assert plain(db)


def test_a_sender_of_another_account_writes_nothing(db):
    accounts = Accounts(db)
    main = accounts.ensure_main(None, None)  # the database's main account
    other = accounts.create_subaccount(main, "other")
    assert not plain(db, other.sid)


def test_media_from_a_number_without_mms_writes_nothing(db):
    with db.write() as conn:
        nq.update(conn, nq.fetch_by_number(db, SENDER).sid, {"cap_mms": False})
    assert not plain(db, mms=True)
    assert plain(db)  # SMS still goes


def test_an_opted_out_recipient_writes_nothing(db):
    with db.write() as conn:
        mq.opt_out(conn, [SENDER], TO, now())
    assert not plain(db)
    assert plain(db, to="+12125550101")


def test_the_reply_loop_limit_writes_nothing(db):
    for _ in range(LIMIT):
        assert plain(db)
    assert not plain(db)


def test_a_hosted_recipient_writes_nothing(db):
    with db.write() as conn:
        nq.insert_many(conn, [number_row(db, TO)])
    assert not plain(db)


def test_a_delivery_rule_that_could_decide_writes_nothing(db):
    with db.write() as conn:
        conn.execute(delivery_rules.insert(), {"sid": new_sid("DR"), "account_sid": db.main_sid, "to_pattern": "+1646*",
                                               "status": "failed", "error_code": 30005, "date_created": 0,
                                               "date_updated": 0})
    assert not plain(db)  # a prefix rule: read, to see whether it matches
    with db.write() as conn:
        conn.execute(delete(delivery_rules))
        conn.execute(delivery_rules.insert(), {"sid": new_sid("DR"), "account_sid": db.main_sid,
                                               "to_pattern": "+12125550199", "status": "failed", "error_code": 30005,
                                               "date_created": 0, "date_updated": 0})
    assert plain(db)  # another number's rule: none could decide this one

"""Time limits on PostgreSQL (store.deadline): the settings, and the watchdog against a silent database."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import func, literal, select, text
from sqlalchemy.engine import make_url

from numberpool.server.settings import SettingError, Settings
from numberpool.store.db import Database
from numberpool.store.deadline import Limits, unbounded
from numberpool.store.errors import DatabaseFailure
from tests.conftest import require_postgres
from tests.tcpproxy import TcpProxy

DEADLINE = 1.0
BOUND = DEADLINE + 2.0  # a failure comes after the deadline, its grace and a tick: well within this
ONE = select(literal(1).label("x"))
SLEEP = select(func.pg_sleep(3 * DEADLINE).label("slept"))


DEADLINE_ENV = "NUMBERPOOL_PG_STATEMENT_DEADLINE"


def test_limits_follow_the_deadline():
    assert Settings.from_environ({}).database_limits == Limits(10.0)
    assert Settings.from_environ({DEADLINE_ENV: "2.5"}).database_limits == Limits(2.5)
    assert Settings.from_environ({DEADLINE_ENV: "0"}).database_limits == Limits(None)
    for bad in ("soon", "-1", "inf", "nan"):
        with pytest.raises(SettingError, match=DEADLINE_ENV):
            Settings.from_environ({DEADLINE_ENV: bad})
    assert (Limits(10).cut_after, Limits(10).connect_timeout) == (11.0, 5)
    assert (Limits(1).cut_after, Limits(1).connect_timeout) == (1.25, 2)
    assert Limits(None).cut_after == float("inf")


def test_libpq_settings_leave_the_url_its_own():
    settings = Limits(10).libpq_settings({})
    assert settings["keepalives"] == 1 and settings["tcp_user_timeout"] == 10_000 and settings["connect_timeout"] == 5
    assert settings["options"] == "-c statement_timeout=10000 -c idle_in_transaction_session_timeout=60000"
    mine = Limits(10).libpq_settings({"connect_timeout": "30", "options": "-c statement_timeout=0"})
    assert "connect_timeout" not in mine
    assert mine["options"].endswith("-c statement_timeout=0")  # the last -c wins in the server
    assert "options" not in Limits(None).libpq_settings({})


@pytest.fixture
def path():
    """A PostgreSQL database reached through a proxy the test can freeze, with a 1 s deadline."""
    url = make_url(require_postgres())
    proxy = TcpProxy(url.host or "127.0.0.1", url.port or 5432)
    proxy.start()
    db = Database(url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False), limits=Limits(DEADLINE))
    try:
        yield proxy, db
    finally:
        proxy.thaw()
        db.dispose()
        proxy.stop()


def _fails_within_bound(work) -> None:
    started = time.monotonic()
    with pytest.raises(DatabaseFailure):
        work()
    assert time.monotonic() - started < BOUND


def test_a_silent_database_fails_hot_path_reads_in_time_then_they_recover(path):
    proxy, db = path
    assert db.one(ONE).x == 1
    proxy.freeze()
    _fails_within_bound(lambda: db.one(ONE))  # the held connection is cut
    _fails_within_bound(lambda: db.one(ONE))  # a new one cannot connect
    proxy.thaw()
    assert db.one(ONE).x == 1


def test_a_silent_database_fails_transactions_in_time_even_at_commit(path):
    proxy, db = path
    with db.read() as conn:
        assert conn.execute(text("SHOW statement_timeout")).scalar() == "1s"

    def statement() -> None:
        with db.read() as conn:
            conn.execute(text("SELECT 1"))

    def commit() -> None:
        with db.write() as conn:
            conn.execute(text("SELECT 1"))
            proxy.freeze()  # the COMMIT meets the silence

    _fails_within_bound(commit)
    _fails_within_bound(statement)
    proxy.thaw()
    statement()


def test_the_server_cancels_a_slow_statement_and_unbounded_work_runs_on(path):
    _, db = path
    with db.read() as conn:
        watchdog = conn.connection.driver_connection._watchdog
    _fails_within_bound(lambda: db.one(SLEEP))  # statement_timeout
    assert watchdog.cuts == 0  # the server answered in time: nothing to cut
    with db.write() as conn, unbounded(conn):
        conn.execute(text("SELECT pg_sleep(:s)"), {"s": DEADLINE * 1.6})  # past the cut, too
        conn.execute(text("SELECT pg_sleep(:s)"), {"s": DEADLINE * 1.6})
    assert watchdog.cuts == 0
    with db.read() as conn:
        assert conn.execute(text("SHOW statement_timeout")).scalar() == "1s"  # lifted for that transaction only
    _fails_within_bound(lambda: db.one(SLEEP))


def test_the_watchdog_runs_only_while_there_are_connections(path):
    _, db = path
    with db.read() as conn:
        watchdog = conn.connection.driver_connection._watchdog
    thread = watchdog._thread
    assert thread is not None and thread.is_alive()
    db.dispose()
    thread.join(timeout=5)
    assert not thread.is_alive()
    db.one(ONE)  # a new connection starts it again
    assert watchdog._thread is not None and watchdog._thread.is_alive()


def test_sqlite_has_no_limits_to_lift(tmp_path):
    db = Database(f"sqlite:///{tmp_path}/x.db")
    try:
        with db.write() as conn, unbounded(conn):
            assert conn.execute(text("SELECT 1")).scalar() == 1
    finally:
        db.dispose()

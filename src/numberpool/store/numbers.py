"""IncomingPhoneNumber queries."""

from __future__ import annotations

import hashlib
from collections import namedtuple
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import Boolean, Connection, Row, Select, bindparam, func, select
from sqlalchemy.exc import ProgrammingError

from numberpool.store.db import Database
from numberpool.store.errors import ACCOUNT_NOT_ACTIVE
from numberpool.store.group import GroupInsert
from numberpool.store.paging import PageRequest, finish_page, page_params, page_statement, shape_of
from numberpool.store.pools import leave_all_pools
from numberpool.store.schema import incoming_numbers as t


@dataclass(frozen=True)
class NumberFilter:
    number_type: str | None = None
    beta: bool | None = None
    friendly_name: str | None = None
    phone_like: str | None = None  # SQL LIKE pattern
    origin: str | None = None


BY_SID = select(t).where(t.c.sid == bindparam("sid"))


def get(conn: Connection, sid: str) -> Row | None:
    return conn.execute(BY_SID, {"sid": sid}).first()


# SQLite's hot reads (a fetch, a list page) ask for every column of a row as one value, a JSON
# array (SQLite's json_array), read back with orjson. Python's sqlite3 pays for every column of a
# result on each execute (its description) and again for each value of each row, several times
# what the query itself costs; one column a row reads a page of 50 in less than half the time.
# The row is the StoredRow that reading the columns themselves gives: its booleans, which SQLite
# stores as 0 and 1, made bools. PostgreSQL reads the columns (psycopg gives them as they are).
_BOOLEANS = tuple(i for i, c in enumerate(t.columns) if isinstance(c.type, Boolean))
_new_tuple = tuple.__new__
_loads = orjson.loads


def _row_of_json(raw: tuple) -> Any:
    values = _loads(raw[0])
    for i in _BOOLEANS:
        values[i] = values[i] != 0
    return _new_tuple(StoredRow, values)


def _json_select() -> Select:
    return select(func.json_array(*t.columns).label("row"))


_BY_SID_JSON = _json_select().where(t.c.sid == bindparam("sid"))


def fetch(db: Database, sid: str) -> Any:
    """The number outside any transaction (the fetch hot path)."""
    if db.is_sqlite:
        return db.reader.one(db.prepared(_BY_SID_JSON, _row_of_json), sid=sid)
    return db.one(BY_SID, sid=sid)


_BY_SID_LOCKED = BY_SID.with_for_update()


def get_for_update(conn: Connection, sid: str) -> Row | None:
    return conn.execute(_BY_SID_LOCKED, {"sid": sid}).first()


_BY_NUMBER = select(t).where(t.c.phone_number == bindparam("e164"))


def get_by_number(conn: Connection, e164: str) -> Row | None:
    return conn.execute(_BY_NUMBER, {"e164": e164}).first()


def fetch_by_number(db: Database, e164: str) -> Row | None:
    """``get_by_number`` outside any transaction, on the prepared path (a sender's hot read)."""
    return db.one(_BY_NUMBER, e164=e164)


def taken(conn: Connection, e164s: Sequence[str]) -> set[str]:
    """Which of these numbers are provisioned by any account."""
    if not e164s:
        return set()
    rows = conn.execute(select(t.c.phone_number).where(t.c.phone_number.in_(list(e164s))))
    return {r[0] for r in rows}


_TAKEN_ANY = select(t.c.phone_number).where(t.c.phone_number == func.any(bindparam("e164s")))  # PostgreSQL


@contextmanager
def checking_taken(db: Database) -> Iterator[Callable[[Sequence[str]], set[str]]]:
    """``taken`` for the batches of one search of the inventory. SQLite: in one read transaction.
    PostgreSQL: one statement a batch, the numbers passed as one array, outside any transaction
    (the store's hot-path reads: on the event loop when the request runs there); the answer may
    be older than the next batch's, as it may be by the time the client buys."""
    if db.is_sqlite:
        with db.read() as conn:
            yield lambda batch: taken(conn, batch)
        return
    prepared = db.prepared(_TAKEN_ANY)
    yield lambda batch: {row.phone_number for row in db.reader.all(prepared, e164s=list(batch))} if batch else set()


# Statements built once, values passed as parameters: SQLAlchemy caches the compiled form per
# set of keys, instead of coercing every value into a new statement on each call.
_INSERT = t.insert()
_UPDATE = t.update().where(t.c.sid == bindparam("b_sid"))


def lock_area_code(conn: Connection, area_code: str) -> None:
    """Until this transaction ends, no other buys a number of ``area_code`` (PostgreSQL: an advisory
    lock on the code; SQLite's writers are serialised already). Every buyer picks the same first
    free number, so buyers that ran at once would all but one collide and pick again."""
    if conn.dialect.name != "postgresql":
        return
    key = int.from_bytes(hashlib.blake2b(f"numberpool area code {area_code}".encode(), digest_size=8).digest(),
                         "big", signed=True)
    conn.execute(select(func.pg_advisory_xact_lock(key)))


def insert(conn: Connection, values: dict[str, Any]) -> None:
    conn.execute(_INSERT, values)


# Every column, for a row built in Python that must read exactly as one read back from the table.
_COLUMNS: tuple[str, ...] = tuple(c.key for c in t.columns)
StoredRow: Any = namedtuple("StoredRow", _COLUMNS)  # type: ignore[misc]


def free_inserts(db: Database) -> GroupInsert:
    """Inserts of numbers nobody owns, grouped per turn of the event loop (store.group)."""
    return GroupInsert.unless_taken(db, t, t.c.phone_number, t.c.sid, "insert-if-free")


async def insert_if_free(group: GroupInsert, values: dict[str, Any]) -> Any:
    """Insert a number that nobody owns, in an autocommit statement of its own or shared with
    other requests' rows; the stored row, or None when nothing was written: the number is owned
    already, or another key refused the row (a racing sid, a vanished account), which a
    transaction then decides."""
    if not await group.insert_if_free(values):
        return None
    return StoredRow(**{name: values.get(name) for name in _COLUMNS})


def insert_many(conn: Connection, rows: list[dict[str, Any]]) -> None:
    conn.execute(_INSERT, rows)


def update(conn: Connection, sid: str, values: dict[str, Any]) -> None:
    conn.execute(_UPDATE, {"b_sid": sid, **values})


def delete(conn: Connection, sid: str) -> int:
    """Release a number: out of every pool, then gone, in the caller's transaction."""
    leave_all_pools(conn, [sid])
    return conn.execute(t.delete().where(t.c.sid == sid)).rowcount


def delete_for_account(conn: Connection, account_sid: str) -> int:
    sids = [r[0] for r in conn.execute(select(t.c.sid).where(t.c.account_sid == account_sid).with_for_update())]
    leave_all_pools(conn, sids)
    return conn.execute(t.delete().where(t.c.account_sid == account_sid)).rowcount


def list_page(db: Database, account_sid: str, f: NumberFilter, req: PageRequest) -> tuple[Sequence[Any], bool]:
    """One page of an account's numbers: one statement, compiled once per combination of filters."""
    present = (f.number_type is not None, f.beta is False, f.friendly_name is not None, f.phone_like is not None,
               f.origin is not None)

    sqlite = db.is_sqlite

    def build() -> Select:
        stmt = (_json_select() if sqlite else select(t)).where(t.c.account_sid == bindparam("account_sid"))
        if present[0]:
            stmt = stmt.where(t.c.number_type == bindparam("number_type"))
        if present[1]:
            stmt = stmt.where(t.c.beta.is_(False))
        if present[2]:
            stmt = stmt.where(t.c.friendly_name == bindparam("friendly_name"))
        if present[3]:
            stmt = stmt.where(t.c.phone_number.like(bindparam("phone_like"), escape="\\"))
        if present[4]:
            stmt = stmt.where(t.c.origin == bindparam("origin"))
        return page_statement(stmt, t.c.sid, req)

    params = {"account_sid": account_sid, "number_type": f.number_type, "friendly_name": f.friendly_name,
              "phone_like": f.phone_like, "origin": f.origin}
    prepared = db.prepared_shape(("numbers", present, shape_of(req)), build, _row_of_json if sqlite else None)
    rows = db.reader.all(prepared, **{k: v for k, v in params.items() if v is not None}, **page_params(req))
    return finish_page(rows, req)


def taken_any(conn: Connection, e164s: Sequence[str]) -> set[str]:
    """PostgreSQL: ``taken`` for many numbers at once, passed as one array (``= ANY``) rather
    than one parameter a number."""
    if not e164s:
        return set()
    return {row.phone_number for row in conn.execute(_TAKEN_ANY, {"e164s": list(e164s)})}


def _copy_field(value: Any) -> str:
    """``value`` as a field of COPY's text format."""
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    return str(value).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


_RULES_TRIGGER = "numberpool_number_rules"  # migration 0004
_TRUNK_MISSING = "numberpool: trunk does not exist"  # its message


@contextmanager
def copy_in(conn: Connection, varying: Sequence[str], fixed: dict[str, Any]) -> Iterator[Callable[[list[str]], None]]:
    """PostgreSQL: new numbers into the table with COPY, in the caller's transaction. Yields
    ``write(lines)``: each line the ``varying`` columns of one row in COPY's text format
    (tab-separated, ``\\N`` for NULL, no newline); every row has the values of ``fixed`` (every
    other column, the owning ``account_sid`` and ``trunk_sid`` among them).

    The rules of migration 0004 hold as for an INSERT, checked once for all the rows rather than
    by its trigger for each row (a query a row, half the cost of a COPY): the owning account's row
    is held ``FOR SHARE`` and must be active, as the trigger does; a ``trunk_sid`` must name a
    trunk, held the same way. When this role owns the table, the trigger is disabled for this
    transaction only, under a lock that keeps every other writer of the table out until it ends
    (``SHARE ROW EXCLUSIVE``: reads go on), and enabled again once the COPY is done, before the
    transaction ends: DDL is transactional, so no other transaction ever sees it disabled, and a
    transaction that fails rolls it back. Otherwise the trigger runs for each row, as for an INSERT."""
    if set(varying) & set(fixed) or set(varying) | set(fixed) != set(_COLUMNS):
        raise ValueError(f"varying and fixed must split the columns of {t.name}")
    if {"account_sid", "trunk_sid"} & set(varying):
        raise ValueError("account_sid and trunk_sid are checked once for all rows: they must be fixed")
    owner = conn.exec_driver_sql("SELECT status FROM accounts WHERE sid = %(sid)s FOR SHARE",
                                 {"sid": fixed["account_sid"]}).scalar()
    if owner != "active":
        raise ValueError(f"{ACCOUNT_NOT_ACTIVE}: {fixed['account_sid']}")
    if fixed["trunk_sid"] is not None and conn.exec_driver_sql(
            "SELECT 1 FROM trunks WHERE sid = %(sid)s FOR SHARE", {"sid": fixed["trunk_sid"]}).first() is None:
        raise ValueError(f"{_TRUNK_MISSING}: {fixed['trunk_sid']}")
    disabled = False
    try:
        with conn.begin_nested():
            conn.exec_driver_sql(f"LOCK TABLE {t.name} IN SHARE ROW EXCLUSIVE MODE")
            conn.exec_driver_sql(f"ALTER TABLE {t.name} DISABLE TRIGGER {_RULES_TRIGGER}")
        disabled = True
    except ProgrammingError:  # not the table's owner: the trigger stays
        pass
    columns = [*varying, *fixed]
    tail = "\t" + "\t".join(_copy_field(v) for v in fixed.values()) + "\n"
    from psycopg.copy import QueuedLibpqWriter  # psycopg 3, as on any PostgreSQL engine here

    driver: Any = conn.connection.driver_connection
    with driver.cursor() as cur, cur.copy(f"COPY {t.name} ({', '.join(columns)}) FROM STDIN",
                                          writer=QueuedLibpqWriter(cur)) as copy:
        yield lambda lines: copy.write(tail.join(lines) + tail) if lines else None
    if disabled:
        conn.exec_driver_sql(f"ALTER TABLE {t.name} ENABLE TRIGGER {_RULES_TRIGGER}")


def analyze(conn: Connection) -> None:
    """PostgreSQL: the planner's statistics of the numbers table brought up to date, after a COPY
    of many rows (until autovacuum gets to it, the planner would plan for the table as it was)."""
    conn.exec_driver_sql(f"ANALYZE {t.name}")

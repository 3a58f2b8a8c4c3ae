"""IncomingPhoneNumber queries."""

from __future__ import annotations

import hashlib
from collections import namedtuple
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import Boolean, Connection, Insert, Row, Select, bindparam, func, select

from numberpool.store.db import Database
from numberpool.store.group import GroupInsert
from numberpool.store.paging import PageRequest, finish_page, page_params, page_statement, shape_of
from numberpool.store.pools import leave_all_pools
from numberpool.store.prepared import Prepared
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


def _json_rows(prepared: Prepared) -> Prepared:
    """``prepared``, a SELECT of one json_array of every column, made to give each row as a StoredRow."""
    prepared.make = _row_of_json
    return prepared


def _json_select() -> Select:
    return select(func.json_array(*t.columns).label("row"))


_BY_SID_JSON = _json_select().where(t.c.sid == bindparam("sid"))


def fetch(db: Database, sid: str) -> Any:
    """The number outside any transaction (the fetch hot path)."""
    if db.is_sqlite:
        return db.reader.one(_json_rows(db.prepared(_BY_SID_JSON)), sid=sid)
    return db.one(BY_SID, sid=sid)


_BY_SID_LOCKED = BY_SID.with_for_update()


def get_for_update(conn: Connection, sid: str) -> Row | None:
    return conn.execute(_BY_SID_LOCKED, {"sid": sid}).first()


_BY_NUMBER = select(t).where(t.c.phone_number == bindparam("e164"))


def get_by_number(conn: Connection, e164: str) -> Row | None:
    return conn.execute(_BY_NUMBER, {"e164": e164}).first()


def taken(conn: Connection, e164s: Sequence[str]) -> set[str]:
    """Which of these numbers are provisioned by any account."""
    if not e164s:
        return set()
    rows = conn.execute(select(t.c.phone_number).where(t.c.phone_number.in_(list(e164s))))
    return {r[0] for r in rows}


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
    stmt: Insert
    if db.engine.dialect.name == "sqlite":  # each dialect's module is imported only where it serves
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        stmt = sqlite_insert(t).on_conflict_do_nothing(index_elements=[t.c.phone_number])
    else:
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        stmt = pg_insert(t).on_conflict_do_nothing(index_elements=[t.c.phone_number])
    return GroupInsert(db, stmt, t.c.sid, "insert-if-free")


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
    prepared = db.prepared_shape(("numbers", present, shape_of(req)), build)
    if sqlite:
        _json_rows(prepared)
    rows = db.reader.all(prepared, **{k: v for k, v in params.items() if v is not None}, **page_params(req))
    return finish_page(rows, req)


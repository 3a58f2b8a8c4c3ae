"""Bulk provisioning: many numbers into one account without an HTTP call each.

For load tests and benchmarks (a million numbers in one account). Numbers are valid US local
numbers, skipping any already owned; each gets the same defaults as a number provisioned
through the API. They are spread over the whole space of area codes, exchanges and lines in a
fixed pseudo-random order, as in an account that bought its numbers over time: loaded in digit
order, the numbers matching any digit pattern would sit together in creation order, and a
filtered list would measure that accident rather than the filter.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from typing import Any

import phonenumbers
from sqlalchemy import Connection

from numberpool.domain.accounts import Account
from numberpool.domain.clock import now
from numberpool.domain.inventory.countries import area_codes
from numberpool.domain.numbers import DEFAULTS
from numberpool.domain.sids import new_sid
from numberpool.store import numbers as q
from numberpool.store.db import Database
from numberpool.store.deadline import unbounded

BATCH = 5000


_STRIDE = 2_654_435_761  # a prime (Knuth's multiplicative hash): i -> i * _STRIDE mod size is a permutation


def _candidates() -> Iterator[str]:
    areas = area_codes("US")
    size = len(areas) * 800 * 10000  # area code x exchange (200-999) x line
    assert math.gcd(size, _STRIDE) == 1
    valid: dict[int, bool] = {}  # per area code and exchange: the US numbering metadata decides on those 6 digits
    for i in range(size):
        k = i * _STRIDE % size
        k, line = divmod(k, 10000)
        area, nxx = divmod(k, 800)
        nxx += 200
        if nxx % 100 == 11 or (nxx == 555 and line // 100 == 1):  # N11 codes and 555-01XX are not real
            continue
        e164 = f"+1{areas[area]}{nxx}{line:04d}"
        ok = valid.get(k)
        if ok is None:
            ok = valid[k] = phonenumbers.is_valid_number(phonenumbers.parse(e164))
        if ok:
            yield e164


def _row(account_sid: str, e164: str, name: str, ts: int) -> dict[str, Any]:
    """The row of one bulk-loaded number: the defaults of a number provisioned through the API."""
    return {
        **DEFAULTS, "sid": new_sid("PN"), "account_sid": account_sid, "phone_number": e164,
        "friendly_name": name, "iso_country": "US", "number_type": "Local", "origin": "twilio",
        "beta": False, "status": "in-use", "address_requirements": "none", "cap_voice": True,
        "cap_sms": True, "cap_mms": True, "cap_fax": False, "date_created": ts, "date_updated": ts,
    }


def _name(e164: str, n: int, tag_every: int) -> str:
    """The FriendlyName of the ``n``-th number loaded (from 0)."""
    return f"bulk-{n // tag_every}" if tag_every and n % tag_every == 0 else f"({e164[2:5]}) {e164[5:8]}-{e164[8:]}"


# The fields that differ from row to row, first on each COPY line (the number first: the lines of
# a run sort by it); the rest of a line is the same for every number of a load. None of them needs
# escaping: digits, letters, "+()- " only.
_VARYING = ("phone_number", "sid", "friendly_name", "date_created", "date_updated")


def load(db: Database, account: Account, count: int, progress: Callable[[int], None], tag_every: int = 0,
         *, copy: bool | None = None) -> int:
    """Insert ``count`` numbers into ``account``; every ``tag_every``-th gets FriendlyName
    ``bulk-<n // tag_every>`` (for filter benchmarks). Returns how many were inserted.

    ``copy``: write the rows with COPY (PostgreSQL only; the default there) rather than INSERT
    batches (SQLite, or ``copy=False``); the rows are the same either way."""
    if copy is None:
        copy = not db.is_sqlite
    elif copy and db.is_sqlite:
        raise ValueError("COPY is PostgreSQL's")
    return (_load_copy if copy else _load_insert)(db, account, count, progress, tag_every)


def _load_insert(db: Database, account: Account, count: int, progress: Callable[[int], None], tag_every: int) -> int:
    done = 0
    source = _candidates()
    while done < count:
        run = _sorted_run(source, count - done)
        for start in range(0, len(run), BATCH):
            batch = run[start:start + BATCH]
            with db.write() as conn, unbounded(conn):  # a large batch may outlast the statement deadline
                taken = q.taken(conn, batch)
                rows: list[dict[str, Any]] = []
                ts = now()
                for e164 in batch:
                    if e164 in taken:
                        continue
                    rows.append(_row(account.sid, e164, _name(e164, done + len(rows), tag_every), ts))
                if rows:
                    q.insert_many(conn, rows)
            done += len(rows)
            progress(len(rows))
    return done


SORTED = 500_000  # candidates taken at a time, loaded in phone-number order (the loader peaked at 0.47 GB at 10M)
COPY_BATCH = 2 * SORTED  # numbers per COPY (and per transaction), at least
CHUNK = 5000  # lines per write


def _sorted_run(source: Iterator[str], left: int) -> list[str]:
    """The next run of candidates (SORTED at most, ``left`` at most), sorted by phone number. Both
    loads make their rows in this order, SIDs and names, so that each of the table's indexes is
    written in its own order: the number and the FriendlyName it is formatted as, and the SID
    (time-ordered: made in this order, the SIDs ascend with the numbers). At millions of rows,
    past the database's buffers, rows that reach an index at random pages were most of a load's
    cost."""
    return sorted(next(source) for _ in range(min(SORTED, left)))


def _runs(reader: Connection, count: int, tag_every: int) -> Iterator[list[str]]:
    """The COPY lines of ``count`` new numbers (the rows of _load_insert, made in the same order:
    SIDs, names), in runs of sorted candidates (``_sorted_run``). Candidates already owned are
    skipped, as checked on ``reader``: the load's own candidates are distinct, so what its COPY
    has not committed yet is never in question."""
    source = _candidates()
    n = 0
    while n < count:
        run = _sorted_run(source, count - n)
        taken = q.taken_any(reader, run)
        ts = now()
        lines: list[str] = []
        for e164 in run:
            if e164 in taken:
                continue
            lines.append(f"{e164}\t{new_sid('PN')}\t{_name(e164, n + len(lines), tag_every)}\t{ts}\t{ts}")
        yield lines
        n += len(lines)


def _load_copy(db: Database, account: Account, count: int, progress: Callable[[int], None], tag_every: int) -> int:
    """Sent in runs sorted by phone number, with SIDs made in that order (``_sorted_run``), the
    rows reach every index a page after the other, and the table's pages hold them in SID order,
    the order of a list. The COPY's writes are queued to a thread, so each run is made while the database still writes
    the one before, across transactions too. Then ANALYZE: until autovacuum gets to the table, the
    planner would plan for it as it was before the load."""
    template = _row(account.sid, "", "", 0)
    fixed = {name: value for name, value in template.items() if name not in _VARYING}
    done = 0
    with db.read() as reader, unbounded(reader):  # open for the whole load
        runs = _runs(reader, count, tag_every)
        run = next(runs, None)
        while run is not None:
            written = 0
            with db.write() as conn, unbounded(conn), q.copy_in(conn, _VARYING, fixed) as write:
                while run is not None and written < COPY_BATCH:
                    for i in range(0, len(run), CHUNK):
                        write(run[i:i + CHUNK])
                    written += len(run)
                    run = next(runs, None)
            done += written
            progress(written)
    with db.write() as conn, unbounded(conn):
        q.analyze(conn)
    return done

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


def load(db: Database, account: Account, count: int, progress: Callable[[int], None], tag_every: int = 0) -> int:
    """Insert ``count`` numbers into ``account``; every ``tag_every``-th gets FriendlyName
    ``bulk-<n // tag_every>`` (for filter benchmarks). Returns how many were inserted."""
    done = 0
    source = _candidates()
    while done < count:
        batch: list[str] = []
        while len(batch) < min(BATCH, count - done):
            batch.append(next(source))
        with db.write() as conn, unbounded(conn):  # a large batch may outlast the statement deadline
            taken = q.taken(conn, batch)
            rows: list[dict[str, Any]] = []
            ts = now()
            for e164 in batch:
                if e164 in taken:
                    continue
                n = done + len(rows)
                name = f"bulk-{n // tag_every}" if tag_every and n % tag_every == 0 else \
                    f"({e164[2:5]}) {e164[5:8]}-{e164[8:]}"
                rows.append({
                    **DEFAULTS, "sid": new_sid("PN"), "account_sid": account.sid, "phone_number": e164,
                    "friendly_name": name, "iso_country": "US", "number_type": "Local", "origin": "twilio",
                    "beta": False, "status": "in-use", "address_requirements": "none", "cap_voice": True,
                    "cap_sms": True, "cap_mms": True, "cap_fax": False, "date_created": ts, "date_updated": ts,
                })
            if rows:
                q.insert_many(conn, rows)
        done += len(rows)
        progress(len(rows))
    return done

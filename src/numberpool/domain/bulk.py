"""Bulk provisioning: many numbers into one account without an HTTP call each.

For load tests and benchmarks (a million numbers in one account). Numbers are valid US local
numbers walked in a fixed order over the country's area codes, skipping any already owned;
each gets the same defaults as a number provisioned through the API.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from numberpool.domain import inventory
from numberpool.domain.accounts import Account
from numberpool.domain.clock import now
from numberpool.domain.numbers import DEFAULTS
from numberpool.domain.sids import new_sid
from numberpool.store import numbers as q
from numberpool.store.db import Database

BATCH = 5000


def _candidates() -> Iterator[str]:
    areas = inventory._area_codes("US")
    for line in range(10000):
        for nxx in range(200, 1000):
            if nxx % 100 == 11 or (nxx == 555 and line // 100 == 1):  # N11 codes and 555-01XX are not real
                continue
            for npa in areas:
                yield f"+1{npa}{nxx}{line:04d}"


def load(db: Database, account: Account, count: int, progress: Callable[[int], None], tag_every: int = 0) -> int:
    """Insert ``count`` numbers into ``account``; every ``tag_every``-th gets FriendlyName
    ``bulk-<n // tag_every>`` (for filter benchmarks). Returns how many were inserted."""
    done = 0
    source = _candidates()
    while done < count:
        batch = []
        while len(batch) < min(BATCH, count - done):
            batch.append(next(source))
        with db.write() as conn:
            taken = q.taken(conn, batch)
            rows = []
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

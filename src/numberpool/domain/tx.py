"""Write transactions that are re-run when a concurrent client got there first.

A unique key broken by a racing insert, or a deadlock or serialization failure that
PostgreSQL resolves by aborting one side, means "decide again against what the other
client committed": the work is re-run, and its own checks then answer as Twilio would.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from numberpool.domain.errors import concurrent_change
from numberpool.store.db import Connection, Database
from numberpool.store.errors import ConstraintViolation, DatabaseFailure, retryable

T = TypeVar("T")
ATTEMPTS = 6


def write(db: Database, work: Callable[[Connection], T]) -> T:
    for _ in range(ATTEMPTS):
        try:
            with db.write() as conn:
                return work(conn)
        except (ConstraintViolation, DatabaseFailure) as exc:
            if not retryable(exc):
                raise
    raise concurrent_change()

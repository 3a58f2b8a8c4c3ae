"""Write transactions that are re-run when a concurrent client got there first.

A unique key broken by a racing insert, or a deadlock or serialization failure that
PostgreSQL resolves by aborting one side, means "decide again against what the other
client committed": the work is re-run, and its own checks then answer as Twilio would.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError, OperationalError

from numberpool.domain.errors import TwilioError
from numberpool.store.db import Database

T = TypeVar("T")
ATTEMPTS = 6
_RETRY_SQLSTATES = {"40001", "40P01"}  # serialization_failure, deadlock_detected


def _retryable(exc: Exception) -> bool:
    if isinstance(exc, IntegrityError):
        return True
    return isinstance(exc, OperationalError) and getattr(exc.orig, "sqlstate", None) in _RETRY_SQLSTATES


def write(db: Database, work: Callable[[Connection], T]) -> T:
    for _ in range(ATTEMPTS):
        try:
            with db.write() as conn:
                return work(conn)
        except (IntegrityError, OperationalError) as exc:
            if not _retryable(exc):
                raise
    raise TwilioError(20409, 409, "The request conflicted with concurrent changes; retry it")

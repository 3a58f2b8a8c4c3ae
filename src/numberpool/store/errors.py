"""Database failures in the store's words, and which of them mean "decide again".

The domain needs to tell a refused write (a unique key another client took first) and a
transaction the database aborted to break a deadlock from any other failure, without
knowing the driver or its SQLSTATEs: that knowledge lives here, beside the SQL.
"""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError, OperationalError

ConstraintViolation = IntegrityError  # a write a unique (or other) constraint refused
DatabaseFailure = OperationalError  # the database or the connection failed the statement

_RETRY_SQLSTATES = {"40001", "40P01"}  # serialization_failure, deadlock_detected


def retryable(exc: Exception) -> bool:
    """A racing client got there first: re-running the work against what it committed decides."""
    if isinstance(exc, ConstraintViolation):
        return True
    return isinstance(exc, DatabaseFailure) and getattr(exc.orig, "sqlstate", None) in _RETRY_SQLSTATES

"""Database failures in the store's words, and which of them mean "decide again".

The domain needs to tell a refused write (a unique key another client took first) and a
transaction the database aborted to break a deadlock from any other failure, without
knowing the driver or its SQLSTATEs: that knowledge lives here, beside the SQL.
"""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

ConstraintViolation = IntegrityError  # a write a unique (or other) constraint refused
DatabaseFailure = OperationalError  # the database or the connection failed the statement

_RETRY_SQLSTATES = {"40001", "40P01"}  # serialization_failure, deadlock_detected
_UNIQUE_SQLSTATE = "23505"  # unique_violation (PostgreSQL)
_SQLITE_UNIQUE = {"SQLITE_CONSTRAINT_UNIQUE", "SQLITE_CONSTRAINT_PRIMARYKEY"}
_SQLITE_BUSY = {"SQLITE_BUSY", "SQLITE_BUSY_SNAPSHOT", "SQLITE_BUSY_RECOVERY"}

ACCOUNT_NOT_ACTIVE = "numberpool: account not active"
"""The message of the database trigger that refuses a number for an account that is not active
(migration 0004): the invariant "no number is owned by a closed account" lives in the database."""


def unique_violation(exc: Exception) -> bool:
    """A unique or primary key refused the row: another client inserted the same key first."""
    if not isinstance(exc, ConstraintViolation):
        return False
    orig = exc.orig
    if getattr(orig, "sqlstate", None) == _UNIQUE_SQLSTATE:
        return True
    return getattr(orig, "sqlite_errorname", None) in _SQLITE_UNIQUE


def account_not_active(exc: Exception) -> bool:
    """The row named an account that is not active (closed or suspended) when it was written."""
    return isinstance(exc, ConstraintViolation) and ACCOUNT_NOT_ACTIVE in str(exc.orig)


def retryable(exc: Exception) -> bool:
    """A racing client got there first: re-running the work against what it committed decides.

    Only unique keys, deadlocks and serialization failures: a NOT NULL, foreign key or check
    violation is a decision already made (or a bug), and re-running cannot change it."""
    if unique_violation(exc):
        return True
    return isinstance(exc, DatabaseFailure) and getattr(exc.orig, "sqlstate", None) in _RETRY_SQLSTATES


def unavailable(exc: Exception) -> bool:
    """The database could not serve the statement: it failed, or no connection was free within
    the deadline (the pool's checkout timed out)."""
    return isinstance(exc, DatabaseFailure | PoolTimeout)


def busy(exc: Exception) -> bool:
    """SQLite: another process holds the write lock, and this statement chose not to wait for it
    on the event loop (the HTTP layer waits asynchronously and runs the request again)."""
    return isinstance(exc, DatabaseFailure) and getattr(exc.orig, "sqlite_errorname", None) in _SQLITE_BUSY

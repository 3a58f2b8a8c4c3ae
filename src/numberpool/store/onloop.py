"""PostgreSQL reads on the event loop: a request's synchronous code in a greenlet, its waits the loop's.

A hop to a request thread costs more CPU than the query it carries (the hand-over, and the GIL
passing between the loop and the thread), and psycopg's ``AsyncConnection`` costs as much again
per statement. So a GET that needs the database (one that no reused answer serves) runs its
synchronous code, unchanged, in a greenlet on the event loop (SQLAlchemy's ``greenlet_spawn``, the
mechanism of its own asyncio extension): the store's hot-path reads (``store.prepared.Reader``) use
a connection lent to the request for its duration, whose every wait (``deadline.GuardedConnection
.wait``) is psycopg's own ``wait_async`` on the loop. While it waits, the loop serves other
requests; psycopg's adaptation of parameters and rows stays its synchronous, compiled code.

Only single reads run there: a transaction (``Database.read``/``write``, SQLAlchemy's pool and
connections, whose waits are a thread's) or a write (``Reader.returning``) raises
:class:`NeedsThread` before it starts, and the request runs again, from its start, on a request
thread; nothing was written, so running it again is safe. A request that finds every loop
connection lent waits for the next one given back. A request's time is bounded as on a thread
(the caller's ``asyncio.timeout``): cancelled mid-wait, its connection, in an unknown state, is
discarded, not lent again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy.util.concurrency import await_, greenlet_spawn, in_greenlet

T = TypeVar("T")
WAIT_INTERVAL = 0.1  # psycopg's own: how often a wait looks up from its socket

__all__ = ["NeedsThread", "await_", "in_greenlet", "run", "wait"]


class NeedsThread(BaseException):  # a signal, not an error: no handler's `except Exception` takes it
    """This request's work needs a request thread (a transaction)."""


def wait(gen: Any, fileno: int, interval: float | None = WAIT_INTERVAL, timeout: float | None = None) -> Any:
    """A psycopg wait, from a request's greenlet: the loop waits for the socket meanwhile."""
    from psycopg import waiting

    return await_(waiting.wait_async(gen, fileno, interval=interval or WAIT_INTERVAL, timeout=timeout))


async def run(fn: Callable[..., T], *args: Any, release: Callable[[], None]) -> T:
    """``fn(*args)`` in a greenlet on this loop; ``release()`` after it, in it, however it ended
    (the connection it was lent goes back, or is discarded)."""

    def body() -> T:
        try:
            return fn(*args)
        finally:
            release()

    return await greenlet_spawn(body)

"""PostgreSQL's waits, off the event loop.

A PostgreSQL statement is a network round trip, and the store's code is synchronous: run on the
event loop, every request of a worker would wait for every other one's round trips (and, with the
database stalled, for each other's deadlines in turn), and so would its webhooks and its health
check. So on PostgreSQL a request's database work runs on a bounded pool of threads (its
connections stay per thread: ``store.prepared.Reader``), the loop goes on serving meanwhile, and
a request's waits are bounded as a whole: the work must be done within the statement deadline
plus ``SLACK``, else the request fails as the database being unavailable (20503). A thread still
waiting then is cut by the deadline's own watchdog (``store.deadline``), a queued one never starts.

Background work (deliveries, callbacks, timers) runs on a pool of its own, so a burst of it never
starves requests of threads or connections, nor requests it. SQLite, a file inside the process
whose statements take microseconds, needs none of this: there the work runs inline.

Why threads and not psycopg's async connections: the store (SQLAlchemy Core, its prepared hot
path, its transactions with row locks and re-runs) stays one synchronous code path for both
databases, tested once, and a thread hop costs tens of microseconds against a round trip's
hundreds; the GIL is released while a thread waits on the socket.
"""

from __future__ import annotations

import asyncio
import functools
import threading
import time
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from sqlalchemy.exc import OperationalError

T = TypeVar("T")
REQUEST_THREADS = 8  # threads per server process for requests' database work
BACKGROUND_THREADS = 4  # and for background work
SLACK = 0.25  # seconds past the statement deadline a request's work may take in all


_here = threading.local()  # .inline: this request thread runs a handler to its end itself


def inline() -> bool:
    """Whether this thread runs a request's work to its end itself (``run_inline``): then its
    database waits run here and now, without suspending (``Database.call``, ``GroupInsert``)."""
    return getattr(_here, "inline", False)


def run_inline(coro: Coroutine[Any, Any, T]) -> T:
    """Run an async handler that waits on nothing but the database to its end, on this request
    thread: its database waits run inline, so it never suspends and needs no event loop; one hop
    in all. RuntimeError if it does suspend (it waited on something else)."""
    _here.inline = True
    try:
        coro.send(None)
    except StopIteration as done:
        return done.value
    finally:
        _here.inline = False
    coro.close()
    raise RuntimeError("a database-only handler waited on something other than the database")


class WaitedTooLong(OperationalError):
    """A request's database work did not finish within its bound (a stalled database, or every
    thread and connection busy): answered as the database being unavailable."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"database work unfinished after {seconds:g} s", None, TimeoutError())


class Offload:
    """Two bounded pools of threads: ``request`` and ``background``; ``bound``: seconds a piece
    of work may take from submission to result (None: no bound)."""

    def __init__(self, bound: float | None, threads: int = REQUEST_THREADS,
                 background_threads: int = BACKGROUND_THREADS) -> None:
        self.bound = bound
        self.threads, self.background_threads = threads, background_threads
        self._requests = ThreadPoolExecutor(threads, thread_name_prefix="numberpool-db")
        self._background = ThreadPoolExecutor(background_threads, thread_name_prefix="numberpool-db-background")

    @property
    def connections(self) -> int:
        """Connections the pools may hold at once: each thread its reader's and a transaction's."""
        return 2 * (self.threads + self.background_threads)

    async def request(self, fn: Callable[..., T], *args: Any, began: float | None = None) -> T:
        """``fn(*args)`` on a request thread; ``began``: the monotonic time the request's bound
        started counting (its earlier waits, such as its change stamp's, count against it)."""
        return await self._run(self._requests, fn, args, began)

    async def background(self, fn: Callable[..., T], *args: Any) -> T:
        return await self._run(self._background, fn, args, None)

    async def _run(self, pool: ThreadPoolExecutor, fn: Callable[..., T], args: tuple[Any, ...],
                   began: float | None) -> T:
        future = asyncio.get_running_loop().run_in_executor(pool, functools.partial(fn, *args))
        if self.bound is None:
            return await future
        left = self.bound if began is None else self.bound - (time.monotonic() - began)
        try:
            return await asyncio.wait_for(future, max(left, 0.0))  # cancelled: a queued one never starts
        except TimeoutError:
            raise WaitedTooLong(self.bound) from None

    def close(self) -> None:
        self._requests.shutdown(wait=False, cancel_futures=True)
        self._background.shutdown(wait=False, cancel_futures=True)

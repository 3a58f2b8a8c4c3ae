"""Has the database changed? Answered from memory, without a system call.

Every response numberpool gives to a GET is a function of the request and of what the
database holds, so a response can be reused for as long as no transaction has committed.
SQLite in WAL mode already tells every process that: its WAL-index header, kept in the
``<db>-shm`` file that all connections map into memory, changes on every commit (the
count of frames in the WAL, their checksum, and the salt that changes when the WAL
restarts; see "WAL-mode File Format" in SQLite's documentation). Reading the header
through our own shared mapping costs a memory copy and, unlike a query such as
``PRAGMA data_version``, never gives up Python's GIL, which under the server is what a
cheap request cannot afford.

The header is written twice in a row (copy 2, then copy 1): a reader that finds the copies
different caught a commit in progress and gets no stamp, so nothing is served from or
stored in a cache until the writer is done.

Safety: SQLite truncates the ``-shm`` file only when a connection opens it while no other
connection has it open. The watch keeps its own connection open for its whole life, so
the mapping is never truncated under it. And SQLite coordinates processes with POSIX
(fcntl) locks on that file, which the kernel drops, all of them, when the process closes
*any* descriptor of the file: the watch's own descriptor (and the one the mapping holds)
therefore stays open until the database is disposed of, after every connection has closed.
Closing it early let another process take SQLite's locks from under this one ("locking
protocol" errors, a truncated mapping); tests/e2e/test_workers.py caught it.
"""

from __future__ import annotations

import mmap
import os
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from numberpool.store.snapshot import SnapshotReader

_HEADER = 48  # one copy of the WAL-index header


class Watch(Protocol):
    """``stamp()`` is equal between two calls only when no transaction committed between them
    (None: do not rely on it now)."""

    def stamp(self) -> bytes | None: ...
_IS_INIT = 12  # offset of the isInit byte within a copy


class ChangeWatch:
    """``stamp()`` is equal between two calls exactly when no transaction committed between them
    (or None while a commit is being published)."""

    def __init__(self, path: str) -> None:
        # Our own connection: reading through it maps the -shm file and holds it open.
        self._conn = sqlite3.connect(path, check_same_thread=False)
        self._fd: int | None = None
        try:
            mode = self._conn.execute("PRAGMA journal_mode").fetchone()[0]  # the engine has set WAL
            if mode.lower() != "wal":
                raise ValueError(f"{path} is not in WAL mode ({mode})")
            self._conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            # Kept open until close(): closing any descriptor of a file drops every POSIX lock the
            # process holds on it, SQLite's locks on the -shm file included (see the module doc).
            self._fd = os.open(path + "-shm", os.O_RDONLY)
            self._map = mmap.mmap(self._fd, 2 * _HEADER, prot=mmap.PROT_READ)
        except BaseException:
            # A descriptor already opened is left open on purpose: closing it would drop the
            # locks of this process's other SQLite connections to the file.
            self._conn.close()
            raise

    @classmethod
    def for_url_database(cls, path: str | None) -> ChangeWatch | None:
        """A watch for an SQLite file, or None where there is nothing to watch (in-memory)."""
        if not path or path == ":memory:" or path.startswith("file:"):
            return None
        try:
            return cls(path)
        except (ValueError, OSError, sqlite3.Error):
            return None  # no WAL here (a file system without shared memory): no watch, no cache

    def stamp(self) -> bytes | None:
        header = self._map[: 2 * _HEADER]
        if header[:_HEADER] != header[_HEADER:] or not header[_IS_INIT]:
            return None
        return header[:_HEADER]

    def close(self) -> None:
        """Only once no other SQLite connection of this process uses the file (see the module doc)."""
        self._conn.close()
        self._map.close()
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


_PINNED = "numberpool_stamp"  # the attribute of the request's greenlet holding its stamp


class SnapshotWatch:
    """PostgreSQL's answer to "has anything committed?", for processes on any host: the text of
    ``pg_current_snapshot()`` (the oldest transaction still running, the next one to be numbered,
    and those running in between). A transaction that writes is numbered; its commit takes it out
    of the running ones or moves the horizon past it, so the stamp differs before and after any
    commit that changed data (and sometimes without one: another database's writes on the same
    server, which costs a miss, never a stale answer). Read-only work leaves it alone.

    Asking costs a round trip, so a request asks once, before anything its answer is computed from
    (on the event loop: ``reader``, ``store.snapshot``), and ``pinned()`` holds that stamp for the
    request's thread or greenlet: every ``stamp()`` there returns it until the request ends.
    Outside a pinned request ``stamp()`` is None: nothing cached.
    """

    def __init__(self, read_stamp: Callable[[], bytes], reader: SnapshotReader | None = None) -> None:
        from greenlet import getcurrent

        self._read = read_stamp
        self.reader = reader  # on the event loop, shared by the requests waiting (store.snapshot)
        self._here = getcurrent  # a thread's main greenlet, or a request's greenlet on the loop (store.onloop)

    def stamp(self) -> bytes | None:
        return getattr(self._here(), _PINNED, None)

    @contextmanager
    def pinned(self, stamp: bytes | None = None) -> Iterator[bytes]:
        """The request on this thread (or greenlet) reads ``stamp`` (one its request read on the
        event loop after it arrived), or reads one now."""
        here = self._here()
        stamp = stamp if stamp is not None else self._read()
        setattr(here, _PINNED, stamp)
        try:
            yield stamp
        finally:
            setattr(here, _PINNED, None)

    def close(self) -> None:
        if self.reader is not None:
            self.reader.close()

"""GET responses reused for as long as the database has not changed.

Every GET answer is a function of the request (path, query, credentials, host) and of the
database, so an answer stays right until the next commit, by this process or any other
sharing the database. ``ChangeWatch`` tells, without leaving Python, whether a commit has
happened; the first request to see a new stamp drops every stored answer.

Bounded in bytes; only 200 answers are kept. On PostgreSQL the stamp is the database's snapshot,
read for each request on the event loop (``store.snapshot``) and given with ``at``; the request
threads and the loop share the cache, under a lock.
"""

from __future__ import annotations

import threading

from numberpool.http.request import Response
from numberpool.store.changes import Watch

Key = tuple[str, bytes, bytes, bytes, str]


class ResponseCache:
    def __init__(self, watch: Watch, max_bytes: int = 16 << 20, max_body: int = 256 << 10) -> None:
        self.watch = watch
        self.max_bytes, self.max_body = max_bytes, max_body
        self._stamp: bytes | None = None
        self._entries: dict[Key, Response] = {}
        self._bytes = 0
        self._lock = threading.Lock()  # PostgreSQL's request threads share the cache

    def current(self) -> bytes | None:
        """The database's stamp now; a changed stamp drops what was stored. None: don't use the cache."""
        return self.at(self.watch.stamp())

    def at(self, stamp: bytes | None) -> bytes | None:
        """``stamp``, read by this request after it arrived, is the database's now."""
        if stamp != self._stamp:
            with self._lock:
                self._entries.clear()
                self._bytes = 0
                self._stamp = stamp
        return stamp

    def get(self, key: Key, stamp: bytes | None = None) -> Response | None:
        """The answer kept for ``key``; with ``stamp``, only if it was kept under that very stamp
        (another thread may have moved the cache to another one since this request read it)."""
        if stamp is None:
            return self._entries.get(key)
        with self._lock:
            return self._entries.get(key) if stamp == self._stamp else None

    def put(self, stamp: bytes | None, key: Key, response: Response) -> None:
        """Keep an answer computed from data at least as new as ``stamp`` (None: keep nothing)."""
        size = len(response.body)
        if stamp is None or stamp != self._stamp or response.status != 200 or size > self.max_body or not response.reusable:
            return
        with self._lock:
            if stamp != self._stamp:  # another thread saw a newer stamp meanwhile
                return
            if self._bytes + size > self.max_bytes:
                self._entries.clear()
                self._bytes = 0
            self._entries[key] = response
            self._bytes += size

    def __len__(self) -> int:
        return len(self._entries)

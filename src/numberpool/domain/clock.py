"""The server's clock: wall time plus an offset kept in the database (``POST /numberpool/v1/Clock``
advances it), in whole Unix seconds, the unit every stored date uses, or milliseconds for due
times. Every date numberpool stores and every due time read it; HTTP timeouts, the statement
deadline and console sessions keep real time.

The offset is the database's (``store.clock``); each process holds the value it last read: at
start-up, at every look for due work (four times a second) and when it advances the clock
itself. A process that did not advance it follows within a quarter of a second. One process
holds one offset: two mocks active at once in one process share it (a mock's advances end with it:
its offset is put back when it stops).
"""

from __future__ import annotations

import time

_offset_ms = 0


def now() -> int:
    return (time.time_ns() // 1_000_000 + _offset_ms) // 1000


def now_ms() -> int:
    """Milliseconds: the unit of due times (a message's pending work)."""
    return time.time_ns() // 1_000_000 + _offset_ms


def offset_ms() -> int:
    return _offset_ms


def set_offset_ms(value: int) -> None:
    """The offset this process reads the clock with (as the database holds it)."""
    global _offset_ms
    _offset_ms = value

"""Time in whole Unix seconds, the unit every stored date uses."""

from __future__ import annotations

import time


def now() -> int:
    return int(time.time())


def now_ms() -> int:
    """Milliseconds: the unit of due times (a message's pending work)."""
    return time.time_ns() // 1_000_000

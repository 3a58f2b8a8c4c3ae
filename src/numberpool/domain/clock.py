"""Time in whole Unix seconds, the unit every stored date uses."""

from __future__ import annotations

import time


def now() -> int:
    return int(time.time())

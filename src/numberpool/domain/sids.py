"""SIDs: two-letter prefix plus 32 hex digits, as Twilio makes them.

numberpool's SIDs are time-ordered (12 hex digits of milliseconds, then 20 random
ones), so ordering a table by SID is ordering it by creation, and a keyset page
token can simply be the SID of the last record seen.
"""

from __future__ import annotations

import os
import re
import threading
import time

_SID = re.compile(r"^[A-Z]{2}[0-9a-fA-F]{32}$")


_last = [0, 0]  # the millisecond and the random part of this process's latest SID
_lock = threading.Lock()


def new_sid(prefix: str) -> str:
    """Two SIDs made by one process in the same millisecond still sort in the order they were
    made (the second's random part is the first's plus one, as monotonic ULIDs do), so a list
    ordered by SID is in creation order however fast the records come."""
    millis = time.time_ns() // 1_000_000
    with _lock:
        if millis <= _last[0]:
            millis, rand = _last[0], _last[1] + 1
        else:
            rand = int.from_bytes(os.urandom(10), "big") >> 1  # room to count up in the millisecond
        _last[0], _last[1] = millis, rand
    return f"{prefix}{millis:012x}{rand:020x}"


def is_sid(value: str, prefix: str) -> bool:
    """True when ``value`` matches ``^{prefix}[0-9a-fA-F]{32}$``."""
    return len(value) == 34 and value.startswith(prefix) and _SID.match(value) is not None


def new_token() -> str:
    """An auth token: 32 hex digits, as Twilio issues them."""
    return os.urandom(16).hex()

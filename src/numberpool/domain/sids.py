"""SIDs: two-letter prefix plus 32 hex digits, as Twilio makes them.

numberpool's SIDs are time-ordered (12 hex digits of milliseconds, then 20 random
ones), so ordering a table by SID is ordering it by creation, and a keyset page
token can simply be the SID of the last record seen.
"""

from __future__ import annotations

import os
import re
import time

_SID = re.compile(r"^[A-Z]{2}[0-9a-fA-F]{32}$")


def new_sid(prefix: str) -> str:
    millis = time.time_ns() // 1_000_000
    return f"{prefix}{millis:012x}{os.urandom(10).hex()}"


def is_sid(value: str, prefix: str) -> bool:
    """True when ``value`` matches ``^{prefix}[0-9a-fA-F]{32}$``."""
    return len(value) == 34 and value.startswith(prefix) and _SID.match(value) is not None


def new_token() -> str:
    """An auth token: 32 hex digits, as Twilio issues them."""
    return os.urandom(16).hex()

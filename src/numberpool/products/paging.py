"""The paging parameters of a list request: ``PageSize``, ``Page`` and an opaque keyset ``PageToken``.

A token is ``PA<sid>`` (the page after that record) or ``PB<sid>`` (the page
before it), as Twilio's own tokens look. Seeking by SID costs the same on page
10,000 as on page 1; ``Page`` without a token falls back to an offset.

``Page`` is at most MAX_PAGE, so the offset ``Page * PageSize`` (at most 10**12) fits a 64-bit
signed integer in SQLite and PostgreSQL, and the ``start``/``end`` of a 2010-04-01 page fit orjson's
integers and a JavaScript number exactly; a larger ``Page`` answers 400 (20001).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from numberpool.domain.errors import invalid_page_token, invalid_parameter, shown
from numberpool.store.paging import PageRequest

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 1000
MAX_PAGE = 1_000_000_000
_TOKEN = re.compile(r"^P([AB])([A-Z]{2}[0-9a-fA-F]{32})$")
_INTEGER = re.compile(r"[+-]?[0-9]+")
_HUGE = 10**18  # stands for any integer of more digits: past every bound here


def _integer(name: str, raw: str) -> int:
    """``raw`` as a decimal integer (ASCII digits, optional sign); one of more than 18 digits is
    read as plus or minus 10**18, so no length of digits costs more than a comparison."""
    if _INTEGER.fullmatch(raw) is None:
        raise invalid_parameter(name, f"{shown(raw)} is not an integer")
    digits = raw.lstrip("+-").lstrip("0")
    value = _HUGE if len(digits) > 18 else int(digits or "0")
    return -value if raw.startswith("-") else value


def parse_page(query: Mapping[str, str], sid_prefix: str | tuple[str, ...]) -> PageRequest:
    """``sid_prefix``: the prefix (or prefixes: a message is ``SM`` or ``MM``) of a token's SID."""
    raw_size = query.get("PageSize")
    size = DEFAULT_PAGE_SIZE
    if raw_size is not None:
        size = _integer("PageSize", raw_size)
        if size < 1:
            raise invalid_parameter("PageSize", "must be at least 1")
        size = min(size, MAX_PAGE_SIZE)  # the SDKs send list(limit=N) as PageSize=N uncapped
    raw_page = query.get("Page")
    page = 0
    if raw_page is not None:
        page = _integer("Page", raw_page)
        if not 0 <= page <= MAX_PAGE:
            raise invalid_parameter("Page", f"must be between 0 and {MAX_PAGE}")
    token = query.get("PageToken")
    if token is None or token == "":
        return PageRequest(size, page)
    match = _TOKEN.match(token)
    if match is None or not match.group(2).startswith(sid_prefix):
        raise invalid_page_token(shown(token))
    direction, sid = match.groups()
    if direction == "A":
        return PageRequest(size, page, after=sid, token=token)
    return PageRequest(size, page, before=sid, token=token)


def after_token(sid: str) -> str:
    return f"PA{sid}"


def before_token(sid: str) -> str:
    return f"PB{sid}"

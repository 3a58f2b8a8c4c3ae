"""Paging requests: ``PageSize``, ``Page`` and an opaque keyset ``PageToken``.

A token is ``PA<sid>`` (the page after that record) or ``PB<sid>`` (the page
before it), as Twilio's own tokens look. Seeking by SID costs the same on page
10,000 as on page 1; ``Page`` without a token falls back to an offset.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from numberpool.domain.errors import TwilioError, invalid_parameter

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 1000
_TOKEN = re.compile(r"^P([AB])([A-Z]{2}[0-9a-fA-F]{32})$")


@dataclass(frozen=True)
class PageRequest:
    size: int
    page: int
    after: str | None = None
    before: str | None = None
    token: str | None = None


def parse_page(query: Mapping[str, str], sid_prefix: str) -> PageRequest:
    raw_size = query.get("PageSize")
    size = DEFAULT_PAGE_SIZE
    if raw_size is not None:
        try:
            size = int(raw_size, 10)
        except ValueError:
            raise invalid_parameter("PageSize", f"{raw_size!r} is not an integer") from None
        if size < 1:
            raise invalid_parameter("PageSize", "must be at least 1")
        size = min(size, MAX_PAGE_SIZE)  # the SDKs send list(limit=N) as PageSize=N uncapped
    raw_page = query.get("Page")
    page = 0
    if raw_page is not None:
        try:
            page = int(raw_page, 10)
        except ValueError:
            raise invalid_parameter("Page", f"{raw_page!r} is not an integer") from None
        if page < 0:
            raise invalid_parameter("Page", "must be at least 0")
    token = query.get("PageToken")
    if token is None or token == "":
        return PageRequest(size, page)
    match = _TOKEN.match(token)
    if match is None or not match.group(2).startswith(sid_prefix):
        raise TwilioError(21481, 400, f"Invalid PageToken {token!r}")
    direction, sid = match.groups()
    if direction == "A":
        return PageRequest(size, page, after=sid, token=token)
    return PageRequest(size, page, before=sid, token=token)


def after_token(sid: str) -> str:
    return f"PA{sid}"


def before_token(sid: str) -> str:
    return f"PB{sid}"

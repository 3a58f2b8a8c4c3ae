"""The wire formats: JSON bodies, Twilio error bodies, dates, and list envelopes."""

from __future__ import annotations

import time
from collections.abc import Sequence
from functools import lru_cache
from typing import Any
from urllib.parse import urlencode

import orjson

from numberpool.domain.errors import TwilioError
from numberpool.products.paging import after_token, before_token
from numberpool.store.paging import PageRequest

_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@lru_cache(maxsize=65536)
def rfc2822(ts: int) -> str:
    """``Thu, 30 Jul 2015 23:19:04 +0000``, independent of the process locale."""
    t = time.gmtime(ts)
    return (
        f"{_DAYS[t.tm_wday]}, {t.tm_mday:02d} {_MONTHS[t.tm_mon - 1]} {t.tm_year} "
        f"{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d} +0000"
    )


@lru_cache(maxsize=65536)
def iso8601(ts: int) -> str:
    """``2015-07-30T20:12:31Z``: no fractions, or the Python SDK keeps a raw string."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))


def dumps(payload: Any) -> bytes:
    return orjson.dumps(payload)


def error_body(err: TwilioError) -> bytes:
    return orjson.dumps(
        {
            "code": err.code,
            "message": err.message,
            "more_info": f"https://www.twilio.com/docs/errors/{err.code}",
            "status": err.status,
        }
    )


def _uri(path: str, echo: Sequence[tuple[str, str]], size: int, page: int, token: str | None) -> str:
    """``path`` with the echoed filters and the paging parameters, as ``urlencode`` writes them: the
    paging values (digits, and a token of ASCII letters and digits) are written as they are."""
    paging = f"PageSize={size}&Page={page}"
    if token:
        paging += f"&PageToken={token}" if token.isascii() and token.isalnum() else "&" + urlencode({"PageToken": token})
    return f"{path}?{urlencode(echo)}&{paging}" if echo else f"{path}?{paging}"


def _links(
    path: str, echo: Sequence[tuple[str, str]], req: PageRequest, first_sid: str | None, last_sid: str | None,
    has_more: bool,
) -> tuple[str, str | None, str, str | None]:
    """(first, previous, this, next) page URIs: keyset tokens lead forward and back."""
    return (
        _uri(path, echo, req.size, 0, None),
        _uri(path, echo, req.size, req.page - 1, before_token(first_sid)) if req.page > 0 and first_sid else None,
        _uri(path, echo, req.size, req.page, req.token),
        _uri(path, echo, req.size, req.page + 1, after_token(last_sid)) if has_more and last_sid else None,
    )


def v2010_page(
    key: str,
    records: list[dict[str, Any]],
    path: str,
    echo: Sequence[tuple[str, str]],
    req: PageRequest,
    first_sid: str | None,
    last_sid: str | None,
    has_more: bool,
) -> dict[str, Any]:
    """The v2010 envelope: the record key plus exactly the eight paging keys (WIRE.md)."""
    first, previous, this, following = _links(path, echo, req, first_sid, last_sid, has_more)
    start = req.page * req.size
    count = len(records)
    return {
        key: records,
        "first_page_uri": first,
        "next_page_uri": following,
        "previous_page_uri": previous,
        "page": req.page,
        "page_size": req.size,
        "start": start,
        "end": start + count - 1 if count else start,
        "uri": this,
    }


def v1_page(
    key: str,
    records: list[dict[str, Any]],
    base_url: str,
    path: str,
    echo: Sequence[tuple[str, str]],
    req: PageRequest,
    first_sid: str | None,
    last_sid: str | None,
    has_more: bool,
) -> dict[str, Any]:
    """The v1 envelope: records plus ``meta`` with absolute URLs back to this server."""
    first, previous, this, following = _links(base_url + path, echo, req, first_sid, last_sid, has_more)
    return {
        key: records,
        "meta": {
            "page": req.page,
            "page_size": req.size,
            "first_page_url": first,
            "previous_page_url": previous,
            "url": this,
            "next_page_url": following,
            "key": key,
        },
    }

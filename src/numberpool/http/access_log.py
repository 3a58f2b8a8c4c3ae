"""The access log: one line per request on standard output.

``POST /2010-04-01/Accounts/AC…/IncomingPhoneNumbers.json 201 3.2ms AC…``: method, path and
query, status, milliseconds from the request's arrival to its answer, and the SID of the account
the request authenticated as (``-``: none). Each line is one ``write`` of at most a few KB, below
the size a pipe takes whole, so the lines of several worker processes never mix; no logging
module, no buffering. ``App`` puts the wrapper that calls :func:`write` in a request's path only
when the log is on.
"""

from __future__ import annotations

import base64
import binascii
import os
import time
from collections.abc import MutableMapping
from typing import Any
from urllib.parse import quote

CALLER = "numberpool.caller"  # scope key: the SID of the account the request authenticated as
MAX_TARGET = 1800  # characters of path and query logged (a line stays far below PIPE_BUF, 4096 bytes)
_SAFE = "/:@!$&'()*+,;=-._~%?"
# Where a GET answered from the response cache can come from: the API paths, all authenticated.
_API_PREFIXES = ("/2010-04-01/", "/numberpool/v1/", "/messaging/", "/trunking/", "/proxy/", "/v1/")


def write(scope: MutableMapping[str, Any], status: int, started: float) -> None:
    """The request's line, ``started`` being its ``time.perf_counter()`` on arrival (status 0: no answer sent)."""
    took = (time.perf_counter() - started) * 1000
    path: str = scope["path"]
    raw = scope.get("raw_path")
    target = raw.decode("latin-1") if raw else path
    query = scope.get("query_string")
    if query:
        target += "?" + query.decode("latin-1")
    if not target.isprintable() or " " in target:  # a line is always one request
        target = quote(target, safe=_SAFE)
    if len(target) > MAX_TARGET:
        target = target[:MAX_TARGET] + "..."
    sid = scope.get(CALLER)
    if sid is None and status == 200 and scope["method"] == "GET" and path.startswith(_API_PREFIXES):
        sid = _cached_caller(scope)  # answered from the response cache, stored for these same credentials
    line = f"{scope['method']} {target} {status or '-'} {took:.1f}ms {sid or '-'}\n"
    try:
        os.write(1, line.encode("utf-8", "backslashreplace"))
    except OSError:  # standard output closed or gone: the request was served all the same
        pass


def _cached_caller(scope: MutableMapping[str, Any]) -> str | None:
    """The account SID of the request's Basic credentials."""
    for name, value in scope["headers"]:
        if name == b"authorization" and value[:6].lower() == b"basic ":
            try:
                decoded = base64.b64decode(value[6:].strip(), validate=True).decode("utf-8")
            except (binascii.Error, UnicodeDecodeError):
                return None
            sid = decoded.partition(":")[0]
            return sid if sid.isalnum() and len(sid) == 34 else None
    return None

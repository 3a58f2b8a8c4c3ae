"""What the client commands that print a running server's records for a person share
(``numberpool messages``, ``numberpool calls``): a request to the server's own API with their
errors (a refusal is its Twilio message and code, an unreachable server one line: exit 1), a
list read page after page up to ``--limit``, the ``--to``/``--from`` filters, and how a request
made for a record and its answer are shown."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from numberpool.server.args import Failure
from numberpool.server.receive import _one_line, _unreachable

MAX_PAGE_SIZE = 1000  # the server's (products/paging.py): a larger --limit takes several pages


def request(client: Any, server: str, timeout: float, method: str, uri: str, **kwargs: Any) -> Any:
    """The server's answer as JSON; a refusal or a failure to reach it is a :class:`Failure` (exit 1)."""
    from numberpool.sdk.inbound import _error

    try:
        response = client.request(method, uri, **kwargs)
    except OSError as exc:  # requests' errors are OSErrors: refused, timed out, reset
        raise Failure(_unreachable(server, timeout, exc), 1) from None
    status = int(response.status_code)
    if not 200 <= status < 300:
        refused = _error(status, str(client.get_hostname(uri)), response.text)
        raise Failure(f"{refused.msg}" + (f" (code {refused.code})" if refused.code is not None else ""), 1)
    try:
        return json.loads(response.text)
    except ValueError:
        raise Failure(f"the server at {server} did not answer with JSON: {_one_line(response.text[:200])}", 1) from None


def fetch(client: Any, server: str, timeout: float, uri: str, key: str, filters: dict[str, str],
          limit: int) -> tuple[list[dict[str, Any]], bool]:
    """Up to ``limit`` records of the v1 list at ``uri`` (its records under ``key``), newest
    first, following ``next_page_url``; and whether there are more."""
    found: list[dict[str, Any]] = []
    next_uri: str | None = uri
    params: dict[str, object] | None = {**filters, "PageSize": str(min(limit, MAX_PAGE_SIZE))}
    more = False
    while next_uri is not None:
        page = request(client, server, timeout, "GET", next_uri, params=params)
        if not isinstance(page, dict) or not isinstance(page.get(key), list):
            raise Failure(f"the server at {server} did not answer with a list of {key}", 1)
        found.extend(x for x in page[key] if isinstance(x, dict))
        next_uri = (page.get("meta") or {}).get("next_page_url") or None
        params = None  # the next page's URL carries the filters and the page size
        if len(found) >= limit:
            more = len(found) > limit or next_uri is not None
            break
    return found[:limit], more


def exchange(d: dict[str, Any], default: str) -> str:
    """A request made for a record (a status callback, a webhook): what it told (its status, else
    its purpose, else ``default``), and the answer."""
    what = _one_line(d.get("status") or d.get("purpose") or default)
    code, error = d.get("status_code"), d.get("error_code")
    if code is None:
        return f"{what} (no answer" + (f", error {_one_line(error)})" if error is not None else ")")
    return f"{what} {_one_line(code)}" + (f" (error {_one_line(error)})" if error is not None else "")


def filters(args: argparse.Namespace) -> dict[str, str]:
    """``--to`` and ``--from`` as the list's ``To`` and ``From``."""
    return {name: value for name, value in (("To", args.to), ("From", args.from_)) if value}


def described(args: argparse.Namespace) -> str:
    """``--to`` and ``--from`` as a person reads them (``to +1... from +1...``)."""
    return " ".join(f"{flag} {value}" for flag, value in (("to", args.to), ("from", args.from_)) if value)


def shortened(text: str, width: int) -> str:
    text = _one_line(text)
    return text if len(text) <= width else text[: width - 3] + "..."


def arrow() -> str:
    """``→``, or ``->`` where the terminal's encoding has no arrow."""
    try:
        "→".encode(sys.stdout.encoding or "ascii")
    except (UnicodeEncodeError, LookupError):
        return "->"
    return "→"

"""``numberpool messages``: the latest messages of a running server, newest first, printed for a
person: when, the SID, the direction and status (with the error code), who sent it to whom, the
body (shortened), how a Messaging Service chose the sender, and each status callback's answer.

A client of the server's own list (``GET /numberpool/v1/Messages``: every message of the
caller's account and its subaccounts), with the credentials of the environment and the errors
of ``receive-sms`` (``server/receive.py``): one line on stderr, exit 2 when the credentials are
missing, 1 when the server refuses the request or cannot be reached."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC
from email.utils import parsedate_to_datetime
from typing import Any

from numberpool.server.args import (
    DEFAULT_CLIENT_TIMEOUT,
    DEFAULT_SERVER_URL,
    Failure,
    int_at_least,
    positive_seconds,
    server_url,
)
from numberpool.server.receive import _inbound_client, _one_line, _unreachable

# A Twilio-style absolute URI: the numberpool client maps https://api.twilio.com/X to {--url}/X.
MESSAGES_URI = "https://api.twilio.com/numberpool/v1/Messages"
DEFAULT_LIMIT = 20
MAX_PAGE_SIZE = 1000  # the server's (products/paging.py): a larger --limit takes several pages
BODY_WIDTH = 60


def fetch(client: Any, url: str, timeout: float, filters: dict[str, str],
          limit: int) -> tuple[list[dict[str, Any]], bool]:
    """Up to ``limit`` messages, newest first, following ``next_page_url``; and whether there are more."""
    from numberpool.sdk.inbound import _error

    messages: list[dict[str, Any]] = []
    uri: str | None = MESSAGES_URI
    params: dict[str, object] | None = {**filters, "PageSize": str(min(limit, MAX_PAGE_SIZE))}
    more = False
    while uri is not None:
        try:
            response = client.request("GET", uri, params=params)
        except OSError as exc:  # requests' errors are OSErrors: refused, timed out, reset
            raise Failure(_unreachable(url, timeout, exc), 1) from None
        status = int(response.status_code)
        if not 200 <= status < 300:
            refused = _error(status, str(client.get_hostname(uri)), response.text)
            raise Failure(f"{refused.msg}" + (f" (code {refused.code})" if refused.code is not None else ""), 1)
        page = _page(url, response.text)
        messages.extend(page["messages"])
        uri = (page.get("meta") or {}).get("next_page_url") or None
        params = None  # the next page's URL carries the filters and the page size
        if len(messages) >= limit:
            more = len(messages) > limit or uri is not None
            break
    return messages[:limit], more


def _page(url: str, text: str) -> dict[str, Any]:
    try:
        page = json.loads(text)
    except ValueError:
        page = None
    if not isinstance(page, dict) or not isinstance(page.get("messages"), list):
        raise Failure(f"the server at {url} did not answer with a list of messages: {_one_line(text[:200])}", 1)
    return page


def _when(raw: object) -> str:
    """``date_created`` (RFC 2822) as ``YYYY-MM-DD HH:MM:SS`` UTC; as given if it is no such date."""
    try:
        return parsedate_to_datetime(str(raw)).astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
    except (TypeError, ValueError):
        return _one_line(raw)


def _shortened(text: str, width: int = BODY_WIDTH) -> str:
    text = _one_line(text)
    return text if len(text) <= width else text[: width - 3] + "..."


def _callback(d: dict[str, Any]) -> str:
    """One status callback (or webhook) sent for a message: what it told, and the answer."""
    what = _one_line(d.get("status") or d.get("purpose") or "callback")
    code, error = d.get("status_code"), d.get("error_code")
    if code is None:
        return f"{what} (no answer" + (f", error {_one_line(error)})" if error is not None else ")")
    return f"{what} {_one_line(code)}" + (f" (error {_one_line(error)})" if error is not None else "")


def format_message(m: dict[str, Any], arrow: str = "→") -> str:
    """A message of the server's list as a few lines for a person (the first unindented)."""
    status = _one_line(m.get("status"))
    if m.get("error_code") is not None:
        status += f" (error {_one_line(m['error_code'])})"
    lines = [f"{_when(m.get('date_created'))}  {_one_line(m.get('sid'))}  {_one_line(m.get('direction'))}  {status}"]
    body = m.get("body") or ""
    shown = f'"{_shortened(str(body))}"' if body else "(no body)"
    media = str(m.get("num_media") or "0")
    if media not in ("0", ""):
        shown += f" + {_one_line(media)} media"
    sender = _one_line(m.get("from")) if m.get("from") else "(sender not chosen yet)"
    lines.append(f"    {sender} {arrow} {_one_line(m.get('to'))}: {shown}")
    selection = m.get("selection")
    if isinstance(selection, dict):
        how = f"    sender chosen by rule {_one_line(selection.get('rule'))}"
        lines.append(how + (", least used" if selection.get("least_used") else ""))
    deliveries = [d for d in m.get("deliveries") or [] if isinstance(d, dict)]
    if deliveries:
        lines.append("    callbacks: " + ", ".join(_callback(d) for d in deliveries))
    return "\n".join(lines)


def _filters(args: argparse.Namespace) -> dict[str, str]:
    return {name: value for name, value in (("To", args.to), ("From", args.from_)) if value}


def _described(args: argparse.Namespace) -> str:
    said = [f"{flag} {value}" for flag, value in (("to", args.to), ("from", args.from_)) if value]
    return " ".join(said)


def _arrow() -> str:
    """``→``, or ``->`` where the terminal's encoding has no arrow."""
    try:
        "→".encode(sys.stdout.encoding or "ascii")
    except (UnicodeEncodeError, LookupError):
        return "->"
    return "→"


def messages(args: argparse.Namespace) -> int:
    client = _inbound_client(args)
    found, more = fetch(client, args.url, args.timeout, _filters(args), args.limit)
    if hasattr(sys.stdout, "reconfigure"):  # a body in characters the terminal cannot show: escaped, not a crash
        sys.stdout.reconfigure(errors="backslashreplace")
    if not found:
        print("no messages" + (f" {_described(args)}" if _described(args) else ""))
        return 0
    arrow = _arrow()
    print("\n\n".join(format_message(m, arrow) for m in found))
    if more:
        print(f"\n(the latest {len(found)} shown; more with --limit)")
    return 0


def messages_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = sub.add_parser("messages", help="list the latest messages of a running server",
                       description="Print the latest messages of a running numberpool server (the account of the"
                                   " credentials and its subaccounts), newest first: date, SID, direction, status,"
                                   " sender and recipient, body, how the sender was chosen, and each status"
                                   " callback's answer. The credentials are TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN"
                                   " of the environment.")
    p.add_argument("--url", type=server_url, default=DEFAULT_SERVER_URL, metavar="URL",
                   help=f"the numberpool server (default {DEFAULT_SERVER_URL})")
    p.add_argument("--to", default=None, metavar="NUMBER", help="only messages to this number (E.164, +1...)")
    p.add_argument("--from", dest="from_", default=None, metavar="NUMBER",
                   help="only messages from this number (E.164, +1...)")
    p.add_argument("--limit", type=int_at_least(1, "a count (1 or more)"), default=DEFAULT_LIMIT, metavar="K",
                   help=f"how many messages to print at most (default {DEFAULT_LIMIT})")
    p.add_argument("--timeout", type=positive_seconds, default=DEFAULT_CLIENT_TIMEOUT, metavar="SECONDS",
                   help=f"how long to wait for the server (default {DEFAULT_CLIENT_TIMEOUT:g})")
    p.set_defaults(func=messages)
    return p

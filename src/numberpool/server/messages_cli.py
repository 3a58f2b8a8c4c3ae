"""``numberpool messages``: the latest messages of a running server, newest first, printed for a
person: when, the SID, the direction and status (with the error code), who sent it to whom, the
body (shortened), how a Messaging Service chose the sender, and each status callback's answer.

A client of the server's own list (``GET /numberpool/v1/Messages``: every message of the
caller's account and its subaccounts), with the credentials of the environment and the errors
of ``receive-sms`` (``server/receive.py``): one line on stderr, exit 2 when the credentials are
missing, 1 when the server refuses the request or cannot be reached."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC
from email.utils import parsedate_to_datetime
from typing import Any

from numberpool.server import listing
from numberpool.server.args import (
    DEFAULT_CLIENT_TIMEOUT,
    DEFAULT_SERVER_URL,
    int_at_least,
    positive_seconds,
    server_url,
)
from numberpool.server.receive import _inbound_client, _one_line

# A Twilio-style absolute URI: the numberpool client maps https://api.twilio.com/X to {--url}/X.
MESSAGES_URI = "https://api.twilio.com/numberpool/v1/Messages"
DEFAULT_LIMIT = 20
BODY_WIDTH = 60


def _when(raw: object) -> str:
    """``date_created`` (RFC 2822) as ``YYYY-MM-DD HH:MM:SS`` UTC; as given if it is no such date."""
    try:
        return parsedate_to_datetime(str(raw)).astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
    except (TypeError, ValueError):
        return _one_line(raw)


def format_message(m: dict[str, Any], arrow: str = "→") -> str:
    """A message of the server's list as a few lines for a person (the first unindented)."""
    status = _one_line(m.get("status"))
    if m.get("error_code") is not None:
        status += f" (error {_one_line(m['error_code'])})"
    lines = [f"{_when(m.get('date_created'))}  {_one_line(m.get('sid'))}  {_one_line(m.get('direction'))}  {status}"]
    body = m.get("body") or ""
    shown = f'"{listing.shortened(str(body), BODY_WIDTH)}"' if body else "(no body)"
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
        lines.append("    callbacks: " + ", ".join(listing.exchange(d, "callback") for d in deliveries))
    return "\n".join(lines)


def messages(args: argparse.Namespace) -> int:
    client = _inbound_client(args)
    found, more = listing.fetch(client, args.url, args.timeout, MESSAGES_URI, "messages", listing.filters(args),
                                args.limit)
    if hasattr(sys.stdout, "reconfigure"):  # a body in characters the terminal cannot show: escaped, not a crash
        sys.stdout.reconfigure(errors="backslashreplace")
    if not found:
        described = listing.described(args)
        print("no messages" + (f" {described}" if described else ""))
        return 0
    arrow = listing.arrow()
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

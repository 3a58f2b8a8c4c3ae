"""``numberpool receive-sms`` and ``numberpool receive-call`` (formerly ``sms`` and ``call``, still
accepted): a number of a running server receives a message or a call, and the record of what
happened is printed for a person (the route, each delivery, the replies). A client of the server,
through the SDK (``numberpool.sdk``), with the credentials of the environment."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from numberpool.server.args import DEFAULT_CLIENT_TIMEOUT, DEFAULT_SERVER_URL, Failure, positive_seconds, server_url


def _inbound_client(args: argparse.Namespace) -> Any:
    """A numberpool client for ``--url`` with the credentials of the environment (one-line error if missing)."""
    from numberpool.sdk.settings import credentials

    sid, token = credentials()
    missing = [name for name, value in (("TWILIO_ACCOUNT_SID", sid), ("TWILIO_AUTH_TOKEN", token)) if not value]
    if missing:
        raise Failure(f"set {' and '.join(missing)} in the environment: the credentials of the account to send as"
                      " (numberpool serve prints the main account's)")
    from twilio.http.http_client import TwilioHttpClient

    from numberpool.sdk.redirect import redirected_client

    return redirected_client(args.url, sid, token, http_client=TwilioHttpClient(timeout=args.timeout))


def _send_inbound(args: argparse.Namespace, send: Callable[[Any], dict[str, Any]]) -> int:
    """Send one inbound event to the server and print its record; server errors are one line, exit 1."""
    from twilio.base.exceptions import TwilioRestException

    client = _inbound_client(args)
    try:
        record = send(client)
    except TwilioRestException as exc:
        raise Failure(f"{exc.msg}" + (f" (code {exc.code})" if exc.code is not None else ""), 1) from None
    except OSError as exc:  # requests' errors are OSErrors: refused, timed out, reset
        raise Failure(_unreachable(args.url, args.timeout, exc), 1) from None
    print(format_record(record))
    return 0


def _unreachable(url: str, timeout: float, exc: OSError) -> str:
    text = str(exc)
    if "timed out" in text.lower() or "timeout" in type(exc).__name__.lower():
        return f"no answer from the server at {url} within {timeout:g} s (see --timeout)"
    for known in ("Connection refused", "Name or service not known", "No route to host", "Connection reset"):
        if known.lower() in text.lower():
            return f"cannot reach the server at {url}: {known.lower()} (is numberpool serve running there?)"
    return f"cannot reach the server at {url}: {type(exc).__name__}"


def _one_line(text: object) -> str:
    """A value from the server on one line of the terminal (its line breaks shown as \\n)."""
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in str(text))


def _hide_password(url: str) -> str:
    """A webhook URL without the password of its user info, if it has one."""
    from urllib.parse import urlsplit, urlunsplit

    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    if parts.password is None:
        return url
    host = parts.netloc.rsplit("@", 1)[1]
    return urlunsplit(parts._replace(netloc=f"{parts.username}:***@{host}"))


def _milliseconds(value: object) -> str:
    """A duration the server gives in milliseconds (a float), rounded to a whole one."""
    try:
        return str(round(float(str(value))))
    except (ValueError, OverflowError):
        return _one_line(value)


_DECIDED_BY = ("messaging_service_sid", "application_sid", "proxy_service_sid", "trunk_sid", "sip_url")


def format_record(record: dict[str, Any]) -> str:
    """An inbound message or call as lines for a person: its route, each delivery, each reply."""
    kind = "call" if str(record.get("sid", "")).startswith("CA") else "message"
    deciding = ", ".join(f"{key} {_one_line(record[key])}" for key in _DECIDED_BY if record.get(key))
    lines = [f"{kind} {_one_line(record.get('sid'))}: route {_one_line(record.get('route'))}"
             + (f" ({deciding})" if deciding else "")]
    deliveries = record.get("deliveries") or []
    for d in deliveries:
        status = d.get("status_code")
        outcome = str(status) if status is not None else "no answer"
        if d.get("error_code") is not None:
            outcome += f", error {d['error_code']}"
        took = f" ({_milliseconds(d['duration_ms'])} ms)" if d.get("duration_ms") is not None else ""
        lines.append(f"delivery {_one_line(d.get('purpose'))}: {_one_line(d.get('method'))}"
                     f" {_one_line(_hide_password(str(d.get('url'))))} -> {outcome}{took}")
    if not deliveries:
        lines.append("no webhook was called")
    for reply in record.get("replies") or []:
        lines.append(f"reply to {_one_line(reply.get('to'))}: {_one_line(reply.get('body'))}")
    return "\n".join(lines)


def sms(args: argparse.Namespace) -> int:
    from numberpool.sdk.inbound import receive_message

    return _send_inbound(args, lambda c: receive_message(c, to=args.to, from_=args.from_, body=args.body,
                                                         media_urls=args.media))


def call(args: argparse.Namespace) -> int:
    from numberpool.sdk.inbound import receive_call

    return _send_inbound(args, lambda c: receive_call(c, to=args.to, from_=args.from_, duration=args.duration))


def inbound_parser(sub: argparse._SubParsersAction, name: str, what: str, old_name: str) -> argparse.ArgumentParser:
    p = sub.add_parser(name, aliases=[old_name], help=f"a number of a running server receives a {what}"
                                                      f" ({old_name}: the former name, still accepted)",
                       description=f"Simulate an inbound {what} to a number of a running numberpool server: it is"
                                   " routed as Twilio would, and what happened is printed. The credentials are"
                                   " TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN of the environment.")
    p.add_argument("--url", type=server_url, default=DEFAULT_SERVER_URL, metavar="URL",
                   help=f"the numberpool server (default {DEFAULT_SERVER_URL})")
    p.add_argument("--to", required=True, metavar="NUMBER", help="the receiving number, E.164 (+1...), one an account of the server owns")
    p.add_argument("--from", dest="from_", required=True, metavar="NUMBER", help="the sender's (caller's) number, E.164 (+1...)")
    p.add_argument("--timeout", type=positive_seconds, default=DEFAULT_CLIENT_TIMEOUT, metavar="SECONDS",
                   help=f"how long to wait for the server, webhooks included (default {DEFAULT_CLIENT_TIMEOUT:g})")
    return p

"""``numberpool calls``: the latest calls of a running server printed for a person (newest first,
one line each: the SID, the direction, from → to, the status, the duration, and what its TwiML
said), or, with ``--twiml-url`` or ``--twiml``, a call placed and followed to its end.

A client of the server's own API: its list (``GET /numberpool/v1/Calls``: every call of the
caller's account and its subaccounts), and for a call placed ``POST
/2010-04-01/Accounts/{AccountSid}/Calls.json``, ``POST /numberpool/v1/Settle`` (the call runs its
course), and the call read back (``GET /numberpool/v1/Calls/{Sid}``). The credentials are those
of the environment, with the errors of ``messages`` (``server/messages_cli.py``): one line on
stderr, exit 2 when the credentials are missing, 1 when the server refuses a request (the Twilio
error's message and code) or cannot be reached. The server is ``--url``, as for every client
command; the call's TwiML URL (Twilio's ``Url``) is ``--twiml-url``."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from numberpool.server import listing
from numberpool.server.args import (
    DEFAULT_CLIENT_TIMEOUT,
    DEFAULT_SERVER_URL,
    Failure,
    int_at_least,
    positive_seconds,
    server_url,
)
from numberpool.server.receive import _inbound_client, _one_line

# Twilio-style absolute URIs: the numberpool client maps https://api.twilio.com/X to {--url}/X.
API = "https://api.twilio.com"
CALLS_URI = API + "/numberpool/v1/Calls"
SETTLE_URI = API + "/numberpool/v1/Settle"
DEFAULT_LIMIT = 20
SETTLE_SECONDS = 60  # Settle's default; at most 300
TEXT_WIDTH = 40  # characters of a verb's text shown
VERBS_SHOWN = 6  # verbs of a call on its line in the list


def format_verb(v: dict[str, Any]) -> str:
    """``Say "Hello"``, ``Pause 2 s``, ``Gather digits 12``, ``Dial +1... completed``: a verb its TwiML ran."""
    name = _one_line(v.get("verb"))
    text = str(v.get("text") or "").strip()
    shown = f'{name} "{listing.shortened(text, TEXT_WIDTH)}"' if text else name
    raw = v.get("result")
    result: dict[str, Any] = raw if isinstance(raw, dict) else {}
    if name == "Pause" and "seconds" in result:
        shown += f" {_one_line(result['seconds'])} s"
    elif name == "Gather" and "digits" in result:
        shown += f" digits {_one_line(result['digits'])}" if result["digits"] else " no digits"
    elif name == "Dial" and result.get("status"):
        shown += f" {_one_line(result['status'])}"
    if result.get("error_code") is not None:
        shown += f" (error {_one_line(result['error_code'])})"
    return shown


def _duration(c: dict[str, Any]) -> str:
    return f"{_one_line(c['duration'])} s" if c.get("duration") not in (None, "") else "-"


def _verbs(c: dict[str, Any]) -> list[dict[str, Any]]:
    return [v for v in c.get("verbs") or [] if isinstance(v, dict)]


def format_line(c: dict[str, Any], arrow: str = "→") -> str:
    """A call of the server's list on one line: SID, direction, from → to, status, duration, verbs."""
    verbs = _verbs(c)
    said = "; ".join(format_verb(v) for v in verbs[:VERBS_SHOWN])
    if len(verbs) > VERBS_SHOWN:
        said += f"; {len(verbs) - VERBS_SHOWN} more"
    return (f"{_one_line(c.get('sid'))}  {_one_line(c.get('direction'))}  {_one_line(c.get('from'))} {arrow}"
            f" {_one_line(c.get('to'))}  {_one_line(c.get('status'))}  {_duration(c)}"
            + (f"  {said}" if said else ""))


def format_call(c: dict[str, Any], arrow: str = "→") -> str:
    """A call placed, for a person: its line, then each verb, the TwiML requested, and the status callbacks."""
    lines = [format_line({**c, "verbs": []}, arrow)]
    for v in _verbs(c):
        lines.append(f"    {format_verb(v)}")
    deliveries = [d for d in c.get("deliveries") or [] if isinstance(d, dict)]
    asked = [d for d in deliveries if d.get("purpose") != "status_callback"]
    told = [d for d in deliveries if d.get("purpose") == "status_callback"]
    if asked:
        lines.append("    requests: " + ", ".join(
            f"{_one_line(d.get('purpose'))} {_one_line(d.get('url'))} "
            + listing.exchange({**d, "status": None, "purpose": "->"}, "request") for d in asked))
    if told:
        lines.append("    callbacks: " + ", ".join(listing.exchange(d, "request") for d in told))
    if c.get("peer_call_sid"):
        lines.append(f"    reached the inbound leg {_one_line(c['peer_call_sid'])}")
    return "\n".join(lines)


def place(client: Any, args: argparse.Namespace) -> dict[str, Any]:
    """Place the call, settle, and read it back (the verbs its TwiML ran, the requests made)."""
    data = {"To": args.to, "From": args.from_}
    if args.twiml_url is not None:
        data["Url"] = args.twiml_url
    else:
        data["Twiml"] = args.twiml
    created = listing.request(client, args.url, args.timeout, "POST",
                       f"{API}/2010-04-01/Accounts/{client.account_sid}/Calls.json", data=data)
    sid = created.get("sid") if isinstance(created, dict) else None
    if not isinstance(sid, str):
        raise Failure(f"the server at {args.url} did not answer with a call", 1)
    listing.request(client, args.url, args.timeout, "POST", SETTLE_URI,
             data={"Timeout": str(max(1, min(int(args.timeout), SETTLE_SECONDS)))})
    call = listing.request(client, args.url, args.timeout, "GET", f"{CALLS_URI}/{sid}")
    if not isinstance(call, dict):
        raise Failure(f"the server at {args.url} did not answer with a call", 1)
    return call


def calls(args: argparse.Namespace) -> int:
    placing = args.twiml_url is not None or args.twiml is not None
    if placing and not (args.to and args.from_):
        raise Failure("a call needs --to and --from with --twiml-url or --twiml (see numberpool calls --help)")
    client = _inbound_client(argparse.Namespace(url=args.url, timeout=args.timeout))
    if hasattr(sys.stdout, "reconfigure"):  # a verb's text the terminal cannot show: escaped, not a crash
        sys.stdout.reconfigure(errors="backslashreplace")
    arrow = listing.arrow()
    if placing:
        print(format_call(place(client, args), arrow))
        return 0
    found, more = listing.fetch(client, args.url, args.timeout, CALLS_URI, "calls", listing.filters(args), args.limit)
    if not found:
        described = listing.described(args)
        print("no calls" + (f" {described}" if described else ""))
        return 0
    print("\n".join(format_line(c, arrow) for c in found))
    if more:
        print(f"(the latest {len(found)} shown; more with --limit)")
    return 0


def calls_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = sub.add_parser("calls", help="list the latest calls of a running server, or place one",
                       description="Without --twiml-url or --twiml: print the latest calls of a running numberpool server"
                                   " (the account of the credentials and its subaccounts), newest first, one line"
                                   " each: SID, direction, from and to, status, duration, and the verbs its TwiML"
                                   " ran. With --to, --from and --twiml-url or --twiml: place a call, wait for it to end"
                                   " (Settle), and print it with its verbs, the TwiML requested and its status"
                                   " callbacks. The credentials are TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN of the"
                                   " environment.")
    p.add_argument("--url", type=server_url, default=DEFAULT_SERVER_URL, metavar="URL",
                   help=f"the numberpool server (default {DEFAULT_SERVER_URL})")
    p.add_argument("--to", default=None, metavar="NUMBER",
                   help="only calls to this number; the number to call when placing one (E.164, +1...)")
    p.add_argument("--from", dest="from_", default=None, metavar="NUMBER",
                   help="only calls from this number; the caller ID when placing one: a voice number of the account")
    how = p.add_mutually_exclusive_group()
    how.add_argument("--twiml-url", default=None, metavar="URL",
                     help="place a call whose TwiML is fetched from this URL (Url)")
    how.add_argument("--twiml", default=None, metavar="XML",
                     help="place a call that runs this TwiML (Twiml), e.g. '<Response><Say>Hello</Say></Response>'")
    p.add_argument("--limit", type=int_at_least(1, "a count (1 or more)"), default=DEFAULT_LIMIT, metavar="K",
                   help=f"how many calls to list at most (default {DEFAULT_LIMIT})")
    p.add_argument("--timeout", type=positive_seconds, default=DEFAULT_CLIENT_TIMEOUT, metavar="SECONDS",
                   help=f"how long to wait for the server (default {DEFAULT_CLIENT_TIMEOUT:g}); a call placed is"
                        f" waited for at most {SETTLE_SECONDS} s")
    p.set_defaults(func=calls)
    return p

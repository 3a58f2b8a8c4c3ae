"""A message a hosted number received, as Messages: the receiving account's inbound Message, the
opt-out keywords, and each reply its webhook's TwiML asked for (an ``outbound-reply`` Message,
sent as any other), all written in the transaction that keeps the inbound record.

Opt-out, Twilio's default on long codes (SENDING.md, G): a recipient who texts one of
``OPT_OUT`` to a number (alone but for surrounding spaces and punctuation, any case) is opted out
of that number, and of its Messaging Service when it is in one; ``OPT_IN`` undoes it; ``HELP``
and each keyword get Twilio's default auto-reply. The keyword message still reaches the webhook.

Two hosted numbers whose webhooks answer each other stop: a message between the same two numbers
(either direction) past ``LOOP_LIMIT`` within ``LOOP_WINDOW`` seconds of the clock is created
``failed`` with 14107, which ends the chain (its status callback is still sent).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import orjson

from numberpool.domain.clock import now, now_ms
from numberpool.domain.segments import num_segments
from numberpool.domain.sids import new_sid
from numberpool.store import messages as q
from numberpool.store.db import Connection
from numberpool.webhooks.params import media_content_type

OPT_OUT = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"})
OPT_IN = frozenset({"START", "YES", "UNSTOP"})
HELP = frozenset({"HELP", "INFO"})
LOOP_LIMIT, LOOP_WINDOW = 30, 30  # messages, seconds (Twilio's 14107)
LOOP_ERROR = 14107
OPTED_OUT_ERROR = 21610
# Twilio's default auto-replies. STOP's is Twilio's own wording (SENDING.md, G); START's and HELP's
# are numberpool's (Twilio's exact texts are not documented).
REPLY_STOP = ("You have successfully been unsubscribed. You will not receive any more messages from this number. "
              "Reply START to resubscribe.")
REPLY_START = "You have successfully been re-subscribed to messages from this number. Reply HELP for help. Reply STOP to unsubscribe."
REPLY_HELP = "Reply STOP to unsubscribe. Msg&Data Rates May Apply."
_WORD = re.compile(r"^[\s\W_]*([A-Za-z]+)[\s\W_]*$")
ERROR_MESSAGES = {LOOP_ERROR: "Message rate limit exceeded between two numbers",
                  OPTED_OUT_ERROR: "Attempt to send to unsubscribed recipient"}


def keyword(body: str) -> str | None:
    """The opt-out, opt-in or help keyword ``body`` is, if it is one alone."""
    match = _WORD.match(body)
    if match is None:
        return None
    word = match.group(1).upper()
    return word if word in OPT_OUT or word in OPT_IN or word in HELP else None


def senders(number: str, service_sid: str | None) -> list[str]:
    """The opt-out keys a message from ``number`` is subject to: the number, and its Service."""
    return [number, service_sid] if service_sid else [number]


def received(conn: Connection, record: dict[str, Any], state: Any, service_sid: str | None,
             replies: Sequence[dict[str, Any]], callbacks: Sequence[str | None]) -> int:
    """The inbound Message (the record's SID), the keyword's effect and auto-reply, and the
    replies: the number of messages queued (their work to start)."""
    ts = now()
    number, sender = record["to_number"], record["from_number"]
    media = orjson.loads(record["media_urls"])
    q.insert(conn, row(sid=record["sid"], account_sid=state.owner.sid, service_sid=service_sid, from_=sender, to=number,
                       body=record["body"], status="received", direction="inbound", media=media, ts=ts)
             | {"date_sent": ts}, None)
    word = keyword(record["body"])
    keys = senders(number, service_sid)
    auto: str | None = None
    if word in OPT_OUT:
        q.opt_out(conn, keys, sender, ts)
        auto = REPLY_STOP
    elif word in OPT_IN:
        q.opt_in(conn, keys, sender)
        auto = REPLY_START
    elif word in HELP and not q.opted_out_in(conn, keys, sender):
        auto = REPLY_HELP
    if auto is not None:
        reply(conn, state.owner.sid, number, sender, auto, None, service_sid, opt_out_checked=False)
    for r, callback in zip(replies, callbacks, strict=True):
        reply(conn, state.owner.sid, r["from"], r["to"], r["body"], callback, service_sid)
    return len(replies) + (auto is not None)


def reply(conn: Connection, account_sid: str, from_: str, to: str, body: str, status_callback: str | None,
          service_sid: str | None, *, opt_out_checked: bool = True) -> str:
    """An ``outbound-reply`` Message, queued for sending; created ``failed`` (with its callback
    to come) past the loop limit, or to a recipient who opted out of the sender."""
    ts = now()
    code = None
    if q.between_in(conn, from_, to, ts - LOOP_WINDOW) >= LOOP_LIMIT:
        code = LOOP_ERROR
    elif opt_out_checked and q.opted_out_in(conn, senders(from_, service_sid), to):
        code = OPTED_OUT_ERROR
    sid = new_sid("SM")
    values = row(sid=sid, account_sid=account_sid, service_sid=service_sid, from_=from_, to=to, body=body,
                 status="failed" if code else "queued", direction="outbound-reply", media=[], ts=ts)
    values |= {"status_callback": status_callback, "error_code": code, "error_message": ERROR_MESSAGES.get(code or 0)}
    q.insert(conn, values, now_ms())
    return sid


def row(*, sid: str, account_sid: str, service_sid: str | None, from_: str | None, to: str, body: str, status: str,
        direction: str, media: Sequence[Any], ts: int) -> dict[str, Any]:
    """A messages row with every column: ``media`` as URLs or as media records."""
    records = [m if isinstance(m, dict) else
               {"sid": new_sid("ME"), "url": m, "content_type": media_content_type(m), "date_created": ts} for m in media]
    return {
        "sid": sid, "account_sid": account_sid, "messaging_service_sid": service_sid, "from_number": from_,
        "to_number": to, "body": body, "status": status, "direction": direction, "num_segments": num_segments(body),
        "num_media": len(records), "media_urls": orjson.dumps(records).decode(), "price": None, "price_unit": "USD",
        "error_code": None, "error_message": None, "status_callback": None, "application_sid": None,
        "validity_period": 36_000, "smart_encoded": False, "selection": None, "deliveries": "[]", "extra": "{}",
        "date_created": ts, "date_updated": ts, "date_sent": None,
    }

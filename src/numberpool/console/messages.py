"""A message of the Messages API as the console shows it: when, which way, its status (with its
error code), from and to, its body (shortened), the sender chosen and why, and every status
callback sent for it with its answer."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson

from numberpool.console.events import outcome, when
from numberpool.console.html import badge, code, e, kv

BODY_SHOWN = 160  # characters of a body shown (a body may have 1600)

# The selection rules (``domain.messages.choose``), as a sentence for a person.
RULES = {
    "sticky": "the sticky sender: the number this To was last sent from through the Service",
    "area_code": "a number with the To's area code",
    "country": "a number of the To's country (for a US or Canadian To, any US or Canadian number)",
    "us": "a US number: the pool has none of the To's country",
    "any": "any number of the pool: it has none of the To's country and no US number",
    "given": "the From given with the Messaging Service",
}
CHOSEN_ALONE = ("sticky", "given")  # rules that name one number: "least used" never decides them
GOOD = ("delivered", "received", "read")
BAD = ("failed", "undelivered", "canceled")


def status_badge(status: str) -> str:
    return badge(status, "ok" if status in GOOD else "bad" if status in BAD else "")


def shortened(body: str) -> str:
    """The body as a quote, at most ``BODY_SHOWN`` characters of it."""
    if not body:
        return '<span class="muted">empty</span>'
    if len(body) <= BODY_SHOWN:
        return f"<q>{e(body)}</q>"
    return f'<q>{e(body[:BODY_SHOWN])}…</q> <span class="muted">({len(body)} characters)</span>'


def sender(m: Any) -> str | None:
    """How the sender was chosen, as HTML; None for a message received (its sender is not ours)."""
    selection = orjson.loads(m.selection) if m.selection else None
    if isinstance(selection, dict):
        rule = str(selection.get("rule"))
        html = badge(rule)
        why = RULES.get(rule, "")
        if selection.get("least_used"):
            html += " " + badge("least used", "muted")
            why += "; the least recently used of the numbers that qualified"
        elif rule not in CHOSEN_ALONE:
            why += "; the only number that qualified"
        return html + (f' <span class="muted">{e(why)}</span>' if why else "")
    if m.direction == "inbound":
        return None
    if m.messaging_service_sid:
        if m.status in ("accepted", "scheduled"):
            return '<span class="muted">not chosen yet: the Messaging Service chooses it when the message is sent</span>'
        return '<span class="muted">none: the Messaging Service had no number that could send it</span>'
    if m.direction == "outbound-reply":
        return '<span class="muted">the number that received the message replies (TwiML)</span>'
    return '<span class="muted">the From given (no Messaging Service)</span>'


def callback(d: dict[str, Any]) -> str:
    """A status callback sent: the status it told, where, and its answer."""
    answer, tone = outcome(d)
    params = d.get("params") or {}
    rows = kv([("Signature", code(d.get("signature"))),
               *((str(name), code(value)) for name, value in params.items())])
    said = ""
    if d.get("status_code") is not None:
        said = (f'<div class="muted">Answer: {e(d.get("response_content_type") or "no content type")},'
                f' {e(d.get("response_length") or 0)} bytes, its body not kept</div>')
    ms = d.get("duration_ms")
    took = f' <span class="muted">{e(f"{float(ms):.0f} ms")}</span>' if isinstance(ms, int | float) else ""
    return (
        f'<div class="delivery callback {tone}" data-status="{e(d.get("status"))}"><div class="head">'
        f'{badge(d.get("status"), "muted")} <code class="hook">{e(d.get("method") or "POST")} {e(d.get("url"))}</code>'
        f" {answer}{took}</div>{said}"
        f"<details><summary>Request parameters ({len(params)})</summary>{rows}</details></div>"
    )


def callbacks(deliveries: list[dict[str, Any]], status_callback: str | None) -> str:
    """The status callbacks a message or a call sent, or why there are none yet."""
    if deliveries:
        return "".join(callback(d) for d in deliveries)
    if status_callback:
        return '<div class="muted">None sent yet.</div>'
    return '<div class="muted">No status callback URL: none is sent.</div>'


def message_card(m: Any, own: str = "", names: Mapping[str, str] | None = None) -> str:
    """The message as an article, id ``message-`` + SID; ``own``: the signed-in account (a
    subaccount's message names its account)."""
    deliveries = [d for d in orjson.loads(m.deliveries or "[]") if isinstance(d, dict)]
    error = ""
    if m.error_code is not None:
        error = " " + badge(f"error {m.error_code}", "bad")
    frm = code(m.from_number) if m.from_number else '<span class="muted">not chosen yet</span>'
    what = [("From → To", f"{frm} → {code(m.to_number)}"), ("Body", shortened(m.body or ""))]
    if m.num_media:
        what.append(("Media", e(f"{m.num_media} item{'' if m.num_media == 1 else 's'}")))
    if m.error_code is not None:
        what.append(("Error", f"{badge(m.error_code, 'bad')} {e(m.error_message or '')}"))
    if m.messaging_service_sid:
        what.append(("Messaging Service", code(m.messaging_service_sid)))
    chosen = sender(m)
    if chosen is not None:
        what.append(("Sender chosen", chosen))
    if own and m.account_sid != own:
        what.append(("Account", f"subaccount {code(m.account_sid)} {e((names or {}).get(m.account_sid, ''))}"))
    made = callbacks(deliveries, m.status_callback)
    return (
        f'<article class="item message" id="message-{e(m.sid)}" data-sid="{e(m.sid)}" data-status="{e(m.status)}">'
        f'<div class="head"><h3>{"MMS" if m.num_media else "SMS"}</h3>{badge(m.direction, "muted")}'
        f"{code(m.sid)}{status_badge(m.status)}{error}"
        f'<span class="muted">{e(when(m.date_created))}</span></div>'
        f"{kv(what)}<h4>Status callbacks ({len(deliveries)})</h4>{made}</article>"
    )

"""Calls (2010-04-01 Calls) as the console shows them: the family's newest calls, newest first,
each with its status, direction, from and to and duration, the verbs its TwiML ran (the verb, its
text, what it did), the status callbacks sent for it with their answers, the other requests made
for it (its TwiML fetched, a fallback, a redirect, an action), and its legs: the calls its
``<Dial>`` placed and the inbound leg of a number some account hosts, each shown the same way,
under the call that led to it.

The reads are ``store.console.family_calls``: the signed-in account's family's calls only (a leg
another account holds is not shown)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson

from numberpool.console.events import delivery, when
from numberpool.console.html import badge, code, e, kv
from numberpool.console.messages import callbacks as sent_callbacks
from numberpool.store.console import CallTree, family_calls
from numberpool.store.db import Database

CALLS_SHOWN = 20
TEXT_SHOWN = 400  # characters of a verb's text shown
GOOD = ("completed", "in-progress")
BAD = ("busy", "no-answer", "failed", "canceled")
ENDED = ("completed", "busy", "no-answer", "failed", "canceled")
DIRECTIONS = {"outbound-api": "placed through the API", "outbound-dial": "placed by a <Dial>",
              "inbound": "received by a number of the account"}


def load(db: Database, account_sid: str, size: int = CALLS_SHOWN) -> list[CallTree]:
    """The newest ``size`` calls of the account's family (one more when more exist)."""
    return family_calls(db, account_sid, size)


def status_badge(status: str) -> str:
    return badge(status, "ok" if status in GOOD else "bad" if status in BAD else "")


def _json_list(raw: str | None) -> list[dict[str, Any]]:
    try:
        found = orjson.loads(raw) if raw else []
    except orjson.JSONDecodeError:
        return []
    return [x for x in found if isinstance(x, dict)] if isinstance(found, list) else []


def _text(text: object) -> str:
    text = "" if text is None else str(text)
    if not text.strip():
        return ""
    if len(text) <= TEXT_SHOWN:
        return f" <q>{e(text)}</q>"
    return f' <q>{e(text[:TEXT_SHOWN])}…</q> <span class="muted">({len(text)} characters)</span>'


def _pairs(values: object) -> str:
    """A verb's attributes or result as ``name: value`` pairs, escaped."""
    if not isinstance(values, dict) or not values:
        return ""
    return ", ".join(f"{e(name)}: {code(value)}" for name, value in values.items())


def verb(v: dict[str, Any]) -> str:
    """One verb its TwiML ran: its name and text, its attributes, what it did, and nested nouns."""
    name = v.get("verb")
    html = f'<li class="verb" data-verb="{e(name)}">{badge(name)}{_text(v.get("text"))}'
    attrs = _pairs(v.get("attributes"))
    if attrs:
        html += f' <span class="muted">{attrs}</span>'
    result = _pairs(v.get("result"))
    if result:
        html += f'<div class="result">→ {result}</div>'
    children = [c for c in v.get("children") or [] if isinstance(c, dict)]
    if children:
        html += f'<ul class="verbs">{"".join(verb(c) for c in children)}</ul>'
    return html + "</li>"


def _handler(c: Any) -> str:
    if c.url:
        return f'<code class="hook">{e(c.method)} {e(c.url)}</code>'
    if c.twiml:
        return f'<span class="muted">TwiML given with the call</span> <pre class="twiml">{e(c.twiml)}</pre>'
    return '<span class="muted">none</span>'


def _link(c: Any) -> tuple[str, str] | None:
    if c.parent_call_sid:
        return "Dialled by", code(c.parent_call_sid)
    if c.direction == "inbound" and c.peer_sid:
        return "Call received from", code(c.peer_sid)
    if c.peer_sid:
        return "Reached", code(c.peer_sid)
    return None


def call_card(c: Any, legs: Mapping[str, list[Any]], own: str = "", names: Mapping[str, str] | None = None,
              leg: bool = False) -> str:
    """The call as an article (a leg: a ``div`` inside its call's), id ``call-`` + SID, and under
    it the legs ``legs`` holds for its SID."""
    verbs = _json_list(c.verbs)
    deliveries = _json_list(c.deliveries)
    callbacks = [d for d in deliveries if d.get("purpose") == "status_callback"]
    requests = [d for d in deliveries if d.get("purpose") != "status_callback"]
    what = [("From → To", f"{code(c.from_number)} → {code(c.to_number)}"),
            ("Direction", f'{badge(c.direction, "muted")} <span class="muted">{e(DIRECTIONS.get(c.direction, ""))}</span>')]
    if c.status in ENDED:
        what.append(("Duration", e(f"{c.duration or 0} s")))
    if c.start_time is not None:
        what.append(("Started", e(when(c.start_time))))
    if c.end_time is not None:
        what.append(("Ended", e(when(c.end_time))))
    link = _link(c)
    if link is not None:
        what.append(link)
    if c.direction != "inbound" or c.url or c.twiml:
        what.append(("TwiML", _handler(c)))
    if c.status_callback:
        what.append(("Status callback", f'<code class="hook">{e(c.status_callback_method)} {e(c.status_callback)}</code>'))
    if own and c.account_sid != own:
        what.append(("Account", f"subaccount {code(c.account_sid)} {e((names or {}).get(c.account_sid, ''))}"))
    ran = (f'<ol class="verbs">{"".join(verb(v) for v in verbs)}</ol>' if verbs
           else '<div class="muted">No verb has run.</div>')
    told = sent_callbacks(callbacks, c.status_callback)
    asked = "".join(delivery(d) for d in requests) or '<div class="muted">No TwiML was requested.</div>'
    below = legs.get(c.sid, [])
    nested = ""
    if below:
        nested = (f"<h4>Legs ({len(below)})</h4>"
                  + "".join(call_card(x, legs, own, names, leg=True) for x in below))
    tag = "div" if leg else "article"
    return (
        f'<{tag} class="item call{" leg" if leg else ""}" id="call-{e(c.sid)}" data-sid="{e(c.sid)}"'
        f' data-status="{e(c.status)}"><div class="head"><h3>{"Leg" if leg else "Call"}</h3>'
        f'{badge(c.direction, "muted")}{code(c.sid)}{status_badge(c.status)}'
        f'<span class="muted">{e(when(c.date_created))}</span></div>{kv(what)}'
        f"<h4>Verbs ({len(verbs)})</h4>{ran}"
        f"<h4>Status callbacks ({len(callbacks)})</h4>{told}"
        f"<h4>Requests ({len(requests)})</h4>{asked}{nested}</{tag}>"
    )


def tree_card(tree: CallTree, own: str = "", names: Mapping[str, str] | None = None) -> str:
    """A call and its legs, each leg under the call that led to it (its ``<Dial>`` parent, the
    caller an inbound leg answered), or under the call shown when that one is not the family's."""
    shown = {tree.row.sid, *(x.sid for x in tree.legs)}
    keys = {x.sid: x.created_key for x in (tree.row, *tree.legs)}
    legs: dict[str, list[Any]] = {}
    for x in tree.legs:
        above = tree.row.sid
        for candidate in (x.parent_call_sid, x.peer_sid if x.direction == "inbound" else None):
            # only an earlier call: the legs always hang below the call shown, never in a loop
            if candidate in shown and keys[candidate] < x.created_key:
                above = candidate
                break
        legs.setdefault(above, []).append(x)
    return call_card(tree.row, legs, own, names)


def section(trees: list[CallTree], own: str, names: Mapping[str, str], size: int = CALLS_SHOWN) -> str:
    shown = trees[:size]
    items = "".join(tree_card(t, own, names) for t in shown) or '<p class="muted">No calls yet.</p>'
    more = " More exist than are shown." if len(trees) > size else ""
    return (f'<section class="card" id="calls"><h2>Calls</h2>'
            f'<p class="muted">Placed and received, newest first (the last {len(shown)}), each with its legs:'
            f" the verbs its TwiML ran, the status callbacks sent and the TwiML requested.{e(more)}</p>"
            f"{items}</section>")

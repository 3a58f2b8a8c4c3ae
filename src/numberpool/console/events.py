"""An inbound event as the console shows it: what arrived, where the routing sent it, every
request made for it (deliveries) and the replies its TwiML produced."""

from __future__ import annotations

import time
from typing import Any

import orjson

from numberpool.console.html import badge, code, e, kv

MESSAGE_ROUTES = {
    "messaging_service": "the Messaging Service's inbound request URL",
    "proxy": "the Proxy Service's out-of-session callback URL",
    "sms_application": "the SMS Application's URL",
    "number": "the number's own SMS URL",
    "dropped": "dropped: inbound messages are disabled here, nothing is requested",
    "no_handler": "nothing is configured, nothing is requested",
}
CALL_ROUTES = {
    "trunk": "SIP to the trunk's origination URL",
    "proxy": "the Proxy Service's out-of-session callback URL",
    "voice_application": "the Voice Application's URL",
    "number": "the number's own voice URL",
    "dropped": "dropped: the Proxy Service has no out-of-session callback URL",
    "no_handler": "nothing is configured, nothing is requested",
}
DECIDED_BY = (("Messaging Service", "messaging_service_sid"), ("Application", "application_sid"),
              ("Trunk", "trunk_sid"), ("Proxy Service", "proxy_service_sid"), ("SIP URL", "sip_url"))
BODY_SHOWN = 8192  # characters of a webhook's answer shown (the record keeps 64 KB)


def when(seconds: int | None) -> str:
    if seconds is None:
        return ""
    return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(seconds))


def route_text(kind: str, route: str) -> str:
    return (MESSAGE_ROUTES if kind == "message" else CALL_ROUTES).get(route, "")


def outcome(d: dict[str, Any]) -> tuple[str, str]:
    """A request's answer (its status code, or "no answer", and its error code) as badges, and
    the tone of its border."""
    status, error = d.get("status_code"), d.get("error_code")
    ok = status is not None and 200 <= int(status) < 400 and error is None
    text = str(status) if status is not None else "no answer"
    html = badge(text, "ok" if ok else "bad")
    if error is not None:
        html += " " + badge(f"error {error}", "bad")
    return html, "ok" if ok else "bad"


def _ms(value: object) -> str:
    try:
        return f"{float(str(value)):.0f} ms"
    except ValueError:
        return ""


def delivery(d: dict[str, Any]) -> str:
    status, tone = outcome(d)
    params = d.get("params") or {}
    rows = kv((str(name), code(value)) for name, value in params.items())
    body = str(d.get("response_body") or "")
    shown = body[:BODY_SHOWN] + (f"\n... ({len(body) - BODY_SHOWN} more characters)" if len(body) > BODY_SHOWN else "")
    return (
        f'<div class="delivery {tone}"><div class="head">{badge(d.get("purpose"), "muted")} '
        f'<code class="hook">{e(d.get("method"))} {e(d.get("url"))}</code> {status} '
        f'<span class="muted">{e(_ms(d.get("duration_ms")))}</span></div>'
        + kv([("Signature", code(d.get("signature")))])
        + f"<details><summary>Request parameters ({len(params)})</summary>{rows}</details>"
        + ('<div class="muted">Response body</div><pre class="response">' + e(shown) + "</pre>" if body else
           _no_body(d))
        + "</div>"
    )


def _no_body(d: dict[str, Any]) -> str:
    """An empty answer, or one refused as not TwiML, whose body the record does not keep."""
    length = d.get("response_length") or 0
    if not length:
        return '<div class="muted">Empty response body</div>'
    return (f'<div class="muted">Response body not kept (not TwiML): {e(d.get("response_content_type") or "no type")},'
            f" {e(length)} bytes</div>")


def reply(r: dict[str, Any]) -> str:
    return (f'<li class="reply">Reply to {code(r.get("to"))} from {code(r.get("from"))}: '
            f'<q>{e(r.get("body"))}</q></li>')


def event_card(ev: Any, fresh: bool = False, anchor: str = "event-") -> str:
    """The record as an article; its id is ``anchor`` + SID."""
    kind = "message" if ev.kind == "message" else "call"
    deliveries = orjson.loads(ev.deliveries)
    replies = orjson.loads(ev.replies) if kind == "message" else []
    media = orjson.loads(ev.media_urls) if kind == "message" else []
    what = [("From", code(ev.from_number)), ("To", code(ev.to_number))]
    if kind == "message":
        what.append(("Body", f"<q>{e(ev.body)}</q>" if ev.body else '<span class="muted">empty</span>'))
        what += [("Media", code(url)) for url in media]
    else:
        what.append(("Duration", e(f"{ev.call_duration or 0} s")))
    what.append(("Route", f"{badge(ev.route)} <span class=\"muted\">{e(route_text(kind, ev.route))}</span>"))
    what += [(label, code(getattr(ev, attr))) for label, attr in DECIDED_BY if getattr(ev, attr)]
    made = "".join(delivery(d) for d in deliveries) or '<div class="muted">No webhook was requested.</div>'
    said = f'<ul class="replies">{"".join(reply(r) for r in replies)}</ul>' if replies else ""
    return (
        f'<article class="item event{" fresh" if fresh else ""}" id="{e(anchor)}{e(ev.sid)}" data-sid="{e(ev.sid)}">'
        f'<div class="head"><h3>{"SMS" if kind == "message" else "Call"}</h3>'
        f'<a href="/console?event={e(ev.sid)}">{code(ev.sid)}</a>'
        f'<span class="muted">{e(when(ev.date_created))}</span></div>'
        f"{kv(what)}<h4>Deliveries ({len(deliveries)})</h4>{made}"
        + (f"<h4>Replies ({len(replies)})</h4>{said}" if replies else "")
        + "</article>"
    )

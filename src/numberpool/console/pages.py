"""The console's pages: sign-in, and the overview of a signed-in account."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from numberpool.console.calls import section as calls_section
from numberpool.console.events import event_card, route_text, when
from numberpool.console.html import badge, code, e, hidden, hook, kv, notice, page
from numberpool.console.messages import message_card
from numberpool.console.overview import NumberView, Overview
from numberpool.console.proxy import ProxyView, members, sessions
from numberpool.domain.routing import Route, Webhook
from numberpool.store.console import CallTree, Pool, Pools

DEFAULT_FROM = "+12125551234"


def signin_page(csrf: str, error: str = "", info: str = "") -> str:
    body = (
        '<section class="card signin"><h2>Sign in</h2>'
        + (notice(error, "error") if error else notice(info) if info else "")
        + '<p class="muted">With an account SID and its auth token, as the API takes them (an API key cannot sign in): '
          "<code>numberpool serve</code> prints the main account's.</p>"
        + '<form method="post" action="/console/sign-in" class="fields">' + hidden("csrf", csrf)
        + '<label>Account SID<input type="text" name="AccountSid" autocomplete="username" required '
          'spellcheck="false" autocapitalize="off"></label>'
        + '<label>Auth token<input type="password" name="AuthToken" autocomplete="current-password" required></label>'
        + '<button type="submit">Sign in</button></form></section>'
    )
    return page("Sign in · numberpool console", body)


def _top(ov: Overview, csrf: str) -> str:
    a = ov.account
    return (f'<div class="who"><span>Signed in as {code(a.sid)} {e(a.friendly_name)}</span>'
            f'<form method="post" action="/console/sign-out">{hidden("csrf", csrf)}'
            '<button type="submit">Sign out</button></form></div>')


def _route(kind: str, title: str, route: Route | None) -> str:
    if route is None:
        return f'<div class="route {kind}"><h4>{e(title)}</h4><span class="muted">the number was just released</span></div>'
    text = route_text("message" if kind == "sms" else "call", route.route)
    if route.purpose == "disaster_recovery":
        text = "the trunk's disaster recovery URL: no origination URL is enabled"
    pairs = [("Webhook", hook(route.primary)), ("Fallback", hook(route.fallback))]
    if kind == "call":
        pairs.append(("Status callback", hook(route.status_callback)))
    for label, value in (("Messaging Service", route.messaging_service_sid), ("Application", route.application_sid),
                         ("Trunk", route.trunk_sid), ("Proxy Service", route.proxy_service_sid),
                         ("SIP URL", route.sip_url)):
        if value:
            pairs.append((label, code(value)))
    return (f'<div class="route {kind}" data-route="{e(route.route)}"><h4>{e(title)}</h4>'
            f'{badge(route.route)} <span class="muted">{e(text)}</span>{kv(pairs)}</div>')


def _test_forms(number: str, csrf: str, query: str) -> str:
    common = hidden("csrf", csrf) + hidden("To", number) + hidden("q", query)
    return (
        "<details><summary>Send a test SMS or call to this number</summary>"
        f'<form method="post" action="/console/sms" class="fields sms-form">{common}'
        f'<label>From<input type="text" name="From" value="{DEFAULT_FROM}" required></label>'
        '<label>Body<input type="text" name="Body" value="hello"></label>'
        '<label>Media URL (optional)<input type="text" name="MediaUrl" placeholder="https://..."></label>'
        '<button type="submit">Send SMS</button></form>'
        f'<form method="post" action="/console/call" class="fields call-form">{common}'
        f'<label>From<input type="text" name="From" value="{DEFAULT_FROM}" required></label>'
        '<label>Duration (s)<input type="number" class="short" name="CallDuration" value="30" min="0"></label>'
        '<button type="submit">Place call</button></form></details>'
    )


def _number(view: NumberView, names: dict[str, str], own: str, csrf: str, query: str) -> str:
    n = view.row
    owner = "" if n.account_sid == own else f'<span class="muted">subaccount {code(n.account_sid)} {e(names.get(n.account_sid, ""))}</span>'
    caps = " ".join(badge(label, "muted") for label, on in (("voice", n.cap_voice), ("SMS", n.cap_sms),
                                                             ("MMS", n.cap_mms)) if on)
    return (
        f'<article class="item number" id="number-{e(n.sid)}" data-number="{e(n.phone_number)}">'
        f'<div class="head"><h3>{e(n.phone_number)}</h3><span class="name">{e(n.friendly_name)}</span>{caps}{owner}</div>'
        f'<div class="routes">{_route("sms", "Inbound SMS goes to", view.sms)}'
        f'{_route("call", "Inbound call goes to", view.call)}</div>'
        f"{_test_forms(n.phone_number, csrf, query)}</article>"
    )


def _numbers(ov: Overview, csrf: str) -> str:
    names = {a.sid: a.friendly_name for a in ov.accounts}
    search = ('<form method="get" action="/console" class="fields" role="search">'
              f'<label>Number or friendly name<input type="search" name="q" value="{e(ov.query)}"></label>'
              '<button type="submit">Search</button>'
              + (' <a href="/console">Show all</a>' if ov.query else "") + "</form>")
    count = f"{len(ov.numbers)}{'+' if ov.more_numbers else ''} number{'' if len(ov.numbers) == 1 else 's'}"
    summary = f'<p class="muted">{e(count)}{e(f" matching {ov.query!r}") if ov.query else ""}'
    if ov.more_numbers:
        summary += e(f"; the first {len(ov.numbers)} are shown, search to narrow them down")
    items = "".join(_number(v, names, ov.account.sid, csrf, ov.query) for v in ov.numbers)
    return f'<section class="card" id="numbers"><h2>Numbers</h2>{search}{summary}</p>{items}</section>'


def _events(ov: Overview) -> str:
    items = "".join(event_card(ev) for ev in ov.events) or '<p class="muted">No inbound messages or calls yet.</p>'
    return (f'<section class="card" id="events"><h2>Inbound events</h2>'
            f'<p class="muted">Messages and calls, newest first (the last {len(ov.events)}).</p>{items}</section>')


def _messages(ov: Overview) -> str:
    names = {a.sid: a.friendly_name for a in ov.accounts}
    items = "".join(message_card(m, ov.account.sid, names) for m in ov.messages) or '<p class="muted">No messages yet.</p>'
    return (f'<section class="card" id="messages"><h2>Messages</h2>'
            f'<p class="muted">Sent and received through the Messages API, newest first (the last {len(ov.messages)}):'
            f" the sender chosen and the status callbacks sent.</p>{items}</section>")


def _accounts(ov: Overview) -> str:
    rows = "".join(
        f'<tr><td data-label="SID">{code(a.sid)}{" " + badge("you") if a.sid == ov.account.sid else ""}</td>'
        f'<td data-label="Name">{e(a.friendly_name)}</td><td data-label="Status">{badge(a.status, "ok" if a.status == "active" else "bad")}</td>'
        f'<td data-label="Type">{e(a.type)}</td><td data-label="Created">{e(when(a.date_created))}</td></tr>'
        for a in ov.accounts)
    more = '<p class="muted">More subaccounts exist than are shown.</p>' if ov.more_accounts else ""
    return ('<section class="card" id="accounts"><h2>Account and subaccounts</h2><table class="stack"><thead><tr>'
            "<th>SID</th><th>Name</th><th>Status</th><th>Type</th><th>Created</th></tr></thead>"
            f"<tbody>{rows}</tbody></table>{more}</section>")


def _members(pool: Pool) -> str:
    if not pool.count:
        return '<p class="muted">No numbers.</p>'
    shown = ", ".join(code(m.phone_number) + (" " + badge("reserved", "muted") if getattr(m, "is_reserved", False) else "")
                      for m in pool.numbers)
    rest = pool.count - len(pool.numbers)
    return f'<p class="members">Numbers ({pool.count}): {shown}{e(f" and {rest} more") if rest > 0 else ""}</p>'


def _pool(title: str, pool: Pool, pairs: Sequence[tuple[str, str]], extra: str = "", numbers: str | None = None,
          after: str = "") -> str:
    return (f'<article class="item pool" id="pool-{e(pool.row.sid)}"><div class="head"><h3>{e(title)}</h3>'
            f"{code(pool.row.sid)}</div>{kv(pairs)}{extra}{_members(pool) if numbers is None else numbers}{after}</article>")


def _origination(urls: Sequence[Any]) -> str:
    if not urls:
        return '<p class="muted">No origination URLs.</p>'
    rows = "".join(f'<tr><td data-label="SIP URL">{code(u.sip_url)}</td><td data-label="Priority">{e(u.priority)}</td>'
                   f'<td data-label="Weight">{e(u.weight)}</td><td data-label="Enabled">{"yes" if u.enabled else "no"}</td></tr>'
                   for u in urls)
    return ('<table class="stack"><thead><tr><th>Origination URL</th><th>Priority</th><th>Weight</th><th>Enabled</th>'
            f"</tr></thead><tbody>{rows}</tbody></table>")


def _pools(pools: Pools, proxy: ProxyView) -> str:
    def column(title: str, key: str, items: list[str]) -> str:
        body = "".join(items) or '<p class="muted">None.</p>'
        return f'<section class="card" id="{key}"><h2>{e(title)}</h2>{body}</section>'

    messaging = [_pool(p.row.friendly_name, p, [
        ("Inbound", hook(_webhook(p.row.inbound_request_url, p.row.inbound_method))),
        ("Fallback", hook(_webhook(p.row.fallback_url, p.row.fallback_method))),
        ("Defers to the number", "yes" if p.row.use_inbound_webhook_on_number else "no")]) for p in pools.messaging]
    trunk_items = [_pool(p.row.friendly_name or p.row.domain_name or "Trunk", p, [
        ("Domain", code(p.row.domain_name) if p.row.domain_name else '<span class="muted">none</span>'),
        ("Disaster recovery", hook(_webhook(p.row.disaster_recovery_url, p.row.disaster_recovery_method)))],
        _origination(p.origination_urls)) for p in pools.trunks]
    proxy_items = [_pool(p.row.unique_name, p, [
        ("Out-of-session callback", hook(_webhook(p.row.out_of_session_callback_url, "POST")))],
        numbers=members(p.row.sid, p.count, p.numbers, proxy), after=sessions(p.row.sid, proxy)) for p in pools.proxy]
    more = notice("Only the first services of each kind are shown.") if pools.more else ""
    return (f'{more}<div class="pools">{column("Messaging Services", "messaging", messaging)}'
            f'{column("Trunks", "trunks", trunk_items)}{column("Proxy Services", "proxy", proxy_items)}</div>')


def _webhook(url: str | None, method: str) -> Webhook | None:
    return Webhook(url, method) if url else None


def _calls(ov: Overview, calls: list[CallTree]) -> str:
    names = {a.sid: a.friendly_name for a in ov.accounts}
    return calls_section(calls, ov.account.sid, names)


def overview_page(ov: Overview, csrf: str, message: str = "", error: str = "",
                  calls: list[CallTree] | None = None) -> str:
    notices = (notice(error, "error") if error else "") + (notice(message) if message else "")
    result = ""
    if ov.event is not None:
        result = f'<section class="card" id="result"><h2>Result</h2>{event_card(ov.event, fresh=True, anchor="result-")}</section>'
    body = (f'{notices}{result}<div class="columns">{_numbers(ov, csrf)}{_events(ov)}</div>'
            f"{_messages(ov)}{_calls(ov, calls or [])}{_accounts(ov)}{_pools(ov.pools, ov.proxy)}")
    return page("numberpool console", body, _top(ov, csrf))

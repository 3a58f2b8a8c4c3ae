"""The console's HTML: escaping, the page layout, small building blocks, and the style sheet.

Every value that comes from the database or the request goes through :func:`e`
(``html.escape`` with quotes), inside text and attribute values alike; the functions here and in
``pages``/``events`` return HTML text, and only they put markup around escaped values.
"""

from __future__ import annotations

import html
from collections.abc import Iterable

from numberpool.domain.routing import Webhook


def e(value: object) -> str:
    """Text or an attribute value (always double-quoted in this package), escaped."""
    return html.escape("" if value is None else str(value), quote=True)


def page(title: str, body: str, top: str = "") -> str:
    """A whole document: ``top`` is the right side of the header bar (who is signed in)."""
    return (
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        f"<title>{e(title)}</title><link rel=\"stylesheet\" href=\"/console/style.css\"></head>"
        f"<body><header class=\"top\"><h1><a href=\"/console\">numberpool console</a></h1>{top}</header>"
        f"<main>{body}</main></body></html>\n"
    )


def hidden(name: str, value: object) -> str:
    return f'<input type="hidden" name="{e(name)}" value="{e(value)}">'


def badge(text: object, tone: str = "") -> str:
    return f'<span class="badge {e(tone)}">{e(text)}</span>'


def code(value: object) -> str:
    return f"<code>{e(value)}</code>"


def kv(pairs: Iterable[tuple[str, str]]) -> str:
    """A list of label and value pairs; each value is HTML already (escape it with :func:`e`)."""
    rows = "".join(f"<dt>{e(label)}</dt><dd>{value}</dd>" for label, value in pairs)
    return f'<dl class="kv">{rows}</dl>' if rows else ""


def hook(webhook: Webhook | None) -> str:
    """A webhook as ``METHOD url``, or a quiet "none"."""
    if webhook is None:
        return '<span class="muted">none</span>'
    return f'<code class="hook">{e(webhook.method)} {e(webhook.url)}</code>'


def notice(text: str, tone: str = "info") -> str:
    """A box at the top of a page; ``tone`` is "info" or "error"."""
    role = "alert" if tone == "error" else "status"
    return f'<div class="notice {e(tone)}" role="{role}">{e(text)}</div>'


STYLE = """\
:root { --fg: #1d2330; --muted: #5b6475; --line: #dbe0e8; --bg: #f3f5f8; --card: #fff; --accent: #2457c5;
  --ok: #17663a; --bad: #b42318; font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; background: var(--bg); color: var(--fg); font-size: 14px; line-height: 1.45; overflow-wrap: anywhere; }
a { color: var(--accent); }
header.top { background: #172033; color: #fff; padding: 10px 20px; display: flex; flex-wrap: wrap; gap: 6px 16px;
  align-items: center; justify-content: space-between; }
header.top h1 { font-size: 17px; margin: 0; }
header.top h1 a { color: #fff; text-decoration: none; }
header.top .who { display: flex; flex-wrap: wrap; gap: 6px 12px; align-items: center; color: #c9d3e6; font-size: 13px; }
main { max-width: 1320px; margin: 0 auto; padding: 16px 20px 40px; }
.columns { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 0 16px; align-items: start; }
.pools { display: grid; grid-template-columns: repeat(3, minmax(0, 1fr)); gap: 0 16px; align-items: start; }
@media (max-width: 1000px) { .columns, .pools { grid-template-columns: minmax(0, 1fr); } }
@media (max-width: 640px) { main { padding: 10px; } header.top { padding: 8px 10px; } }
section.card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px;
  margin-bottom: 16px; min-width: 0; }
h2 { font-size: 15px; margin: 0 0 8px; }
h3 { font-size: 14px; margin: 0 0 4px; }
h4 { font-size: 13px; margin: 0 0 4px; }
code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; }
pre { white-space: pre-wrap; overflow-wrap: anywhere; background: #f6f8fa; border: 1px solid var(--line);
  border-radius: 6px; padding: 6px 8px; margin: 2px 0; max-height: 14em; overflow-y: auto; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 4px 8px 4px 0; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-size: 12px; color: var(--muted); font-weight: 600; }
@media (max-width: 640px) {
  table.stack thead { display: none; }
  table.stack tr { display: block; border-bottom: 1px solid var(--line); padding: 4px 0; }
  table.stack td { display: block; border: 0; padding: 1px 0; }
  table.stack td[data-label]::before { content: attr(data-label) ": "; color: var(--muted); font-size: 12px; }
}
.item { border: 1px solid var(--line); border-radius: 6px; padding: 8px 10px; margin: 8px 0; min-width: 0; }
.item.fresh { border-color: var(--accent); box-shadow: 0 0 0 2px #c6d7fb; }
.item .head { display: flex; flex-wrap: wrap; gap: 4px 10px; align-items: baseline; margin-bottom: 4px; }
dl.kv { display: grid; grid-template-columns: max-content minmax(0, 1fr); gap: 1px 12px; margin: 2px 0; }
dl.kv dt { color: var(--muted); }
dl.kv dd { margin: 0; min-width: 0; }
@media (max-width: 480px) { dl.kv { grid-template-columns: minmax(0, 1fr); } dl.kv dd { margin-bottom: 3px; } }
.routes { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 8px; margin: 6px 0; }
.routes > div { background: #f8f9fb; border-radius: 6px; padding: 6px 8px; min-width: 0; }
@media (max-width: 640px) { .routes { grid-template-columns: minmax(0, 1fr); } }
.delivery { border-left: 3px solid var(--line); padding: 2px 0 2px 10px; margin: 6px 0; }
.delivery.ok { border-left-color: var(--ok); }
.delivery.bad { border-left-color: var(--bad); }
.item.session { background: #fbfcfd; }
.sessions > h4, .item.session > h4 { margin-top: 8px; }
ul.participants { margin: 2px 0 4px; padding-left: 18px; }
.interaction .side { display: inline-block; margin-right: 10px; }
.badge { display: inline-block; padding: 0 8px; border-radius: 999px; font-size: 12px; font-weight: 600;
  background: #e8eefc; color: #1c3f8f; }
.badge.ok { background: #dcf5e3; color: var(--ok); }
.badge.bad { background: #fde4e1; color: var(--bad); }
.badge.muted { background: #eceff3; color: var(--muted); }
.muted { color: var(--muted); }
.notice { border-radius: 6px; padding: 8px 12px; margin-bottom: 16px; border: 1px solid #c6d7fb; background: #eef4ff; }
.notice.error { background: #fef3f2; border-color: #f5c2bc; color: var(--bad); }
form.fields { display: flex; flex-wrap: wrap; gap: 8px; align-items: flex-end; margin: 6px 0; }
form.call-form { border-top: 1px dashed var(--line); padding-top: 8px; }
label { display: flex; flex-direction: column; gap: 2px; font-size: 12px; color: var(--muted); min-width: 0; }
input[type=text], input[type=password], input[type=search], input[type=number] { font: inherit; font-size: 14px;
  padding: 5px 8px; border: 1px solid #b8c0cc; border-radius: 6px; color: var(--fg); width: 15em; max-width: 100%; }
input.short { width: 7em; }
button { font: inherit; padding: 5px 14px; border-radius: 6px; border: 1px solid var(--accent); background: var(--accent);
  color: #fff; cursor: pointer; }
header.top button { background: transparent; border-color: #8d9ab3; padding: 2px 10px; }
details > summary { cursor: pointer; color: var(--accent); margin: 4px 0; }
.signin { max-width: 440px; margin: 48px auto; }
.signin label, .signin input { width: 100%; }
.signin form { flex-direction: column; align-items: stretch; }
"""

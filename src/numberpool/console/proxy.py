"""Proxy sessions as the console shows them under each Proxy Service: the newest sessions with
their participants (and the proxy number each was given) and their newest interactions, and each
pool number's ``in_use`` (the active sessions holding it) and ``is_reserved``.

The reads take the Services already chosen for the page (the signed-in account's family's, see
``store.console.family_pools``), so they see no other account's sessions; each is bounded per
Service and per session, in one read transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson
from sqlalchemy import func, select

from numberpool.console.events import when
from numberpool.console.html import badge, code, e, kv
from numberpool.console.messages import shortened, status_badge
from numberpool.store.db import Database
from numberpool.store.schema import proxy_interactions, proxy_numbers, proxy_participants, proxy_sessions

SESSIONS_SHOWN = 20  # per Service, newest first
INTERACTIONS_SHOWN = 10  # per session, newest first

s, p, i, m = proxy_sessions, proxy_participants, proxy_interactions, proxy_numbers


@dataclass
class SessionView:
    row: Any
    participants: list[Any] = field(default_factory=list)  # deleted ones too, oldest first
    interactions: list[Any] = field(default_factory=list)  # the newest INTERACTIONS_SHOWN, newest first
    interaction_count: int = 0


@dataclass
class ProxyView:
    sessions: dict[str, list[SessionView]] = field(default_factory=dict)  # by Service SID, newest first
    session_counts: dict[str, int] = field(default_factory=dict)  # by Service SID
    numbers: dict[tuple[str, str], Any] = field(default_factory=dict)  # (Service SID, number SID): in_use, is_reserved


def load(db: Database, service_sids: Sequence[str]) -> ProxyView:
    """The newest ``SESSIONS_SHOWN`` sessions of each Service with their participants and newest
    interactions, how many sessions each has, and its numbers' ``in_use`` and ``is_reserved``."""
    view = ProxyView()
    sids = list(service_sids)
    if not sids:
        return view
    rank = func.row_number().over(partition_by=s.c.service_sid, order_by=s.c.sid.desc()).label("rank")
    ranked = select(s, rank).where(s.c.service_sid.in_(sids)).subquery()
    recent = select(ranked).where(ranked.c.rank <= SESSIONS_SHOWN).subquery()
    irank = func.row_number().over(partition_by=i.c.session_sid, order_by=i.c.sid.desc()).label("rank")
    with db.read() as conn:
        by_sid: dict[str, SessionView] = {}
        for row in conn.execute(select(recent).order_by(recent.c.service_sid, recent.c.sid.desc())):
            by_sid[row.sid] = session = SessionView(row)
            view.sessions.setdefault(row.service_sid, []).append(session)
        if by_sid:
            for service_sid, count in conn.execute(select(s.c.service_sid, func.count()).where(s.c.service_sid.in_(sids))
                                                   .group_by(s.c.service_sid)):
                view.session_counts[service_sid] = count
            stmt = (select(p).join(recent, recent.c.sid == p.c.session_sid)
                    .order_by(p.c.session_sid, p.c.date_created, p.c.sid))
            for row in conn.execute(stmt):
                by_sid[row.session_sid].participants.append(row)
            stmt = (select(i.c.session_sid, func.count()).join(recent, recent.c.sid == i.c.session_sid)
                    .group_by(i.c.session_sid))
            for session_sid, count in conn.execute(stmt):
                by_sid[session_sid].interaction_count = count
            inner = select(i, irank).join(recent, recent.c.sid == i.c.session_sid).subquery()
            stmt = (select(inner).where(inner.c.rank <= INTERACTIONS_SHOWN)
                    .order_by(inner.c.session_sid, inner.c.sid.desc()))
            for row in conn.execute(stmt):
                by_sid[row.session_sid].interactions.append(row)
        for row in conn.execute(select(m.c.service_sid, m.c.phone_number_sid, m.c.in_use, m.c.is_reserved)
                                .where(m.c.service_sid.in_(sids))):
            view.numbers[(row.service_sid, row.phone_number_sid)] = row
    return view


# -- HTML ---------------------------------------------------------------------------------------

ACTIVE = ("open", "in-progress")


def members(service_sid: str, count: int, numbers: Sequence[Any], view: ProxyView) -> str:
    """The Service's numbers, each with its ``in_use`` and whether it is reserved."""
    if not count:
        return '<p class="muted">No numbers.</p>'
    shown = []
    for n in numbers:
        state = view.numbers.get((service_sid, n.sid))
        in_use = state.in_use if state is not None else 0
        reserved = state.is_reserved if state is not None else getattr(n, "is_reserved", False)
        shown.append(f'<span class="proxy-number" data-number="{e(n.phone_number)}" data-in-use="{e(in_use)}">'
                     f'{code(n.phone_number)} {badge(f"in use {in_use}", "" if in_use else "muted")}'
                     + (" " + badge("reserved", "muted") if reserved else "") + "</span>")
    rest = count - len(numbers)
    return f'<p class="members">Numbers ({count}): {", ".join(shown)}{e(f" and {rest} more") if rest > 0 else ""}</p>'


def _session_status(row: Any) -> str:
    html = badge(row.status, "ok" if row.status in ACTIVE else "bad" if row.status == "failed" else "muted")
    if row.closed_reason:
        html += f' <span class="muted">{e(row.closed_reason)}</span>'
    return html


def _data(raw: str | None) -> tuple[str | None, str]:
    """The interaction's body (None for a call) and its other data, as HTML."""
    try:
        data = orjson.loads(raw) if raw else {}
    except orjson.JSONDecodeError:
        return None, code(raw)
    if not isinstance(data, dict):
        return None, code(raw)
    body = data.get("body")
    rest = ", ".join(f"{e(k)}: {code(v)}" for k, v in data.items() if k != "body")
    return (None if body is None else str(body)), rest


def _who(participant_sid: str | None, names: dict[str, Any]) -> str:
    if not participant_sid:
        return '<span class="muted">nobody</span>'
    part = names.get(participant_sid)
    if part is None:
        return code(participant_sid)
    return code(part.identifier)


def _side(label: str, status: str | None, kind: str | None, sid: str | None) -> str:
    if not (status or kind or sid):
        return ""
    parts = [e(label)]
    if kind:
        parts.append(e(kind))
    if sid:
        parts.append(code(sid))
    if status:
        parts.append(status_badge(status))
    return f'<span class="side">{" ".join(parts)}</span>'


def interaction(row: Any, names: dict[str, Any]) -> str:
    body, rest = _data(row.data)
    what = [("From → To", f"{_who(row.inbound_participant_sid, names)} → {_who(row.outbound_participant_sid, names)}")]
    if body is not None:
        what.append(("Body", shortened(body)))
    if rest:
        what.append(("Data", rest))
    sides = " ".join(x for x in (
        _side("inbound", row.inbound_resource_status, row.inbound_resource_type, row.inbound_resource_sid),
        _side("outbound", row.outbound_resource_status, row.outbound_resource_type, row.outbound_resource_sid)) if x)
    if sides:
        what.append(("Resources", sides))
    return (f'<div class="delivery interaction" id="interaction-{e(row.sid)}" data-sid="{e(row.sid)}">'
            f'<div class="head">{badge(row.type, "muted")} {code(row.sid)}'
            f' <span class="muted">{e(when(row.date_created))}</span></div>{kv(what)}</div>')


def participant(row: Any) -> str:
    removed = " " + badge("removed", "bad") + f' <span class="muted">{e(when(row.date_deleted))}</span>' \
        if row.date_deleted is not None else ""
    name = f' <span class="name">{e(row.friendly_name)}</span>' if row.friendly_name else ""
    return (f'<li class="participant" id="participant-{e(row.sid)}" data-sid="{e(row.sid)}">'
            f"{code(row.identifier)}{name} via proxy number {code(row.proxy_identifier)}{removed}"
            f' <span class="muted">{e(row.sid)}</span></li>')


def session_card(v: SessionView) -> str:
    r = v.row
    if r.ttl:
        ttl = e(f"{r.ttl} s")
    else:
        ttl = '<span class="muted">0 (no Ttl)</span>'
    if r.status in ACTIVE:
        ends = e(when(r.expires_at)) if r.expires_at is not None else '<span class="muted">never</span>'
        end_label = "Expires"
    else:
        ends = e(when(r.date_ended)) if r.date_ended is not None else '<span class="muted">unknown</span>'
        end_label = "Ended"
    pairs = [("Mode", e(r.mode)), ("Ttl", ttl), (end_label, ends)]
    if r.date_expiry is not None:
        pairs.append(("DateExpiry", e(when(r.date_expiry))))
    pairs.append(("Last interaction", e(when(r.date_last_interaction)) if r.date_last_interaction is not None
                  else '<span class="muted">none yet</span>'))
    pairs.append(("Created", e(when(r.date_created))))
    names = {part.sid: part for part in v.participants}
    people = "".join(participant(part) for part in v.participants)
    people = f'<ul class="participants">{people}</ul>' if people else '<p class="muted">No participants.</p>'
    if v.interactions:
        talk = "".join(interaction(x, names) for x in v.interactions)
    else:
        talk = '<p class="muted">No interactions yet.</p>'
    counted = f"{v.interaction_count}"
    if v.interaction_count > len(v.interactions):
        counted += f", the last {len(v.interactions)} shown"
    title = e(r.unique_name) if r.unique_name else '<span class="muted">no unique name</span>'
    return (
        f'<div class="item session" id="session-{e(r.sid)}" data-sid="{e(r.sid)}" data-status="{e(r.status)}">'
        f'<div class="head"><h4>{title}</h4>{code(r.sid)}{_session_status(r)}</div>{kv(pairs)}'
        f"<h4>Participants ({len(v.participants)})</h4>{people}"
        f"<h4>Interactions ({e(counted)})</h4>{talk}</div>"
    )


def sessions(service_sid: str, view: ProxyView) -> str:
    shown = view.sessions.get(service_sid, [])
    if not shown:
        return '<h4>Sessions (0)</h4><p class="muted">No sessions.</p>'
    count = view.session_counts.get(service_sid, len(shown))
    note = f"newest first, the last {len(shown)}" + (f" of {count}" if count > len(shown) else "")
    return (f'<div class="sessions"><h4>Sessions ({e(count)})</h4><p class="muted">{e(note)}</p>'
            f'{"".join(session_card(v) for v in shown)}</div>')

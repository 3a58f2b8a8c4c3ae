"""Proxy sessions: the rows of sessions, participants and interactions, the pool a participant's
proxy number is chosen from, and each number's ``in_use`` recounted from the sessions."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Select, bindparam, delete, func, select, update

from numberpool.store.crud import Crud
from numberpool.store.db import Database
from numberpool.store.paging import PageRequest, page, page_statement
from numberpool.store.schema import (
    incoming_numbers,
    message_work,
    proxy_interactions,
    proxy_numbers,
    proxy_participants,
    proxy_sessions,
)

sessions = Crud(proxy_sessions)
participants = Crud(proxy_participants)
interactions = Crud(proxy_interactions)
ACTIVE = ("open", "in-progress")

s, p, i, m, n = proxy_sessions, proxy_participants, proxy_interactions, proxy_numbers, incoming_numbers


def by_unique_name(conn: Connection, service_sid: str, unique_name: str) -> Any:
    return conn.execute(select(s).where(s.c.service_sid == service_sid, s.c.unique_name == unique_name)).first()


def session_page(db: Database, service_sid: str, req: PageRequest) -> tuple[Sequence[Any], bool]:
    build = lambda: page_statement(select(s).where(s.c.service_sid == bindparam("service")), s.c.sid, req)
    return page(db, ("proxy_sessions",), build, req, service=service_sid)


def participant_page(db: Database, session_sid: str, req: PageRequest) -> tuple[Sequence[Any], bool]:
    build = lambda: page_statement(select(p).where(p.c.session_sid == bindparam("session")), p.c.sid, req)
    return page(db, ("proxy_participants",), build, req, session=session_sid)


def interaction_page(db: Database, session_sid: str, participant_sid: str | None,
                     req: PageRequest) -> tuple[Sequence[Any], bool]:
    """A session's interactions (those whose outbound participant is ``participant_sid``, when given)."""
    def build() -> Select:
        stmt = select(i).where(i.c.session_sid == bindparam("session"))
        if participant_sid is not None:
            stmt = stmt.where(i.c.outbound_participant_sid == bindparam("participant"))
        return page_statement(stmt, i.c.sid, req)

    params: dict[str, Any] = {"session": session_sid}
    if participant_sid is not None:
        params["participant"] = participant_sid
    return page(db, ("proxy_interactions", participant_sid is not None), build, req, **params)


def of_session(conn: Connection, session_sid: str) -> list[Any]:
    """The session's participants, deleted ones too, oldest first."""
    return list(conn.execute(select(p).where(p.c.session_sid == session_sid).order_by(p.c.date_created, p.c.sid)))


def pool(conn: Connection, service_sid: str) -> list[Any]:
    """The Service's numbers with what choosing among them needs, by SID."""
    stmt = (
        select(n.c.sid, n.c.phone_number, n.c.iso_country, n.c.cap_sms, n.c.cap_voice, m.c.is_reserved, m.c.in_use)
        .join(m, m.c.phone_number_sid == n.c.sid)
        .where(m.c.service_sid == service_sid)
        .order_by(n.c.sid)
    )
    return list(conn.execute(stmt))


def held(conn: Connection, service_sid: str, identifier: str, except_session: str | None = None) -> set[str]:
    """The proxy numbers ``identifier`` holds in the Service's active sessions (but ``except_session``)."""
    stmt = (
        select(p.c.proxy_identifier_sid).join(s, s.c.sid == p.c.session_sid)
        .where(p.c.service_sid == service_sid, p.c.identifier == identifier, p.c.date_deleted.is_(None),
               s.c.status.in_(ACTIVE))
    )
    if except_session is not None:
        stmt = stmt.where(s.c.sid != except_session)
    return {row.proxy_identifier_sid for row in conn.execute(stmt)}


def last_number(conn: Connection, service_sid: str, identifier: str) -> str | None:
    """The proxy number ``identifier`` was given last in the Service (sticky selection)."""
    stmt = (select(p.c.proxy_identifier_sid).where(p.c.service_sid == service_sid, p.c.identifier == identifier)
            .order_by(p.c.date_created.desc(), p.c.sid.desc()).limit(1))
    return conn.execute(stmt).scalar()


def recount(conn: Connection, pn_sids: Sequence[str]) -> None:
    """Each number's ``in_use``: the active sessions in which a participant (not deleted) holds it."""
    if not pn_sids:
        return
    count = (
        select(func.count(func.distinct(p.c.session_sid))).select_from(p.join(s, s.c.sid == p.c.session_sid))
        .where(p.c.proxy_identifier_sid == m.c.phone_number_sid, p.c.date_deleted.is_(None), s.c.status.in_(ACTIVE))
        .scalar_subquery()
    )
    conn.execute(update(m).where(m.c.phone_number_sid.in_(list(pn_sids))).values(in_use=count))


def expire_at(conn: Connection, session: Any, due_ms: int | None) -> None:
    """The session's pending expiry (a work row keyed by its SID), replaced; none when ``due_ms`` is None."""
    conn.execute(delete(message_work).where(message_work.c.message_sid == session.sid))
    if due_ms is not None:
        conn.execute(message_work.insert(), {"message_sid": session.sid, "account_sid": session.account_sid,
                                             "due": due_ms, "claimed_until": 0})


def delete_session(conn: Connection, sid: str) -> None:
    conn.execute(delete(message_work).where(message_work.c.message_sid == sid))
    conn.execute(delete(i).where(i.c.session_sid == sid))
    conn.execute(delete(p).where(p.c.session_sid == sid))
    conn.execute(delete(s).where(s.c.sid == sid))


def delete_service_sessions(conn: Connection, service_sid: str) -> list[str]:
    """Every session of the Service with its participants and interactions: the numbers they held."""
    numbers = [row.proxy_identifier_sid for row in conn.execute(
        select(p.c.proxy_identifier_sid).where(p.c.service_sid == service_sid).distinct())]
    for row in list(conn.execute(select(s.c.sid).where(s.c.service_sid == service_sid))):
        delete_session(conn, row.sid)
    return numbers


def active_session_for(conn: Connection, proxy_number_sid: str, identifier: str) -> Any:
    """The active session in which ``identifier`` holds ``proxy_number_sid`` (at most one), and
    that participant: (session, participant) or None."""
    stmt = (
        select(s, p.c.sid.label("participant_sid")).join(p, p.c.session_sid == s.c.sid)
        .where(p.c.proxy_identifier_sid == proxy_number_sid, p.c.identifier == identifier,
               p.c.date_deleted.is_(None), s.c.status.in_(ACTIVE))
    )
    return conn.execute(stmt).first()

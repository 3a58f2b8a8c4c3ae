"""Proxy sessions: two participants talking through proxy numbers of a Proxy Service's pool.

Choosing a participant's proxy number (the README states the order):

1. A number named with ``ProxyIdentifier`` / ``ProxyIdentifierSid`` must be in the pool (reserved
   numbers only this way); the participant may not already hold it in another active session (80604).
2. Otherwise only unreserved numbers are candidates (only reserved ones: 80207) of the
   participant's geography by the Service's ``geo_match_level``: ``country`` (none: 80203), or, for
   a North American identifier, ``area-code``, ``overlay`` and ``radius`` (all three as the same
   area code: phonenumbers knows no overlays or coordinates; none: 80206); an identifier that is
   not a phone number matches every number.
3. Capability for the session's mode: SMS for messages (80202), voice for calls (80201).
4. Never a number the participant holds in another active session (all taken: 80208); one number
   serves many sessions of distinct participants.
5. ``prefer-sticky``: the number this identifier had last with this Service, when still a
   candidate; ``avoid-sticky``: any other first.
6. Among equals the least used (fewest active sessions), then by SID.

Every choice runs with the Service's row locked, so two processes adding participants at once
never give one identifier one number twice; ``in_use`` is recounted from the sessions in the same
transaction each time a session or participant changes (active: open or in-progress; a deleted
participant holds nothing).

Time: a session's ``expires_at`` is its ``DateExpiry``, else its ``Ttl`` (0: unlimited) after its
creation or last interaction; an expiry is due work on the server clock, done as the Messages'
work is, which closes the session (``closed_reason`` ``ttl``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson
import phonenumbers

from numberpool.domain import errors
from numberpool.domain.accounts import Account
from numberpool.domain.clock import now
from numberpool.domain.errors import TwilioError
from numberpool.domain.sids import is_sid, new_sid
from numberpool.store import sessions as q
from numberpool.store.db import Connection, Database, Row
from numberpool.store.errors import ConstraintViolation, unique_violation
from numberpool.store.paging import PageRequest
from numberpool.store.pools import proxy as services_crud

ACTIVE = q.ACTIVE
MODES = ("message-only", "voice-only", "voice-and-message")


def _region(identifier: str) -> str | None:
    try:
        parsed = phonenumbers.parse(identifier, None)
    except phonenumbers.NumberParseException:
        return None
    return phonenumbers.region_code_for_number(parsed)


def expires_at(session: Any) -> int | None:
    """When the session closes on its own: its DateExpiry, else Ttl after its creation or last
    interaction (Ttl 0: never)."""
    if session.date_expiry is not None:
        return int(session.date_expiry)
    if session.ttl:
        return int(session.date_last_interaction or session.date_created) + int(session.ttl)
    return None


class Sessions:
    def __init__(self, db: Database) -> None:
        self.db = db

    # -- the Service and its sessions -----------------------------------------------------------

    def _service(self, conn: Connection, account: Account, service_sid: str, *, lock: bool = False) -> Any:
        row = services_crud.get(conn, service_sid, lock=lock) if is_sid(service_sid, "KS") else None
        if row is None or row.account_sid != account.sid:
            raise errors.not_found()
        return row

    def _session(self, conn: Connection, service: Any, sid: str, *, lock: bool = False) -> Any:
        row = q.sessions.get(conn, sid, lock=lock) if is_sid(sid, "KC") else q.by_unique_name(conn, service.sid, sid)
        if row is None or row.service_sid != service.sid:
            raise errors.not_found()
        return row

    def create(self, account: Account, service_sid: str, values: dict[str, Any],
               participants: Sequence[dict[str, Any]]) -> Row:
        try:
            with self.db.write() as conn:
                service = self._service(conn, account, service_sid, lock=True)
                ts = now()
                status = values.get("status") or "open"
                if status not in ACTIVE:
                    raise errors.session_status_invalid("new", status)
                ttl = values["ttl"] if values.get("ttl") is not None else int(service.default_ttl)
                row = {"sid": new_sid("KC"), "account_sid": account.sid, "service_sid": service.sid,
                       "unique_name": values.get("unique_name"), "status": status,
                       "mode": values.get("mode") or "voice-and-message", "ttl": ttl,
                       "date_expiry": values.get("date_expiry"), "expires_at": None, "closed_reason": None,
                       "date_started": ts, "date_ended": None, "date_last_interaction": None,
                       "date_created": ts, "date_updated": ts}
                row["expires_at"] = expires_at(_Values(row))
                q.sessions.insert(conn, row)
                session = q.sessions.get(conn, row["sid"])
                for p in participants:
                    self._add_participant(conn, account, service, session, p)
                self._schedule(conn, session)
                return _present(q.sessions.get(conn, row["sid"]))
        except ConstraintViolation as exc:
            if unique_violation(exc):
                raise errors.session_unique_name_taken(str(values.get("unique_name"))) from None
            raise

    def fetch(self, account: Account, service_sid: str, sid: str) -> Row:
        with self.db.read() as conn:
            return self._session(conn, self._service(conn, account, service_sid), sid)

    def list(self, account: Account, service_sid: str, req: PageRequest) -> tuple[Sequence[Row], bool]:
        with self.db.read() as conn:
            self._service(conn, account, service_sid)
        return q.session_page(self.db, service_sid, req)

    def update(self, account: Account, service_sid: str, sid: str, values: dict[str, Any]) -> Row:
        with self.db.write() as conn:
            service = self._service(conn, account, service_sid, lock=True)
            session = self._session(conn, service, sid, lock=True)
            ts = now()
            changes: dict[str, Any] = {}
            status = values.get("status")
            if session.status == "closed" and status != "in-progress" and (
                    values.get("ttl") is not None or values.get("date_expiry") is not None or status is not None):
                if status is not None and status != "closed":
                    raise errors.session_status_invalid(session.status, status)
                raise errors.session_closed()
            if status is not None and status != session.status:
                if status == "closed" and session.status in ACTIVE:
                    changes.update(status="closed", closed_reason="api", date_ended=ts)
                elif status == "in-progress" and session.status == "closed":
                    for part in q.of_session(conn, session.sid):
                        if part.date_deleted is None and part.proxy_identifier_sid in q.held(
                                conn, service.sid, part.identifier, except_session=session.sid):
                            raise errors.proxy_pair_in_use(part.identifier, part.proxy_identifier)
                    changes.update(status="in-progress", closed_reason=None, date_ended=None)
                else:
                    raise errors.session_status_invalid(session.status, status)
            for key in ("ttl", "date_expiry"):
                if values.get(key) is not None:
                    changes[key] = values[key]
            if changes:
                changes["date_updated"] = ts
                merged = _Values({**session._asdict(), **changes})
                changes["expires_at"] = expires_at(merged)
                q.sessions.update(conn, session.sid, changes)
                q.recount(conn, [part.proxy_identifier_sid for part in q.of_session(conn, session.sid)])
                self._schedule(conn, q.sessions.get(conn, session.sid))
            return _present(q.sessions.get(conn, session.sid))

    def delete(self, account: Account, service_sid: str, sid: str) -> None:
        with self.db.write() as conn:
            service = self._service(conn, account, service_sid, lock=True)
            session = self._session(conn, service, sid, lock=True)
            numbers = [part.proxy_identifier_sid for part in q.of_session(conn, session.sid)]
            q.delete_session(conn, session.sid)
            q.recount(conn, numbers)

    def _schedule(self, conn: Connection, session: Any) -> None:
        """The session's expiry as due work (none while closed, or without Ttl and DateExpiry)."""
        due = session.expires_at if session.status in ACTIVE else None
        q.expire_at(conn, session, due * 1000 if due is not None else None)

    def expire(self, conn: Connection, sid: str) -> None:
        """Due work: the session closes when its time is up (by the server clock)."""
        session = q.sessions.get(conn, sid, lock=True)
        if session is None or session.status not in ACTIVE:
            return
        if session.expires_at is None or session.expires_at > now():
            self._schedule(conn, session)  # moved on meanwhile (an interaction): due later
            return
        ts = now()
        q.sessions.update(conn, sid, {"status": "closed", "closed_reason": "ttl", "date_ended": ts, "date_updated": ts})
        q.recount(conn, [part.proxy_identifier_sid for part in q.of_session(conn, sid)])

    # -- participants ---------------------------------------------------------------------------

    def add_participant(self, account: Account, service_sid: str, session_sid: str, values: dict[str, Any]) -> Row:
        with self.db.write() as conn:
            service = self._service(conn, account, service_sid, lock=True)
            session = self._session(conn, service, session_sid, lock=True)
            return self._add_participant(conn, account, service, session, values)

    def _add_participant(self, conn: Connection, account: Account, service: Any, session: Any,
                         values: dict[str, Any]) -> Row:
        if session.status not in ACTIVE:
            raise errors.session_closed()
        identifier = values["identifier"]
        present = q.of_session(conn, session.sid)
        if any(part.identifier == identifier for part in present):
            raise errors.participant_identifier_taken()
        if len(present) >= 2:
            raise errors.session_full()
        number = self._choose(conn, service, session, identifier, values.get("proxy_identifier"),
                              values.get("proxy_identifier_sid"))
        ts = now()
        sid = new_sid("KP")
        q.participants.insert(conn, {
            "sid": sid, "account_sid": account.sid, "service_sid": service.sid, "session_sid": session.sid,
            "identifier": identifier, "friendly_name": values.get("friendly_name"),
            "proxy_identifier": number.phone_number, "proxy_identifier_sid": number.sid, "date_deleted": None,
            "date_created": ts, "date_updated": ts,
        })
        q.recount(conn, [number.sid])
        return _present(q.participants.get(conn, sid))

    def _choose(self, conn: Connection, service: Any, session: Any, identifier: str, proxy: str | None,
                proxy_sid: str | None) -> Any:
        pool = q.pool(conn, service.sid)
        held = q.held(conn, service.sid, identifier)
        if proxy or proxy_sid:
            for number in pool:
                if number.sid == proxy_sid or number.phone_number == proxy:
                    if number.sid in held:
                        raise errors.proxy_pair_in_use(identifier, number.phone_number)
                    return number
            raise errors.proxy_number_not_in_pool(proxy or proxy_sid or "")
        if not pool:
            raise errors.proxy_numbers_in_use()
        candidates = [n for n in pool if not n.is_reserved]
        if not candidates:
            raise errors.proxy_only_reserved()
        region = _region(identifier)
        level = service.geo_match_level
        if region is not None:
            if level != "country" and region in ("US", "CA"):
                area = identifier[2:5]
                candidates = [n for n in candidates if n.iso_country in ("US", "CA") and n.phone_number[2:5] == area]
                if not candidates:
                    raise errors.proxy_no_geo_match(level)
            else:
                candidates = [n for n in candidates if n.iso_country == region]
                if not candidates:
                    raise errors.proxy_no_country_match(region)
        if session.mode != "voice-only":
            candidates = [n for n in candidates if n.cap_sms]
            if not candidates:
                raise errors.proxy_no_sms_number()
        if session.mode != "message-only":
            candidates = [n for n in candidates if n.cap_voice]
            if not candidates:
                raise errors.proxy_no_voice_number()
        free = [n for n in candidates if n.sid not in held]
        if not free:
            raise errors.proxy_numbers_in_use()
        last = q.last_number(conn, service.sid, identifier)
        if last is not None:
            if service.number_selection_behavior == "prefer-sticky":
                for n in free:
                    if n.sid == last:
                        return n
            elif len(free) > 1:
                free = [n for n in free if n.sid != last]
        return min(free, key=lambda n: (n.in_use, n.sid))

    def participant(self, account: Account, service_sid: str, session_sid: str, sid: str) -> tuple[Any, Row]:
        with self.db.read() as conn:
            service = self._service(conn, account, service_sid)
            session = self._session(conn, service, session_sid)
            row = q.participants.get(conn, sid) if is_sid(sid, "KP") else None
            if row is None or row.session_sid != session.sid:
                raise errors.not_found()
            return session, row

    def participants(self, account: Account, service_sid: str, session_sid: str,
                     req: PageRequest) -> tuple[Any, Sequence[Row], bool]:
        session = self.fetch(account, service_sid, session_sid)
        rows, more = q.participant_page(self.db, session.sid, req)
        return session, rows, more

    def remove_participant(self, account: Account, service_sid: str, session_sid: str, sid: str) -> None:
        """A soft delete, as Twilio's: the participant stays listed with ``date_deleted`` and its
        number is free again."""
        with self.db.write() as conn:
            service = self._service(conn, account, service_sid, lock=True)
            session = self._session(conn, service, session_sid, lock=True)
            row = q.participants.get(conn, sid, lock=True) if is_sid(sid, "KP") else None
            if row is None or row.session_sid != session.sid:
                raise errors.not_found()
            if row.date_deleted is None:
                ts = now()
                q.participants.update(conn, sid, {"date_deleted": ts, "date_updated": ts})
                q.recount(conn, [row.proxy_identifier_sid])

    # -- interactions ---------------------------------------------------------------------------

    def interactions(self, account: Account, service_sid: str, session_sid: str, participant_sid: str | None,
                     req: PageRequest) -> tuple[Sequence[Row], bool]:
        session = self.fetch(account, service_sid, session_sid)
        if participant_sid is not None:
            self.participant(account, service_sid, session.sid, participant_sid)
        return q.interaction_page(self.db, session.sid, participant_sid, req)

    def interaction(self, account: Account, service_sid: str, session_sid: str, sid: str,
                    participant_sid: str | None = None) -> Row:
        session = self.fetch(account, service_sid, session_sid)
        row = q.interactions.fetch(self.db, sid) if is_sid(sid, "KI") else None
        if row is None or row.session_sid != session.sid or (
                participant_sid is not None and row.outbound_participant_sid != participant_sid):
            raise errors.not_found()
        return row

    def delete_interaction(self, account: Account, service_sid: str, session_sid: str, sid: str) -> None:
        row = self.interaction(account, service_sid, session_sid, sid)
        with self.db.write() as conn:
            q.interactions.delete(conn, row.sid)

    def message_interaction(self, account: Account, service_sid: str, session_sid: str, participant_sid: str,
                            body: str, send: Any) -> Row:
        """The participant receives ``body`` from its proxy number (``send(conn, from, to, body)``
        writes the Message and answers its SID and URI); the Interaction records it, its inbound
        side empty."""
        with self.db.write() as conn:
            service = self._service(conn, account, service_sid, lock=True)
            session = self._session(conn, service, session_sid, lock=True)
            part = q.participants.get(conn, participant_sid) if is_sid(participant_sid, "KP") else None
            if part is None or part.session_sid != session.sid:
                raise errors.not_found()
            if session.status not in ACTIVE:
                raise errors.session_closed()
            if part.date_deleted is not None:
                raise errors.participant_deleted()
            message_sid, uri = send(conn, account.sid, part.proxy_identifier, part.identifier, body)
            return self.record(conn, session, "message", {"body": body}, None, {
                "participant_sid": part.sid, "resource_sid": message_sid, "resource_status": "queued",
                "resource_type": "Message", "resource_url": uri})

    # -- traffic through a session ---------------------------------------------------------------

    def session_for(self, proxy_number_sid: str, identifier: str) -> Any:
        """The active session in which ``identifier`` holds ``proxy_number_sid``, with that
        participant's SID (``participant_sid``), or None: the message is out of session."""
        with self.db.read() as conn:
            return q.active_session_for(conn, proxy_number_sid, identifier)

    def relay(self, conn: Connection, session_sid: str, participant_sid: str, kind: str, inbound: dict[str, Any],
              data: dict[str, Any], send: Any, place: Any) -> Row | None:
        """An interaction from ``participant_sid``: the other participant receives it from its
        own proxy number: a message (``send``, as a MessageInteraction's), or a call (``place``:
        a Call placed to them, the interaction's outbound resource). The first interaction moves
        an open session to ``in-progress``. None when the session is no longer active."""
        session = q.sessions.get(conn, session_sid, lock=True)
        if session is None or session.status not in ACTIVE:
            return None
        other = next((part for part in q.of_session(conn, session_sid)
                      if part.sid != participant_sid and part.date_deleted is None), None)
        outbound: dict[str, Any] | None = None
        if other is not None:
            if kind == "message":
                message_sid, uri = send(conn, session.account_sid, other.proxy_identifier, other.identifier,
                                        data.get("body", ""))
                outbound = {"participant_sid": other.sid, "resource_sid": message_sid, "resource_status": "queued",
                            "resource_type": "Message", "resource_url": uri}
            else:
                call_sid, uri = place(conn, session.account_sid, other.proxy_identifier, other.identifier,
                                      other.proxy_identifier_sid)
                outbound = {"participant_sid": other.sid, "resource_sid": call_sid, "resource_status": "queued",
                            "resource_type": "Call", "resource_url": uri}
        if session.status == "open":
            q.sessions.update(conn, session_sid, {"status": "in-progress", "date_updated": now()})
            session = q.sessions.get(conn, session_sid)
        return self.record(conn, session, kind, data, {"participant_sid": participant_sid, **inbound}, outbound)

    def record(self, conn: Connection, session: Any, kind: str, data: dict[str, Any], inbound: dict[str, Any] | None,
               outbound: dict[str, Any] | None) -> Row:
        """An Interaction of ``session``; the session's last interaction moves, and its Ttl with it."""
        ts = now()
        sid = new_sid("KI")
        row: dict[str, Any] = {"sid": sid, "account_sid": session.account_sid, "service_sid": session.service_sid,
                               "session_sid": session.sid, "type": kind, "data": orjson.dumps(data).decode(),
                               "date_created": ts, "date_updated": ts}
        for side, values in (("inbound", inbound), ("outbound", outbound)):
            for name in ("participant_sid", "resource_sid", "resource_status", "resource_type", "resource_url"):
                row[f"{side}_{name}"] = (values or {}).get(name)
        q.interactions.insert(conn, row)
        changes: dict[str, Any] = {"date_last_interaction": ts, "date_updated": ts}
        merged = _Values({**session._asdict(), **changes})
        changes["expires_at"] = expires_at(merged)
        q.sessions.update(conn, session.sid, changes)
        self._schedule(conn, q.sessions.get(conn, session.sid))
        return _present(q.interactions.get(conn, sid))


class _Values:
    """Attribute access over a dict (a row being built)."""

    def __init__(self, values: dict[str, Any]) -> None:
        self.__dict__.update(values)


def _present(row: Row | None) -> Row:
    if row is None:  # pragma: no cover - just written in this transaction
        raise TwilioError(20500, 500, "Internal server error")
    return row

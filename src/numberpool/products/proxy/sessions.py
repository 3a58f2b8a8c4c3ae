"""Sessions, Participants, Interactions and MessageInteractions of a Proxy Service (proxy v1)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson

from numberpool.domain import access
from numberpool.domain.backend import Backend
from numberpool.domain.errors import TwilioError, proxy_invalid_parameter
from numberpool.http.request import Request, Response
from numberpool.http.router import Path, Router
from numberpool.http.wire import dumps, iso8601
from numberpool.products import params as p
from numberpool.products.paging import parse_page
from numberpool.products.v1 import page_response

_S = "/v1/Services/{ServiceSid}/Sessions"
SESSIONS, SESSION = Path(_S), Path(_S + "/{Sid}")
PARTICIPANTS, PARTICIPANT = Path(_S + "/{SessionSid}/Participants"), Path(_S + "/{SessionSid}/Participants/{Sid}")
INTERACTIONS, INTERACTION = Path(_S + "/{SessionSid}/Interactions"), Path(_S + "/{SessionSid}/Interactions/{Sid}")
_MI = _S + "/{SessionSid}/Participants/{ParticipantSid}/MessageInteractions"
MESSAGE_INTERACTIONS, MESSAGE_INTERACTION = Path(_MI), Path(_MI + "/{Sid}")
PATHS = (SESSIONS, SESSION, PARTICIPANTS, PARTICIPANT, INTERACTIONS, INTERACTION, MESSAGE_INTERACTIONS,
         MESSAGE_INTERACTION)


def _refuse(err: TwilioError) -> TwilioError:
    return proxy_invalid_parameter(err.message)


def _date(name: str, raw: str) -> int | None:
    if raw == "":
        return None
    try:
        return p.iso_timestamp(raw)
    except ValueError:
        raise proxy_invalid_parameter(f"'{name}' is invalid: {raw[:40]!r} is not an ISO 8601 date and time") from None


SESSION_FORM = p.Form(p.params(
    UniqueName=p.text(191), Ttl=p.integer(0, 2**31 - 1), DateExpiry=_date,
    Mode=p.enum("message-only", "voice-only", "voice-and-message"),
    Status=p.enum("open", "in-progress", "closed", "failed", "unknown"),
), refuse=_refuse)
PARTICIPANT_FORM = p.Form(p.params(
    Identifier=p.text(191), FriendlyName=p.text(255), ProxyIdentifier=p.text(64), ProxyIdentifierSid=p.sid("PN"),
), required=("Identifier",), refuse=_refuse)
_PARTICIPANT_KEYS = {"Identifier", "FriendlyName", "ProxyIdentifier", "ProxyIdentifierSid"}


def participants_param(raw: list[str]) -> list[dict[str, Any]]:
    """``Participants``: each a JSON object as the SDK sends it, with CreateParticipant's keys."""
    found = []
    for item in raw:
        try:
            value = orjson.loads(item)
        except orjson.JSONDecodeError:
            raise proxy_invalid_parameter("'Participants' is invalid: each must be a JSON object") from None
        if not isinstance(value, dict) or not set(value) <= _PARTICIPANT_KEYS or not all(
                isinstance(v, str) for v in value.values()):
            raise proxy_invalid_parameter("'Participants' is invalid: each must be a JSON object with string values "
                                          "for Identifier, FriendlyName, ProxyIdentifier, ProxyIdentifierSid")
        found.append(PARTICIPANT_FORM.for_create(value))
    return found


def session_json(req: Request, s: Any) -> dict[str, Any]:
    url = req.base_url + SESSION.format(ServiceSid=s.service_sid, Sid=s.sid)
    return {
        "sid": s.sid, "service_sid": s.service_sid, "account_sid": s.account_sid,
        "date_started": _iso(s.date_started), "date_ended": _iso(s.date_ended),
        "date_last_interaction": _iso(s.date_last_interaction), "date_expiry": _iso(s.date_expiry),
        "unique_name": s.unique_name, "status": s.status, "closed_reason": s.closed_reason, "ttl": s.ttl,
        "mode": s.mode, "date_created": iso8601(s.date_created), "date_updated": iso8601(s.date_updated),
        "url": url, "links": {"interactions": f"{url}/Interactions", "participants": f"{url}/Participants"},
    }


def participant_json(req: Request, r: Any) -> dict[str, Any]:
    url = req.base_url + PARTICIPANT.format(ServiceSid=r.service_sid, SessionSid=r.session_sid, Sid=r.sid)
    return {
        "sid": r.sid, "session_sid": r.session_sid, "service_sid": r.service_sid, "account_sid": r.account_sid,
        "friendly_name": r.friendly_name, "identifier": r.identifier, "proxy_identifier": r.proxy_identifier,
        "proxy_identifier_sid": r.proxy_identifier_sid, "date_deleted": _iso(r.date_deleted),
        "date_created": iso8601(r.date_created), "date_updated": iso8601(r.date_updated), "url": url,
        "links": {"message_interactions": f"{url}/MessageInteractions"},
    }


def api_url(req: Request, path: str | None) -> str | None:
    """An absolute URL of a 2010-04-01 resource (a relayed Message) on this server: beside the
    ``/proxy`` prefix, or on the ``api`` host when the product is reached by its own host name."""
    if path is None:
        return None
    base = req.base_url
    if base.endswith("/proxy"):
        return base[: -len("/proxy")] + path
    scheme, _, host = base.partition("://")
    return f"{scheme}://{host.replace('proxy.', 'api.', 1)}{path}"


def interaction_json(req: Request, i: Any) -> dict[str, Any]:
    return {
        "sid": i.sid, "session_sid": i.session_sid, "service_sid": i.service_sid, "account_sid": i.account_sid,
        "data": i.data, "type": i.type,
        **{f"{side}_{name}": getattr(i, f"{side}_{name}") for side in ("inbound", "outbound")
           for name in ("participant_sid", "resource_sid", "resource_status", "resource_type")},
        "inbound_resource_url": api_url(req, i.inbound_resource_url),
        "outbound_resource_url": api_url(req, i.outbound_resource_url),
        "date_created": iso8601(i.date_created), "date_updated": iso8601(i.date_updated),
        "url": req.base_url + INTERACTION.format(ServiceSid=i.service_sid, SessionSid=i.session_sid, Sid=i.sid),
    }


def message_interaction_json(req: Request, i: Any) -> dict[str, Any]:
    body = interaction_json(req, i)
    body["participant_sid"] = i.outbound_participant_sid
    body["url"] = req.base_url + MESSAGE_INTERACTION.format(
        ServiceSid=i.service_sid, SessionSid=i.session_sid, ParticipantSid=i.outbound_participant_sid, Sid=i.sid)
    return body


def _iso(ts: int | None) -> str | None:
    return iso8601(ts) if ts is not None else None


def _values(form: Mapping[str, str]) -> dict[str, Any]:
    return SESSION_FORM.parse(form)


def register(r: Router, b: Backend) -> None:
    sessions = b.sessions

    def list_sessions(req: Request, service_sid: str) -> Response:
        page = parse_page(req.query, "KC")
        rows, more = sessions.list(req.caller, service_sid, page)
        return page_response(req, "sessions", SESSIONS.format(ServiceSid=service_sid), page, rows, more, session_json)

    def create_session(req: Request, service_sid: str) -> Response:
        values = _values(req.form)
        people = participants_param(req.form_list("Participants"))
        return Response(201, dumps(session_json(req, sessions.create(req.caller, service_sid, values, people))))

    def fetch_session(req: Request, service_sid: str, sid: str) -> Response:
        return Response(200, dumps(session_json(req, sessions.fetch(req.caller, service_sid, sid))))

    def update_session(req: Request, service_sid: str, sid: str) -> Response:
        values = _values(req.form)
        return Response(200, dumps(session_json(req, sessions.update(req.caller, service_sid, sid, values))))

    def delete_session(req: Request, service_sid: str, sid: str) -> Response:
        sessions.delete(req.caller, service_sid, sid)
        return Response(204)

    def list_participants(req: Request, service_sid: str, session_sid: str) -> Response:
        page = parse_page(req.query, "KP")
        session, rows, more = sessions.participants(req.caller, service_sid, session_sid, page)
        path = PARTICIPANTS.format(ServiceSid=service_sid, SessionSid=session.sid)
        return page_response(req, "participants", path, page, rows, more, participant_json)

    def create_participant(req: Request, service_sid: str, session_sid: str) -> Response:
        values = PARTICIPANT_FORM.for_create(req.form)
        row = sessions.add_participant(req.caller, service_sid, session_sid, values)
        return Response(201, dumps(participant_json(req, row)))

    def fetch_participant(req: Request, service_sid: str, session_sid: str, sid: str) -> Response:
        _, row = sessions.participant(req.caller, service_sid, session_sid, sid)
        return Response(200, dumps(participant_json(req, row)))

    def delete_participant(req: Request, service_sid: str, session_sid: str, sid: str) -> Response:
        sessions.remove_participant(req.caller, service_sid, session_sid, sid)
        return Response(200)  # as the spec says: 200, no body

    def list_interactions(req: Request, service_sid: str, session_sid: str) -> Response:
        page = parse_page(req.query, "KI")
        rows, more = sessions.interactions(req.caller, service_sid, session_sid, None, page)
        path = INTERACTIONS.format(ServiceSid=service_sid, SessionSid=session_sid)
        return page_response(req, "interactions", path, page, rows, more, interaction_json)

    def fetch_interaction(req: Request, service_sid: str, session_sid: str, sid: str) -> Response:
        return Response(200, dumps(interaction_json(req, sessions.interaction(req.caller, service_sid, session_sid, sid))))

    def delete_interaction(req: Request, service_sid: str, session_sid: str, sid: str) -> Response:
        sessions.delete_interaction(req.caller, service_sid, session_sid, sid)
        return Response(204)

    def list_message_interactions(req: Request, service_sid: str, session_sid: str, participant_sid: str) -> Response:
        page = parse_page(req.query, "KI")
        rows, more = sessions.interactions(req.caller, service_sid, session_sid, participant_sid, page)
        path = MESSAGE_INTERACTIONS.format(ServiceSid=service_sid, SessionSid=session_sid, ParticipantSid=participant_sid)
        return page_response(req, "interactions", path, page, rows, more, message_interaction_json)

    def create_message_interaction(req: Request, service_sid: str, session_sid: str, participant_sid: str) -> Response:
        body = req.form.get("Body", "")
        if not body:
            raise proxy_invalid_parameter("'Body' is invalid: a message interaction needs a Body")
        if len(body) > 1600:
            raise proxy_invalid_parameter("'Body' is invalid: at most 1600 characters")
        row = sessions.message_interaction(req.caller, service_sid, session_sid, participant_sid, body, b.messages.send_in)
        b.sending.kick()
        return Response(200, dumps(message_interaction_json(req, row)))

    def fetch_message_interaction(req: Request, service_sid: str, session_sid: str, participant_sid: str,
                                  sid: str) -> Response:
        row = sessions.interaction(req.caller, service_sid, session_sid, sid, participant_sid)
        return Response(200, dumps(message_interaction_json(req, row)))

    own = access.OWN
    r.add(SESSIONS, access=own, GET=("ListSession", list_sessions), POST=("CreateSession", create_session))
    r.add(SESSION, access=own, GET=("FetchSession", fetch_session), POST=("UpdateSession", update_session),
          DELETE=("DeleteSession", delete_session))
    r.add(PARTICIPANTS, access=own, GET=("ListParticipant", list_participants),
          POST=("CreateParticipant", create_participant))
    r.add(PARTICIPANT, access=own, GET=("FetchParticipant", fetch_participant),
          DELETE=("DeleteParticipant", delete_participant))
    r.add(INTERACTIONS, access=own, GET=("ListInteraction", list_interactions))
    r.add(INTERACTION, access=own, GET=("FetchInteraction", fetch_interaction),
          DELETE=("DeleteInteraction", delete_interaction))
    r.add(MESSAGE_INTERACTIONS, access=own, GET=("ListMessageInteraction", list_message_interactions),
          POST=("CreateMessageInteraction", create_message_interaction))
    r.add(MESSAGE_INTERACTION, access=own, GET=("FetchMessageInteraction", fetch_message_interaction))

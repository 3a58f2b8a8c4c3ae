"""numberpool's own API for calls: CallRules (how calls to a number go: answered, busy, no-answer
or failed, after how long, and what the callee presses) and the Calls view (every call of the
caller's family, with the verbs its TwiML ran and every request made for it)."""

from __future__ import annotations

import re
from typing import Any

import orjson

from numberpool.domain import access, errors
from numberpool.domain.backend import Backend
from numberpool.domain.calls import OUTCOMES
from numberpool.http.request import Request, Response
from numberpool.http.router import Path, Router
from numberpool.http.wire import dumps, iso8601, v1_page
from numberpool.products.api2010.calls import FILTERS, call_filter, call_json
from numberpool.products.control import rules
from numberpool.products.paging import parse_page
from numberpool.store import calls as q
from numberpool.store.calls import CallFilter

RULES, RULE = Path("/v1/CallRules"), Path("/v1/CallRules/{Sid}")
CALLS, CALL = Path("/v1/Calls"), Path("/v1/Calls/{Sid}")
ANSWERED_BY = ("human", "machine_start", "machine_end_beep", "machine_end_silence", "machine_end_other", "fax",
               "unknown")
MAX_SECONDS = 86_400
MAX_DIGITS = 100
_RULE_TO = re.compile(r"^\+[1-9][0-9]{1,14}$|^\+[0-9]{0,14}\*$")
_DIGITS = re.compile(r"^[0-9*#w]{0,32}$")
_DIRECTIONS = ("outbound-api", "outbound-dial", "inbound")


def _seconds(name: str, raw: str | None) -> int:
    if raw is None or raw == "":
        return 0
    if not (raw.isascii() and raw.isdigit()) or int(raw) > MAX_SECONDS:
        raise errors.invalid_parameter(name, f"{errors.shown(raw)} is not a whole number of seconds from 0 to {MAX_SECONDS}")
    return int(raw)


def rule_fields(form: Any, digits: list[str]) -> dict[str, Any]:
    """A CallRule's fields from the form, checked (400, 20001 naming the field)."""
    to = form.get("To")
    if not to:
        raise errors.missing_parameter("To")
    if not _RULE_TO.match(to):
        raise errors.invalid_parameter("To", f"{errors.shown(to)} is neither an E.164 number nor a prefix ending in *")
    status = form.get("Status") or "answered"
    if status not in OUTCOMES:
        raise errors.invalid_parameter("Status", f"{errors.shown(status)} is not one of {', '.join(OUTCOMES)}")
    if len(digits) > MAX_DIGITS:
        raise errors.invalid_parameter("Digits", f"at most {MAX_DIGITS} values")
    for value in digits:
        if not _DIGITS.match(value):
            raise errors.invalid_parameter("Digits", f"{errors.shown(value)} is not keys of a phone pad (0-9, *, #, w)")
    answered_by = form.get("AnsweredBy") or "human"
    if answered_by not in ANSWERED_BY:
        raise errors.invalid_parameter("AnsweredBy", f"{errors.shown(answered_by)} is not one of {', '.join(ANSWERED_BY)}")
    return {"to_pattern": to, "status": status, "ring_seconds": _seconds("RingSeconds", form.get("RingSeconds")),
            "hold_seconds": _seconds("HoldSeconds", form.get("HoldSeconds")), "digits": orjson.dumps(digits).decode(),
            "duration": _seconds("Duration", form.get("Duration")), "answered_by": answered_by}


def rule_json(req: Request, r: Any) -> dict[str, Any]:
    return {
        "sid": r.sid, "account_sid": r.account_sid, "to": r.to_pattern, "status": r.status,
        "ring_seconds": r.ring_seconds, "hold_seconds": r.hold_seconds, "digits": orjson.loads(r.digits),
        "duration": r.duration, "answered_by": r.answered_by, "date_created": iso8601(r.date_created),
        "url": req.base_url + RULE.format(Sid=r.sid),
    }


def view_json(req: Request, c: Any) -> dict[str, Any]:
    """numberpool's view of a call: Twilio's fields, then its legs, the verbs its TwiML ran and
    every request made for it."""
    return {**call_json(c), "url": req.base_url + CALL.format(Sid=c.sid), "peer_call_sid": c.peer_sid,
            "sip_url": c.sip_url, "verbs": orjson.loads(c.verbs), "deliveries": orjson.loads(c.deliveries)}


def register(r: Router, b: Backend) -> None:
    def list_calls(req: Request) -> Response:
        page = parse_page(req.query, "CA")
        base = call_filter(req.query)
        direction = req.query.get("Direction") or None
        if direction is not None and direction not in _DIRECTIONS:
            raise errors.invalid_parameter("Direction", f"{errors.shown(direction)} is not one of {', '.join(_DIRECTIONS)}")
        which = CallFilter(base.to_number, base.from_number, base.parent_call_sid, base.status, base.started,
                           base.ended, direction)
        rows, more = b.calls.family_list(req.caller, which, page)
        echo = [(k, req.query[k]) for k in (*FILTERS, "Direction") if req.query.get(k)]
        body = v1_page("calls", [view_json(req, c) for c in rows], req.base_url, CALLS.format(), echo, page,
                       rows[0].sid if rows else None, rows[-1].sid if rows else None, more)
        return Response(200, dumps(body))

    def fetch_call(req: Request, sid: str) -> Response:
        return Response(200, dumps(view_json(req, b.calls.view(req.caller, sid))))

    rules.register(r, b, name="CallRule", key="call_rules", prefix="CL", collection=RULES, item=RULE,
                   table=q.rules, fields=lambda req: rule_fields(req.form, req.form_list("Digits")), render=rule_json)
    r.add(CALLS, access=access.FAMILY, GET=("ListCall", list_calls))
    r.add(CALL, access=access.FAMILY, GET=("FetchCall", fetch_call))

"""Calls.json and Calls/{Sid}.json: placing, reading, redirecting, canceling and ending calls."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from numberpool.domain import access, errors, phone
from numberpool.domain.accounts import Account
from numberpool.domain.backend import Backend
from numberpool.domain.calls import EVENTS, OutgoingCall, Redirect
from numberpool.domain.errors import TwilioError
from numberpool.http.request import Request, Response
from numberpool.http.router import Router
from numberpool.http.wire import dumps, rfc2822, v2010_page
from numberpool.products import params as p
from numberpool.products.api2010 import urls
from numberpool.products.paging import parse_page
from numberpool.store.calls import CallFilter
from numberpool.webhooks import twiml as documents

MAX_TWIML = 4000
_ACTED_ON = {"To", "From", "Url", "Method", "FallbackUrl", "FallbackMethod", "Twiml", "ApplicationSid",
             "StatusCallback", "StatusCallbackMethod", "StatusCallbackEvent", "Timeout", "MachineDetection"}
STATUSES = ("queued", "ringing", "in-progress", "canceled", "completed", "failed", "busy", "no-answer")
MACHINE_DETECTION = ("Enable", "DetectMessageEnd")


def call_json(c: Any) -> dict[str, Any]:
    """The Call as Twilio shows it (``api.v2010.account.call``): RFC 2822 dates, ``duration`` a
    string, empty until the call has ended."""
    ended = c.status in ("completed", "busy", "no-answer", "failed", "canceled")
    return {
        "account_sid": c.account_sid,
        "annotation": None,
        "answered_by": c.answered_by,
        "api_version": "2010-04-01",
        "caller_name": None,
        "date_created": rfc2822(c.date_created),
        "date_updated": rfc2822(c.date_updated),
        "direction": c.direction,
        "duration": str(c.duration or 0) if ended else None,
        "end_time": rfc2822(c.end_time) if c.end_time is not None else None,
        "forwarded_from": None,
        "from": c.from_number,
        "from_formatted": phone.shown(c.from_number),
        "group_sid": None,
        "parent_call_sid": c.parent_call_sid,
        "phone_number_sid": c.phone_number_sid,
        "price": c.price,
        "price_unit": "USD",
        "queue_time": "0",
        "sid": c.sid,
        "start_time": rfc2822(c.start_time) if c.start_time is not None else None,
        "status": c.status,
        # Twilio links a call's Recordings, Notifications, Events and more; numberpool serves
        # none of them and links only what answers (tests/api/test_links.py follows every link).
        "subresource_uris": {},
        "to": c.to_number,
        "to_formatted": phone.shown(c.to_number),
        "trunk_sid": c.trunk_sid,
        "uri": urls.CALL.format(AccountSid=c.account_sid, Sid=c.sid),
    }


def _call_url(name: str, raw: str | None) -> str | None:
    if not raw:
        return None
    try:
        return p.url(name, raw)
    except TwilioError:
        raise errors.invalid_call_url(name, raw) from None


def _method(name: str, raw: str | None) -> str:
    return p.method(name, raw) if raw else "POST"


def _twiml(raw: str | None) -> str | None:
    if not raw:
        return None
    if len(raw) > MAX_TWIML:
        raise errors.invalid_parameter("Twiml", f"at most {MAX_TWIML} characters, {len(raw)} given")
    try:
        documents.voice(raw.encode())
    except documents.TwimlError as exc:
        raise errors.invalid_parameter("Twiml", f"not a TwiML document ({exc})") from None
    return raw


def events(raw: list[str]) -> tuple[str, ...]:
    """``StatusCallbackEvent``: repeated keys (as the SDK sends them) or one space-separated list
    (as TwiML writes it), each one of Twilio's four (else 21626); ``completed`` alone by default."""
    values = [e for item in raw for e in item.replace(",", " ").split()]
    for value in values:
        if value not in EVENTS:
            raise errors.invalid_status_callback_event(value)
    return tuple(dict.fromkeys(values)) or ("completed",)


def outgoing(form: Mapping[str, str], event_values: list[str]) -> OutgoingCall:
    """A create's parameters, each checked for its form (what needs the database: the domain)."""
    to = form.get("To")
    if not to:
        raise errors.call_to_required()
    if not phone.possible(to):
        raise errors.invalid_call_to(to)
    from_ = form.get("From")
    if not from_:
        raise errors.call_from_required()
    if not phone.is_e164(from_):
        raise errors.invalid_from_number(from_)
    raw_timeout = form.get("Timeout")
    timeout = 60
    if raw_timeout:
        try:
            timeout = int(raw_timeout, 10)
        except ValueError:
            raise errors.invalid_parameter("Timeout", f"{errors.shown(raw_timeout)} is not a whole number of seconds") from None
        if not 1 <= timeout <= 600:
            raise errors.invalid_parameter("Timeout", "must be between 1 and 600 seconds")
    detection = form.get("MachineDetection") or None
    if detection is not None and detection not in MACHINE_DETECTION:
        raise errors.invalid_parameter("MachineDetection", f"{errors.shown(detection)} is not Enable or DetectMessageEnd")
    callback = form.get("StatusCallback") or None
    if callback is not None:
        try:
            p.url("StatusCallback", callback)
        except TwilioError:
            raise errors.invalid_status_callback(callback) from None
    return OutgoingCall(
        to=to, from_=from_, url=_call_url("Url", form.get("Url")), method=_method("Method", form.get("Method")),
        fallback_url=_call_url("FallbackUrl", form.get("FallbackUrl")),
        fallback_method=_method("FallbackMethod", form.get("FallbackMethod")), twiml=_twiml(form.get("Twiml")),
        application_sid=p.sid("AP")("ApplicationSid", form.get("ApplicationSid", "")), status_callback=callback,
        status_callback_method=_method("StatusCallbackMethod", form.get("StatusCallbackMethod")),
        events=events(event_values), timeout=timeout, machine_detection=detection,
        extra={k: v for k, v in form.items() if k not in _ACTED_ON},
    )


def _range(query: Mapping[str, str], name: str) -> tuple[int | None, int | None]:
    """``StartTime``, ``StartTime<``, ``StartTime>`` (and EndTime's): date-granular, ``<`` before
    that day, ``>`` on or after it."""
    low = high = None
    if query.get(name):
        low, high = p.day(name, query[name])
    if query.get(name + "<"):
        high = p.day(name + "<", query[name + "<"])[0]
    if query.get(name + ">"):
        low = p.day(name + ">", query[name + ">"])[0]
    return low, high


def call_filter(query: Mapping[str, str]) -> CallFilter:
    status = query.get("Status") or None
    if status is not None and status not in STATUSES:
        raise errors.invalid_parameter("Status", f"{errors.shown(status)} is not one of {', '.join(STATUSES)}")
    parent = query.get("ParentCallSid") or None
    return CallFilter(to_number=query.get("To") or None, from_number=query.get("From") or None,
                      parent_call_sid=parent, status=status, started=_range(query, "StartTime"),
                      ended=_range(query, "EndTime"))


FILTERS = ("To", "From", "ParentCallSid", "Status", "StartTime", "StartTime<", "StartTime>", "EndTime", "EndTime<",
           "EndTime>")


def register(r: Router, b: Backend) -> None:
    def _account(req: Request, account_sid: str) -> Account:
        return b.accounts.resolve_active(req.caller, account_sid)

    async def create_call(req: Request, account_sid: str) -> Response:
        out = outgoing(req.form, req.form_list("StatusCallbackEvent"))
        row = await b.db.call(_create, req, account_sid, out)
        if row.pending:
            b.sending.kick()  # after the answer is written: the work starts on the loop, never before
        return Response(201, dumps(call_json(row)))

    def _create(req: Request, account_sid: str, out: OutgoingCall) -> Any:
        return b.calls.create(_account(req, account_sid), out)

    def list_calls(req: Request, account_sid: str) -> Response:
        account = _account(req, account_sid)
        page = parse_page(req.query, "CA")
        rows, more = b.calls.list(account, call_filter(req.query), page)
        echo = [(k, req.query[k]) for k in FILTERS if req.query.get(k)]
        body = v2010_page("calls", [call_json(c) for c in rows], urls.CALLS.format(AccountSid=account.sid),
                          echo, page, rows[0].sid if rows else None, rows[-1].sid if rows else None, more)
        return Response(200, dumps(body))

    def fetch_call(req: Request, account_sid: str, sid: str) -> Response:
        return Response(200, dumps(call_json(b.calls.fetch(_account(req, account_sid), sid))))

    async def update_call(req: Request, account_sid: str, sid: str) -> Response:
        form = req.form
        status = form.get("Status") or None
        if status is not None and status not in ("canceled", "completed"):
            raise errors.invalid_parameter("Status", f"{errors.shown(status)} is not canceled or completed")
        url, twiml = _call_url("Url", form.get("Url")), _twiml(form.get("Twiml"))
        if url is not None and twiml is not None:
            raise errors.invalid_parameter("Twiml", "Twiml and Url are mutually exclusive")
        redirect = None
        if url is not None:
            redirect = Redirect(url=url, method=_method("Method", form.get("Method")))
        elif twiml is not None:
            redirect = Redirect(twiml=twiml)
        callback = None
        if form.get("StatusCallback"):
            if url is None:  # "it is required to set the Url in the same statement"
                raise errors.invalid_parameter("StatusCallback", "can be updated only with a Url in the same request")
            try:
                callback = (p.url("StatusCallback", form["StatusCallback"]) or "",
                            _method("StatusCallbackMethod", form.get("StatusCallbackMethod")))
            except TwilioError:
                raise errors.invalid_status_callback(form["StatusCallback"]) from None
        row = await b.db.call(_update, req, account_sid, sid, status, redirect, callback)
        if status is not None or redirect is not None:
            b.sending.kick()
        return Response(200, dumps(call_json(row)))

    def _update(req: Request, account_sid: str, sid: str, status: str | None, redirect: Redirect | None,
                callback: tuple[str, str] | None) -> Any:
        return b.calls.update(_account(req, account_sid), sid, status, redirect, callback)

    def delete_call(req: Request, account_sid: str, sid: str) -> Response:
        b.calls.delete(_account(req, account_sid), sid)
        return Response(204)

    r.add(urls.CALLS, access=access.FAMILY, GET=("ListCall", list_calls), POST=("CreateCall", create_call))
    r.add(urls.CALL, access=access.FAMILY, GET=("FetchCall", fetch_call), POST=("UpdateCall", update_call),
          DELETE=("DeleteCall", delete_call))

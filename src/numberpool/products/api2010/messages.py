"""Messages.json, Messages/{Sid}.json and a message's Media: sending, reading, redacting, canceling."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import orjson

from numberpool.domain import access, errors, phone
from numberpool.domain.accounts import Account
from numberpool.domain.backend import Backend
from numberpool.domain.errors import TwilioError
from numberpool.domain.messages import MAX_VALIDITY, Outgoing
from numberpool.http.request import Request, Response
from numberpool.http.router import Router, database_only
from numberpool.http.wire import dumps, rfc2822, v2010_page
from numberpool.products import params as p
from numberpool.products.api2010 import urls
from numberpool.products.paging import parse_page
from numberpool.store.messages import MessageFilter

MAX_BODY = 1600
MAX_MEDIA = 10
_ALPHANUMERIC = re.compile(r"^(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11}$")  # an alphanumeric sender ID
_ACTED_ON = {"To", "From", "MessagingServiceSid", "Body", "MediaUrl", "ContentSid", "StatusCallback",
             "ApplicationSid", "ValidityPeriod", "SendAt", "ScheduleType", "SmartEncoded"}
_MESSAGE_PREFIXES = ("SM", "MM")


def message_json(m: Any) -> dict[str, Any]:
    """The Message as Twilio shows it (``api.v2010.account.message``): counts as strings, RFC 2822 dates."""
    return {
        "account_sid": m.account_sid,
        "api_version": "2010-04-01",
        "body": m.body,
        "date_created": rfc2822(m.date_created),
        "date_sent": rfc2822(m.date_sent) if m.date_sent is not None else None,
        "date_updated": rfc2822(m.date_updated),
        "direction": m.direction,
        "error_code": m.error_code,
        "error_message": m.error_message,
        "from": m.from_number,
        "messaging_service_sid": m.messaging_service_sid,
        "num_media": str(m.num_media),
        "num_segments": str(m.num_segments),
        "price": m.price,
        "price_unit": m.price_unit,
        "sid": m.sid,
        "status": m.status,
        "subresource_uris": {
            # Twilio also links ``feedback``; numberpool does not serve MessageFeedback, and links only
            # what answers (tests/api/test_links.py follows every link).
            "media": urls.MESSAGE_MEDIA_LIST.format(AccountSid=m.account_sid, MessageSid=m.sid),
        },
        "to": m.to_number,
        "uri": urls.MESSAGE.format(AccountSid=m.account_sid, Sid=m.sid),
    }


def media_json(account_sid: str, message_sid: str, media: dict[str, Any]) -> dict[str, Any]:
    return {
        "account_sid": account_sid,
        "content_type": media["content_type"],
        "date_created": rfc2822(media["date_created"]),
        "date_updated": rfc2822(media["date_created"]),
        "parent_sid": message_sid,
        "sid": media["sid"],
        "uri": urls.MESSAGE_MEDIA.format(AccountSid=account_sid, MessageSid=message_sid, Sid=media["sid"]),
    }


def _to(raw: str | None) -> str:
    """A possible E.164 number (``phone.possible``). ``whatsapp:``, ``rcs:``: out of scope, 21211."""
    if not raw:
        raise errors.to_number_required()
    if not phone.possible(raw):
        raise errors.invalid_to_number(raw)
    return raw


def _from(raw: str) -> str:
    if not (phone.is_e164(raw) or _ALPHANUMERIC.match(raw)):
        raise errors.invalid_from_number(raw)
    return raw


def _http_url(raw: str) -> bool:
    try:
        return p.url("MediaUrl", raw) is not None
    except TwilioError:
        return False


def _send_at(raw: str) -> int:
    try:
        return p.iso_timestamp(raw)
    except ValueError:
        raise errors.invalid_send_at(raw) from None


def outgoing(form: Mapping[str, str], media: list[str]) -> Outgoing:
    """A create's parameters, each checked for its form (what needs the database: the domain)."""
    to = _to(form.get("To"))
    service_sid = form.get("MessagingServiceSid") or None
    from_ = form.get("From") or None
    if from_ is not None and from_.startswith("MG") and service_sid is None:
        from_, service_sid = None, from_  # From may name the Service itself
    if from_ is not None:
        from_ = _from(from_)
    body = form.get("Body", "")
    if len(body) > MAX_BODY:
        raise errors.body_too_long(MAX_BODY)
    media = [m for m in media if m != ""]
    if len(media) > MAX_MEDIA:
        raise errors.invalid_media(f"at most {MAX_MEDIA} MediaUrl, {len(media)} given")
    for raw in media:
        if not _http_url(raw):
            raise errors.invalid_media(f"{errors.shown(raw)} is not an http(s) URL")
    callback = form.get("StatusCallback") or None
    if callback is not None:
        try:
            p.url("StatusCallback", callback)
        except TwilioError:
            raise errors.invalid_status_callback(callback) from None
        if "_" in (urlsplit(callback).hostname or ""):  # "URL must contain a valid hostname and underscores are not allowed"
            raise errors.invalid_status_callback(callback)
    validity = None
    raw_validity = form.get("ValidityPeriod")
    if raw_validity:
        try:
            validity = int(raw_validity, 10)
        except ValueError:
            raise errors.invalid_validity_period(raw_validity) from None
        if not 1 <= validity <= MAX_VALIDITY:
            raise errors.invalid_validity_period(raw_validity)
    application_sid = p.sid("AP")("ApplicationSid", form.get("ApplicationSid", ""))
    schedule_type = form.get("ScheduleType") or None
    raw_send_at = form.get("SendAt") or None
    smart = form.get("SmartEncoded")
    return Outgoing(
        to=to, from_=from_, service_sid=service_sid, body=body, media=media, content_sid=form.get("ContentSid") or None,
        status_callback=callback, application_sid=application_sid, validity_period=validity,
        send_at=_send_at(raw_send_at) if raw_send_at is not None else None, schedule_type=schedule_type,
        smart_encoded=p.boolean("SmartEncoded", smart) if smart else None,
        extra={k: v for k, v in form.items() if k not in _ACTED_ON},
    )


def message_filter(query: Mapping[str, str]) -> MessageFilter:
    to, from_ = query.get("To") or None, query.get("From") or None
    on = p.day("DateSent", query["DateSent"]) if query.get("DateSent") else None
    before = p.day("DateSent<", query["DateSent<"])[1] if query.get("DateSent<") else None
    after = p.day("DateSent>", query["DateSent>"])[0] if query.get("DateSent>") else None
    return MessageFilter(to_number=to, from_number=from_, sent_on=on, sent_from=after, sent_before=before)


def register(r: Router, b: Backend) -> None:
    def _account(req: Request, account_sid: str) -> Account:
        return b.accounts.resolve_active(req.caller, account_sid)

    @database_only  # on PostgreSQL, to its end on the request's thread: one hop
    async def create_message(req: Request, account_sid: str) -> Response:
        out = outgoing(req.form, req.form_list("MediaUrl"))
        row = await b.messages.finish(await b.db.call(_create, req, account_sid, out))
        if row.pending:
            b.sending.kick()  # after the answer is written: the work starts on the loop, never before
        return Response(201, dumps(message_json(row)))

    def _create(req: Request, account_sid: str, out: Outgoing) -> Any:
        return b.messages.create(_account(req, account_sid), out)

    def list_messages(req: Request, account_sid: str) -> Response:
        account = _account(req, account_sid)
        page = parse_page(req.query, _MESSAGE_PREFIXES)
        rows, more = b.messages.list(account, message_filter(req.query), page)
        echo = [(k, req.query[k]) for k in ("To", "From", "DateSent", "DateSent<", "DateSent>") if req.query.get(k)]
        body = v2010_page("messages", [message_json(m) for m in rows], urls.MESSAGES.format(AccountSid=account.sid),
                          echo, page, rows[0].sid if rows else None, rows[-1].sid if rows else None, more)
        return Response(200, dumps(body))

    def fetch_message(req: Request, account_sid: str, sid: str) -> Response:
        return Response(200, dumps(message_json(b.messages.fetch(_account(req, account_sid), sid))))

    async def update_message(req: Request, account_sid: str, sid: str) -> Response:
        status = req.form.get("Status")
        row = await b.db.call(_update, req, account_sid, sid, req.form.get("Body"), status or None)
        if status:
            b.sending.kick()  # the canceled callback
        return Response(200, dumps(message_json(row)))

    def _update(req: Request, account_sid: str, sid: str, body: str | None, status: str | None) -> Any:
        return b.messages.update(_account(req, account_sid), sid, body, status)

    def delete_message(req: Request, account_sid: str, sid: str) -> Response:
        b.messages.delete(_account(req, account_sid), sid)
        return Response(204)

    def list_media(req: Request, account_sid: str, message_sid: str) -> Response:
        account = _account(req, account_sid)
        page = parse_page(req.query, "ME")
        row, media = b.messages.media(account, message_sid)
        media = _media_filtered(media, req.query)
        media.sort(key=lambda m: m["sid"])
        if page.after is not None:
            media = [m for m in media if m["sid"] > page.after]
        elif page.before is not None:
            media = [m for m in media if m["sid"] < page.before][-page.size:]
        else:
            media = media[page.page * page.size:]
        more = len(media) > page.size
        media = media[: page.size]
        body = v2010_page("media_list", [media_json(account.sid, row.sid, m) for m in media],
                          urls.MESSAGE_MEDIA_LIST.format(AccountSid=account.sid, MessageSid=row.sid), [], page,
                          media[0]["sid"] if media else None, media[-1]["sid"] if media else None, more)
        return Response(200, dumps(body))

    def fetch_media(req: Request, account_sid: str, message_sid: str, sid: str) -> Response:
        account = _account(req, account_sid)
        row, media = b.messages.media(account, message_sid)
        for m in media:
            if m["sid"] == sid:
                return Response(200, dumps(media_json(account.sid, row.sid, m)))
        raise errors.not_found()

    def delete_media(req: Request, account_sid: str, message_sid: str, sid: str) -> Response:
        b.messages.delete_media(_account(req, account_sid), message_sid, sid)
        return Response(204)

    r.add(urls.MESSAGES, access=access.FAMILY,
          GET=("ListMessage", list_messages), POST=("CreateMessage", create_message))
    r.add(urls.MESSAGE, access=access.FAMILY, GET=("FetchMessage", fetch_message),
          POST=("UpdateMessage", update_message), DELETE=("DeleteMessage", delete_message))
    r.add(urls.MESSAGE_MEDIA_LIST, access=access.FAMILY, GET=("ListMedia", list_media))
    r.add(urls.MESSAGE_MEDIA, access=access.FAMILY, GET=("FetchMedia", fetch_media),
          DELETE=("DeleteMedia", delete_media))


def _media_filtered(media: list[dict[str, Any]], query: Mapping[str, str]) -> list[dict[str, Any]]:
    on = p.day("DateCreated", query["DateCreated"]) if query.get("DateCreated") else None
    before = p.day("DateCreated<", query["DateCreated<"])[1] if query.get("DateCreated<") else None
    after = p.day("DateCreated>", query["DateCreated>"])[0] if query.get("DateCreated>") else None
    return [m for m in media if (on is None or on[0] <= m["date_created"] < on[1])
            and (before is None or m["date_created"] < before) and (after is None or m["date_created"] >= after)]


def deliveries(row: Any) -> list[dict[str, Any]]:
    return orjson.loads(row.deliveries)

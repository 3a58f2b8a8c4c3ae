"""Applications.json and Applications/{Sid}.json."""

from __future__ import annotations

from typing import Any

from numberpool.domain import access
from numberpool.domain.accounts import Account
from numberpool.domain.backend import Backend
from numberpool.http.request import Request, Response
from numberpool.http.router import Router
from numberpool.http.wire import dumps, rfc2822, v2010_page
from numberpool.products import params as p
from numberpool.products.api2010 import urls
from numberpool.products.paging import parse_page
from numberpool.store.db import Row

APPLICATION = p.Form(p.params(
    FriendlyName=p.text(64), ApiVersion=p.enum("2010-04-01", "2008-08-01"),
    VoiceUrl=p.url, VoiceMethod=p.method, VoiceFallbackUrl=p.url, VoiceFallbackMethod=p.method,
    VoiceCallerIdLookup=p.boolean, StatusCallback=p.url, StatusCallbackMethod=p.method,
    SmsUrl=p.url, SmsMethod=p.method, SmsFallbackUrl=p.url, SmsFallbackMethod=p.method,
    SmsStatusCallback=p.url, MessageStatusCallback=p.url, PublicApplicationConnectEnabled=p.boolean,
))
APPLICATION_LIST = p.Form(p.params(FriendlyName=p.text(64)))


def application_json(a: Row) -> dict[str, Any]:
    """The Application as the spec's examples show it: unset URLs and name are null."""
    return {
        "account_sid": a.account_sid,
        "api_version": a.api_version,
        "date_created": rfc2822(a.date_created),
        "date_updated": rfc2822(a.date_updated),
        "friendly_name": a.friendly_name,
        "message_status_callback": a.message_status_callback,
        "sid": a.sid,
        "sms_fallback_method": a.sms_fallback_method,
        "sms_fallback_url": a.sms_fallback_url,
        "sms_method": a.sms_method,
        "sms_status_callback": a.sms_status_callback,
        "sms_url": a.sms_url,
        "status_callback": a.status_callback,
        "status_callback_method": a.status_callback_method,
        "uri": urls.APPLICATION.format(AccountSid=a.account_sid, Sid=a.sid),
        "voice_caller_id_lookup": a.voice_caller_id_lookup,
        "voice_fallback_method": a.voice_fallback_method,
        "voice_fallback_url": a.voice_fallback_url,
        "voice_method": a.voice_method,
        "voice_url": a.voice_url,
        "public_application_connect_enabled": a.public_application_connect_enabled,
    }


def register(r: Router, b: Backend) -> None:
    def _account(req: Request, account_sid: str) -> Account:
        return b.accounts.resolve_active(req.caller, account_sid)

    def list_applications(req: Request, account_sid: str) -> Response:
        account = _account(req, account_sid)
        page = parse_page(req.query, "AP")
        filters = APPLICATION_LIST.parse(req.query)
        rows, more = b.applications.list(account, page, friendly_name=filters.get("friendly_name"))
        echo = [("FriendlyName", req.query["FriendlyName"])] if "FriendlyName" in req.query else []
        body = v2010_page(
            "applications", [application_json(a) for a in rows], urls.APPLICATIONS.format(AccountSid=account.sid),
            echo, page, rows[0].sid if rows else None, rows[-1].sid if rows else None, more,
        )
        return Response(200, dumps(body))

    def create_application(req: Request, account_sid: str) -> Response:
        account = _account(req, account_sid)
        return Response(201, dumps(application_json(b.applications.create(account, APPLICATION.parse(req.form)))))

    def fetch_application(req: Request, account_sid: str, sid: str) -> Response:
        return Response(200, dumps(application_json(b.applications.fetch(_account(req, account_sid), sid))))

    def update_application(req: Request, account_sid: str, sid: str) -> Response:
        account = _account(req, account_sid)
        values = APPLICATION.parse(req.form)
        return Response(200, dumps(application_json(b.applications.update(account, sid, values))))

    def delete_application(req: Request, account_sid: str, sid: str) -> Response:
        b.applications.delete(_account(req, account_sid), sid)
        return Response(204)

    r.add(urls.APPLICATIONS, access=access.FAMILY,
          GET=("ListApplication", list_applications), POST=("CreateApplication", create_application))
    r.add(urls.APPLICATION, access=access.FAMILY,
          GET=("FetchApplication", fetch_application), POST=("UpdateApplication", update_application),
          DELETE=("DeleteApplication", delete_application))

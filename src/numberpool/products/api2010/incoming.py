"""IncomingPhoneNumbers.json, its Local/Mobile/TollFree lists, and IncomingPhoneNumbers/{Sid}.json."""

from __future__ import annotations

from typing import Any

from numberpool.domain import access
from numberpool.domain.accounts import Account
from numberpool.domain.backend import Backend
from numberpool.http.request import Request, Response
from numberpool.http.router import Handler, Path, Router, database_only
from numberpool.http.wire import dumps, rfc2822, v2010_page
from numberpool.products.api2010 import params, urls
from numberpool.products.paging import parse_page
from numberpool.store.db import Row

# Stored number type -> the `type` field Twilio shows.
TYPE_FIELD = {
    "Local": "local", "Mobile": "mobile", "TollFree": "toll-free", "National": "national",
    "Voip": "voip", "SharedCost": "shared-cost", "MachineToMachine": "machine-to-machine",
}
_NUMBER_URI = urls.INCOMING_PHONE_NUMBER.format  # (AccountSid, Sid): called positionally, as an f-string is
_ADD_ONS_URI = urls.ASSIGNED_ADD_ONS.format  # (AccountSid, ResourceSid)


def number_json(n: Row) -> dict[str, Any]:
    """The IncomingPhoneNumber as Twilio shows it (seed 004): unset sms/application fields are
    empty strings, unset voice URLs and trunk are null."""
    account_sid, sid, number_type = n.account_sid, n.sid, n.number_type
    return {
        "account_sid": account_sid,
        "address_requirements": n.address_requirements,
        "address_sid": n.address_sid,
        "api_version": n.api_version,
        "beta": n.beta,
        "capabilities": {"voice": n.cap_voice, "sms": n.cap_sms, "mms": n.cap_mms, "fax": n.cap_fax},
        "date_created": rfc2822(n.date_created),
        "date_updated": rfc2822(n.date_updated),
        "emergency_status": n.emergency_status,
        "emergency_address_sid": n.emergency_address_sid,
        "emergency_address_status": n.emergency_address_status,
        "friendly_name": n.friendly_name,
        "identity_sid": n.identity_sid,
        "origin": n.origin,
        "phone_number": n.phone_number,
        "sid": sid,
        "sms_application_sid": n.sms_application_sid or "",
        "sms_fallback_method": n.sms_fallback_method,
        "sms_fallback_url": n.sms_fallback_url or "",
        "sms_method": n.sms_method,
        "sms_url": n.sms_url or "",
        "status_callback": n.status_callback or "",
        "status_callback_method": n.status_callback_method,
        "trunk_sid": n.trunk_sid,
        "uri": _NUMBER_URI(account_sid, sid),
        "voice_application_sid": n.voice_application_sid or "",
        "voice_caller_id_lookup": n.voice_caller_id_lookup,
        "voice_fallback_method": n.voice_fallback_method,
        "voice_fallback_url": n.voice_fallback_url,
        "voice_method": n.voice_method,
        "voice_url": n.voice_url,
        "voice_receive_mode": n.voice_receive_mode,
        "status": n.status,
        "bundle_sid": n.bundle_sid,
        "type": TYPE_FIELD.get(number_type) or number_type.lower(),
        "subresource_uris": {"assigned_add_ons": _ADD_ONS_URI(account_sid, sid)},
    }


def register(r: Router, b: Backend) -> None:
    def _account(req: Request, account_sid: str) -> Account:
        return b.accounts.resolve_active(req.caller, account_sid)

    def lister(number_type: str | None, path: Path) -> tuple[Handler, Handler]:
        def list_numbers(req: Request, account_sid: str) -> Response:
            account = _account(req, account_sid)
            page = parse_page(req.query, "PN")
            rows, more = b.numbers.list(account, params.number_filter(req.query, number_type), page)
            echo = [(k, req.query[k]) for k in params.NUMBER_LIST_ECHO if k in req.query]
            body = v2010_page(
                "incoming_phone_numbers", [number_json(n) for n in rows], path.format(AccountSid=account.sid), echo, page,
                rows[0].sid if rows else None, rows[-1].sid if rows else None, more,
            )
            return Response(200, dumps(body))

        @database_only
        async def create_number(req: Request, account_sid: str) -> Response:
            account = await b.db.call(_account, req, account_sid)  # off the event loop on PostgreSQL
            config = params.NUMBER_CONFIG.parse(req.form)
            row = await b.numbers.provision(account, phone_number=req.form.get("PhoneNumber") or None,
                                            area_code=req.form.get("AreaCode") or None, number_type=number_type,
                                            config=config)
            return Response(201, dumps(number_json(row)))

        return list_numbers, create_number

    def fetch_number(req: Request, account_sid: str, sid: str) -> Response:
        return Response(200, dumps(number_json(b.numbers.fetch(_account(req, account_sid), sid))))

    def update_number(req: Request, account_sid: str, sid: str) -> Response:
        account = _account(req, account_sid)
        config = params.NUMBER_CONFIG.parse(req.form)
        move_to = params.MOVE_TO.parse(req.form).get("account_sid")
        return Response(200, dumps(number_json(b.numbers.update(req.caller, account, sid, config, move_to=move_to))))

    def release_number(req: Request, account_sid: str, sid: str) -> Response:
        b.numbers.release(_account(req, account_sid), sid)
        return Response(204)

    list_all, create_any = lister(None, urls.INCOMING_PHONE_NUMBERS)
    r.add(urls.INCOMING_PHONE_NUMBERS, access=access.FAMILY, GET=("ListIncomingPhoneNumber", list_all),
          POST=("CreateIncomingPhoneNumber", create_any))
    for number_type, path in urls.INCOMING_PHONE_NUMBERS_OF_TYPE.items():
        list_typed, create_typed = lister(number_type, path)
        r.add(path, access=access.FAMILY, GET=(f"ListIncomingPhoneNumber{number_type}", list_typed),
              POST=(f"CreateIncomingPhoneNumber{number_type}", create_typed))
    r.add(urls.INCOMING_PHONE_NUMBER, access=access.FAMILY, GET=("FetchIncomingPhoneNumber", fetch_number),
          POST=("UpdateIncomingPhoneNumber", update_number), DELETE=("DeleteIncomingPhoneNumber", release_number))

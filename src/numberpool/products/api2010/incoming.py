"""IncomingPhoneNumbers.json, its Local/Mobile/TollFree lists, and IncomingPhoneNumbers/{Sid}.json."""

from __future__ import annotations

from typing import Any

from numberpool.domain.numbers import SUBRESOURCE_TYPES
from numberpool.domain.paging import parse_page
from numberpool.http.request import Request, Response
from numberpool.http.router import Router
from numberpool.http.wire import dumps, rfc2822, v2010_page
from numberpool.products.services import Services
from numberpool.store.db import Row

# Stored number type -> the `type` field Twilio shows.
TYPE_FIELD = {
    "Local": "local", "Mobile": "mobile", "TollFree": "toll-free", "National": "national",
    "Voip": "voip", "SharedCost": "shared-cost", "MachineToMachine": "machine-to-machine",
}
LIST_ECHO = ("FriendlyName", "Beta", "PhoneNumber", "Origin")


def number_json(n: Row) -> dict[str, Any]:
    """The IncomingPhoneNumber as Twilio shows it (seed 004): unset sms/application fields are
    empty strings, unset voice URLs and trunk are null."""
    base = f"/2010-04-01/Accounts/{n.account_sid}/IncomingPhoneNumbers/{n.sid}"
    return {
        "account_sid": n.account_sid,
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
        "sid": n.sid,
        "sms_application_sid": n.sms_application_sid or "",
        "sms_fallback_method": n.sms_fallback_method,
        "sms_fallback_url": n.sms_fallback_url or "",
        "sms_method": n.sms_method,
        "sms_url": n.sms_url or "",
        "status_callback": n.status_callback or "",
        "status_callback_method": n.status_callback_method,
        "trunk_sid": n.trunk_sid,
        "uri": f"{base}.json",
        "voice_application_sid": n.voice_application_sid or "",
        "voice_caller_id_lookup": n.voice_caller_id_lookup,
        "voice_fallback_method": n.voice_fallback_method,
        "voice_fallback_url": n.voice_fallback_url,
        "voice_method": n.voice_method,
        "voice_url": n.voice_url,
        "voice_receive_mode": n.voice_receive_mode,
        "status": n.status,
        "bundle_sid": n.bundle_sid,
        "type": TYPE_FIELD.get(n.number_type, n.number_type.lower()),
        "subresource_uris": {"assigned_add_ons": f"{base}/AssignedAddOns.json"},
    }


def register(r: Router, s: Services) -> None:
    def _account(req: Request, account_sid: str):
        return s.accounts.resolve_active(req.caller, account_sid, req.full_path)

    def lister(number_type: str | None, path_suffix: str):
        def list_numbers(req: Request, account_sid: str) -> Response:
            account = _account(req, account_sid)
            page = parse_page(req.query, "PN")
            rows, more = s.numbers.list(account, req.query, number_type, page)
            echo = [(k, req.query[k]) for k in LIST_ECHO if k in req.query]
            body = v2010_page(
                "incoming_phone_numbers", [number_json(n) for n in rows],
                f"/2010-04-01/Accounts/{account.sid}/IncomingPhoneNumbers{path_suffix}.json", echo, page,
                rows[0].sid if rows else None, rows[-1].sid if rows else None, more,
            )
            return Response(200, dumps(body))

        async def create_number(req: Request, account_sid: str) -> Response:
            account = _account(req, account_sid)
            return Response(201, dumps(number_json(await s.numbers.provision(account, req.form, number_type))))

        return list_numbers, create_number

    def fetch_number(req: Request, account_sid: str, sid: str) -> Response:
        account = _account(req, account_sid)
        return Response(200, dumps(number_json(s.numbers.fetch(account, sid, req.full_path))))

    def update_number(req: Request, account_sid: str, sid: str) -> Response:
        account = _account(req, account_sid)
        return Response(200, dumps(number_json(s.numbers.update(req.caller, account, sid, req.form, req.full_path))))

    def release_number(req: Request, account_sid: str, sid: str) -> Response:
        account = _account(req, account_sid)
        s.numbers.release(account, sid, req.full_path)
        return Response(204)

    base = "/2010-04-01/Accounts/{AccountSid}/IncomingPhoneNumbers"
    list_all, create_any = lister(None, "")
    r.add(base + ".json", GET=list_all, POST=create_any)
    for segment, number_type in SUBRESOURCE_TYPES.items():
        list_typed, create_typed = lister(number_type, "/" + segment)
        r.add(f"{base}/{segment}.json", GET=list_typed, POST=create_typed)
    r.add(base + "/{Sid}.json", GET=fetch_number, POST=update_number, DELETE=release_number)

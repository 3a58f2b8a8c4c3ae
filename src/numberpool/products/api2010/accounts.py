"""Accounts.json and Accounts/{Sid}.json."""

from __future__ import annotations

from typing import Any

from numberpool.domain.accounts import Account
from numberpool.domain.paging import parse_page
from numberpool.http.request import Request, Response
from numberpool.http.router import Router
from numberpool.http.wire import dumps, rfc2822, v2010_page
from numberpool.products.services import Services

# The account's sub-resources, as Twilio lists them in subresource_uris.
SUBRESOURCES = {
    "addresses": "Addresses", "conferences": "Conferences", "signing_keys": "SigningKeys",
    "transcriptions": "Transcriptions", "connect_apps": "ConnectApps", "sip": "SIP",
    "authorized_connect_apps": "AuthorizedConnectApps", "usage": "Usage", "keys": "Keys",
    "applications": "Applications", "recordings": "Recordings", "short_codes": "SMS/ShortCodes",
    "calls": "Calls", "notifications": "Notifications", "incoming_phone_numbers": "IncomingPhoneNumbers",
    "queues": "Queues", "messages": "Messages", "outgoing_caller_ids": "OutgoingCallerIds",
    "available_phone_numbers": "AvailablePhoneNumbers", "balance": "Balance",
}


def account_json(a: Account) -> dict[str, Any]:
    base = f"/2010-04-01/Accounts/{a.sid}"
    return {
        "auth_token": a.auth_token,
        "date_created": rfc2822(a.date_created),
        "date_updated": rfc2822(a.date_updated),
        "friendly_name": a.friendly_name,
        "owner_account_sid": a.owner_account_sid,
        "sid": a.sid,
        "status": a.status,
        "subresource_uris": {k: f"{base}/{v}.json" for k, v in SUBRESOURCES.items()},
        "type": a.type,
        "uri": f"{base}.json",
    }


def register(r: Router, s: Services) -> None:
    def list_accounts(req: Request) -> Response:
        page = parse_page(req.query, "AC")
        items, more = s.accounts.list(req.caller, req.query, page)
        echo = [(k, req.query[k]) for k in ("FriendlyName", "Status") if k in req.query]
        body = v2010_page(
            "accounts", [account_json(a) for a in items], "/2010-04-01/Accounts.json", echo, page,
            items[0].sid if items else None, items[-1].sid if items else None, more,
        )
        return Response(200, dumps(body))

    def create_account(req: Request) -> Response:
        return Response(201, dumps(account_json(s.accounts.create_subaccount(req.caller, req.form))))

    def fetch_account(req: Request, sid: str) -> Response:
        return Response(200, dumps(account_json(s.accounts.resolve(req.caller, sid, req.full_path))))

    def update_account(req: Request, sid: str) -> Response:
        target = s.accounts.resolve(req.caller, sid, req.full_path)
        return Response(200, dumps(account_json(s.accounts.update(req.caller, target, req.form))))

    r.add("/2010-04-01/Accounts.json", GET=list_accounts, POST=create_account)
    r.add("/2010-04-01/Accounts/{Sid}.json", GET=fetch_account, POST=update_account)

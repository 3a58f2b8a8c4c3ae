"""Accounts.json and Accounts/{Sid}.json."""

from __future__ import annotations

from typing import Any

from numberpool.domain import access
from numberpool.domain.accounts import Account
from numberpool.domain.backend import Backend
from numberpool.http.request import Request, Response
from numberpool.http.router import Router
from numberpool.http.wire import dumps, rfc2822, v2010_page
from numberpool.products.api2010 import params, urls
from numberpool.products.paging import parse_page

# The account's sub-resources numberpool serves, by Twilio's names for them in subresource_uris.
# Twilio lists some twenty (calls, messages, queues, ...); one numberpool does not serve is left
# out rather than given as a link that answers 404 (tests/api/test_links.py follows every link).
SUBRESOURCES = {
    "applications": urls.APPLICATIONS,
    "calls": urls.CALLS,
    "incoming_phone_numbers": urls.INCOMING_PHONE_NUMBERS,
    "available_phone_numbers": urls.AVAILABLE_COUNTRIES,
    "keys": urls.KEYS,
    "messages": urls.MESSAGES,
}


def account_json(a: Account) -> dict[str, Any]:
    return {
        "auth_token": a.auth_token,
        "date_created": rfc2822(a.date_created),
        "date_updated": rfc2822(a.date_updated),
        "friendly_name": a.friendly_name,
        "owner_account_sid": a.owner_account_sid,
        "sid": a.sid,
        "status": a.status,
        "subresource_uris": {k: path.format(AccountSid=a.sid) for k, path in SUBRESOURCES.items()},
        "type": a.type,
        "uri": urls.ACCOUNT.format(Sid=a.sid),
    }


def register(r: Router, b: Backend) -> None:
    def list_accounts(req: Request) -> Response:
        page = parse_page(req.query, "AC")
        filters = params.ACCOUNT_LIST.parse(req.query)
        items, more = b.accounts.list(req.caller, page, friendly_name=filters.get("friendly_name"),
                                      status=filters.get("status"))
        echo = [(k, req.query[k]) for k in ("FriendlyName", "Status") if k in req.query]
        body = v2010_page(
            "accounts", [account_json(a) for a in items], urls.ACCOUNTS.format(), echo, page,
            items[0].sid if items else None, items[-1].sid if items else None, more,
        )
        return Response(200, dumps(body))

    def create_account(req: Request) -> Response:
        values = params.ACCOUNT_CREATE.parse(req.form)
        return Response(201, dumps(account_json(b.accounts.create_subaccount(req.caller, values.get("friendly_name")))))

    def fetch_account(req: Request, sid: str) -> Response:
        return Response(200, dumps(account_json(b.accounts.resolve(req.caller, sid))))

    def update_account(req: Request, sid: str) -> Response:
        target = b.accounts.resolve(req.caller, sid)
        values = params.ACCOUNT_UPDATE.parse(req.form)
        updated = b.accounts.update(req.caller, target, friendly_name=values.get("friendly_name"), status=values.get("status"))
        return Response(200, dumps(account_json(updated)))

    r.add(urls.ACCOUNTS, access=access.FAMILY_NO_KEYS,
          GET=("ListAccount", list_accounts), POST=("CreateAccount", create_account))
    r.add(urls.ACCOUNT, access=access.FAMILY_NO_KEYS,
          GET=("FetchAccount", fetch_account), POST=("UpdateAccount", update_account))

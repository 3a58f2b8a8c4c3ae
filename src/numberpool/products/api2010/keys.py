"""API keys (2010-04-01): ``Keys.json`` (create, list) and ``Keys/{Sid}.json`` (fetch, update, delete)."""

from __future__ import annotations

from typing import Any

from numberpool.domain import access
from numberpool.domain.accounts import Account
from numberpool.domain.backend import Backend
from numberpool.http.request import Request, Response
from numberpool.http.router import Router
from numberpool.http.wire import dumps, rfc2822, v2010_page
from numberpool.products.api2010 import urls
from numberpool.products.paging import parse_page
from numberpool.products.params import Form, params, text
from numberpool.store.db import Row

FORM = Form(params(FriendlyName=text(64)))


def key_json(k: Row) -> dict[str, Any]:
    """``api.v2010.account.key``: no secret, ever, after the create answer."""
    return {"sid": k.sid, "friendly_name": k.friendly_name, "date_created": rfc2822(k.date_created),
            "date_updated": rfc2822(k.date_updated)}


def register(r: Router, b: Backend) -> None:
    def account(req: Request, account_sid: str) -> Account:
        return b.accounts.resolve_active(req.caller, account_sid)

    def list_keys(req: Request, account_sid: str) -> Response:
        owner = account(req, account_sid)
        page = parse_page(req.query, "SK")
        rows, more = b.keys.list(owner, page)
        body = v2010_page("keys", [key_json(k) for k in rows], urls.KEYS.format(AccountSid=owner.sid), [], page,
                          rows[0].sid if rows else None, rows[-1].sid if rows else None, more)
        return Response(200, dumps(body))

    def create_key(req: Request, account_sid: str) -> Response:
        owner = account(req, account_sid)
        row, secret = b.keys.create(owner, FORM.parse(req.form).get("friendly_name"))
        return Response(201, dumps({**key_json(row), "secret": secret}))  # ``api.v2010.account.new_key``

    def fetch_key(req: Request, account_sid: str, sid: str) -> Response:
        return Response(200, dumps(key_json(b.keys.fetch(account(req, account_sid), sid))))

    def update_key(req: Request, account_sid: str, sid: str) -> Response:
        return Response(200, dumps(key_json(b.keys.update(account(req, account_sid), sid, FORM.parse(req.form)))))

    def delete_key(req: Request, account_sid: str, sid: str) -> Response:
        b.keys.delete(account(req, account_sid), sid)
        return Response(204)

    r.add(urls.KEYS, access=access.FAMILY_NO_KEYS, GET=("ListKey", list_keys), POST=("CreateNewKey", create_key))
    r.add(urls.KEY, access=access.FAMILY_NO_KEYS,
          GET=("FetchKey", fetch_key), POST=("UpdateKey", update_key), DELETE=("DeleteKey", delete_key))

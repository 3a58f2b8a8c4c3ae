"""What the console shows a signed-in account, read from the store and decided by the domain.

Where a number's traffic would go is decided by ``domain.routing`` from
``store.inbound.routing_state``: the very decision the server makes when an event arrives.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from numberpool.console import proxy
from numberpool.domain import errors, routing
from numberpool.domain.accounts import Account
from numberpool.domain.backend import Backend
from numberpool.domain.routing import Route
from numberpool.domain.sids import is_sid
from numberpool.store import console as q
from numberpool.store.inbound import EventFilter, routing_state
from numberpool.store.messages import MessageFilter
from numberpool.store.paging import PageRequest

ACCOUNTS_SHOWN = 100
NUMBERS_SHOWN = 50
POOLS_SHOWN = 50
EVENTS_SHOWN = 20
MESSAGES_SHOWN = 20
MAX_QUERY = 64
_NUMBER_LIKE = re.compile(r"^[0-9+()\-. ]+$")


@dataclass(frozen=True)
class NumberView:
    row: Any
    sms: Route | None  # None: the number went away between the two reads
    call: Route | None


@dataclass(frozen=True)
class Overview:
    account: Account
    accounts: list[Any]
    more_accounts: bool
    query: str
    numbers: list[NumberView]
    more_numbers: bool
    pools: q.Pools
    proxy: proxy.ProxyView  # the Proxy Services' sessions and their numbers' in_use
    events: list[Any]  # inbound event records, newest first
    messages: list[Any]  # Messages API rows, newest first
    event: Any  # the record asked for with ?event=SID (the one just sent), or None


def search_terms(query: str) -> tuple[str | None, str | None]:
    """``(digits, text)``: a query made of digits and phone punctuation searches the numbers by
    their digits and the friendly names by the text; any other query, the friendly names only."""
    query = query.strip()
    if not query:
        return None, None
    if _NUMBER_LIKE.match(query) and any(c.isdigit() for c in query):
        return re.sub(r"[^0-9]", "", query), query
    return None, query


def number_views(backend: Backend, account: Account, query: str) -> tuple[list[NumberView], bool]:
    digits, text = search_terms(query)
    rows = q.family_numbers(backend.db, account.sid, digits, text, NUMBERS_SHOWN)
    views = []
    for row in rows[:NUMBERS_SHOWN]:
        state = routing_state(backend.db, row.phone_number)
        if state is None:
            views.append(NumberView(row, None, None))
        else:
            views.append(NumberView(row, routing.route_message(state), routing.route_call(state)))
    return views, len(rows) > NUMBERS_SHOWN


def recent_events(backend: Backend, account: Account, size: int = EVENTS_SHOWN) -> list[Any]:
    """The newest messages and calls of the account's family, merged newest first (SIDs are
    time-ordered after their two-letter prefix)."""
    req = PageRequest(size, 0)
    rows: list[Any] = []
    for kind in ("message", "call"):
        rows += backend.inbound.list(account, kind, EventFilter(), req)[0]
    rows.sort(key=lambda r: r.sid[2:], reverse=True)
    return rows[:size]


def recent_messages(backend: Backend, account: Account, size: int = MESSAGES_SHOWN) -> list[Any]:
    """The newest messages of the account's family (its own and its subaccounts'; a subaccount's,
    its own), as ``GET /numberpool/v1/Messages`` lists them."""
    return backend.messages.family_list(account, MessageFilter(), PageRequest(size, 0))[0][:size]


def event_record(backend: Backend, account: Account, sid: str) -> Any:
    """The event ``sid`` if the account may see it; 20404 otherwise."""
    kind = "message" if sid.startswith("SM") else "call"
    try:
        if not (is_sid(sid, "SM") or is_sid(sid, "CA")):
            raise errors.not_found()
        return backend.inbound.fetch(account, kind, sid)
    except errors.NotFound:
        raise errors.not_found(f"event {errors.shown(sid)}") from None


def load(backend: Backend, account: Account, query: str, event: Any = None) -> Overview:
    query = query[:MAX_QUERY]
    accounts = q.family_accounts(backend.db, account.sid, ACCOUNTS_SHOWN)
    numbers, more_numbers = number_views(backend, account, query)
    pools = q.family_pools(backend.db, account.sid, POOLS_SHOWN)
    sessions = proxy.load(backend.db, [p.row.sid for p in pools.proxy])
    return Overview(account, accounts[:ACCOUNTS_SHOWN], len(accounts) > ACCOUNTS_SHOWN, query, numbers, more_numbers,
                    pools, sessions, recent_events(backend, account), recent_messages(backend, account), event)

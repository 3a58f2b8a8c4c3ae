"""api.twilio.com 2010-04-01: Accounts, IncomingPhoneNumbers, AvailablePhoneNumbers, Applications, Keys, Messages."""

from __future__ import annotations

from numberpool.domain.backend import Backend
from numberpool.http.router import Router
from numberpool.products.api2010 import accounts, add_ons, applications, available, calls, incoming, keys, messages


def router(backend: Backend) -> Router:
    r = Router()
    accounts.register(r, backend)
    incoming.register(r, backend)
    add_ons.register(r, backend)
    available.register(r, backend)
    applications.register(r, backend)
    keys.register(r, backend)
    messages.register(r, backend)
    calls.register(r, backend)
    return r

"""api.twilio.com 2010-04-01: Accounts, IncomingPhoneNumbers, AvailablePhoneNumbers."""

from __future__ import annotations

from numberpool.http.router import Router
from numberpool.products.api2010 import accounts, available, incoming
from numberpool.products.services import Services


def router(services: Services) -> Router:
    r = Router()
    accounts.register(r, services)
    incoming.register(r, services)
    available.register(r, services)
    return r

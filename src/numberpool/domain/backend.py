"""The domain objects one server process holds, which every product's routes call."""

from __future__ import annotations

from dataclasses import dataclass

from numberpool.domain.accounts import Accounts
from numberpool.domain.applications import Applications
from numberpool.domain.calls import Calls, CallWork
from numberpool.domain.inbound import Inbound, Transport
from numberpool.domain.keys import Keys
from numberpool.domain.messages import Messages, Sending
from numberpool.domain.numbers import Numbers
from numberpool.domain.origination_urls import OriginationUrls
from numberpool.domain.pools.base import PoolLimits
from numberpool.domain.pools.messaging import MessagingServices
from numberpool.domain.pools.proxy import ProxyServices
from numberpool.domain.pools.sessions import Sessions
from numberpool.domain.pools.trunking import Trunks
from numberpool.store.db import Database


@dataclass(frozen=True)
class Backend:
    db: Database
    accounts: Accounts
    numbers: Numbers
    messaging: MessagingServices
    trunks: Trunks
    proxy: ProxyServices
    applications: Applications
    origination_urls: OriginationUrls
    inbound: Inbound
    keys: Keys
    messages: Messages
    sending: Sending
    sessions: Sessions
    calls: Calls

    @classmethod
    def open(cls, db: Database, limits: PoolLimits | None = None, transport: Transport | None = None) -> Backend:
        limits = limits or PoolLimits()
        if transport is None:
            from numberpool.webhooks.http import HttpTransport

            transport = HttpTransport()
        accounts = Accounts(db)
        trunks = Trunks(db)
        inbound = Inbound(db, transport)
        sending = Sending(db, inbound)
        inbound.on_queued = sending.kick  # replies to an inbound message are sent as any message
        sessions = Sessions(db)
        sending.sessions = sessions
        messages = Messages(db)
        calls = Calls(db)
        sending.calls = CallWork(db, inbound, sending)
        inbound.call_record = calls.record_inbound
        inbound.session_for = sessions.session_for  # traffic to a Proxy number between participants
        inbound.relay = lambda conn, session_sid, participant_sid, kind, inbound_side, data: sessions.relay(
            conn, session_sid, participant_sid, kind, inbound_side, data, messages.send_in, calls.place_in)
        return cls(db, accounts, Numbers(db, accounts), MessagingServices(db, limits.messaging), trunks,
                   ProxyServices(db, limits), Applications(db), OriginationUrls(db, trunks.parents),
                   inbound, Keys(db), messages, sending, sessions, calls)

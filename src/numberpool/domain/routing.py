"""Who receives an inbound message or call: Twilio's precedence, decided from stored state.

One pure function per kind of traffic, from a :class:`~numberpool.store.inbound.RoutingState`
(everything the decision may consult, read at one moment) to a :class:`Route`: which resource
decided, which webhook is asked first, which one is asked when that fails, and which one hears
that a call ended. Nothing here makes a request; ``domain.inbound`` runs the route.

Messages (INBOUND.md, "Routing"; the precedence table of docs/inbound.md):
  1. a Messaging Service that does not defer to the number: its inbound request URL, or dropped
     when it has none ("receiving inbound messages is disabled");
  2. a Proxy Service: its out-of-session callback URL, or dropped (numberpool has no sessions);
  3. the number's SMS Application: that Application's sms_* URLs;
  4. the number's own sms_* URLs;
  5. nothing: a deferring Messaging Service's inbound request URL (choice), else no handler.
Calls (Messaging Services play no part):
  1. a trunk: SIP to its enabled origination URL of lowest priority, then highest weight (choice:
     deterministic, the oldest on a tie); with none enabled, its disaster recovery URL;
  2. a Proxy Service, as for messages;
  3. the number's Voice Application; 4. the number's own voice_* URLs; 5. no handler.
A Proxy Service comes before the number's own URLs because adding a number to a Proxy Service
points the number's webhooks at Proxy (choice: a Messaging Service that does not defer still wins
for messages, as on Twilio, where such a number needs "Defer to sender's webhook" for Proxy).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from numberpool.store.inbound import RoutingState


@dataclass(frozen=True)
class Webhook:
    url: str
    method: str  # GET or POST


@dataclass(frozen=True)
class Route:
    """Where one inbound event goes. ``primary`` is asked first; ``fallback`` when the primary
    fails; ``status_callback`` hears that a call ended. The sids say what decided."""

    route: str
    primary: Webhook | None = None
    fallback: Webhook | None = None
    status_callback: Webhook | None = None
    purpose: str = "primary"  # "disaster_recovery" when a trunk has no origination URL to take the call
    messaging_service_sid: str | None = None  # also sent to the webhook as MessagingServiceSid
    application_sid: str | None = None
    trunk_sid: str | None = None
    proxy_service_sid: str | None = None
    sip_url: str | None = None


def _hook(url: str | None, method: str) -> Webhook | None:
    return Webhook(url, method) if url else None


def _handlers(row: Any, prefix: str) -> tuple[Webhook | None, Webhook | None]:
    """A number's or an Application's ``{prefix}_url`` and ``{prefix}_fallback_url`` with their methods."""
    return (_hook(getattr(row, f"{prefix}_url"), getattr(row, f"{prefix}_method")),
            _hook(getattr(row, f"{prefix}_fallback_url"), getattr(row, f"{prefix}_fallback_method")))


def _proxy(state: RoutingState, messaging_service_sid: str | None = None) -> Route:
    service = state.proxy_service
    assert service is not None
    hook = _hook(service.out_of_session_callback_url, "POST")
    return Route("proxy" if hook else "dropped", hook, proxy_service_sid=service.sid,
                 messaging_service_sid=messaging_service_sid)


def route_message(state: RoutingState) -> Route:
    service = state.messaging_service
    ms_sid = service.sid if service is not None else None
    if service is not None and not service.use_inbound_webhook_on_number:
        primary = _hook(service.inbound_request_url, service.inbound_method)
        if primary is None:
            return Route("dropped", messaging_service_sid=ms_sid)
        return Route("messaging_service", primary, _hook(service.fallback_url, service.fallback_method),
                     messaging_service_sid=ms_sid)
    if state.proxy_service is not None:
        return _proxy(state, messaging_service_sid=ms_sid)
    app = state.sms_application
    if app is not None:
        primary, fallback = _handlers(app, "sms")
        if primary is not None or service is None:
            return Route("sms_application" if primary else "no_handler", primary, fallback,
                         messaging_service_sid=ms_sid, application_sid=app.sid)
    else:
        primary, fallback = _handlers(state.number, "sms")
        if primary is not None:
            return Route("number", primary, fallback, messaging_service_sid=ms_sid)
    if service is not None:  # deferred to the number, which has no handler: the Service's own URL
        primary = _hook(service.inbound_request_url, service.inbound_method)
        if primary is None:
            return Route("dropped", messaging_service_sid=ms_sid)
        return Route("messaging_service", primary, _hook(service.fallback_url, service.fallback_method),
                     messaging_service_sid=ms_sid)
    return Route("no_handler")


def choose_origination_url(urls: Sequence[Any]) -> Any | None:
    """The enabled origination URL a call goes to: lowest priority, then highest weight, then oldest."""
    enabled = [u for u in urls if u.enabled]
    return min(enabled, key=lambda u: (u.priority, -u.weight, u.sid)) if enabled else None


def route_call(state: RoutingState) -> Route:
    trunk = state.trunk
    if trunk is not None:
        chosen = choose_origination_url(state.origination_urls)
        if chosen is not None:
            return Route("trunk", trunk_sid=trunk.sid, sip_url=chosen.sip_url)
        recovery = _hook(trunk.disaster_recovery_url, trunk.disaster_recovery_method)
        return Route("trunk", recovery, trunk_sid=trunk.sid, purpose="disaster_recovery")
    if state.proxy_service is not None:
        return _proxy(state)
    app = state.voice_application
    row = app if app is not None else state.number
    primary, fallback = _handlers(row, "voice")
    status = _hook(row.status_callback, row.status_callback_method)
    if app is not None:
        return Route("voice_application" if primary else "no_handler", primary, fallback, status,
                     application_sid=app.sid)
    return Route("number" if primary else "no_handler", primary, fallback, status)

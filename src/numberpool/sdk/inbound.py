"""Simulated inbound traffic: a message or a call arriving at a number of a numberpool server.

numberpool plays the carrier: ``receive_message`` and ``receive_call`` make the server route the
event to whatever the number points at (its Messaging Service, Application, sms/voice URLs,
Proxy Service or SIP trunk), call the webhooks as Twilio would, and answer with the record of
what happened (the route taken, each webhook delivery, the replies the TwiML asked for).

Both take a ``twilio.rest.Client`` made by :func:`numberpool.client`, so the request goes
through the SDK (its host rewriting, its credentials) to the numberpool server and never to
twilio.com.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from twilio.base.exceptions import TwilioRestException

from numberpool.sdk.redirect import RedirectedClient, is_twilio_host

if TYPE_CHECKING:
    from twilio.rest import Client

__all__ = ["INBOUND_CALLS_URI", "INBOUND_MESSAGES_URI", "receive_call", "receive_message"]

# Twilio-style absolute URIs: the numberpool client maps https://api.twilio.com/X to {base_url}/X.
INBOUND_MESSAGES_URI = "https://api.twilio.com/numberpool/v1/InboundMessages"
INBOUND_CALLS_URI = "https://api.twilio.com/numberpool/v1/InboundCalls"


def receive_message(client: Client, *, to: str, from_: str, body: str = "", media_urls: Iterable[str] = ()) -> dict[str, Any]:
    """A message from ``from_`` arrives at ``to``, a number some account of the server owns.

    ``media_urls`` become repeated ``MediaUrl`` parameters. Returns the server's record of the
    inbound message (``sid``, ``route``, ``deliveries``, ``replies``, ...). Raises ValueError
    if ``client`` is not a numberpool client, and ``TwilioRestException`` (with the HTTP status
    and the Twilio error code and message) if the server refuses the request.
    """
    data: dict[str, object] = {"To": to, "From": from_, "Body": body, "MediaUrl": list(media_urls)}
    return _create(client, INBOUND_MESSAGES_URI, data)


def receive_call(client: Client, *, to: str, from_: str, duration: int = 0) -> dict[str, Any]:
    """A call from ``from_`` arrives at ``to``, lasting ``duration`` seconds once answered.

    Returns the server's record of the inbound call (``sid``, ``route``, ``deliveries``, ...).
    Raises ValueError if ``client`` is not a numberpool client or ``duration`` is negative, and
    ``TwilioRestException`` if the server refuses the request.
    """
    if isinstance(duration, bool) or not isinstance(duration, int) or duration < 0:
        raise ValueError(f"the call duration must be a whole number of seconds, 0 or more, not {duration!r}")
    return _create(client, INBOUND_CALLS_URI, {"To": to, "From": from_, "CallDuration": str(duration)})


def _in_a_mock() -> bool:
    """Whether a numberpool.mock() is active: then any Client's request to Twilio is served in-process."""
    module = sys.modules.get("numberpool.testing.mock")
    return module is not None and module._active() is not None


def _numberpool_url(client: Client, uri: str) -> str:
    """Where ``client`` would send ``uri``; ValueError unless that is a numberpool server."""
    if not isinstance(client, RedirectedClient) and _in_a_mock():
        return uri
    if not isinstance(client, RedirectedClient) or not client.numberpool_base_url:
        raise ValueError("inbound traffic is simulated by numberpool: give a client made by numberpool.client(), "
                         "or use it inside numberpool.mock()")
    target = str(client.get_hostname(uri))
    if is_twilio_host(urlsplit(target).hostname):
        raise ValueError(f"this client's base URL {client.numberpool_base_url} is Twilio's, not a numberpool server")
    return target


def _create(client: Client, uri: str, data: dict[str, object]) -> dict[str, Any]:
    target = _numberpool_url(client, uri)
    response = client.request("POST", uri, data=data)
    status = int(response.status_code)
    if not 200 <= status < 300:
        raise _error(status, target, response.text)
    try:
        record = json.loads(response.text)
    except ValueError:
        record = None
    if not isinstance(record, dict):
        raise TwilioRestException(status, target, f"the server's answer is not a JSON record: {response.text[:200]!r}",
                                  None, "POST")
    return record


def _error(status: int, uri: str, text: str) -> TwilioRestException:
    """The SDK's exception for a refused request: the status, and the code and message of a Twilio error body."""
    try:
        payload = json.loads(text)
    except ValueError:
        payload = None
    if not isinstance(payload, dict):
        snippet = " ".join(text.split())[:200]
        return TwilioRestException(status, uri, f"HTTP {status}" + (f": {snippet}" if snippet else ""), status, "POST")
    message = payload.get("message")
    code = payload.get("code")
    return TwilioRestException(
        status, uri, str(message) if message is not None else f"HTTP {status}",
        code if isinstance(code, int) and not isinstance(code, bool) else status, "POST", payload.get("details"),
    )

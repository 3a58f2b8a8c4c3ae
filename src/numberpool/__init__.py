"""numberpool: a self-hosted server that speaks Twilio's phone-number APIs.

The public API: :func:`client` (the official SDK pointed at a numberpool server), :func:`mock`
(numberpool in this process, serving every ``twilio.rest.Client``), :func:`receive_message` and
:func:`receive_call` (a number receives traffic). The packages beside it: ``server`` (the
``numberpool`` command), ``testing`` (the mock and its pytest fixture), ``sdk`` (the client side),
``console``, and the core (``http``, ``products``, ``domain``, ``store``, ``webhooks``).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from numberpool.version import __version__

if TYPE_CHECKING:
    from twilio.rest import Client

    from numberpool.testing.mock import Mock

__all__ = ["__version__", "client", "mock", "receive_call", "receive_message"]


def client(base_url: str, username: str, password: str, **kwargs: Any) -> Client:
    """A ``twilio.rest.Client`` whose every request goes to ``base_url`` instead of twilio.com.

    ``username``/``password`` are what ``twilio.rest.Client`` takes: an account SID and its auth
    token, or an API key's SID and secret with ``account_sid=`` the key's account.
    ``https://api.twilio.com/X`` becomes ``{base_url}/X`` and ``https://messaging.twilio.com/X``
    becomes ``{base_url}/messaging/X`` (likewise trunking and proxy, and every region and edge
    form of these hosts), for first requests and followed next-page URLs alike, sync and async;
    a Twilio product numberpool does not serve raises ValueError before anything is sent.
    ``base_url`` may omit the scheme (``127.0.0.1:8080`` means ``http://127.0.0.1:8080``);
    anything that is not an http(s) URL raises ValueError.
    """
    from numberpool.sdk.redirect import redirected_client

    return redirected_client(base_url, username, password, **kwargs)


def receive_message(client: Client, *, to: str, from_: str, body: str = "", media_urls: Iterable[str] = ()) -> dict[str, Any]:
    """A message from ``from_`` arrives at ``to`` on the server ``client`` (from :func:`client`, or
    any client inside :func:`mock`) points at, and is routed as Twilio would.

    Returns the server's record (``sid``, ``route``, ``deliveries``, ``replies``, ...); see
    :func:`numberpool.sdk.inbound.receive_message`.
    """
    from numberpool.sdk import inbound

    return inbound.receive_message(client, to=to, from_=from_, body=body, media_urls=media_urls)


def receive_call(client: Client, *, to: str, from_: str, duration: int = 0) -> dict[str, Any]:
    """A call from ``from_`` arrives at ``to`` on the server ``client`` points at, and is routed as Twilio would.

    Returns the server's record (``sid``, ``route``, ``deliveries``, ...); see
    :func:`numberpool.sdk.inbound.receive_call`.
    """
    from numberpool.sdk import inbound

    return inbound.receive_call(client, to=to, from_=from_, duration=duration)


def send_message(client: Client, *, to: str, from_: str, body: str = "", media_urls: Iterable[str] = ()) -> dict[str, Any]:
    """Deprecated: :func:`receive_message` (the number *receives* the message)."""
    warnings.warn("numberpool.send_message is now numberpool.receive_message (the number receives the message)",
                  DeprecationWarning, stacklevel=2)
    return receive_message(client, to=to, from_=from_, body=body, media_urls=media_urls)


def place_call(client: Client, *, to: str, from_: str, duration: int = 0) -> dict[str, Any]:
    """Deprecated: :func:`receive_call` (the number *receives* the call)."""
    warnings.warn("numberpool.place_call is now numberpool.receive_call (the number receives the call)",
                  DeprecationWarning, stacklevel=2)
    return receive_call(client, to=to, from_=from_, duration=duration)


def mock(account_sid: str | None = None, auth_token: str | None = None) -> Mock:
    """A fresh numberpool in this process, serving every ``twilio.rest.Client``: a context manager
    (``with numberpool.mock() as m``) and a decorator. See :mod:`numberpool.testing.mock`."""
    from numberpool.testing.mock import mock as make

    return make(account_sid, auth_token)

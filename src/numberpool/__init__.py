"""numberpool: a self-hosted server that speaks Twilio's phone-number APIs."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from twilio.rest import Client

    from numberpool.inprocess import Mock

__all__ = ["client", "mock", "place_call", "send_message"]
__version__ = "0.1.0"


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
    from numberpool.testing import redirected_client

    return redirected_client(base_url, username, password, **kwargs)


def send_message(client: Client, *, to: str, from_: str, body: str = "", media_urls: Iterable[str] = ()) -> dict[str, Any]:
    """Simulate a message from ``from_`` arriving at ``to`` on the server ``client`` (from :func:`client`) points at.

    Returns the server's record (``sid``, ``route``, ``deliveries``, ``replies``, ...); see
    :func:`numberpool.inbound_client.send_message`.
    """
    from numberpool import inbound_client

    return inbound_client.send_message(client, to=to, from_=from_, body=body, media_urls=media_urls)


def place_call(client: Client, *, to: str, from_: str, duration: int = 0) -> dict[str, Any]:
    """Simulate a call from ``from_`` arriving at ``to`` on the server ``client`` (from :func:`client`) points at.

    Returns the server's record (``sid``, ``route``, ``deliveries``, ...); see
    :func:`numberpool.inbound_client.place_call`.
    """
    from numberpool import inbound_client

    return inbound_client.place_call(client, to=to, from_=from_, duration=duration)


def mock(account_sid: str | None = None, auth_token: str | None = None) -> Mock:
    """A fresh numberpool in this process, serving every ``twilio.rest.Client``: a context manager
    (``with numberpool.mock() as m``) and a decorator. See :mod:`numberpool.inprocess`."""
    from numberpool.inprocess import mock as make

    return make(account_sid, auth_token)

"""numberpool: a self-hosted server that speaks Twilio's phone-number APIs."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from twilio.rest import Client

__all__ = ["client"]
__version__ = "0.1.0"


def client(base_url: str, account_sid: str, auth_token: str, **kwargs: Any) -> Client:
    """A ``twilio.rest.Client`` whose every request goes to ``base_url`` instead of twilio.com.

    ``https://api.twilio.com/X`` becomes ``{base_url}/X`` and
    ``https://messaging.twilio.com/X`` becomes ``{base_url}/messaging/X`` (likewise
    trunking and proxy), for first requests and followed next-page URLs alike,
    sync and async. ``base_url`` may omit the scheme (``127.0.0.1:8080`` means
    ``http://127.0.0.1:8080``); anything that is not an http(s) URL raises ValueError.
    """
    from numberpool.testing import redirected_client

    return redirected_client(base_url, account_sid, auth_token, **kwargs)

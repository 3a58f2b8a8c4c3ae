"""Pointing the official twilio-python SDK at a numberpool server."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from twilio.rest import Client

_PRODUCT_PREFIX = {
    "api.twilio.com": "",
    "messaging.twilio.com": "/messaging",
    "trunking.twilio.com": "/trunking",
    "proxy.twilio.com": "/proxy",
}


class RedirectedClient(Client):
    """``get_hostname`` is the one hook every request passes through, sync and async."""

    numberpool_base_url: str = ""

    def get_hostname(self, uri: str) -> str:
        parts = urlsplit(uri)
        prefix = _PRODUCT_PREFIX.get(parts.netloc.lower())
        if prefix is None:  # already one of ours (an absolute next_page_url), or foreign
            return uri
        rest = parts.path + (f"?{parts.query}" if parts.query else "")
        return f"{self.numberpool_base_url}{prefix}{rest}"


def redirected_client(base_url: str, account_sid: str, auth_token: str, **kwargs: Any) -> Client:
    c = RedirectedClient(account_sid, auth_token, **kwargs)
    c.numberpool_base_url = base_url.rstrip("/")
    return c

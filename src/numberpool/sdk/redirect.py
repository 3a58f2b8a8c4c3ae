"""Pointing the official twilio-python SDK at a numberpool server."""

from __future__ import annotations

from typing import Any
from urllib.parse import SplitResult, urlsplit

from twilio.rest import Client

_PRODUCT_PREFIX = {"api": "", "messaging": "/messaging", "trunking": "/trunking", "proxy": "/proxy"}


def is_twilio_host(host: str | None) -> bool:
    """Whether ``host`` is Twilio's: ``twilio.com`` or any name under it, in any case, with or without
    the trailing dot of a fully qualified name (``api.twilio.com.``)."""
    name = (host or "").lower().rstrip(".")
    return name == "twilio.com" or name.endswith(".twilio.com")


def served_path(host: str, path: str) -> str | None:
    """The path on numberpool of a request for Twilio host ``host`` (lower case): the API's as it
    is, a v1 product's under its prefix (``/messaging/v1/...``; a path already under it stays);
    None for a Twilio product numberpool does not serve."""
    product = host.split(".", 1)[0]
    prefix = _PRODUCT_PREFIX.get(product)
    if prefix is None:
        return None
    return path if not prefix or path.startswith(prefix + "/") else prefix + path


class RedirectedClient(Client):
    """``get_hostname`` is the one hook every request passes through, sync and async.

    Every ``*.twilio.com`` host goes to the numberpool server, whatever region or edge it names
    (``api.ie1.twilio.com``, ``messaging.dublin.us1.twilio.com``); a Twilio product numberpool
    does not serve raises ValueError: nothing is ever sent to Twilio with these credentials."""

    numberpool_base_url: str = ""

    def get_hostname(self, uri: str) -> str:
        parts = urlsplit(uri)
        host = (parts.hostname or "").lower().rstrip(".")
        if not is_twilio_host(host):
            return uri  # already one of ours (an absolute next_page_url)
        path = served_path(host, parts.path)
        if path is None:
            raise ValueError(f"numberpool does not serve {host}; nothing was sent to Twilio")
        return f"{self.numberpool_base_url}{path}" + (f"?{parts.query}" if parts.query else "")


def _is_http_url(parts: SplitResult) -> bool:
    try:
        port_ok = parts.port is None or parts.port > 0
    except ValueError:  # a port that is no number, or out of range
        return False
    plain = not (parts.query or parts.fragment)
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname) and port_ok and plain


def normalize_base_url(base_url: str) -> str:
    """``base_url`` without its trailing slash; ``http://`` is assumed when it names no scheme
    (``127.0.0.1:8080``). ValueError for anything that is not an http(s) URL of a host."""
    text = base_url.strip() if isinstance(base_url, str) else ""
    if text and "://" not in text:
        text = "http://" + text
    if not _is_http_url(urlsplit(text)):
        raise ValueError(f"the base URL must be http(s)://HOST:PORT, optionally with a /PATH, not {base_url!r}")
    return text.rstrip("/")


def redirected_client(base_url: str, username: str, password: str, **kwargs: Any) -> Client:
    base = normalize_base_url(base_url)
    c = RedirectedClient(username, password, **kwargs)
    c.numberpool_base_url = base
    return c

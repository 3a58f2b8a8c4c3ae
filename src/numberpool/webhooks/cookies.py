"""The cookies of one inbound event, kept per host as a browser keeps them.

A cookie a webhook sets goes back only to the host that set it (compared without the port, as
browsers compare: ``127.0.0.1:8000`` and ``127.0.0.1:9000`` share cookies, ``localhost`` and
``127.0.0.1`` do not), on the later requests of the same event only. ``Max-Age=0`` (or less) and
an ``Expires`` in the past delete the cookie; a cookie whose ``Max-Age`` or ``Expires`` passes
during the event is no longer sent. ``Domain``, ``Path`` and ``Secure`` are not applied (choice):
a cookie is host-only and sent on every path of its host.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from http.cookies import CookieError, SimpleCookie


def host_key(host: str) -> str:
    """The host a cookie belongs to: lower-case, without a trailing dot or IPv6 brackets."""
    return host.strip("[]").rstrip(".").lower()


@dataclass
class _Cookie:
    value: str
    expires: float | None  # seconds since the epoch; None: for the whole event


@dataclass
class EventCookies:
    """Host -> name -> cookie, for one event."""

    hosts: dict[str, dict[str, _Cookie]] = field(default_factory=dict)

    def header(self, host: str, at: float | None = None) -> str | None:
        """The ``Cookie`` header for a request to ``host``, or None when it has no cookie."""
        at = time.time() if at is None else at
        jar = self.hosts.get(host_key(host), {})
        pairs = [f"{name}={c.value}" for name, c in jar.items() if c.expires is None or c.expires > at]
        return "; ".join(pairs) if pairs else None

    def store(self, host: str, set_cookie: str, at: float | None = None) -> None:
        """Apply one ``Set-Cookie`` header that ``host`` answered; one that cannot be read is ignored."""
        at = time.time() if at is None else at
        try:
            parsed = SimpleCookie(set_cookie)
        except CookieError:
            return
        jar = self.hosts.setdefault(host_key(host), {})
        for name, morsel in parsed.items():
            expires = _expiry(morsel["max-age"], morsel["expires"], at)
            if expires is not None and expires <= at:
                jar.pop(name, None)
            else:
                jar[name] = _Cookie(morsel.value, expires)


def _expiry(max_age: str, expires: str, at: float) -> float | None:
    """When the cookie ends: ``Max-Age`` wins over ``Expires`` (RFC 6265 5.3); None for neither.
    A value that cannot be read is ignored, as the RFC says."""
    max_age = max_age.strip()
    if max_age and (max_age.isdigit() or (max_age[0] == "-" and max_age[1:].isdigit())):
        return at + int(max_age) if int(max_age) > 0 else at  # zero or less: already expired
    if expires.strip():
        # On the first Expires only: http.cookiejar imports urllib.request and email (15 ms at start-up).
        from http.cookiejar import http2time  # type: ignore[attr-defined]  # public since Python 2, not in the stubs

        when = http2time(expires.strip())
        if when is not None:
            return float(when)
    return None

"""Where this server is, as the client sees it: the origin absolute URLs lead back to.

The v1 products answer absolute URLs (``meta.url``, ``next_page_url``, ``links``) that the SDKs
follow with the caller's credentials, so the host they name must be one the client asked for,
never text an attacker smuggled into a header: a ``Host`` that is not a plain ``host[:port]`` is
refused with a 400. Behind a TLS-terminating proxy the scheme and host the client used arrive in
``X-Forwarded-Proto`` / ``X-Forwarded-Host`` (or RFC 7239 ``Forwarded``); those headers are
believed only from the addresses the operator trusts (``serve --forwarded-allow-ips``, as
uvicorn's and granian's users know it), and never by default.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable

from numberpool.domain.errors import invalid_forwarded_scheme, invalid_host

_HOST = re.compile(
    r"^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?"
    r"|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?$"
)
_SCHEMES = ("http", "https")
FORWARDED_HEADERS = (b"forwarded", b"x-forwarded-proto", b"x-forwarded-host")

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def valid_host(host: str) -> bool:
    """``host[:port]``: a DNS name, an IPv4 address or a bracketed IPv6 address, nothing else."""
    return len(host) <= 260 and _HOST.match(host) is not None


class TrustedProxies:
    """The client addresses whose forwarding headers are believed (``*``: any)."""

    def __init__(self, networks: Iterable[Network], any_address: bool = False) -> None:
        self.networks = tuple(networks)
        self.any_address = any_address

    @classmethod
    def parse(cls, spec: str) -> TrustedProxies | None:
        """``"127.0.0.1, 10.0.0.0/8"`` or ``"*"``; None for an empty spec. ValueError if malformed."""
        items = [item.strip() for item in spec.split(",") if item.strip()]
        if not items:
            return None
        if "*" in items:
            return cls((), any_address=True)
        return cls(ipaddress.ip_network(item, strict=False) for item in items)

    def trusts(self, client: str | None) -> bool:
        if self.any_address:
            return True
        if not client:
            return False
        try:
            address = ipaddress.ip_address(client)
        except ValueError:
            return False  # a unix socket path or anything else that is no IP
        return any(address in network for network in self.networks)


def _first(value: str) -> str:
    """The first (client-most) entry of a list-valued header, as the nearest proxy appended."""
    return value.split(",", 1)[0].strip()


def _from_forwarded(value: str) -> tuple[str | None, str | None]:
    """``proto`` and ``host`` of the first element of an RFC 7239 ``Forwarded`` header."""
    proto = host = None
    for pair in _first(value).split(";"):
        name, _, raw = pair.partition("=")
        raw = raw.strip().strip('"')
        if name.strip().lower() == "proto":
            proto = raw
        elif name.strip().lower() == "host":
            host = raw
    return proto, host


def origin(scheme: str, host: str, forwarded: dict[bytes, bytes] | None) -> str:
    """``scheme://host`` for absolute URLs; ``forwarded`` holds a trusted proxy's headers, if any.

    Raises a 400 for a Host (or forwarded host) that is not a plain ``host[:port]`` and for a
    forwarded scheme other than http or https."""
    if forwarded:
        proto = fwd_host = None
        if b"forwarded" in forwarded:
            proto, fwd_host = _from_forwarded(forwarded[b"forwarded"].decode("latin-1"))
        if b"x-forwarded-proto" in forwarded:
            proto = _first(forwarded[b"x-forwarded-proto"].decode("latin-1"))
        if b"x-forwarded-host" in forwarded:
            fwd_host = _first(forwarded[b"x-forwarded-host"].decode("latin-1"))
        if proto is not None:
            if proto.lower() not in _SCHEMES:
                raise invalid_forwarded_scheme()
            scheme = proto.lower()
        if fwd_host is not None:
            if not valid_host(fwd_host):
                raise invalid_host("forwarded Host")
            host = fwd_host
    if not host:
        return f"{scheme}://localhost"
    if not valid_host(host):
        raise invalid_host("Host")
    return f"{scheme}://{host}"

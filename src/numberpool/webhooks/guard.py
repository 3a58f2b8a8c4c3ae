"""``--webhook-deny-private``: webhook requests only to public addresses, for shared deployments.

Without it any account could point a webhook at an address only the server can reach (cloud
metadata on 169.254.169.254, an admin port on 127.0.0.1) and make the server request it. With it,
the host of every webhook request is resolved once, when the connection is made, and refused when
any address it resolves to is loopback, link-local, private, unspecified, multicast or reserved
(an IPv4 address inside IPv6, mapped, 6to4, Teredo or NAT64, is judged as that IPv4 address).
The connection then goes to an address that was checked, never to a second lookup's answer, so
DNS rebinding cannot swap it; TLS still names and verifies the host of the URL. A refused request
is answered as a host that cannot be resolved, error 11210 (Twilio's "the host name does not
resolve to an address Twilio can reach"), and nothing is sent.

The check lives in the connection pool's network backend (httpcore's), so it holds for every
request and redirect of the client, whatever the URL says.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable, Iterable
from typing import TYPE_CHECKING, Any

from numberpool.webhooks.http import HttpTransport, PrivateAddress

if TYPE_CHECKING:
    import httpcore
    import httpx

Resolver = Callable[[str, int], Awaitable[list[str]]]
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def is_public(address: str) -> bool:
    """Whether webhooks may connect to ``address`` (an IP address, no brackets)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if embedded is None and ip in _NAT64:
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None and not is_public(str(embedded)):
            return False
    return ip.is_global and not (ip.is_loopback or ip.is_link_local or ip.is_private or ip.is_unspecified
                                 or ip.is_multicast or ip.is_reserved)


async def resolve(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to (an IP address resolves to itself), in the resolver's order."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    seen: list[str] = []
    for info in infos:
        address = str(info[4][0])
        if address not in seen:
            seen.append(address)
    return seen


def _network_backend(inner: Any, resolver: Resolver) -> httpcore.AsyncNetworkBackend:
    import httpcore

    class PublicOnly(httpcore.AsyncNetworkBackend):
        """Connects only to public addresses, each one that was checked (no second lookup)."""

        async def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                              local_address: str | None = None,
                              socket_options: Iterable[Any] | None = None) -> httpcore.AsyncNetworkStream:
            addresses = await resolver(host, port)
            refused = [a for a in addresses if not is_public(a)]
            if refused or not addresses:
                raise PrivateAddress(f"{host} resolves to {refused[0] if refused else 'nothing'}:"
                                     " webhooks may not reach it (--webhook-deny-private)")
            failure: Exception | None = None
            for address in addresses:
                try:
                    return await inner.connect_tcp(address, port, timeout=timeout, local_address=local_address,
                                                   socket_options=socket_options)
                except (httpcore.ConnectError, httpcore.ConnectTimeout, OSError) as exc:
                    failure = exc
            assert failure is not None
            raise failure

        async def connect_unix_socket(self, path: str, timeout: float | None = None,
                                      socket_options: Iterable[Any] | None = None) -> httpcore.AsyncNetworkStream:
            raise PrivateAddress("webhooks do not use Unix sockets")

        async def sleep(self, seconds: float) -> None:
            await inner.sleep(seconds)

    return PublicOnly()


def public_only_transport(limits: httpx.Limits, resolver: Resolver = resolve,
                          inner: Any = None) -> httpx.AsyncBaseTransport:
    """An httpx transport whose connections go to checked public addresses only."""
    import httpcore
    import httpx

    transport = httpx.AsyncHTTPTransport(trust_env=False, limits=limits)
    # httpx takes no network backend of its own: its pool (``_pool``) is replaced by the same pool
    # with the checking backend. The tests prove the check holds (a refused address sees no request).
    transport._pool = httpcore.AsyncConnectionPool(
        ssl_context=httpx.create_ssl_context(trust_env=False),
        max_connections=limits.max_connections, max_keepalive_connections=limits.max_keepalive_connections,
        keepalive_expiry=limits.keepalive_expiry,
        network_backend=_network_backend(inner or httpcore.AnyIOBackend(), resolver),
    )
    return transport


class PublicHttpTransport(HttpTransport):
    """:class:`HttpTransport` that refuses private addresses (``--webhook-deny-private``)."""

    def _make_client(self, transport: httpx.AsyncBaseTransport | None = None) -> httpx.AsyncClient:
        import httpx

        # The same limits as HttpTransport's own client (which an explicit transport does not take).
        limits = httpx.Limits(max_connections=1000, max_keepalive_connections=100)
        return super()._make_client(transport or public_only_transport(limits))

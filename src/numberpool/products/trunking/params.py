"""The parameters a Trunk and an OriginationUrl take."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from numberpool.domain.errors import invalid_sip_url, invalid_trunk_domain
from numberpool.products import params as p

_DOMAIN = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.pstn(?:\.[a-z0-9-]+)?\.twilio\.com$")


def domain_name(name: str, raw: str) -> str | None:
    """``DomainName``: a label ending in ``.pstn.twilio.com``; the empty string clears it."""
    if raw == "":
        return None
    if not _DOMAIN.match(raw):
        raise invalid_trunk_domain(name, raw)
    return raw.lower()


TRUNK = p.Form(
    p.params(
        FriendlyName=p.text(64), DomainName=domain_name, DisasterRecoveryUrl=p.url, DisasterRecoveryMethod=p.method,
        TransferMode=p.enum("disable-all", "enable-all", "sip-only"), Secure=p.boolean, CnamLookupEnabled=p.boolean,
        TransferCallerId=p.enum("from-transferee", "from-transferor"),
    ),
)


def sip_url(name: str, raw: str) -> str:
    """``SipUrl``: a ``sip:`` URI (``sip:user@host``, ``sip://host:port``); ``sips:`` and anything
    else are refused (21245)."""
    try:
        parts = urlsplit(raw)
    except ValueError:
        parts = None
    rest = raw[4:].lstrip("/")
    if (
        parts is None
        or parts.scheme.lower() != "sip"
        or not rest
        or rest.startswith(("@", ":"))
        or len(raw) > p.MAX_URL
        or any(ch.isspace() or ord(ch) < 32 for ch in raw)
    ):
        raise invalid_sip_url(name, raw)
    return raw


ORIGINATION_URL = p.Form(
    p.params(
        Weight=p.integer(0, 65535), Priority=p.integer(0, 65535), Enabled=p.boolean, FriendlyName=p.text(64),
        SipUrl=sip_url,
    ),
    required=("Weight", "Priority", "Enabled", "FriendlyName", "SipUrl"),
)

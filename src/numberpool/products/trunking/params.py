"""The parameters a Trunk takes."""

from __future__ import annotations

import re

from numberpool.domain.errors import invalid_trunk_domain
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

"""What a handler sees of a request, and what it returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from numberpool.domain.accounts import Account


@dataclass(slots=True)
class Request:
    method: str
    path: str  # the product's own path, e.g. /v1/Services/MG... or /2010-04-01/Accounts/...
    full_path: str  # as the client sent it, for "was not found" messages
    query: dict[str, str]
    form: dict[str, str]
    base_url: str  # scheme://host plus any product prefix: absolute URLs lead back here
    origin: str  # scheme://host: where the 2010-04-01 API of this server is
    caller: Account | None = None


@dataclass(slots=True)
class Response:
    status: int
    body: bytes = b""
    headers: list[tuple[bytes, bytes]] = field(default_factory=list)

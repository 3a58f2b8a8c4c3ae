"""What a handler sees of a request, and what it returns."""

from __future__ import annotations

from dataclasses import dataclass, field

from numberpool.domain.accounts import Account


@dataclass(slots=True)
class Request:
    query: dict[str, str]
    form: dict[str, str]
    base_url: str  # scheme://host plus any product prefix: absolute URLs lead back here
    origin: str  # scheme://host of the 2010-04-01 API: this host, or api.<domain> when Host names a v1 product
    caller: Account  # whose credentials the request carries
    form_pairs: list[tuple[str, str]] = field(default_factory=list)  # the body in order, repeats kept
    body: bytes = b""  # an application/json body, for a handler marked ``router.json_body`` (else empty)

    def form_list(self, name: str) -> list[str]:
        """Every value of a repeatable form parameter (``MediaUrl``), in the order sent."""
        return [value for key, value in self.form_pairs if key == name]


JSON_TYPE = b"application/json; charset=utf-8"


@dataclass(slots=True)
class Response:
    status: int
    body: bytes = b""
    headers: list[tuple[bytes, bytes]] = field(default_factory=list)
    content_type: bytes = JSON_TYPE  # of a non-empty body
    reusable: bool = True  # False: a GET answer about now (the clock), never kept by the response cache

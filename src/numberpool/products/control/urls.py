"""The paths of numberpool's own API (served under /numberpool): each collection, then one of it."""

from numberpool.http.router import Path

MESSAGES, MESSAGE = Path("/v1/InboundMessages"), Path("/v1/InboundMessages/{Sid}")
CALLS, CALL = Path("/v1/InboundCalls"), Path("/v1/InboundCalls/{Sid}")

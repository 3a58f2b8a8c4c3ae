"""What the server serves, read from its routers: the one list the spec tests and the README
are checked against."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from numberpool.http.app import create_app
from numberpool.http.router import Operation

SPECS = Path(__file__).with_name("twilio-oai")  # vendored: a clone needs nothing beside it
FILES = {"api": "twilio_api_v2010.json", "messaging": "twilio_messaging_v1.json",
         "trunking": "twilio_trunking_v1.json", "proxy": "twilio_proxy_v1.json"}


@cache
def routes() -> dict[str, list[Operation]]:
    """Every operation of every product's router (an app on an in-memory database: no handler runs)."""
    app = create_app("sqlite://", response_cache=False)
    try:
        return {product: list(router.operations) for product, router in app.routers.items()}
    finally:
        app.backend.db.dispose()


def served_operations() -> dict[str, set[str]]:
    return {product: {op.operation_id for op in ops} for product, ops in routes().items()}


@cache
def spec(product: str) -> dict[str, Any]:
    return json.loads((SPECS / FILES[product]).read_text())

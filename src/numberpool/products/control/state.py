"""Controlling the server through numberpool's own API: its state as a document, and a reset.

- ``GET /numberpool/v1/State``: the caller's account and its subaccounts, with everything they
  hold, as a state document (``document``).
- ``POST /numberpool/v1/State`` (``application/json``): load a document, all or nothing; the
  answer is the caller's state afterwards.
- ``POST /numberpool/v1/Reset``: the main account only; its subaccounts and everything they and it
  hold are deleted (204), and the server clock's offset is set back to 0. Another top-level
  account (a demoted former main account) keeps its own.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from numberpool.domain import access
from numberpool.domain.backend import Backend
from numberpool.domain.errors import json_body_required
from numberpool.http.request import Request, Response
from numberpool.http.router import Path, Router, json_body
from numberpool.http.wire import dumps

if TYPE_CHECKING:
    from numberpool.domain.state import Control

STATE, RESET = Path("/v1/State"), Path("/v1/Reset")


def register(r: Router, backend: Backend) -> None:
    @cache
    def control() -> Control:
        """The state machinery, imported on the first State or Reset request: start-up stays short."""
        from numberpool.domain.state import Control

        return Control(backend)

    def fetch_state(req: Request) -> Response:
        from numberpool.products.control import document

        return Response(200, dumps(document.render(control().dump(req.caller))))

    @json_body
    def create_state(req: Request) -> Response:
        from numberpool.products.control import document

        if not req.body:
            raise json_body_required()
        control().load(req.caller, document.parse(req.body))
        return fetch_state(req)

    def create_reset(req: Request) -> Response:
        control().reset(req.caller)
        backend.sending.reset_clock()  # the clock's offset back to 0
        return Response(204)

    r.add(STATE, access=access.FAMILY_NO_KEYS, GET=("FetchState", fetch_state), POST=("CreateState", create_state))
    r.add(RESET, access=access.MAIN_ONLY_NO_KEYS, POST=("CreateReset", create_reset))

"""Path templates to handlers: ``/2010-04-01/Accounts/{AccountSid}.json`` style.

Templates are compiled once at start-up. A path that matches a template but
not its method answers 405; one that matches nothing answers 404.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

from numberpool.http.request import Response

Handler = Callable[..., Response | Awaitable[Response]]  # async only where a handler must wait (a grouped insert)

_PARAM = re.compile(r"\{(\w+)\}")


def _compile(template: str) -> re.Pattern[str]:
    out, pos = [], 0
    for m in _PARAM.finditer(template):
        out.append(re.escape(template[pos : m.start()]))
        out.append(r"([^/]+?)")
        pos = m.end()
    out.append(re.escape(template[pos:]))
    return re.compile("^" + "".join(out) + "$")


class Router:
    def __init__(self) -> None:
        self._routes: list[tuple[re.Pattern[str], dict[str, Handler]]] = []

    def add(self, template: str, **methods: Handler) -> None:
        """Register handlers by HTTP method; earlier templates win, so add fixed names before ``{Sid}``."""
        self._routes.append((_compile(template), methods))

    def match(self, path: str) -> tuple[dict[str, Handler], tuple[Any, ...]] | None:
        for pattern, methods in self._routes:
            m = pattern.match(path)
            if m is not None:
                return methods, m.groups()
        return None

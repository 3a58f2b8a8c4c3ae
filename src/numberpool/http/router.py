"""URL templates and the operations served at them.

A :class:`Path` is declared once per resource, with the template Twilio's OpenAPI files use
(``/v1/Services/{ServiceSid}/PhoneNumbers/{Sid}``): it gives both the regex a request path is
matched with and the string a renderer formats a ``uri``, ``url`` or link with, as Starlette's
``compile_path`` does. A :class:`Router` maps each path and method to an operation named by its
OpenAPI ``operationId``, so the spec tests can list what is served without a list of their own.

Every path declares its access rule (``domain.access.Rule``) where it is added; a rule that checks
the caller (an API key refused, the main account only) runs before the handler.

Templates are compiled once at start-up. A path that matches a template but not its method
answers 405; one that matches nothing answers 404. Earlier templates win, so fixed names are
added before ``{Sid}``.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from numberpool.domain.access import Rule
from numberpool.http.request import Request, Response

Handler = Callable[..., Response | Awaitable[Response]]  # async only where a handler must wait (a grouped insert)

_PARAM = re.compile(r"\{(\w+)\}")
H = TypeVar("H", bound=Callable[..., Any])


def database_only(handler: H) -> H:
    """Mark an async handler that waits on nothing but the database (a grouped insert): on
    PostgreSQL it runs to its end on the request's thread, in one hop (``store.offload``)."""
    handler.database_only = True  # type: ignore[attr-defined]
    return handler


def json_body(handler: H) -> H:
    """Mark a handler that takes an ``application/json`` body (``Request.body``) instead of a form."""
    handler.json_body = True  # type: ignore[attr-defined]
    return handler


class Path:
    """One URL template: ``regex`` matches a request path (a parameter is one non-empty segment),
    ``format(**params)`` writes one."""

    def __init__(self, template: str) -> None:
        self.template = template
        self.params = tuple(_PARAM.findall(template))
        out, pos = [], 0
        for m in _PARAM.finditer(template):
            out.append(re.escape(template[pos : m.start()]))
            out.append(r"([^/]+?)")
            pos = m.end()
        out.append(re.escape(template[pos:]))
        self.regex = re.compile("^" + "".join(out) + "$")
        # ``format(**params)`` writes the path. Renderers call it for every record they show, so it
        # is as fast as an f-string: the template (a constant of this code, never request data) is
        # one already, compiled once into a function of its parameters.
        self.format: Callable[..., str] = eval(f"lambda {', '.join(self.params)}: f{template!r}")

    def __repr__(self) -> str:
        return f"Path({self.template!r})"


@dataclass(frozen=True)
class Operation:
    method: str
    path: Path
    operation_id: str  # as in Twilio's OpenAPI file of the product
    handler: Handler
    access: Rule


def _guarded(rule: Rule, handler: Handler) -> Handler:
    """``handler`` behind the rule's caller checks (its attributes, such as ``json_body``, kept)."""

    @functools.wraps(handler)
    def guarded(req: Request, *args: Any) -> Response | Awaitable[Response]:
        rule.check(req.caller)
        return handler(req, *args)

    return guarded


class Router:
    def __init__(self) -> None:
        self._routes: list[tuple[Path, dict[str, Handler]]] = []
        self.operations: list[Operation] = []
        self.names: dict[Handler, str] = {}  # handler -> its operationId (the XML names a resource by it)

    def add(self, path: Path, *, access: Rule, **methods: tuple[str, Handler] | tuple[str, Handler, Rule]) -> None:
        """Serve ``path`` under the access rule ``access``: each other keyword is an HTTP method,
        each value (operationId, handler), or (operationId, handler, its own access rule)."""
        rules = {method: (spec[2] if len(spec) == 3 else access) for method, spec in methods.items()}
        served = {method: (spec[0], _guarded(rules[method], spec[1]) if rules[method].checks_caller else spec[1])
                  for method, spec in methods.items()}
        self._routes.append((path, {method: handler for method, (_, handler) in served.items()}))
        self.names.update({handler: op_id for op_id, handler in served.values()})
        self.operations += [Operation(method, path, op_id, handler, rules[method])
                            for method, (op_id, handler) in served.items()]

    def match(self, path: str) -> tuple[dict[str, Handler], tuple[Any, ...]] | None:
        for template, methods in self._routes:
            m = template.regex.match(path)
            if m is not None:
                return methods, m.groups()
        return None

"""The package's imports, read with ``ast``, keep the layers (DESIGN.md, README "Where things are"):

- no circle between modules, counting every import (inside functions and under TYPE_CHECKING too);
- the domain imports only the domain and the adapters below it (store, webhooks); the store and the
  webhooks import only themselves;
- the core (http, products, domain, store, webhooks) imports nothing of the rim (server, testing,
  sdk, console) nor the package root;
- the rim's packages import the core, not each other, except: the mock uses the client redirect
  (testing -> sdk), and the server uses the console's app factory and, for its ``receive-sms`` /
  ``receive-call`` commands, the client side (server -> console, server -> sdk).

``numberpool.version`` is a leaf anyone may read; the root (``numberpool/__init__.py``, the public
API) and ``__main__`` sit above everything.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src"
CORE = {"http", "products", "domain", "store", "webhooks"}
RIM = {"server", "testing", "sdk", "console"}
TOP = {"root", "__main__"}
LEAF = {"version"}
BELOW = {  # what each layer of the core may import besides itself and the leaf
    "domain": {"store", "webhooks"},
    "store": set(),
    "webhooks": set(),
}
RIM_ALLOWED = {("testing", "sdk"), ("server", "console"), ("server", "sdk")}


@cache
def modules() -> dict[str, Path]:
    found = {}
    for path in (SRC / "numberpool").rglob("*.py"):
        if "migrations" in path.parts:  # Alembic's scripts: run by Alembic, imported by no module
            continue
        parts = list(path.relative_to(SRC).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _targets(module: str, path: Path, node: ast.Import | ast.ImportFrom) -> Iterator[str]:
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    else:
        base = node.module or ""
        if node.level:
            package = module if path.name == "__init__.py" else module.rpartition(".")[0]
            anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
            base = ".".join([*anchor, base] if base else anchor)
        names = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules() else base for alias in node.names]
    for name in names:
        while name and name not in modules():  # an attribute of a module: the module itself
            name = name.rpartition(".")[0]
        if name and name != module:
            yield name


@cache
def graph() -> dict[str, set[str]]:
    edges: dict[str, set[str]] = {}
    for module, path in modules().items():
        edges[module] = set()
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import | ast.ImportFrom):
                edges[module].update(_targets(module, path, node))
    return edges


def layer(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "root"


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


def crossings(allowed) -> list[str]:
    return sorted(f"{a} -> {b}" for a, targets in graph().items() for b in targets if not allowed(layer(a), layer(b)))


def test_the_reader_sees_the_package():
    edges = graph()
    assert {"numberpool.http.app", "numberpool.server.cli", "numberpool.testing.mock", "numberpool.sdk.redirect"} <= set(edges)
    assert "numberpool.domain.errors" in edges["numberpool.http.app"]
    assert "numberpool.server.settings" in edges["numberpool.server.cli"]  # a from-import of a module counts
    assert {layer(m) for m in edges} == CORE | RIM | TOP | LEAF


def test_no_circle_between_modules():
    assert cycles(graph()) == []


def test_the_domain_and_the_adapters_import_nothing_above_them():
    def allowed(a: str, b: str) -> bool:
        return a not in BELOW or b == a or b in BELOW[a] or b in LEAF
    assert crossings(allowed) == []


def test_the_core_imports_nothing_of_the_rim():
    def allowed(a: str, b: str) -> bool:
        return a not in CORE or b in CORE | LEAF
    assert crossings(allowed) == []


def test_the_rim_imports_the_core_not_each_other():
    def allowed(a: str, b: str) -> bool:
        return a not in RIM or b in CORE | LEAF or b == a or (a, b) in RIM_ALLOWED
    assert crossings(allowed) == []


def test_only_the_top_imports_the_root():
    importers = sorted(m for m, targets in graph().items() if "numberpool" in targets and layer(m) not in TOP)
    assert importers == []


@pytest.mark.parametrize(("edges", "expected"), [
    ({"a": {"b"}, "b": {"a"}, "c": {"a"}}, [["a", "b"]]),
    ({"a": {"b"}, "b": {"c"}, "c": {"a"}}, [["a", "b", "c"]]),
    ({"a": {"b"}, "b": set()}, []),
])
def test_the_circle_finder_finds_circles(edges, expected):
    assert cycles(edges) == expected


def test_only_settings_modules_read_the_environment():
    """``os.environ`` / ``os.getenv`` only in the settings modules and the process guard's own variable."""
    readers = set()
    for module, path in modules().items():
        text = path.read_text()
        if "os.environ" in text or "os.getenv" in text or "getenv(" in text:
            readers.add(module)
    assert readers == {"numberpool.server.settings", "numberpool.sdk.settings", "numberpool.server.process"}

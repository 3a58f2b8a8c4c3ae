"""The router is the one list of what numberpool serves: every route is an operation of Twilio's
OpenAPI files (same path, same method, same operationId), and the README claims exactly those."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.spec.served import routes, served_operations, spec

README = Path(__file__).resolve().parents[2] / "README.md"


@pytest.mark.parametrize("product", ["api", "messaging", "trunking", "proxy"])
def test_every_route_is_an_operation_of_the_openapi_file(product):
    paths = spec(product)["paths"]
    for op in routes()[product]:
        declared = paths.get(op.path.template, {}).get(op.method.lower())
        assert declared is not None, f"{op.method} {op.path.template} is not in {product}'s OpenAPI file"
        assert declared["operationId"] == op.operation_id, (op.path.template, op.method)


def test_no_operation_is_served_twice():
    for product, ops in routes().items():
        ids = [op.operation_id for op in ops]
        assert len(ids) == len(set(ids)), product


def test_the_readme_claims_exactly_what_is_served():
    block = re.search(r"<!-- operations -->(.*?)<!-- /operations -->", README.read_text(), re.DOTALL)
    assert block is not None, "README.md has no <!-- operations --> block"
    claimed = {}
    for line in block.group(1).strip().splitlines():
        m = re.match(r"^- \*\*(\w+)\*\*: (.+)$", line.strip())
        assert m is not None, f"unreadable line in the operations block: {line!r}"
        claimed[m.group(1)] = {name.strip(" `") for name in m.group(2).split(",")}
    assert claimed == served_operations()

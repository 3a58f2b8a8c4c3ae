"""The pytest plugin (entry point ``pytest11``): a ``numberpool`` fixture, a fresh in-process
numberpool per test (see :mod:`numberpool.inprocess`).

    def test_buy(numberpool):
        client = numberpool.client()
        assert client.incoming_phone_numbers.create(area_code="415").phone_number.startswith("+1415")
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from numberpool.inprocess import Mock


@pytest.fixture
def numberpool() -> Iterator[Mock]:
    from numberpool.inprocess import mock  # imported when a test asks for it: loading the plugin costs nothing

    with mock() as m:
        yield m

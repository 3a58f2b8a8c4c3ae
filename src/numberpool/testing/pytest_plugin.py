"""The pytest plugin (entry point ``pytest11``): a ``numberpool_mock`` fixture, a fresh in-process
numberpool per test (see :mod:`numberpool.testing.mock`).

    import numberpool

    def test_buy(numberpool_mock):
        client = numberpool_mock.client()
        assert client.incoming_phone_numbers.create(area_code="415").phone_number.startswith("+1415")

The fixture was named ``numberpool``, which hid the package inside the test (``numberpool.mock``
was out of reach there); that name still works, with a DeprecationWarning.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from numberpool.testing.mock import Mock


@pytest.fixture
def numberpool_mock() -> Iterator[Mock]:
    from numberpool.testing.mock import mock  # imported when a test asks for it: loading the plugin costs nothing

    with mock() as m:
        yield m


@pytest.fixture
def numberpool(numberpool_mock: Mock) -> Mock:
    """Deprecated: ``numberpool_mock`` (this name hides the package inside the test)."""
    warnings.warn("the pytest fixture 'numberpool' is now 'numberpool_mock' (the old name hides the numberpool"
                  " package inside the test)", DeprecationWarning, stacklevel=2)
    return numberpool_mock

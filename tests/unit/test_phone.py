"""domain.phone.possible: a recipient is an E.164 number of a possible length for its country,
as phonenumbers says; North America's +1 and ten digits are answered without a parse."""

from __future__ import annotations

import random

import phonenumbers
import pytest

from numberpool.domain import phone


def by_phonenumbers(raw: str) -> bool:
    try:
        return phonenumbers.is_possible_number(phonenumbers.parse(raw, None))
    except phonenumbers.NumberParseException:
        return False


def test_north_american_numbers_are_answered_as_phonenumbers_answers():
    rng = random.Random(7)
    # every leading digit of the area code and the exchange (0 and 1 are not valid there, still possible)
    numbers = [f"+1{a}{rng.randrange(10**9):09d}" for a in range(10) for _ in range(20)]
    numbers += [f"+1{rng.randrange(10**10):010d}" for _ in range(500)]
    assert all(phone.possible(n) is True and by_phonenumbers(n) for n in numbers)


@pytest.mark.parametrize("raw", [
    "+1415555123", "+141555512345", "+1", "+14155551234 ", "14155551234", "+1415555123a",  # not +1 and ten digits
    "+442071838750", "+33612345678", "+390612345678", "+861012345678", "+4420718", "+999123456789",
])
def test_other_numbers_are_answered_by_phonenumbers(raw):
    assert phone.possible(raw) == by_phonenumbers(raw) or not phone.is_e164(raw)

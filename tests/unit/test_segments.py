"""SMS segment counting and Smart Encoding (numberpool.domain.segments)."""

from __future__ import annotations

import pytest

from numberpool.domain.segments import (
    GSM7_BASIC,
    GSM7_EXTENSION,
    SMART_ENCODING_MAP,
    encoding,
    num_segments,
    smart_encode,
)

EMOJI = "\U0001f600"  # outside the BMP: a surrogate pair, two UTF-16 code units
UCS2_CHAR = "\u4e2d"  # in the BMP but not GSM-7: one code unit


def test_an_empty_body_is_one_segment():
    assert num_segments("") == 1
    assert num_segments("", smart=True) == 1
    assert encoding("") == "GSM-7"


@pytest.mark.parametrize(
    ("length", "segments"),
    [(1, 1), (160, 1), (161, 2), (153 * 2, 2), (153 * 2 + 1, 3), (153 * 3, 3), (153 * 3 + 1, 4)],
)
def test_gsm7_boundaries(length, segments):
    body = "a" * length
    assert encoding(body) == "GSM-7"
    assert num_segments(body) == segments


@pytest.mark.parametrize("char", sorted(GSM7_EXTENSION))
def test_an_extension_character_costs_two_septets(char):
    assert encoding(char) == "GSM-7"
    assert num_segments("a" * 158 + char) == 1  # 160 septets
    assert num_segments("a" * 159 + char) == 2  # 161 septets
    assert num_segments(char * 80) == 1
    assert num_segments(char * 81) == 2


def test_an_escape_pair_straddling_a_segment_boundary_goes_whole_to_the_next_segment():
    # 152 septets then a 2-septet character: it does not fit the 153rd septet, so it opens segment two.
    # Segment two then holds 2 + 151 = 153 septets; one more septet opens a third segment.
    assert num_segments("a" * 152 + "€" + "a" * 151) == 2
    assert num_segments("a" * 152 + "€" + "a" * 152) == 3
    # The same 306 septets with the pair not straddling fill exactly two segments.
    assert num_segments("a" * 151 + "€" + "a" * 153) == 2
    # All escape pairs: 76 per segment (152 septets), not 76.5.
    assert num_segments("€" * 152) == 2
    assert num_segments("€" * 153) == 3


@pytest.mark.parametrize(
    ("length", "segments"),
    [(1, 1), (70, 1), (71, 2), (67 * 2, 2), (67 * 2 + 1, 3), (67 * 3, 3), (67 * 3 + 1, 4)],
)
def test_ucs2_boundaries(length, segments):
    body = UCS2_CHAR * length
    assert encoding(body) == "UCS-2"
    assert num_segments(body) == segments


def test_one_non_gsm_character_makes_the_whole_body_ucs2():
    assert encoding("a" * 69 + UCS2_CHAR) == "UCS-2"
    assert num_segments("a" * 69 + UCS2_CHAR) == 1
    assert num_segments("a" * 70 + UCS2_CHAR) == 2  # 71 code units: a GSM-7 character costs one unit in UCS-2
    assert num_segments("a" * 100 + "[" + UCS2_CHAR) == 2  # no escape pairs in UCS-2: "[" is one unit


def test_an_emoji_counts_two_code_units():
    assert encoding(EMOJI) == "UCS-2"
    assert num_segments(EMOJI * 35) == 1  # 70 units
    assert num_segments(EMOJI * 36) == 2  # 72 units
    assert num_segments("a" * 68 + EMOJI) == 1  # 70 units
    assert num_segments("a" * 69 + EMOJI) == 2  # 71 units


def test_an_emoji_straddling_a_segment_boundary_goes_whole_to_the_next_segment():
    # 66 units then a surrogate pair: it does not fit the 67th unit, so it opens segment two.
    # Segment two then holds 2 + 65 = 67 units; one more unit opens a third segment.
    assert num_segments("a" * 66 + EMOJI + "a" * 65) == 2
    assert num_segments("a" * 66 + EMOJI + "a" * 66) == 3
    # The same 134 units with the pair not straddling fill exactly two segments.
    assert num_segments("a" * 65 + EMOJI + "a" * 67) == 2
    # All emoji: 33 per segment (66 units), not 33.5.
    assert num_segments(EMOJI * 66) == 2
    assert num_segments(EMOJI * 67) == 3


def test_smart_encoding_turns_a_curly_quoted_body_from_ucs2_into_gsm7():
    body = "\u201cIt\u2019s here\u201d \u2014 don\u2018t wait\u2026 \u00abnow\u00bb,\u00a0please"
    assert encoding(body) == "UCS-2"
    assert smart_encode(body) == '"It\'s here" - don\'t wait... "now", please'
    assert encoding(smart_encode(body)) == "GSM-7"

    long_body = "\u201cHello\u201d " * 16  # 128 characters: 2 UCS-2 segments, 1 GSM-7 segment
    assert num_segments(long_body) == 2
    assert num_segments(long_body, smart=True) == 1


def test_smart_encoding_leaves_other_text_alone():
    body = "Plain GSM-7 text, with {braces} and \u20ac; " + UCS2_CHAR + EMOJI
    assert smart_encode(body) == body
    assert num_segments(body, smart=True) == num_segments(body)


def test_smart_encoding_can_lengthen_or_shorten_the_body():
    assert smart_encode("a\u2026b") == "a...b"
    assert smart_encode("\u00bd") == "1/2"
    assert smart_encode("a\u200bb\ufeff") == "ab"
    # 60 ellipses: UCS-2, 1 segment; smart-encoded, 180 septets of GSM-7: 2 segments.
    assert num_segments("\u2026" * 60) == 1
    assert num_segments("\u2026" * 60, smart=True) == 2


@pytest.mark.parametrize(("char", "replacement"), sorted(SMART_ENCODING_MAP.items()))
def test_every_smart_encoding_replacement_is_gsm7(char, replacement):
    assert len(char) == 1
    assert encoding(char) == "UCS-2"  # only characters GSM-7 lacks are replaced
    assert all(c in GSM7_BASIC or c in GSM7_EXTENSION for c in replacement)
    assert encoding(replacement) == "GSM-7"
    assert smart_encode(char) == replacement


def test_the_gsm7_tables():
    assert len(GSM7_BASIC) == 127  # 128 code points less the escape to the extension table
    assert len(GSM7_EXTENSION) == 10
    assert not GSM7_BASIC & GSM7_EXTENSION
    for char in "\u00e7\u00e1\u00ed\u00f3\u00fa\u00c0\u00ea`\t":  # common look-alikes that are not GSM-7
        assert encoding(char) == "UCS-2"

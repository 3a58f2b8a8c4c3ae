"""A cheap test of a candidate's digits, built from phonenumbers' metadata, that spares a search
parsing most candidates phonenumbers would refuse."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import cache

import phonenumbers
from phonenumbers import PhoneNumberType as T

from numberpool.domain.inventory.countries import TO_PN

# phonenumbers' types -> the metadata entry that describes their national numbers.
_DESCRIPTIONS = {
    T.FIXED_LINE: "fixed_line", T.FIXED_LINE_OR_MOBILE: "fixed_line", T.MOBILE: "mobile", T.TOLL_FREE: "toll_free",
    T.SHARED_COST: "shared_cost", T.VOIP: "voip", T.UAN: "uan", T.PERSONAL_NUMBER: "personal_number",
}
# The order in which phonenumbers tries those entries: a number is of the first type it matches
# (phonenumberutil._number_type_helper; one matching fixed_line is fixed line, or fixed line or mobile).
_PRECEDENCE = ("premium_rate", "toll_free", "shared_cost", "voip", "personal_number", "pager", "uan", "voicemail",
               "fixed_line", "mobile")


def _either(descs: Iterable[phonenumbers.PhoneNumberDesc | None]) -> Callable[[str], object] | None:
    """One compiled fullmatch for "matches one of these number descriptions" as phonenumbers tests
    it (possible lengths, then the pattern); None when no description can match anything."""
    sources = []
    for desc in descs:
        if desc is None or not desc.national_number_pattern:
            continue
        lengths = [n for n in desc.possible_length or () if n > 0]
        if desc.possible_length and not lengths:
            continue  # possible length -1: no number is of this type
        guard = "(?=" + "|".join(rf"\d{{{n}}}\Z" for n in lengths) + ")" if lengths else ""
        sources.append(f"{guard}(?:{desc.national_number_pattern})")
    return re.compile("|".join(f"(?:{s})" for s in sources)).fullmatch if sources else None


@cache
def screen(iso: str, number_type: str) -> Callable[[str], bool]:
    """A test of national digits, tens of times cheaper than parsing, that every valid number of
    this country and type passes: they match the type's description in ``iso``'s metadata, and
    none that phonenumbers tries before it. Digits that start with a national prefix pass
    untested, since parsing may strip one: the screen only spares phonenumbers the candidates it
    would refuse anyway."""
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(iso)
    assert metadata is not None  # every offered country has metadata
    wanted = {_DESCRIPTIONS[t] for t in TO_PN[number_type]}
    if metadata.same_mobile_and_fixed_line_pattern:
        wanted.discard("mobile")  # such a number is "fixed line or mobile", never MOBILE
    first = min((_PRECEDENCE.index(name) for name in wanted), default=0)
    mine = _either(getattr(metadata, name) for name in wanted)
    general = _either([metadata.general_desc])
    shadow = _either(getattr(metadata, name) for name in _PRECEDENCE[:first])
    prefix = metadata.national_prefix_for_parsing
    strippable = re.compile(prefix).match if prefix else None

    def passes(nsn: str) -> bool:
        if strippable is not None and strippable(nsn):
            return True
        return mine is not None and general is not None and mine(nsn) is not None and general(nsn) is not None \
            and (shadow is None or shadow(nsn) is None)

    return passes

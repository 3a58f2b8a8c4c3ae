"""Declarative request parameters: one table per resource instead of a page of ifs.

A :class:`Param` names the wire parameter (PascalCase), the stored field, and a
kind that validates and converts the raw form string. :func:`parse` checks every
parameter before anything is written, so a request either applies whole or fails
with a Twilio error naming the first bad parameter.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urlsplit

from numberpool.domain.errors import (
    TwilioError,
    invalid_method,
    invalid_parameter,
    invalid_url,
    missing_parameter,
    shown,
)
from numberpool.domain.sids import is_sid

Kind = Callable[[str, str], Any]
"""``kind(name, raw) -> value``; raises TwilioError naming ``name``."""

MAX_URL = 4000


def text(max_len: int) -> Kind:
    def parse(name: str, raw: str) -> str:
        if len(raw) > max_len:
            raise invalid_parameter(name, f"must be at most {max_len} characters")
        return raw

    return parse


def url(name: str, raw: str) -> str | None:
    """http(s) URL; the empty string clears the setting."""
    if raw == "":
        return None
    try:
        parts = urlsplit(raw)
    except ValueError:
        parts = None
    if (
        parts is None
        or parts.scheme.lower() not in ("http", "https")
        or not parts.hostname
        or len(raw) > MAX_URL
        or any(ch.isspace() for ch in raw)
    ):
        raise invalid_url(name, raw)
    return raw


def method(name: str, raw: str) -> str:
    value = raw.upper()
    if value not in ("GET", "POST"):
        raise invalid_method(name, raw)
    return value


def sid(prefix: str) -> Kind:
    def parse(name: str, raw: str) -> str | None:
        if raw == "":
            return None
        if not is_sid(raw, prefix):
            raise invalid_parameter(name, f"{raw!r} is not a valid SID (expected ^{prefix}[0-9a-fA-F]{{32}}$)")
        return raw

    return parse


def boolean(name: str, raw: str) -> bool:
    lowered = raw.lower()
    if lowered == "true":
        return True
    if lowered == "false":
        return False
    raise invalid_parameter(name, f"{shown(raw)} is not a boolean (true or false)")


def enum(*values: str) -> Kind:
    allowed = {v: v for v in values}

    def parse(name: str, raw: str) -> str:
        if raw not in allowed:
            raise invalid_parameter(name, f"{raw!r} is not one of {', '.join(values)}")
        return raw

    return parse


def integer(minimum: int, maximum: int) -> Kind:
    def parse(name: str, raw: str) -> int:
        try:
            value = int(raw, 10)
        except ValueError:
            raise invalid_parameter(name, f"{raw!r} is not an integer") from None
        if not minimum <= value <= maximum:
            raise invalid_parameter(name, f"must be between {minimum} and {maximum}")
        return value

    return parse


def iso_timestamp(raw: str) -> int:
    """An ISO 8601 date and time (UTC when it names no zone, as the SDKs send them) in Unix
    seconds; ValueError when it is not one (each product words the refusal)."""
    when = datetime.fromisoformat(raw.strip())
    return int((when if when.tzinfo else when.replace(tzinfo=UTC)).timestamp())


def day(name: str, raw: str) -> tuple[int, int]:
    """A list filter's ``YYYY-MM-DD`` (or an ISO 8601 date and time, as the SDK sends one): that
    day, [start, end) in Unix seconds; 20001 naming ``name`` when it is no date."""
    try:
        parsed = date.fromisoformat(raw[:10])
    except ValueError:
        raise invalid_parameter(name, f"{shown(raw)} is not a date (YYYY-MM-DD)") from None
    start = calendar.timegm(parsed.timetuple())
    return start, start + 86_400


@dataclass(frozen=True)
class Param:
    name: str
    field: str
    kind: Kind


_WORD = re.compile(r"(?<!^)(?=[A-Z])")


def params(**kinds: Kind) -> tuple[Param, ...]:
    """A table from ``WireName=kind`` pairs; each field is the wire name in snake_case
    (``SmsFallbackUrl`` is ``sms_fallback_url``), as Twilio names its JSON fields."""
    return tuple(Param(name, _WORD.sub("_", name).lower(), kind) for name, kind in kinds.items())


def parse(params: Iterable[Param], form: Mapping[str, str]) -> dict[str, Any]:
    """Validate every parameter present in ``form``; return ``{field: value}``."""
    values: dict[str, Any] = {}
    for param in params:
        raw = form.get(param.name)
        if raw is not None:
            values[param.field] = param.kind(param.name, raw)
    return values


@dataclass(frozen=True)
class Form:
    """The parameters of a resource: its table, which must be present (and non-empty) to create
    it, and the product's own word for a bad one (Proxy answers 80701 for every parameter)."""

    params: tuple[Param, ...]
    required: tuple[str, ...] = ()
    refuse: Callable[[TwilioError], TwilioError] | None = None

    def _refused(self, err: TwilioError) -> TwilioError:
        return self.refuse(err) if self.refuse is not None and err.status == 400 else err

    def parse(self, form: Mapping[str, str]) -> dict[str, Any]:
        try:
            return parse(self.params, form)
        except TwilioError as err:
            raise self._refused(err) from None

    def for_create(self, form: Mapping[str, str]) -> dict[str, Any]:
        for name in self.required:
            if not form.get(name):
                raise self._refused(missing_parameter(name))
        return self.parse(form)

    def for_update(self, form: Mapping[str, str]) -> dict[str, Any]:
        for name in self.required:
            if form.get(name) == "":
                raise self._refused(invalid_parameter(name, "must not be empty"))
        return self.parse(form)

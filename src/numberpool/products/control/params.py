"""The parameters of a simulated inbound message or call, checked as Twilio checks a Message's."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from numberpool.domain import errors
from numberpool.domain.errors import TwilioError
from numberpool.domain.inbound import CallIn, MessageIn
from numberpool.products.params import integer, url

MAX_BODY = 1600  # characters, as Twilio's Messages
MAX_MEDIA = 10
MAX_DURATION = 86_400  # seconds
_E164 = re.compile(r"^\+[1-9][0-9]{1,14}$")
_CALLER_ID = re.compile(r"^[^\x00-\x1f\x7f]{1,64}$")  # a number, a SIP URI or an alphanumeric sender id


def _to(form: Mapping[str, str]) -> str:
    raw = form.get("To")
    if not raw:
        raise errors.to_number_required()
    if not _E164.match(raw):
        raise errors.invalid_to_number(raw)
    return raw


def _from(form: Mapping[str, str]) -> str:
    raw = form.get("From")
    if not raw:
        raise errors.from_number_required()
    if not _CALLER_ID.match(raw) or raw != raw.strip():
        raise errors.invalid_from_number(raw)
    return raw


def message(form: Mapping[str, str], media: Sequence[str]) -> MessageIn:
    to, from_ = _to(form), _from(form)
    body = form.get("Body", "")
    if len(body) > MAX_BODY:
        raise errors.body_too_long(MAX_BODY)
    if len(media) > MAX_MEDIA:
        raise errors.too_many_media(MAX_MEDIA)
    for raw in media:
        try:
            ok = url("MediaUrl", raw) is not None
        except TwilioError:
            ok = False
        if not ok:
            raise errors.invalid_media_url(raw)
    return MessageIn(to, from_, body, tuple(media))


def call(form: Mapping[str, str]) -> CallIn:
    to, from_ = _to(form), _from(form)
    raw = form.get("CallDuration")
    duration = integer(0, MAX_DURATION)("CallDuration", raw) if raw else 0
    return CallIn(to, from_, duration)

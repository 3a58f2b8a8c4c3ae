"""The parameters a Proxy Service and a Proxy PhoneNumber take; Proxy answers 80701 for any bad one."""

from __future__ import annotations

from collections.abc import Mapping

from numberpool.domain.errors import TwilioError, proxy_invalid_parameter
from numberpool.products import params as p


def _refuse(err: TwilioError) -> TwilioError:
    return proxy_invalid_parameter(err.message)


SERVICE = p.Form(
    p.params(
        UniqueName=p.text(191), DefaultTtl=p.integer(0, 2**31 - 1), ChatInstanceSid=p.sid("IS"),
        CallbackUrl=p.url, InterceptCallbackUrl=p.url, OutOfSessionCallbackUrl=p.url,
        GeoMatchLevel=p.enum("area-code", "overlay", "radius", "country"),
        NumberSelectionBehavior=p.enum("avoid-sticky", "prefer-sticky"),
    ),
    required=("UniqueName",),
    refuse=_refuse,
)


def is_reserved(form: Mapping[str, str]) -> bool | None:
    """``IsReserved``, or None when absent."""
    if "IsReserved" not in form:
        return None
    try:
        return p.boolean("IsReserved", form["IsReserved"])
    except TwilioError:
        raise proxy_invalid_parameter("'IsReserved' is invalid.") from None

"""The parent resources of the three pools: Messaging Services, SIP Trunks, Proxy Services."""

from __future__ import annotations

import re
from typing import Any

from numberpool.domain import params as p
from numberpool.domain.clock import now
from numberpool.domain.errors import TwilioError
from numberpool.domain.resources import ResourceSpec
from numberpool.store import pools as q
from numberpool.store.db import Connection

USECASES = ("notifications", "marketing", "verification", "discussion", "poll", "undeclared")

MESSAGING = ResourceSpec(
    prefix="MG",
    crud=q.messaging,
    required=("FriendlyName",),
    params=(
        p.Param("FriendlyName", "friendly_name", p.text(64)),
        p.Param("InboundRequestUrl", "inbound_request_url", p.url),
        p.Param("InboundMethod", "inbound_method", p.method),
        p.Param("FallbackUrl", "fallback_url", p.url),
        p.Param("FallbackMethod", "fallback_method", p.method),
        p.Param("StatusCallback", "status_callback", p.url),
        p.Param("StickySender", "sticky_sender", p.boolean),
        p.Param("MmsConverter", "mms_converter", p.boolean),
        p.Param("SmartEncoding", "smart_encoding", p.boolean),
        p.Param("ScanMessageContent", "scan_message_content", p.enum("inherit", "enable", "disable")),
        p.Param("FallbackToLongCode", "fallback_to_long_code", p.boolean),
        p.Param("AreaCodeGeomatch", "area_code_geomatch", p.boolean),
        p.Param("ValidityPeriod", "validity_period", p.integer(1, 36000)),
        p.Param("SynchronousValidation", "synchronous_validation", p.boolean),
        p.Param("Usecase", "usecase", p.enum(*USECASES)),
        p.Param("UseInboundWebhookOnNumber", "use_inbound_webhook_on_number", p.boolean),
    ),
    defaults={
        "inbound_request_url": None, "inbound_method": "POST", "fallback_url": None, "fallback_method": "POST",
        "status_callback": None, "sticky_sender": True, "mms_converter": True, "smart_encoding": True,
        "scan_message_content": "inherit", "fallback_to_long_code": False, "area_code_geomatch": True,
        "validity_period": 36000, "synchronous_validation": True, "usecase": "undeclared",
        "use_inbound_webhook_on_number": False,
    },
    on_delete=q.messaging_delete_service,
)

_DOMAIN = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.pstn(?:\.[a-z0-9-]+)?\.twilio\.com$")


def _domain_name(name: str, raw: str) -> str | None:
    if raw == "":
        return None
    if not _DOMAIN.match(raw):
        raise TwilioError(21245, 400, f"{name} {raw!r} is invalid: letters, digits and '-', ending in .pstn.twilio.com")
    return raw.lower()


def _domain_in_use(values: dict[str, Any]) -> TwilioError:
    return TwilioError(21245, 400, f"DomainName {values.get('domain_name')!r} is already in use")


def _trunk_check(conn: Connection, _account: object, values: dict[str, Any], sid: str | None) -> None:
    domain = values.get("domain_name")
    if domain and q.trunk_domain_taken(conn, domain, sid):
        raise _domain_in_use(values)


TRUNK = ResourceSpec(
    prefix="TK",
    crud=q.trunk,
    params=(
        p.Param("FriendlyName", "friendly_name", p.text(64)),
        p.Param("DomainName", "domain_name", _domain_name),
        p.Param("DisasterRecoveryUrl", "disaster_recovery_url", p.url),
        p.Param("DisasterRecoveryMethod", "disaster_recovery_method", p.method),
        p.Param("TransferMode", "transfer_mode", p.enum("disable-all", "enable-all", "sip-only")),
        p.Param("Secure", "secure", p.boolean),
        p.Param("CnamLookupEnabled", "cnam_lookup_enabled", p.boolean),
        p.Param("TransferCallerId", "transfer_caller_id", p.enum("from-transferee", "from-transferor")),
    ),
    defaults={
        "friendly_name": None, "domain_name": None, "disaster_recovery_url": None, "disaster_recovery_method": "POST",
        "transfer_mode": "disable-all", "secure": False, "cnam_lookup_enabled": False,
        "transfer_caller_id": "from-transferee", "symmetric_rtp_enabled": False,
        "recording_mode": "do-not-record", "recording_trim": "do-not-trim",
    },
    check=_trunk_check,
    conflict=_domain_in_use,
    on_delete=lambda conn, sid: q.trunk_clear(conn, sid, now()),
)


def _unique_name_taken(values: dict[str, Any]) -> TwilioError:
    return TwilioError(20409, 409, f"A Proxy Service with UniqueName {values.get('unique_name')!r} already exists")


PROXY = ResourceSpec(
    prefix="KS",
    crud=q.proxy,
    required=("UniqueName",),
    params=(
        p.Param("UniqueName", "unique_name", p.text(191)),
        p.Param("DefaultTtl", "default_ttl", p.integer(0, 2**31 - 1)),
        p.Param("CallbackUrl", "callback_url", p.url),
        p.Param("GeoMatchLevel", "geo_match_level", p.enum("area-code", "overlay", "radius", "country")),
        p.Param("NumberSelectionBehavior", "number_selection_behavior", p.enum("avoid-sticky", "prefer-sticky")),
        p.Param("InterceptCallbackUrl", "intercept_callback_url", p.url),
        p.Param("OutOfSessionCallbackUrl", "out_of_session_callback_url", p.url),
        p.Param("ChatInstanceSid", "chat_instance_sid", p.sid("IS")),
    ),
    defaults={
        "default_ttl": 0, "callback_url": None, "geo_match_level": "country",
        "number_selection_behavior": "prefer-sticky", "intercept_callback_url": None,
        "out_of_session_callback_url": None, "chat_instance_sid": None,
    },
    conflict=_unique_name_taken,
    on_delete=q.proxy_delete_service,
    error_code=80701,
)

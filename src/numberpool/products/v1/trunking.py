"""trunking.twilio.com v1: Trunks and Trunks/{TK}/PhoneNumbers (a view of the IncomingPhoneNumber)."""

from __future__ import annotations

from typing import Any

from numberpool.domain.pools import Pools
from numberpool.http.request import Request
from numberpool.http.router import Router
from numberpool.http.wire import iso8601
from numberpool.products.v1.common import capabilities_object, crud_routes, pool_routes
from numberpool.store.db import Row

TRUNK_LINKS = {
    "origination_urls": "OriginationUrls", "credential_lists": "CredentialLists",
    "ip_access_control_lists": "IpAccessControlLists", "phone_numbers": "PhoneNumbers", "recordings": "Recording",
}


def trunk_json(req: Request, t: Row) -> dict[str, Any]:
    url = f"{req.base_url}/v1/Trunks/{t.sid}"
    return {
        "sid": t.sid,
        "account_sid": t.account_sid,
        "domain_name": t.domain_name,
        "disaster_recovery_method": t.disaster_recovery_method,
        "disaster_recovery_url": t.disaster_recovery_url,
        "friendly_name": t.friendly_name,
        "secure": t.secure,
        "cnam_lookup_enabled": t.cnam_lookup_enabled,
        "symmetric_rtp_enabled": t.symmetric_rtp_enabled,
        "recording": {"mode": t.recording_mode, "trim": t.recording_trim},
        "transfer_mode": t.transfer_mode,
        "transfer_caller_id": t.transfer_caller_id,
        "auth_type": "",
        "auth_type_set": [],
        "date_created": iso8601(t.date_created),
        "date_updated": iso8601(t.date_updated),
        "url": url,
        "links": {k: f"{url}/{v}" for k, v in TRUNK_LINKS.items()},
    }


def phone_number_json(req: Request, n: Row) -> dict[str, Any]:
    """The trunk's view of an IncomingPhoneNumber (seed 002)."""
    return {
        "sid": n.sid,
        "account_sid": n.account_sid,
        "trunk_sid": n.trunk_sid,
        "date_created": iso8601(n.date_created),
        "date_updated": iso8601(n.date_updated),
        "friendly_name": n.friendly_name,
        "phone_number": n.phone_number,
        "api_version": n.api_version,
        "voice_caller_id_lookup": n.voice_caller_id_lookup,
        "voice_url": n.voice_url,
        "voice_method": n.voice_method,
        "voice_fallback_url": n.voice_fallback_url,
        "voice_fallback_method": n.voice_fallback_method,
        "status_callback": n.status_callback or "",
        "status_callback_method": n.status_callback_method,
        "voice_application_sid": n.voice_application_sid or "",
        "sms_url": n.sms_url or "",
        "sms_method": n.sms_method,
        "sms_fallback_url": n.sms_fallback_url or "",
        "sms_fallback_method": n.sms_fallback_method,
        "sms_application_sid": n.sms_application_sid or "",
        "address_requirements": n.address_requirements,
        "beta": n.beta,
        "capabilities": capabilities_object(n),
        "url": f"{req.base_url}/v1/Trunks/{n.trunk_sid}/PhoneNumbers/{n.sid}",
        "links": {"phone_number": f"{req.origin}/2010-04-01/Accounts/{n.account_sid}/IncomingPhoneNumbers/{n.sid}.json"},
    }


def router(pools: Pools) -> Router:
    r = Router()
    crud_routes(r, pools.trunks, "/v1/Trunks", "trunks", trunk_json)
    pool_routes(r, "/v1/Trunks", phone_number_json, list_=pools.trunk_list, add=pools.trunk_add,
                fetch=pools.trunk_fetch, remove=pools.trunk_remove)
    return r

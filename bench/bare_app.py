"""The limit: a bare ASGI app answering every request with a fixed IncomingPhoneNumber body.

Served by the same server software and settings as numberpool, it measures what the HTTP
server itself costs per request; numberpool's figures are reported relative to it.
"""

from __future__ import annotations

import orjson

BODY = orjson.dumps(
    {
        "account_sid": "AC" + "a" * 32, "address_requirements": "none", "address_sid": None,
        "api_version": "2010-04-01", "beta": False,
        "capabilities": {"voice": True, "sms": True, "mms": True, "fax": False},
        "date_created": "Thu, 30 Jul 2015 23:19:04 +0000", "date_updated": "Thu, 30 Jul 2015 23:19:04 +0000",
        "emergency_status": "Inactive", "emergency_address_sid": None, "emergency_address_status": "unregistered",
        "friendly_name": "(415) 867-5309", "identity_sid": None, "origin": "twilio", "phone_number": "+14158675309",
        "sid": "PN" + "a" * 32, "sms_application_sid": "", "sms_fallback_method": "POST", "sms_fallback_url": "",
        "sms_method": "POST", "sms_url": "", "status_callback": "", "status_callback_method": "POST",
        "trunk_sid": None,
        "uri": "/2010-04-01/Accounts/AC" + "a" * 32 + "/IncomingPhoneNumbers/PN" + "a" * 32 + ".json",
        "voice_application_sid": "", "voice_caller_id_lookup": False, "voice_fallback_method": "POST",
        "voice_fallback_url": None, "voice_method": "POST", "voice_url": None, "voice_receive_mode": "voice",
        "status": "in-use", "bundle_sid": None, "type": "local",
        "subresource_uris": {
            "assigned_add_ons": "/2010-04-01/Accounts/AC" + "a" * 32 + "/IncomingPhoneNumbers/PN" + "a" * 32 + "/AssignedAddOns.json"
        },
    }
)
HEADERS = [(b"content-type", b"application/json; charset=utf-8")]


async def app(scope, receive, send):
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200, "headers": HEADERS})
    await send({"type": "http.response.body", "body": BODY})

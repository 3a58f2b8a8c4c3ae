"""trunking.twilio.com v1: Trunks, Trunks/{TrunkSid}/PhoneNumbers (a view of the IncomingPhoneNumber) and
Trunks/{TrunkSid}/OriginationUrls."""

from numberpool.products.trunking.routes import router

__all__ = ["router"]

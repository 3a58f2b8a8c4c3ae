"""trunking.twilio.com v1: Trunks and Trunks/{TrunkSid}/PhoneNumbers (a view of the IncomingPhoneNumber)."""

from numberpool.products.trunking.routes import router

__all__ = ["router"]

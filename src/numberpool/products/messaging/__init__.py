"""messaging.twilio.com v1: Services and Services/{ServiceSid}/PhoneNumbers."""

from numberpool.products.messaging.routes import router

__all__ = ["router"]

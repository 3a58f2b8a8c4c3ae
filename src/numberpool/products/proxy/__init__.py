"""proxy.twilio.com v1: Services and Services/{ServiceSid}/PhoneNumbers."""

from numberpool.products.proxy.routes import router

__all__ = ["router"]

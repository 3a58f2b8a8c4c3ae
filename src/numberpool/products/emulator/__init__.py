"""numberpool's own API, beside Twilio's: simulated inbound messages and calls (/numberpool/v1)."""

from numberpool.products.emulator.routes import router

__all__ = ["router"]

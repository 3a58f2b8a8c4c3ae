"""numberpool's own control and simulation API, beside Twilio's (/numberpool/v1): simulated inbound
messages and calls with their records, the State document and Reset."""

from numberpool.products.control.routes import router

__all__ = ["router"]

"""Outbound requests to the user's webhooks: the parameters Twilio sends, the signature, the
transport that sends them (HTTP here; an in-process app in tests), and the TwiML that comes back."""

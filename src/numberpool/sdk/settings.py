"""The client side's one setting: the credentials of the environment, as twilio-python reads them
(``TWILIO_ACCOUNT_SID``, ``TWILIO_AUTH_TOKEN``). ``numberpool.mock()`` takes them for its main
account and the ``receive-sms`` / ``receive-call`` commands send with them."""

from __future__ import annotations

import os


def credentials() -> tuple[str, str]:
    """``(TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN)`` of the environment, each empty when unset."""
    return os.environ.get("TWILIO_ACCOUNT_SID", ""), os.environ.get("TWILIO_AUTH_TOKEN", "")

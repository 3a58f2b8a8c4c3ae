"""Twilio-style errors raised by the domain and turned into wire bodies by the HTTP layer."""

from __future__ import annotations


class TwilioError(Exception):
    """A failure with Twilio's error code, HTTP status and message.

    The domain raises these; ``numberpool.http`` renders them as
    ``{"code", "message", "more_info", "status"}``.
    """

    def __init__(self, code: int, status: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.status = status
        self.message = message

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return f"TwilioError({self.code}, {self.status}, {self.message!r})"


def invalid_parameter(name: str, detail: str | None = None, code: int = 20001) -> TwilioError:
    """400 for a parameter a client got wrong; the message always names the parameter."""
    message = f"Invalid parameter {name}" if detail is None else f"Invalid parameter {name}: {detail}"
    return TwilioError(code, 400, message)


def missing_parameter(name: str, code: int = 20001) -> TwilioError:
    return TwilioError(code, 400, f"Missing required parameter {name} in the post body")


def not_found(path: str) -> TwilioError:
    return TwilioError(20404, 404, f"The requested resource {path} was not found")

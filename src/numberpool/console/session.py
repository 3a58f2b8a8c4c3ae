"""The console's session: a cookie the server can verify without storing anything, and CSRF tokens.

The session cookie is ``SID.ISSUED.MAC``: the account SID, when it was issued (Unix seconds), and
an HMAC-SHA256 of both keyed by the account's auth token. The token itself never leaves the
server. Changing the token, closing or suspending the account, or the cookie growing older than
``SESSION_SECONDS`` ends the session: every request checks it against the stored account. Only
the account's own token opens a session, never an API key (a session would outlive the key); the
MAC's purpose names the cookie's version (``SESSION_PURPOSE``), so cookies issued before keys were
refused, some maybe to a key, are all invalid.

Every POST form carries a CSRF token. Signed in, it is an HMAC of the session cookie keyed by the
auth token (so it is tied to that session and to nothing a page on another site can read);
before sign-in, the sign-in form carries the value of a random pre-session cookie (double
submit). Both cookies are HttpOnly and SameSite=Strict, with Path=/console.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass

from numberpool.domain import access
from numberpool.domain.accounts import Account
from numberpool.domain.sids import is_sid
from numberpool.store import accounts as accounts_store
from numberpool.store.db import Database

SESSION_COOKIE = "numberpool_console"
PRE_COOKIE = "numberpool_console_pre"  # before sign-in: the sign-in form's CSRF value
SESSION_SECONDS = 12 * 3600
PATH = "/console"
SESSION_PURPOSE = "session-v2"  # v2: no session from an API key; every older cookie is refused


def _mac(key: str, purpose: str, message: str) -> str:
    return hmac.new(key.encode(), f"numberpool-console|{purpose}|{message}".encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Session:
    account: Account
    cookie: str  # the cookie's value, as the browser holds it

    @property
    def csrf(self) -> str:
        """The CSRF token of this session's forms."""
        return _mac(self.account.auth_token, "csrf", self.cookie)

    def csrf_ok(self, sent: str) -> bool:
        return bool(sent) and hmac.compare_digest(self.csrf.encode(), sent.encode())


def issue(account: Account, now: float | None = None) -> str:
    """The session cookie's value for an account that has just proved its credentials (its own
    auth token: an API key opens no session)."""
    if access.by_key(account):
        raise ValueError("an API key opens no console session")
    issued = int(time.time() if now is None else now)
    body = f"{account.sid}.{issued}"
    return f"{body}.{_mac(account.auth_token, SESSION_PURPOSE, body)}"


def verify(db: Database, value: str, now: float | None = None) -> Session | None:
    """The session a cookie value stands for, or None: malformed, forged, expired, or its account
    no longer active or no longer keyed by the token that signed it."""
    parts = value.split(".")
    if len(parts) != 3 or not is_sid(parts[0], "AC") or not parts[1].isdigit() or len(parts[1]) > 12:
        return None
    sid, issued, mac = parts
    age = int(time.time() if now is None else now) - int(issued)
    if not 0 <= age + 60 <= SESSION_SECONDS + 60:  # a minute of clock skew between processes
        return None
    row = accounts_store.fetch(db, sid)
    if row is None:
        return None
    account = Account.from_row(row)
    expected = _mac(account.auth_token, SESSION_PURPOSE, f"{sid}.{issued}")
    if not account.active or not hmac.compare_digest(expected.encode(), mac.encode()):
        return None
    return Session(account, value)


def new_pre_token() -> str:
    return secrets.token_hex(16)


def valid_pre_token(value: str) -> bool:
    return len(value) == 32 and all(c in "0123456789abcdef" for c in value)


def pre_token_ok(cookie: str, sent: str) -> bool:
    """The sign-in form's token: the same random value as the pre-session cookie."""
    return valid_pre_token(cookie) and hmac.compare_digest(cookie.encode(), sent.encode())


def set_cookie(name: str, value: str, *, secure: bool, max_age: int | None) -> tuple[bytes, bytes]:
    """A ``Set-Cookie`` header: HttpOnly, SameSite=Strict, Path=/console; ``max_age`` 0 deletes it."""
    attrs = [f"{name}={value}", f"Path={PATH}", "HttpOnly", "SameSite=Strict"]
    if max_age is not None:
        attrs.append(f"Max-Age={max_age}")
    if secure:
        attrs.append("Secure")
    return b"set-cookie", "; ".join(attrs).encode("latin-1")


def read_cookies(header: str) -> dict[str, str]:
    """The console's cookies from a ``Cookie`` header (the first of each name)."""
    found: dict[str, str] = {}
    for part in header.split(";"):
        name, sep, value = part.strip().partition("=")
        if sep and name in (SESSION_COOKIE, PRE_COOKIE) and name not in found:
            found[name] = value.strip()
    return found

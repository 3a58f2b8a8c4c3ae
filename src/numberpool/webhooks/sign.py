"""``X-Twilio-Signature``: base64(HMAC-SHA1(auth token, URL + sorted POST parameters)).

As Twilio's webhook security page defines it: the full URL requested, query string included,
then for a POST each form parameter sorted by name, appended as name and value with no
separator. A GET's parameters are in its URL already. The fragment is never sent, so never signed.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable
from urllib.parse import urlencode, urlsplit, urlunsplit


def without_fragment(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(fragment="")) if parts.fragment or url.endswith("#") else url


def with_query(url: str, params: Iterable[tuple[str, str]]) -> str:
    """``url`` with ``params`` appended to its query string (how a GET webhook carries them)."""
    encoded = urlencode(list(params))
    if not encoded:
        return url
    return url + ("&" if urlsplit(url).query else "?" if not url.endswith("?") else "") + encoded


def signature(auth_token: str, url: str, form: Iterable[tuple[str, str]] = ()) -> str:
    """The signature of a request to ``url`` (the exact URL sent) with POST parameters ``form``."""
    message = url + "".join(name + value for name, value in sorted(form, key=lambda p: p[0]))
    digest = hmac.new(auth_token.encode(), message.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()

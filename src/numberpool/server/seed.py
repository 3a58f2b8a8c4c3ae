"""``numberpool serve --seed FILE``: a state document loaded at start, as the main account.

Run by ``serve`` in its own process after the schema is brought up to date and before any worker
serves. A file that cannot be read, that is not a state document, or that breaks a rule raises
:class:`SeedRefused` with one line for the user; nothing of it is written then.
"""

from __future__ import annotations

from pathlib import Path

from numberpool.domain.accounts import Account
from numberpool.domain.backend import Backend
from numberpool.domain.errors import TwilioError
from numberpool.domain.pools.base import PoolLimits
from numberpool.domain.state import Control
from numberpool.products.control import document
from numberpool.store import accounts as accounts_q
from numberpool.store.db import Database


class SeedRefused(Exception):
    """The seed file was not loaded; the message says why, on one line."""


def load(db_url: str, path: str, main_sid: str, limits: PoolLimits) -> None:
    try:
        body = Path(path).read_bytes()
    except OSError as exc:
        raise SeedRefused(f"--seed {path}: cannot read it ({exc.strerror or exc})") from None
    db = Database(db_url)
    try:
        backend = Backend.open(db, limits)
        main = Account.from_row(accounts_q.fetch(db, main_sid))
        Control(backend).load(main, document.parse(body))
    except TwilioError as err:
        raise SeedRefused(f"--seed {path}: {err.message} (error {err.code})") from None
    finally:
        db.dispose()

"""The domain services one server process holds, shared by every product."""

from __future__ import annotations

from dataclasses import dataclass

from numberpool.domain.accounts import Accounts
from numberpool.domain.numbers import Numbers
from numberpool.store.db import Database


@dataclass(frozen=True)
class Services:
    db: Database
    accounts: Accounts
    numbers: Numbers

    @classmethod
    def open(cls, db: Database) -> Services:
        accounts = Accounts(db)
        return cls(db, accounts, Numbers(db, accounts))

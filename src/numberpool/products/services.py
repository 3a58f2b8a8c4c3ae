"""The domain services one server process holds, shared by every product."""

from __future__ import annotations

from dataclasses import dataclass

from numberpool.domain.accounts import Accounts
from numberpool.domain.numbers import Numbers
from numberpool.domain.pools import PoolLimits, Pools
from numberpool.store.db import Database


@dataclass(frozen=True)
class Services:
    db: Database
    accounts: Accounts
    numbers: Numbers
    pools: Pools

    @classmethod
    def open(cls, db: Database, limits: PoolLimits | None = None) -> Services:
        accounts = Accounts(db)
        return cls(db, accounts, Numbers(db, accounts), Pools(db, limits or PoolLimits()))

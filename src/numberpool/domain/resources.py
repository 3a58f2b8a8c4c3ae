"""Account-scoped parent resources (Messaging Services, Trunks, Proxy Services), declared by table.

Each product describes its resource with a :class:`ResourceSpec`: SID prefix,
parameters, defaults, required fields, what must be unique, and what deleting
it cascades to. :class:`Resources` implements create, fetch, update, delete and
list once for all three.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from numberpool.domain import params as p
from numberpool.domain.accounts import Account
from numberpool.domain.clock import now
from numberpool.domain.errors import TwilioError, invalid_parameter, missing_parameter, not_found
from numberpool.domain.paging import PageRequest
from numberpool.domain.sids import is_sid, new_sid
from numberpool.store.crud import Crud
from numberpool.store.db import Connection, Database, Row
from numberpool.store.errors import ConstraintViolation, unique_violation

Check = Callable[[Connection, Account, dict[str, Any], "str | None"], None]
"""``check(conn, account, values, sid_or_None)``: extra rules inside the write transaction."""


@dataclass(frozen=True)
class ResourceSpec:
    prefix: str
    crud: Crud
    params: tuple[p.Param, ...]
    defaults: dict[str, Any]
    required: tuple[str, ...] = ()
    check: Check | None = None
    conflict: Callable[[dict[str, Any]], TwilioError] | None = None  # unique-constraint violation -> error
    on_delete: Callable[[Connection, str], None] | None = None
    error_code: int | None = None  # a product's own code for bad parameters (Proxy: 80701)


class Resources:
    def __init__(self, db: Database, spec: ResourceSpec) -> None:
        self.db = db
        self.spec = spec

    def _parse(self, form: Mapping[str, str]) -> dict[str, Any]:
        try:
            return p.parse(self.spec.params, form)
        except TwilioError as err:
            if self.spec.error_code is not None and err.status == 400:
                raise TwilioError(self.spec.error_code, 400, err.message) from None
            raise

    def get_owned(self, conn: Connection, account: Account, sid: str, path: str, *, lock: bool = False) -> Row:
        """The row if it exists and belongs to ``account``; otherwise 20404, exactly as if absent."""
        row = self.spec.crud.get(conn, sid, lock=lock) if is_sid(sid, self.spec.prefix) else None
        if row is None or row.account_sid != account.sid:
            raise not_found(path)
        return row

    def create(self, account: Account, form: Mapping[str, str]) -> Row:
        for name in self.spec.required:
            if not form.get(name):
                raise missing_parameter(name, self.spec.error_code or 20001)
        values = self._parse(form)
        ts = now()
        sid = new_sid(self.spec.prefix)
        row = {**self.spec.defaults, **values, "sid": sid, "account_sid": account.sid, "date_created": ts, "date_updated": ts}
        try:
            with self.db.write() as conn:
                if self.spec.check is not None:
                    self.spec.check(conn, account, row, None)
                self.spec.crud.insert(conn, row)
                return self.spec.crud.get(conn, sid)
        except ConstraintViolation as exc:
            if self.spec.conflict is None or not unique_violation(exc):
                raise
            raise self.spec.conflict(row) from None

    def fetch(self, account: Account, sid: str, path: str) -> Row:
        """Outside any transaction; 20404 unless it exists and belongs to ``account``."""
        row = self.spec.crud.fetch(self.db, sid) if is_sid(sid, self.spec.prefix) else None
        if row is None or row.account_sid != account.sid:
            raise not_found(path)
        return row

    def update(self, account: Account, sid: str, form: Mapping[str, str], path: str) -> Row:
        for name in self.spec.required:
            if form.get(name) == "":
                raise invalid_parameter(name, "must not be empty", self.spec.error_code or 20001)
        values = self._parse(form)
        try:
            with self.db.write() as conn:
                self.get_owned(conn, account, sid, path, lock=True)
                if values:
                    if self.spec.check is not None:
                        self.spec.check(conn, account, values, sid)
                    values["date_updated"] = now()
                    self.spec.crud.update(conn, sid, values)
                return self.spec.crud.get(conn, sid)
        except ConstraintViolation as exc:
            if self.spec.conflict is None or not unique_violation(exc):
                raise
            raise self.spec.conflict(values) from None

    def delete(self, account: Account, sid: str, path: str) -> None:
        with self.db.write() as conn:
            self.get_owned(conn, account, sid, path, lock=True)
            if self.spec.on_delete is not None:
                self.spec.on_delete(conn, sid)
            self.spec.crud.delete(conn, sid)

    def list(self, account: Account, req: PageRequest) -> tuple[Sequence[Row], bool]:
        return self.spec.crud.list_page(self.db, account.sid, req)

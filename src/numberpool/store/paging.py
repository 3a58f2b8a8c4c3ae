"""Keyset paging over any SELECT ordered by a SID column, compiled once per shape."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Column, Select, bindparam

from numberpool.store.db import Database


@dataclass(frozen=True)
class PageRequest:
    """One page of a list: ``size`` rows, page number ``page``, and where a keyset token says to
    start: after the record ``after`` or before the record ``before`` (SIDs)."""

    size: int
    page: int
    after: str | None = None
    before: str | None = None
    token: str | None = None


def page_statement(stmt: Select, key: Column, req: PageRequest) -> Select:
    """``stmt`` with the paging of ``req`` as bind parameters (``:after``, ``:before``, ``:offset``,
    ``:limit``), so one compiled statement serves every page of that shape."""
    if req.before is not None:
        return stmt.where(key < bindparam("before")).order_by(key.desc()).limit(bindparam("limit"))
    if req.after is not None:
        stmt = stmt.where(key > bindparam("after"))
    elif req.page:
        stmt = stmt.offset(bindparam("offset"))
    return stmt.order_by(key).limit(bindparam("limit"))


def page_params(req: PageRequest) -> dict[str, object]:
    params: dict[str, object] = {"limit": req.size if req.before is not None else req.size + 1}
    if req.before is not None:
        params["before"] = req.before
    elif req.after is not None:
        params["after"] = req.after
    elif req.page:
        params["offset"] = req.page * req.size
    return params


def shape_of(req: PageRequest) -> str:
    return "before" if req.before is not None else "after" if req.after is not None else "offset" if req.page else "first"


def page(db: Database, key: tuple, build: Callable[[], Select], req: PageRequest, **params: Any) -> tuple[list, bool]:
    """Run a page_statement (compiled once per ``key`` and paging shape) outside any transaction."""
    prepared = db.prepared_shape((*key, shape_of(req)), build)
    return finish_page(db.reader.all(prepared, **params, **page_params(req)), req)


def finish_page(rows: list, req: PageRequest) -> tuple[list, bool]:
    """Rows in key order and whether a later page exists, from a page_statement's result."""
    if req.before is not None:
        rows.reverse()
        return rows, True
    return rows[: req.size], len(rows) > req.size

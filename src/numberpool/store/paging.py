"""Keyset paging over any SELECT ordered by a SID column."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Column, Connection, Row, Select

from numberpool.domain.paging import PageRequest


def fetch_page(conn: Connection, stmt: Select, key: Column, req: PageRequest) -> tuple[Sequence[Row], bool]:
    """Return one page of rows in key order and whether a later page exists."""
    if req.before is not None:
        rows = conn.execute(stmt.where(key < req.before).order_by(key.desc()).limit(req.size)).all()
        rows.reverse()
        return rows, True
    if req.after is not None:
        stmt = stmt.where(key > req.after)
    elif req.page:
        stmt = stmt.offset(req.page * req.size)
    rows = conn.execute(stmt.order_by(key).limit(req.size + 1)).all()
    has_more = len(rows) > req.size
    return rows[: req.size], has_more

"""Trunk OriginationUrls (trunking v1): the rows, a trunk's list page, and removing a trunk's."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Select, bindparam, delete, select

from numberpool.store.crud import Crud
from numberpool.store.db import Database
from numberpool.store.paging import PageRequest, page, page_statement
from numberpool.store.schema import origination_urls

origination_url = Crud(origination_urls)


def list_page(db: Database, trunk_sid: str, req: PageRequest) -> tuple[Sequence[Any], bool]:
    """One page of a trunk's origination URLs, in SID (creation) order; the trunk index finds them."""

    def build() -> Select:
        stmt = select(origination_urls).where(origination_urls.c.trunk_sid == bindparam("trunk"))
        return page_statement(stmt, origination_urls.c.sid, req)

    return page(db, ("origination_urls",), build, req, trunk=trunk_sid)


def delete_of_trunk(conn: Connection, trunk_sid: str) -> None:
    """Every origination URL of the trunk, in the caller's transaction (before the trunk row goes)."""
    conn.execute(delete(origination_urls).where(origination_urls.c.trunk_sid == trunk_sid))

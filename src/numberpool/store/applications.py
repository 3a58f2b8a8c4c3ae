"""Applications (2010-04-01): the rows, an account's list page, and clearing a deleted one off its numbers."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Select, bindparam, select, update

from numberpool.store.crud import Crud
from numberpool.store.db import Database
from numberpool.store.paging import PageRequest, page, page_statement
from numberpool.store.schema import applications, incoming_numbers

_ipn = incoming_numbers

application = Crud(applications)


def list_page(db: Database, account_sid: str, friendly_name: str | None, req: PageRequest) -> tuple[Sequence[Any], bool]:
    """One page of an account's applications, optionally those named exactly ``friendly_name``."""
    by_name = friendly_name is not None

    def build() -> Select:
        stmt = select(applications).where(applications.c.account_sid == bindparam("owner"))
        if by_name:
            stmt = stmt.where(applications.c.friendly_name == bindparam("friendly_name"))
        return page_statement(stmt, applications.c.sid, req)

    params: dict[str, Any] = {"owner": account_sid}
    if by_name:
        params["friendly_name"] = friendly_name
    return page(db, ("applications", by_name), build, req, **params)


def clear(conn: Connection, account_sid: str, application_sid: str, now: int) -> None:
    """The application leaves every number of its account (only those can name it), in the
    caller's transaction; the account index finds them."""
    for column in ("voice_application_sid", "sms_application_sid"):
        conn.execute(
            update(_ipn)
            .where(_ipn.c.account_sid == account_sid, _ipn.c[column] == application_sid)
            .values({column: None, "date_updated": now})
        )

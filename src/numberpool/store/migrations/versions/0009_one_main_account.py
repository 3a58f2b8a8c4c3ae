"""At most one main account, kept by the database: a partial unique index on ``accounts.is_main``.

Before this revision a restart with another ``TWILIO_ACCOUNT_SID`` left two main accounts. The
newest of them (by ``date_created``, then SID: the one the last restart with a new SID made) stays
main; the others become ordinary top-level accounts, with their subaccounts and data. A row marked
main that is a subaccount (never written by numberpool) loses the mark too. The next start with
``TWILIO_ACCOUNT_SID`` set makes that account the main one in any case (``Accounts.ensure_main``).

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

_accounts = sa.table(
    "accounts",
    sa.column("sid", sa.String),
    sa.column("owner_account_sid", sa.String),
    sa.column("is_main", sa.Boolean),
    sa.column("date_created", sa.BigInteger),
)


def upgrade() -> None:
    a = _accounts.c
    kept = (
        sa.select(a.sid)
        .where(a.is_main.is_(True), a.owner_account_sid == a.sid)
        .order_by(a.date_created.desc(), a.sid.desc())
        .limit(1)
        .scalar_subquery()
    )
    op.execute(
        _accounts.update()
        .where(a.is_main.is_(True), sa.or_(a.owner_account_sid != a.sid, a.sid != sa.func.coalesce(kept, "")))
        .values(is_main=False)
    )
    op.create_index("uq_accounts_one_main", "accounts", ["is_main"], unique=True,
                    sqlite_where=sa.text("is_main"), postgresql_where=sa.text("is_main"))


def downgrade() -> None:
    op.drop_index("uq_accounts_one_main", table_name="accounts")

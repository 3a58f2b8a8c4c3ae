"""Calls: where a call's TwiML goes on (``resume``), so a call taken over after its process died
runs the document it was at, not its Url from the start.

Revision ID: 0013
Revises: 0012
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("calls") as batch:
        batch.add_column(sa.Column("resume", sa.Text))


def downgrade() -> None:
    with op.batch_alter_table("calls") as batch:
        batch.drop_column("resume")

"""Trunk OriginationUrls (trunking v1).

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "origination_urls",
        sa.Column("sid", sa.String(34), primary_key=True),
        sa.Column("account_sid", sa.String(34), sa.ForeignKey("accounts.sid"), nullable=False),
        sa.Column("trunk_sid", sa.String(34), sa.ForeignKey("trunks.sid"), nullable=False),
        sa.Column("friendly_name", sa.String(64), nullable=False),
        sa.Column("sip_url", sa.String(4000), nullable=False),
        sa.Column("weight", sa.Integer, nullable=False),
        sa.Column("priority", sa.Integer, nullable=False),
        sa.Column("enabled", sa.Boolean, nullable=False),
        sa.Column("date_created", sa.BigInteger, nullable=False),
        sa.Column("date_updated", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_origination_urls_trunk", "origination_urls", ["trunk_sid", "sid"])


def downgrade() -> None:
    op.drop_table("origination_urls")

"""API keys: an account's Keys, their secrets stored as SHA-256 digests.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "api_keys",
        sa.Column("sid", sa.String(34), primary_key=True),
        sa.Column("account_sid", sa.String(34), sa.ForeignKey("accounts.sid"), nullable=False),
        sa.Column("friendly_name", sa.String(64)),
        sa.Column("secret_hash", sa.String(64), nullable=False),
        sa.Column("date_created", sa.BigInteger, nullable=False),
        sa.Column("date_updated", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_api_keys_account", "api_keys", ["account_sid", "sid"])


def downgrade() -> None:
    op.drop_table("api_keys")

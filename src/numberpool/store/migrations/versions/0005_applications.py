"""Applications (2010-04-01).

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "applications",
        sa.Column("sid", sa.String(34), primary_key=True),
        sa.Column("account_sid", sa.String(34), sa.ForeignKey("accounts.sid"), nullable=False),
        sa.Column("friendly_name", sa.String(64)),
        sa.Column("api_version", sa.String(16), nullable=False),
        sa.Column("voice_url", sa.String(4000)),
        sa.Column("voice_method", sa.String(4), nullable=False),
        sa.Column("voice_fallback_url", sa.String(4000)),
        sa.Column("voice_fallback_method", sa.String(4), nullable=False),
        sa.Column("voice_caller_id_lookup", sa.Boolean, nullable=False),
        sa.Column("status_callback", sa.String(4000)),
        sa.Column("status_callback_method", sa.String(4), nullable=False),
        sa.Column("sms_url", sa.String(4000)),
        sa.Column("sms_method", sa.String(4), nullable=False),
        sa.Column("sms_fallback_url", sa.String(4000)),
        sa.Column("sms_fallback_method", sa.String(4), nullable=False),
        sa.Column("sms_status_callback", sa.String(4000)),
        sa.Column("message_status_callback", sa.String(4000)),
        sa.Column("public_application_connect_enabled", sa.Boolean, nullable=False),
        sa.Column("date_created", sa.BigInteger, nullable=False),
        sa.Column("date_updated", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_applications_account", "applications", ["account_sid", "sid"])


def downgrade() -> None:
    op.drop_table("applications")

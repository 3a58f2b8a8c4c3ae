"""Inbound events: the record of each simulated inbound message or call.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "inbound_events",
        sa.Column("sid", sa.String(34), primary_key=True),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("account_sid", sa.String(34), sa.ForeignKey("accounts.sid"), nullable=False),
        sa.Column("to_number", sa.String(20), nullable=False),
        sa.Column("from_number", sa.String(64), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("media_urls", sa.Text, nullable=False),
        sa.Column("call_duration", sa.Integer),
        sa.Column("route", sa.String(24), nullable=False),
        sa.Column("messaging_service_sid", sa.String(34)),
        sa.Column("application_sid", sa.String(34)),
        sa.Column("trunk_sid", sa.String(34)),
        sa.Column("proxy_service_sid", sa.String(34)),
        sa.Column("sip_url", sa.String(4000)),
        sa.Column("deliveries", sa.Text, nullable=False),
        sa.Column("replies", sa.Text, nullable=False),
        sa.Column("date_created", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_inbound_events_account", "inbound_events", ["account_sid", "kind", "sid"])


def downgrade() -> None:
    op.drop_table("inbound_events")

"""Proxy sessions: sessions of a Proxy Service, their participants and interactions.

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "proxy_sessions",
        sa.Column("sid", sa.String(34), primary_key=True),
        sa.Column("account_sid", sa.String(34), sa.ForeignKey("accounts.sid"), nullable=False),
        sa.Column("service_sid", sa.String(34), sa.ForeignKey("proxy_services.sid"), nullable=False),
        sa.Column("unique_name", sa.String(191)),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("mode", sa.String(24), nullable=False),
        sa.Column("ttl", sa.BigInteger, nullable=False),
        sa.Column("date_expiry", sa.BigInteger),
        sa.Column("expires_at", sa.BigInteger),
        sa.Column("closed_reason", sa.String(32)),
        sa.Column("date_started", sa.BigInteger),
        sa.Column("date_ended", sa.BigInteger),
        sa.Column("date_last_interaction", sa.BigInteger),
        sa.Column("date_created", sa.BigInteger, nullable=False),
        sa.Column("date_updated", sa.BigInteger, nullable=False),
        sa.UniqueConstraint("service_sid", "unique_name", name="uq_proxy_session_unique_name"),
    )
    op.create_index("ix_proxy_sessions_service", "proxy_sessions", ["service_sid", "sid"])
    op.create_table(
        "proxy_participants",
        sa.Column("sid", sa.String(34), primary_key=True),
        sa.Column("account_sid", sa.String(34), sa.ForeignKey("accounts.sid"), nullable=False),
        sa.Column("service_sid", sa.String(34), nullable=False),
        sa.Column("session_sid", sa.String(34), sa.ForeignKey("proxy_sessions.sid"), nullable=False),
        sa.Column("identifier", sa.String(191), nullable=False),
        sa.Column("friendly_name", sa.String(255)),
        sa.Column("proxy_identifier", sa.String(64), nullable=False),
        sa.Column("proxy_identifier_sid", sa.String(34), nullable=False),
        sa.Column("date_deleted", sa.BigInteger),
        sa.Column("date_created", sa.BigInteger, nullable=False),
        sa.Column("date_updated", sa.BigInteger, nullable=False),
        sa.UniqueConstraint("session_sid", "identifier", name="uq_proxy_participant_identifier"),
    )
    op.create_index("ix_proxy_participants_session", "proxy_participants", ["session_sid", "sid"])
    op.create_index("ix_proxy_participants_number", "proxy_participants", ["proxy_identifier_sid", "identifier"])
    op.create_index("ix_proxy_participants_identifier", "proxy_participants", ["service_sid", "identifier", "date_created"])
    op.create_table(
        "proxy_interactions",
        sa.Column("sid", sa.String(34), primary_key=True),
        sa.Column("account_sid", sa.String(34), sa.ForeignKey("accounts.sid"), nullable=False),
        sa.Column("service_sid", sa.String(34), nullable=False),
        sa.Column("session_sid", sa.String(34), sa.ForeignKey("proxy_sessions.sid"), nullable=False),
        sa.Column("type", sa.String(16), nullable=False),
        sa.Column("data", sa.Text),
        *(sa.Column(f"{side}_{name}", sa.String(4000 if name == "resource_url" else 34 if name.endswith("sid") else 24))
          for side in ("inbound", "outbound")
          for name in ("participant_sid", "resource_sid", "resource_status", "resource_type", "resource_url")),
        sa.Column("date_created", sa.BigInteger, nullable=False),
        sa.Column("date_updated", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_proxy_interactions_session", "proxy_interactions", ["session_sid", "sid"])


def downgrade() -> None:
    for table in ("proxy_interactions", "proxy_participants", "proxy_sessions"):
        op.drop_table(table)

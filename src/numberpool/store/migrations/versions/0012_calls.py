"""Calls: the calls table (every leg placed, dialled or received) and numberpool's CallRules.

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "calls",
        sa.Column("sid", sa.String(34), primary_key=True),
        sa.Column("created_key", sa.String(32), nullable=False),
        sa.Column("account_sid", sa.String(34), sa.ForeignKey("accounts.sid"), nullable=False),
        sa.Column("parent_call_sid", sa.String(34)),
        sa.Column("root_sid", sa.String(34), nullable=False),
        sa.Column("peer_sid", sa.String(34)),
        sa.Column("to_number", sa.String(64), nullable=False),
        sa.Column("from_number", sa.String(64), nullable=False),
        sa.Column("phone_number_sid", sa.String(34)),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("direction", sa.String(16), nullable=False),
        sa.Column("answered_by", sa.String(32)),
        sa.Column("start_time", sa.BigInteger),
        sa.Column("end_time", sa.BigInteger),
        sa.Column("answered_at", sa.BigInteger),
        sa.Column("duration", sa.Integer),
        sa.Column("price", sa.String(16)),
        sa.Column("trunk_sid", sa.String(34)),
        sa.Column("sip_url", sa.String(4000)),
        sa.Column("application_sid", sa.String(34)),
        sa.Column("url", sa.String(4000)),
        sa.Column("method", sa.String(8), nullable=False),
        sa.Column("fallback_url", sa.String(4000)),
        sa.Column("fallback_method", sa.String(8), nullable=False),
        sa.Column("twiml", sa.Text),
        sa.Column("status_callback", sa.String(4000)),
        sa.Column("status_callback_method", sa.String(8), nullable=False),
        sa.Column("events", sa.Text, nullable=False),
        sa.Column("timeout", sa.Integer, nullable=False),
        sa.Column("machine_detection", sa.String(32)),
        sa.Column("phase", sa.String(8), nullable=False),
        sa.Column("redirect", sa.Text),
        sa.Column("sequence", sa.Integer, nullable=False),
        sa.Column("elapsed", sa.Integer, nullable=False),
        sa.Column("digits_used", sa.Integer, nullable=False),
        sa.Column("rule", sa.Text),
        sa.Column("verbs", sa.Text, nullable=False),
        sa.Column("deliveries", sa.Text, nullable=False),
        sa.Column("extra", sa.Text, nullable=False),
        sa.Column("date_created", sa.BigInteger, nullable=False),
        sa.Column("date_updated", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_calls_account_from", "calls", ["account_sid", "from_number", "created_key"])
    op.create_index("ix_calls_parent", "calls", ["parent_call_sid"])
    op.create_index("ix_calls_root", "calls", ["root_sid"])
    op.create_index("ix_calls_account", "calls", ["account_sid", "created_key"])
    op.create_index("ix_calls_account_to", "calls", ["account_sid", "to_number", "created_key"])
    op.create_table(
        "call_rules",
        sa.Column("sid", sa.String(34), primary_key=True),
        sa.Column("account_sid", sa.String(34), sa.ForeignKey("accounts.sid"), nullable=False),
        sa.Column("to_pattern", sa.String(32), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("ring_seconds", sa.Integer, nullable=False),
        sa.Column("hold_seconds", sa.Integer, nullable=False),
        sa.Column("digits", sa.Text, nullable=False),
        sa.Column("duration", sa.Integer, nullable=False),
        sa.Column("answered_by", sa.String(32), nullable=False),
        sa.Column("date_created", sa.BigInteger, nullable=False),
        sa.Column("date_updated", sa.BigInteger, nullable=False),
        sa.UniqueConstraint("account_sid", "to_pattern", name="uq_call_rule_to"),
    )


def downgrade() -> None:
    op.drop_table("call_rules")
    op.drop_table("calls")

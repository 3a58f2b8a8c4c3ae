"""Messages: the messages table, their pending work, Messaging Services' sticky senders and the
time each pool number last sent, numberpool's DeliveryRules, recipients' opt-outs (STOP), and the server clock's offset.

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("messaging_service_numbers") as batch:
        batch.add_column(sa.Column("last_sent", sa.BigInteger))
    op.create_table(
        "messages",
        sa.Column("sid", sa.String(34), primary_key=True),
        sa.Column("created_key", sa.String(32), nullable=False),
        sa.Column("account_sid", sa.String(34), sa.ForeignKey("accounts.sid"), nullable=False),
        sa.Column("messaging_service_sid", sa.String(34)),
        sa.Column("from_number", sa.String(64)),
        sa.Column("to_number", sa.String(64), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("direction", sa.String(16), nullable=False),
        sa.Column("num_segments", sa.Integer, nullable=False),
        sa.Column("num_media", sa.Integer, nullable=False),
        sa.Column("media_urls", sa.Text, nullable=False),
        sa.Column("price", sa.String(16)),
        sa.Column("price_unit", sa.String(8), nullable=False),
        sa.Column("error_code", sa.Integer),
        sa.Column("error_message", sa.String(255)),
        sa.Column("status_callback", sa.String(4000)),
        sa.Column("application_sid", sa.String(34)),
        sa.Column("validity_period", sa.Integer, nullable=False),
        sa.Column("smart_encoded", sa.Boolean, nullable=False),
        sa.Column("selection", sa.Text),
        sa.Column("deliveries", sa.Text, nullable=False),
        sa.Column("extra", sa.Text, nullable=False),
        sa.Column("date_created", sa.BigInteger, nullable=False),
        sa.Column("date_updated", sa.BigInteger, nullable=False),
        sa.Column("date_sent", sa.BigInteger),
    )
    op.create_index("ix_messages_account", "messages", ["account_sid", "created_key"])
    op.create_index("ix_messages_account_to", "messages", ["account_sid", "to_number", "created_key"])
    op.create_index("ix_messages_account_from", "messages", ["account_sid", "from_number", "created_key"])
    op.create_index("ix_messages_pair", "messages", ["to_number", "from_number", "date_created"])
    op.create_table(
        "message_work",
        sa.Column("message_sid", sa.String(34), primary_key=True),
        sa.Column("account_sid", sa.String(34), sa.ForeignKey("accounts.sid"), nullable=False),
        sa.Column("due", sa.BigInteger, nullable=False),
        sa.Column("claimed_until", sa.BigInteger, nullable=False),
        sa.Column("claimed_by", sa.String(80)),
    )
    op.create_index("ix_message_work_due", "message_work", ["due", "claimed_until"])
    op.create_index("ix_message_work_account", "message_work", ["account_sid"])
    op.create_table(
        "sticky_senders",
        sa.Column("service_sid", sa.String(34), sa.ForeignKey("messaging_services.sid"), primary_key=True),
        sa.Column("to_number", sa.String(64), primary_key=True),
        sa.Column("phone_number_sid", sa.String(34), nullable=False),
        sa.Column("date_updated", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_sticky_senders_number", "sticky_senders", ["phone_number_sid"])
    op.create_table(
        "delivery_rules",
        sa.Column("sid", sa.String(34), primary_key=True),
        sa.Column("account_sid", sa.String(34), sa.ForeignKey("accounts.sid"), nullable=False),
        sa.Column("to_pattern", sa.String(32), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("error_code", sa.Integer),
        sa.Column("date_created", sa.BigInteger, nullable=False),
        sa.Column("date_updated", sa.BigInteger, nullable=False),
        sa.UniqueConstraint("account_sid", "to_pattern", name="uq_delivery_rule_to"),
    )


    op.create_table(
        "opt_outs",
        sa.Column("sender", sa.String(64), primary_key=True),
        sa.Column("recipient", sa.String(64), primary_key=True),
        sa.Column("date_created", sa.BigInteger, nullable=False),
    )
    clock = op.create_table(
        "server_clock",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("offset_ms", sa.BigInteger, nullable=False),
    )
    op.bulk_insert(clock, [{"id": 1, "offset_ms": 0}])


def downgrade() -> None:
    for table in ("server_clock", "opt_outs", "delivery_rules", "sticky_senders", "message_work", "messages"):
        op.drop_table(table)
    with op.batch_alter_table("messaging_service_numbers") as batch:
        batch.drop_column("last_sent")

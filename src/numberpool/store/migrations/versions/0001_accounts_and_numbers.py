"""Accounts and IncomingPhoneNumbers.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "accounts",
        sa.Column("sid", sa.String(34), primary_key=True),
        sa.Column("owner_account_sid", sa.String(34), nullable=False),
        sa.Column("friendly_name", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("type", sa.String(8), nullable=False),
        sa.Column("auth_token", sa.String(64), nullable=False),
        sa.Column("is_main", sa.Boolean, nullable=False),
        sa.Column("date_created", sa.BigInteger, nullable=False),
        sa.Column("date_updated", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_accounts_owner", "accounts", ["owner_account_sid", "sid"])
    op.create_table(
        "incoming_phone_numbers",
        sa.Column("sid", sa.String(34), primary_key=True),
        sa.Column("account_sid", sa.String(34), sa.ForeignKey("accounts.sid"), nullable=False),
        sa.Column("phone_number", sa.String(20), nullable=False),
        sa.Column("friendly_name", sa.String(64), nullable=False),
        sa.Column("iso_country", sa.String(2), nullable=False),
        sa.Column("number_type", sa.String(20), nullable=False),
        sa.Column("origin", sa.String(8), nullable=False),
        sa.Column("beta", sa.Boolean, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("address_requirements", sa.String(8), nullable=False),
        sa.Column("cap_voice", sa.Boolean, nullable=False),
        sa.Column("cap_sms", sa.Boolean, nullable=False),
        sa.Column("cap_mms", sa.Boolean, nullable=False),
        sa.Column("cap_fax", sa.Boolean, nullable=False),
        sa.Column("api_version", sa.String(16), nullable=False),
        sa.Column("voice_url", sa.String(4000)),
        sa.Column("voice_method", sa.String(4), nullable=False),
        sa.Column("voice_fallback_url", sa.String(4000)),
        sa.Column("voice_fallback_method", sa.String(4), nullable=False),
        sa.Column("voice_caller_id_lookup", sa.Boolean, nullable=False),
        sa.Column("voice_application_sid", sa.String(34)),
        sa.Column("voice_receive_mode", sa.String(8), nullable=False),
        sa.Column("trunk_sid", sa.String(34)),
        sa.Column("sms_url", sa.String(4000)),
        sa.Column("sms_method", sa.String(4), nullable=False),
        sa.Column("sms_fallback_url", sa.String(4000)),
        sa.Column("sms_fallback_method", sa.String(4), nullable=False),
        sa.Column("sms_application_sid", sa.String(34)),
        sa.Column("status_callback", sa.String(4000)),
        sa.Column("status_callback_method", sa.String(4), nullable=False),
        sa.Column("emergency_status", sa.String(10), nullable=False),
        sa.Column("emergency_address_sid", sa.String(34)),
        sa.Column("emergency_address_status", sa.String(24), nullable=False),
        sa.Column("identity_sid", sa.String(34)),
        sa.Column("address_sid", sa.String(34)),
        sa.Column("bundle_sid", sa.String(34)),
        sa.Column("date_created", sa.BigInteger, nullable=False),
        sa.Column("date_updated", sa.BigInteger, nullable=False),
        sa.UniqueConstraint("phone_number", name="uq_number_e164"),
    )
    op.create_index("ix_numbers_account", "incoming_phone_numbers", ["account_sid", "sid"])
    op.create_index("ix_numbers_account_friendly", "incoming_phone_numbers", ["account_sid", "friendly_name", "sid"])
    op.create_index("ix_numbers_trunk", "incoming_phone_numbers", ["trunk_sid"])


def downgrade() -> None:
    op.drop_table("incoming_phone_numbers")
    op.drop_table("accounts")

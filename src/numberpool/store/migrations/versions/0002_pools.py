"""Messaging Services, Trunks, Proxy Services and their number pools.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def _dates() -> list[sa.Column]:
    return [sa.Column("date_created", sa.BigInteger, nullable=False), sa.Column("date_updated", sa.BigInteger, nullable=False)]


def upgrade() -> None:
    op.create_table(
        "messaging_services",
        sa.Column("sid", sa.String(34), primary_key=True),
        sa.Column("account_sid", sa.String(34), sa.ForeignKey("accounts.sid"), nullable=False),
        sa.Column("friendly_name", sa.String(64), nullable=False),
        sa.Column("inbound_request_url", sa.String(4000)),
        sa.Column("inbound_method", sa.String(4), nullable=False),
        sa.Column("fallback_url", sa.String(4000)),
        sa.Column("fallback_method", sa.String(4), nullable=False),
        sa.Column("status_callback", sa.String(4000)),
        sa.Column("sticky_sender", sa.Boolean, nullable=False),
        sa.Column("mms_converter", sa.Boolean, nullable=False),
        sa.Column("smart_encoding", sa.Boolean, nullable=False),
        sa.Column("scan_message_content", sa.String(8), nullable=False),
        sa.Column("fallback_to_long_code", sa.Boolean, nullable=False),
        sa.Column("area_code_geomatch", sa.Boolean, nullable=False),
        sa.Column("validity_period", sa.BigInteger, nullable=False),
        sa.Column("synchronous_validation", sa.Boolean, nullable=False),
        sa.Column("usecase", sa.String(32), nullable=False),
        sa.Column("use_inbound_webhook_on_number", sa.Boolean, nullable=False),
        *_dates(),
    )
    op.create_index("ix_messaging_services_account", "messaging_services", ["account_sid", "sid"])
    op.create_table(
        "messaging_service_numbers",
        sa.Column("phone_number_sid", sa.String(34), sa.ForeignKey("incoming_phone_numbers.sid"), primary_key=True),
        sa.Column("service_sid", sa.String(34), sa.ForeignKey("messaging_services.sid"), nullable=False),
        *_dates(),
    )
    op.create_index("ix_messaging_numbers_service", "messaging_service_numbers", ["service_sid", "phone_number_sid"])
    op.create_table(
        "trunks",
        sa.Column("sid", sa.String(34), primary_key=True),
        sa.Column("account_sid", sa.String(34), sa.ForeignKey("accounts.sid"), nullable=False),
        sa.Column("friendly_name", sa.String(64)),
        sa.Column("domain_name", sa.String(255)),
        sa.Column("disaster_recovery_url", sa.String(4000)),
        sa.Column("disaster_recovery_method", sa.String(4), nullable=False),
        sa.Column("transfer_mode", sa.String(16), nullable=False),
        sa.Column("secure", sa.Boolean, nullable=False),
        sa.Column("cnam_lookup_enabled", sa.Boolean, nullable=False),
        sa.Column("transfer_caller_id", sa.String(16), nullable=False),
        sa.Column("symmetric_rtp_enabled", sa.Boolean, nullable=False),
        sa.Column("recording_mode", sa.String(24), nullable=False),
        sa.Column("recording_trim", sa.String(16), nullable=False),
        *_dates(),
        sa.UniqueConstraint("domain_name", name="uq_trunk_domain"),
    )
    op.create_index("ix_trunks_account", "trunks", ["account_sid", "sid"])
    op.create_table(
        "proxy_services",
        sa.Column("sid", sa.String(34), primary_key=True),
        sa.Column("account_sid", sa.String(34), sa.ForeignKey("accounts.sid"), nullable=False),
        sa.Column("unique_name", sa.String(191), nullable=False),
        sa.Column("default_ttl", sa.BigInteger, nullable=False),
        sa.Column("callback_url", sa.String(4000)),
        sa.Column("geo_match_level", sa.String(16), nullable=False),
        sa.Column("number_selection_behavior", sa.String(16), nullable=False),
        sa.Column("intercept_callback_url", sa.String(4000)),
        sa.Column("out_of_session_callback_url", sa.String(4000)),
        sa.Column("chat_instance_sid", sa.String(34)),
        *_dates(),
        sa.UniqueConstraint("account_sid", "unique_name", name="uq_proxy_unique_name"),
    )
    op.create_index("ix_proxy_services_account", "proxy_services", ["account_sid", "sid"])
    op.create_table(
        "proxy_service_numbers",
        sa.Column("phone_number_sid", sa.String(34), sa.ForeignKey("incoming_phone_numbers.sid"), primary_key=True),
        sa.Column("service_sid", sa.String(34), sa.ForeignKey("proxy_services.sid"), nullable=False),
        sa.Column("is_reserved", sa.Boolean, nullable=False),
        sa.Column("in_use", sa.BigInteger, nullable=False),
        *_dates(),
    )
    op.create_index("ix_proxy_numbers_service", "proxy_service_numbers", ["service_sid", "is_reserved", "phone_number_sid"])


def downgrade() -> None:
    for table in ("proxy_service_numbers", "proxy_services", "trunks", "messaging_service_numbers", "messaging_services"):
        op.drop_table(table)

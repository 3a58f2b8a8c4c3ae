"""The account's number index carries the phone number, so a PhoneNumber wildcard list reads
only the index while it looks for matches, and touches the table for the page it returns.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_numbers_account_number", "incoming_phone_numbers", ["account_sid", "sid", "phone_number"])
    op.drop_index("ix_numbers_account", table_name="incoming_phone_numbers")


def downgrade() -> None:
    op.create_index("ix_numbers_account", "incoming_phone_numbers", ["account_sid", "sid"])
    op.drop_index("ix_numbers_account_number", table_name="incoming_phone_numbers")

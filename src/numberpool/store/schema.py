"""The tables, in SQLAlchemy Core, the same on SQLite and PostgreSQL.

Times are integer Unix seconds (UTC): both wire formats (RFC 2822 and ISO 8601)
are rendered from them without parsing. Invariants that must survive several
server processes live here as constraints: a phone number is owned once
(``uq_number_e164``).
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Index,
    MetaData,
    String,
    Table,
    UniqueConstraint,
)

metadata = MetaData()

accounts = Table(
    "accounts",
    metadata,
    Column("sid", String(34), primary_key=True),
    Column("owner_account_sid", String(34), nullable=False),
    Column("friendly_name", String(64), nullable=False),
    Column("status", String(16), nullable=False),
    Column("type", String(8), nullable=False),
    Column("auth_token", String(64), nullable=False),
    Column("is_main", Boolean, nullable=False, default=False),
    Column("date_created", BigInteger, nullable=False),
    Column("date_updated", BigInteger, nullable=False),
    Index("ix_accounts_owner", "owner_account_sid", "sid"),
)

incoming_numbers = Table(
    "incoming_phone_numbers",
    metadata,
    Column("sid", String(34), primary_key=True),
    Column("account_sid", String(34), ForeignKey("accounts.sid"), nullable=False),
    Column("phone_number", String(20), nullable=False),
    Column("friendly_name", String(64), nullable=False),
    Column("iso_country", String(2), nullable=False),
    Column("number_type", String(20), nullable=False),
    Column("origin", String(8), nullable=False),
    Column("beta", Boolean, nullable=False),
    Column("status", String(16), nullable=False),
    Column("address_requirements", String(8), nullable=False),
    Column("cap_voice", Boolean, nullable=False),
    Column("cap_sms", Boolean, nullable=False),
    Column("cap_mms", Boolean, nullable=False),
    Column("cap_fax", Boolean, nullable=False),
    Column("api_version", String(16), nullable=False),
    Column("voice_url", String(4000)),
    Column("voice_method", String(4), nullable=False),
    Column("voice_fallback_url", String(4000)),
    Column("voice_fallback_method", String(4), nullable=False),
    Column("voice_caller_id_lookup", Boolean, nullable=False),
    Column("voice_application_sid", String(34)),
    Column("voice_receive_mode", String(8), nullable=False),
    Column("trunk_sid", String(34)),
    Column("sms_url", String(4000)),
    Column("sms_method", String(4), nullable=False),
    Column("sms_fallback_url", String(4000)),
    Column("sms_fallback_method", String(4), nullable=False),
    Column("sms_application_sid", String(34)),
    Column("status_callback", String(4000)),
    Column("status_callback_method", String(4), nullable=False),
    Column("emergency_status", String(10), nullable=False),
    Column("emergency_address_sid", String(34)),
    Column("emergency_address_status", String(24), nullable=False),
    Column("identity_sid", String(34)),
    Column("address_sid", String(34)),
    Column("bundle_sid", String(34)),
    Column("date_created", BigInteger, nullable=False),
    Column("date_updated", BigInteger, nullable=False),
    UniqueConstraint("phone_number", name="uq_number_e164"),
    Index("ix_numbers_account", "account_sid", "sid"),
    Index("ix_numbers_account_friendly", "account_sid", "friendly_name", "sid"),
    Index("ix_numbers_trunk", "trunk_sid"),
)

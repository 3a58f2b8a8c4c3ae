"""The tables, in SQLAlchemy Core, the same on SQLite and PostgreSQL.

Times are integer Unix seconds (UTC): both wire formats (RFC 2822 and ISO 8601)
are rendered from them without parsing. Invariants that must survive several
server processes live here as constraints: a phone number is owned once
(``uq_number_e164``); there is at most one main account (``uq_accounts_one_main``).
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
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
# At most one main account, however many servers start at once: a partial unique index (every row
# with is_main true has the same key). Migration 0009 makes it on both databases with its WHERE;
# here it carries SQLite's only, as naming postgresql_where would import SQLAlchemy's PostgreSQL
# dialect on every start (22 ms), SQLite's included; autogenerate compares no predicates.
Index("uq_accounts_one_main", accounts.c.is_main, unique=True, sqlite_where=text("is_main"))

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
    # phone_number rides along: a PhoneNumber wildcard scan reads the index alone (migration 0003)
    Index("ix_numbers_account_number", "account_sid", "sid", "phone_number"),
    Index("ix_numbers_account_friendly", "account_sid", "friendly_name", "sid"),
    Index("ix_numbers_trunk", "trunk_sid"),
)

# --- Messaging v1 --------------------------------------------------------------------------

messaging_services = Table(
    "messaging_services",
    metadata,
    Column("sid", String(34), primary_key=True),
    Column("account_sid", String(34), ForeignKey("accounts.sid"), nullable=False),
    Column("friendly_name", String(64), nullable=False),
    Column("inbound_request_url", String(4000)),
    Column("inbound_method", String(4), nullable=False),
    Column("fallback_url", String(4000)),
    Column("fallback_method", String(4), nullable=False),
    Column("status_callback", String(4000)),
    Column("sticky_sender", Boolean, nullable=False),
    Column("mms_converter", Boolean, nullable=False),
    Column("smart_encoding", Boolean, nullable=False),
    Column("scan_message_content", String(8), nullable=False),
    Column("fallback_to_long_code", Boolean, nullable=False),
    Column("area_code_geomatch", Boolean, nullable=False),
    Column("validity_period", BigInteger, nullable=False),
    Column("synchronous_validation", Boolean, nullable=False),
    Column("usecase", String(32), nullable=False),
    Column("use_inbound_webhook_on_number", Boolean, nullable=False),
    Column("date_created", BigInteger, nullable=False),
    Column("date_updated", BigInteger, nullable=False),
    Index("ix_messaging_services_account", "account_sid", "sid"),
)

# One row per number in a Messaging Service; the primary key is the number, so a
# number is in at most one Messaging Service whatever the processes do.
messaging_numbers = Table(
    "messaging_service_numbers",
    metadata,
    Column("phone_number_sid", String(34), ForeignKey("incoming_phone_numbers.sid"), primary_key=True),
    Column("service_sid", String(34), ForeignKey("messaging_services.sid"), nullable=False),
    Column("date_created", BigInteger, nullable=False),
    Column("date_updated", BigInteger, nullable=False),
    # When the Service last chose this number as a message's sender (milliseconds of the server
    # clock; null: never): the least recently used sender is the one chosen among equals.
    Column("last_sent", BigInteger),
    Index("ix_messaging_numbers_service", "service_sid", "phone_number_sid"),
)

# --- Trunking v1 ---------------------------------------------------------------------------
# A number's trunk is incoming_phone_numbers.trunk_sid: one column, so one trunk per number.

trunks = Table(
    "trunks",
    metadata,
    Column("sid", String(34), primary_key=True),
    Column("account_sid", String(34), ForeignKey("accounts.sid"), nullable=False),
    Column("friendly_name", String(64)),
    Column("domain_name", String(255)),
    Column("disaster_recovery_url", String(4000)),
    Column("disaster_recovery_method", String(4), nullable=False),
    Column("transfer_mode", String(16), nullable=False),
    Column("secure", Boolean, nullable=False),
    Column("cnam_lookup_enabled", Boolean, nullable=False),
    Column("transfer_caller_id", String(16), nullable=False),
    Column("symmetric_rtp_enabled", Boolean, nullable=False),
    Column("recording_mode", String(24), nullable=False),
    Column("recording_trim", String(16), nullable=False),
    Column("date_created", BigInteger, nullable=False),
    Column("date_updated", BigInteger, nullable=False),
    UniqueConstraint("domain_name", name="uq_trunk_domain"),
    Index("ix_trunks_account", "account_sid", "sid"),
)

# --- Proxy v1 ------------------------------------------------------------------------------

proxy_services = Table(
    "proxy_services",
    metadata,
    Column("sid", String(34), primary_key=True),
    Column("account_sid", String(34), ForeignKey("accounts.sid"), nullable=False),
    Column("unique_name", String(191), nullable=False),
    Column("default_ttl", BigInteger, nullable=False),
    Column("callback_url", String(4000)),
    Column("geo_match_level", String(16), nullable=False),
    Column("number_selection_behavior", String(16), nullable=False),
    Column("intercept_callback_url", String(4000)),
    Column("out_of_session_callback_url", String(4000)),
    Column("chat_instance_sid", String(34)),
    Column("date_created", BigInteger, nullable=False),
    Column("date_updated", BigInteger, nullable=False),
    UniqueConstraint("account_sid", "unique_name", name="uq_proxy_unique_name"),
    Index("ix_proxy_services_account", "account_sid", "sid"),
)

# Primary key on the number: a number is in at most one Proxy Service.
proxy_numbers = Table(
    "proxy_service_numbers",
    metadata,
    Column("phone_number_sid", String(34), ForeignKey("incoming_phone_numbers.sid"), primary_key=True),
    Column("service_sid", String(34), ForeignKey("proxy_services.sid"), nullable=False),
    Column("is_reserved", Boolean, nullable=False),
    Column("in_use", BigInteger, nullable=False),
    Column("date_created", BigInteger, nullable=False),
    Column("date_updated", BigInteger, nullable=False),
    Index("ix_proxy_numbers_service", "service_sid", "is_reserved", "phone_number_sid"),
)

# --- Applications (2010-04-01) -------------------------------------------------------------
# A number's applications are incoming_phone_numbers.voice_application_sid / sms_application_sid;
# domain.numbers checks they name an application of the number's account.

applications = Table(
    "applications",
    metadata,
    Column("sid", String(34), primary_key=True),
    Column("account_sid", String(34), ForeignKey("accounts.sid"), nullable=False),
    Column("friendly_name", String(64)),
    Column("api_version", String(16), nullable=False),
    Column("voice_url", String(4000)),
    Column("voice_method", String(4), nullable=False),
    Column("voice_fallback_url", String(4000)),
    Column("voice_fallback_method", String(4), nullable=False),
    Column("voice_caller_id_lookup", Boolean, nullable=False),
    Column("status_callback", String(4000)),
    Column("status_callback_method", String(4), nullable=False),
    Column("sms_url", String(4000)),
    Column("sms_method", String(4), nullable=False),
    Column("sms_fallback_url", String(4000)),
    Column("sms_fallback_method", String(4), nullable=False),
    Column("sms_status_callback", String(4000)),
    Column("message_status_callback", String(4000)),
    Column("public_application_connect_enabled", Boolean, nullable=False),
    Column("date_created", BigInteger, nullable=False),
    Column("date_updated", BigInteger, nullable=False),
    Index("ix_applications_account", "account_sid", "sid"),
)

# --- Trunk OriginationUrls (trunking v1) ---------------------------------------------------
# An origination URL belongs to one trunk (and that trunk's account); deleting the trunk deletes
# its origination URLs first, in the same transaction (domain.pools.trunking).

origination_urls = Table(
    "origination_urls",
    metadata,
    Column("sid", String(34), primary_key=True),
    Column("account_sid", String(34), ForeignKey("accounts.sid"), nullable=False),
    Column("trunk_sid", String(34), ForeignKey("trunks.sid"), nullable=False),
    Column("friendly_name", String(64), nullable=False),
    Column("sip_url", String(4000), nullable=False),
    Column("weight", Integer, nullable=False),
    Column("priority", Integer, nullable=False),
    Column("enabled", Boolean, nullable=False),
    Column("date_created", BigInteger, nullable=False),
    Column("date_updated", BigInteger, nullable=False),
    Index("ix_origination_urls_trunk", "trunk_sid", "sid"),
)

# --- Inbound events (numberpool's own API) --------------------------------------------------
# One row per simulated inbound message or call: what was asked, where the routing sent it, and
# every HTTP request made for it (deliveries) with the replies its TwiML produced, as JSON text.
# SIDs are time-ordered, so (account_sid, kind, sid) lists an account's events newest first.

inbound_events = Table(
    "inbound_events",
    metadata,
    Column("sid", String(34), primary_key=True),
    Column("kind", String(8), nullable=False),  # "message" or "call"
    Column("account_sid", String(34), ForeignKey("accounts.sid"), nullable=False),
    Column("to_number", String(20), nullable=False),
    Column("from_number", String(64), nullable=False),
    Column("body", Text, nullable=False),
    Column("media_urls", Text, nullable=False),  # JSON list
    Column("call_duration", Integer),
    Column("route", String(24), nullable=False),
    Column("messaging_service_sid", String(34)),
    Column("application_sid", String(34)),
    Column("trunk_sid", String(34)),
    Column("proxy_service_sid", String(34)),
    Column("sip_url", String(4000)),
    Column("deliveries", Text, nullable=False),  # JSON list
    Column("replies", Text, nullable=False),  # JSON list
    Column("date_created", BigInteger, nullable=False),
    Index("ix_inbound_events_account", "account_sid", "kind", "sid"),
)

# --- API keys (2010-04-01 Keys) -----------------------------------------------------------------
# A key's secret is shown once, when it is made, and stored only as a SHA-256 digest.

api_keys = Table(
    "api_keys",
    metadata,
    Column("sid", String(34), primary_key=True),
    Column("account_sid", String(34), ForeignKey("accounts.sid"), nullable=False),
    Column("friendly_name", String(64)),
    Column("secret_hash", String(64), nullable=False),
    Column("date_created", BigInteger, nullable=False),
    Column("date_updated", BigInteger, nullable=False),
    Index("ix_api_keys_account", "account_sid", "sid"),
)

# --- Messages (2010-04-01) -------------------------------------------------------------------
# One row per message an account sent or received. (account_sid, created_key) lists an account's
# messages newest first; ``to_number`` and ``from_number`` have their own.
# ``media_urls``, ``selection``, ``deliveries`` and ``extra`` (parameters stored, not acted on)
# are JSON text.

messages = Table(
    "messages",
    metadata,
    Column("sid", String(34), primary_key=True),
    # The SID's 32 time-ordered digits: SM and MM messages sort together in creation order by it.
    Column("created_key", String(32), nullable=False),
    Column("account_sid", String(34), ForeignKey("accounts.sid"), nullable=False),
    Column("messaging_service_sid", String(34)),
    Column("from_number", String(64)),
    Column("to_number", String(64), nullable=False),
    Column("body", Text, nullable=False),
    Column("status", String(16), nullable=False),
    Column("direction", String(16), nullable=False),
    Column("num_segments", Integer, nullable=False),
    Column("num_media", Integer, nullable=False),
    Column("media_urls", Text, nullable=False),
    Column("price", String(16)),
    Column("price_unit", String(8), nullable=False),
    Column("error_code", Integer),
    Column("error_message", String(255)),
    Column("status_callback", String(4000)),
    Column("application_sid", String(34)),
    Column("validity_period", Integer, nullable=False),
    Column("smart_encoded", Boolean, nullable=False),
    Column("selection", Text),
    Column("deliveries", Text, nullable=False),
    Column("extra", Text, nullable=False),
    Column("date_created", BigInteger, nullable=False),
    Column("date_updated", BigInteger, nullable=False),
    Column("date_sent", BigInteger),
    Index("ix_messages_account", "account_sid", "created_key"),
    Index("ix_messages_account_to", "account_sid", "to_number", "created_key"),
    Index("ix_messages_account_from", "account_sid", "from_number", "created_key"),
    Index("ix_messages_pair", "to_number", "from_number", "date_created"),  # the reply-loop limit (14107)
)

# A message's pending work (its delivery and the status callbacks on the way): one row per
# message until it reaches a final status. ``due``: when it may run (milliseconds, server clock);
# ``claimed_until``: a process working on it holds it until then (milliseconds, wall time), and
# renews the claim while it works; a claim that lapsed (its process died) is taken over, and a
# server starting on the host of a dead claimant frees its claims at once.
message_work = Table(
    "message_work",
    metadata,
    Column("message_sid", String(34), primary_key=True),
    Column("account_sid", String(34), ForeignKey("accounts.sid"), nullable=False),
    Column("due", BigInteger, nullable=False),
    Column("claimed_until", BigInteger, nullable=False),
    Column("claimed_by", String(80)),  # host:pid of the process holding the claim
    Index("ix_message_work_due", "due", "claimed_until"),
    Index("ix_message_work_account", "account_sid"),
)

# A Messaging Service's sticky senders: the number a recipient was last sent from through it.
# Dropped when the number leaves the Service (domain.pools.messaging) or the Service is deleted.
sticky_senders = Table(
    "sticky_senders",
    metadata,
    Column("service_sid", String(34), ForeignKey("messaging_services.sid"), primary_key=True),
    Column("to_number", String(64), primary_key=True),
    Column("phone_number_sid", String(34), nullable=False),
    Column("date_updated", BigInteger, nullable=False),
    Index("ix_sticky_senders_number", "phone_number_sid"),
)

# --- Calls (2010-04-01) ----------------------------------------------------------------------
# One row per call leg an account placed (outbound-api), dialled (outbound-dial) or received
# (inbound). (account_sid, created_key) lists an account's calls newest first. ``root_sid`` is the
# first leg of the call tree (a call, its <Dial> children and the inbound legs they reach), which
# holds at most 10 legs. ``phase`` is where the pending work (message_work, keyed by the call's
# SID) stands: queued, ringing, hold, run, done. ``verbs``, ``deliveries``, ``events``, ``rule``
# and ``extra`` are JSON text; ``elapsed`` counts the seconds of the call's TwiML that take time
# (<Pause>, a <Dial>ed leg) without waiting for them.

calls = Table(
    "calls",
    metadata,
    Column("sid", String(34), primary_key=True),
    Column("created_key", String(32), nullable=False),
    Column("account_sid", String(34), ForeignKey("accounts.sid"), nullable=False),
    Column("parent_call_sid", String(34)),
    Column("root_sid", String(34), nullable=False),
    Column("peer_sid", String(34)),  # the other leg of a call between two hosted numbers
    Column("to_number", String(64), nullable=False),
    Column("from_number", String(64), nullable=False),
    Column("phone_number_sid", String(34)),
    Column("status", String(16), nullable=False),
    Column("direction", String(16), nullable=False),
    Column("answered_by", String(32)),
    Column("start_time", BigInteger),
    Column("end_time", BigInteger),
    Column("answered_at", BigInteger),
    Column("duration", Integer),
    Column("price", String(16)),
    Column("trunk_sid", String(34)),
    Column("sip_url", String(4000)),
    Column("application_sid", String(34)),
    Column("url", String(4000)),
    Column("method", String(8), nullable=False),
    Column("fallback_url", String(4000)),
    Column("fallback_method", String(8), nullable=False),
    Column("twiml", Text),
    Column("status_callback", String(4000)),
    Column("status_callback_method", String(8), nullable=False),
    Column("events", Text, nullable=False),
    Column("timeout", Integer, nullable=False),
    Column("machine_detection", String(32)),
    Column("phase", String(8), nullable=False),
    Column("redirect", Text),  # a redirect asked by UpdateCall, not yet followed: JSON {url, method} or {twiml}
    Column("resume", Text),  # the document the call's TwiML goes on with: JSON {url, method, purpose, extra} or {twiml}
    Column("sequence", Integer, nullable=False),  # the next status callback's SequenceNumber
    Column("elapsed", Integer, nullable=False),
    Column("digits_used", Integer, nullable=False),
    Column("rule", Text),
    Column("verbs", Text, nullable=False),
    Column("deliveries", Text, nullable=False),
    Column("extra", Text, nullable=False),
    Column("date_created", BigInteger, nullable=False),
    Column("date_updated", BigInteger, nullable=False),
    Index("ix_calls_account", "account_sid", "created_key"),
    Index("ix_calls_account_to", "account_sid", "to_number", "created_key"),
    Index("ix_calls_account_from", "account_sid", "from_number", "created_key"),
    Index("ix_calls_parent", "parent_call_sid"),
    Index("ix_calls_root", "root_sid"),
)

# numberpool's CallRules: how calls to a ``To`` (an E.164 number, or a prefix ending in ``*``)
# go, for the rule's account and its subaccounts. One rule per account and ``To``.
call_rules = Table(
    "call_rules",
    metadata,
    Column("sid", String(34), primary_key=True),
    Column("account_sid", String(34), ForeignKey("accounts.sid"), nullable=False),
    Column("to_pattern", String(32), nullable=False),
    Column("status", String(16), nullable=False),
    Column("ring_seconds", Integer, nullable=False),
    Column("hold_seconds", Integer, nullable=False),
    Column("digits", Text, nullable=False),  # JSON list
    Column("duration", Integer, nullable=False),
    Column("answered_by", String(32), nullable=False),
    Column("date_created", BigInteger, nullable=False),
    Column("date_updated", BigInteger, nullable=False),
    UniqueConstraint("account_sid", "to_pattern", name="uq_call_rule_to"),
)

# numberpool's DeliveryRules: how messages to a ``To`` (an E.164 number, or a prefix ending in
# ``*``) end, for the rule's account and its subaccounts. One rule per account and ``To``.
delivery_rules = Table(
    "delivery_rules",
    metadata,
    Column("sid", String(34), primary_key=True),
    Column("account_sid", String(34), ForeignKey("accounts.sid"), nullable=False),
    Column("to_pattern", String(32), nullable=False),
    Column("status", String(16), nullable=False),
    Column("error_code", Integer),
    Column("date_created", BigInteger, nullable=False),
    Column("date_updated", BigInteger, nullable=False),
    UniqueConstraint("account_sid", "to_pattern", name="uq_delivery_rule_to"),
)

# Recipients who texted STOP to a number (``sender`` its E.164) or to a number of a Messaging
# Service (``sender`` the Service's SID): messages from that sender to them answer 21610 until
# they text START.
opt_outs = Table(
    "opt_outs",
    metadata,
    Column("sender", String(64), primary_key=True),
    Column("recipient", String(64), primary_key=True),
    Column("date_created", BigInteger, nullable=False),
)

# The server clock's offset from wall time (domain.clock): one row, id 1; Reset sets it to 0.
server_clock = Table(
    "server_clock",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("offset_ms", BigInteger, nullable=False),
)

# --- Proxy sessions (proxy v1) ------------------------------------------------------------------
# A session of a Proxy Service, its (at most two) participants, each holding a proxy number of the
# Service's pool, and the interactions relayed between them. ``expires_at``: when the session
# closes on its own (its DateExpiry, else its Ttl after its creation or last interaction; null:
# never), a due time of its pending work in message_work (keyed by the session's SID).

proxy_sessions = Table(
    "proxy_sessions",
    metadata,
    Column("sid", String(34), primary_key=True),
    Column("account_sid", String(34), ForeignKey("accounts.sid"), nullable=False),
    Column("service_sid", String(34), ForeignKey("proxy_services.sid"), nullable=False),
    Column("unique_name", String(191)),
    Column("status", String(16), nullable=False),
    Column("mode", String(24), nullable=False),
    Column("ttl", BigInteger, nullable=False),
    Column("date_expiry", BigInteger),
    Column("expires_at", BigInteger),
    Column("closed_reason", String(32)),
    Column("date_started", BigInteger),
    Column("date_ended", BigInteger),
    Column("date_last_interaction", BigInteger),
    Column("date_created", BigInteger, nullable=False),
    Column("date_updated", BigInteger, nullable=False),
    UniqueConstraint("service_sid", "unique_name", name="uq_proxy_session_unique_name"),
    Index("ix_proxy_sessions_service", "service_sid", "sid"),
)

proxy_participants = Table(
    "proxy_participants",
    metadata,
    Column("sid", String(34), primary_key=True),
    Column("account_sid", String(34), ForeignKey("accounts.sid"), nullable=False),
    Column("service_sid", String(34), nullable=False),
    Column("session_sid", String(34), ForeignKey("proxy_sessions.sid"), nullable=False),
    Column("identifier", String(191), nullable=False),
    Column("friendly_name", String(255)),
    Column("proxy_identifier", String(64), nullable=False),
    Column("proxy_identifier_sid", String(34), nullable=False),
    Column("date_deleted", BigInteger),
    Column("date_created", BigInteger, nullable=False),
    Column("date_updated", BigInteger, nullable=False),
    UniqueConstraint("session_sid", "identifier", name="uq_proxy_participant_identifier"),
    Index("ix_proxy_participants_session", "session_sid", "sid"),
    Index("ix_proxy_participants_number", "proxy_identifier_sid", "identifier"),
    Index("ix_proxy_participants_identifier", "service_sid", "identifier", "date_created"),
)

proxy_interactions = Table(
    "proxy_interactions",
    metadata,
    Column("sid", String(34), primary_key=True),
    Column("account_sid", String(34), ForeignKey("accounts.sid"), nullable=False),
    Column("service_sid", String(34), nullable=False),
    Column("session_sid", String(34), ForeignKey("proxy_sessions.sid"), nullable=False),
    Column("type", String(16), nullable=False),
    Column("data", Text),
    Column("inbound_participant_sid", String(34)),
    Column("inbound_resource_sid", String(34)),
    Column("inbound_resource_status", String(24)),
    Column("inbound_resource_type", String(24)),
    Column("inbound_resource_url", String(4000)),
    Column("outbound_participant_sid", String(34)),
    Column("outbound_resource_sid", String(34)),
    Column("outbound_resource_status", String(24)),
    Column("outbound_resource_type", String(24)),
    Column("outbound_resource_url", String(4000)),
    Column("date_created", BigInteger, nullable=False),
    Column("date_updated", BigInteger, nullable=False),
    Index("ix_proxy_interactions_session", "session_sid", "sid"),
)

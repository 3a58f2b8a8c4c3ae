"""The store's own contracts: which failures re-run a transaction, compiled statements, and the
rules migration 0004 puts in the database itself."""

from __future__ import annotations

import pytest
from sqlalchemy import literal_column, select, text

from numberpool.domain import tx
from numberpool.domain.errors import TwilioError
from numberpool.domain.phone import invalid_number
from numberpool.store import migrate
from numberpool.store.errors import ConstraintViolation, account_not_active, unique_violation

MAIN = "AC" + "1" * 32
SUB = "AC" + "2" * 32


def _account(sid: str, status: str = "active") -> str:
    return (f"INSERT INTO accounts VALUES ('{sid}', '{MAIN}', 'a', '{status}', 'Full', 'tok', FALSE, 1000, 1000)")


def _number(sid: str, account: str, e164: str, trunk: str | None = None) -> str:
    trunk_sql = f"'{trunk}'" if trunk else "NULL"
    return (
        "INSERT INTO incoming_phone_numbers (sid, account_sid, phone_number, friendly_name, iso_country, number_type, "
        "origin, beta, status, address_requirements, cap_voice, cap_sms, cap_mms, cap_fax, api_version, voice_method, "
        "voice_fallback_method, voice_caller_id_lookup, voice_receive_mode, sms_method, sms_fallback_method, "
        "status_callback_method, emergency_status, emergency_address_status, trunk_sid, date_created, date_updated) "
        f"VALUES ('{sid}', '{account}', '{e164}', 'n', 'US', 'Local', 'twilio', FALSE, 'in-use', 'none', TRUE, TRUE, "
        f"TRUE, FALSE, '2010-04-01', 'POST', 'POST', FALSE, 'voice', 'POST', 'POST', 'POST', 'Inactive', 'unregistered', "
        f"{trunk_sql}, 1000, 1000)"
    )


def test_only_unique_keys_re_run_a_transaction(db):
    migrate.upgrade(db)
    with db.write() as conn:
        conn.execute(text(_account(MAIN)))
    runs = []

    def not_null(conn):
        runs.append(1)
        conn.execute(text("INSERT INTO accounts (sid) VALUES ('AC" + "9" * 32 + "')"))

    with pytest.raises(ConstraintViolation) as caught:
        tx.write(db, not_null)
    assert len(runs) == 1 and not unique_violation(caught.value)

    def duplicate(conn):
        runs.append(1)
        conn.execute(text(_account(MAIN)))

    runs.clear()
    with pytest.raises(TwilioError) as conflict:
        tx.write(db, duplicate)
    assert conflict.value.code == 20409 and len(runs) == tx.ATTEMPTS


def test_statements_built_per_call_never_run_each_others_sql(db):
    for i in range(100):  # a freed statement's id is reused by the next one (reference counting frees it at once)
        stmt = select(literal_column(f"'marker-{i}'").label("m"))
        assert f"marker-{i}'" in db.prepared(stmt).sql
        assert db.one(stmt).m == f"marker-{i}"
        del stmt


def test_migration_0004_releases_stranded_numbers_and_clears_missing_trunks(db):
    migrate.upgrade(db, "0003")
    with db.write() as conn:
        conn.execute(text(_account(MAIN)))
        conn.execute(text(_account(SUB, "closed")))
        conn.execute(text(_number("PN" + "1" * 32, SUB, "+14155550101")))
        conn.execute(text(_number("PN" + "2" * 32, MAIN, "+14155550102", trunk="TK" + "0" * 32)))
        conn.execute(text("INSERT INTO messaging_services (sid, account_sid, friendly_name, inbound_method, fallback_method, "
                          "sticky_sender, mms_converter, smart_encoding, scan_message_content, fallback_to_long_code, "
                          "area_code_geomatch, validity_period, synchronous_validation, usecase, "
                          "use_inbound_webhook_on_number, date_created, date_updated) VALUES ('MG" + "1" * 32 + f"', "
                          f"'{SUB}', 's', 'POST', 'POST', TRUE, TRUE, TRUE, 'inherit', FALSE, TRUE, 36000, TRUE, "
                          "'undeclared', FALSE, 1, 1)"))
        conn.execute(text("INSERT INTO messaging_service_numbers VALUES ('PN" + "1" * 32 + "', 'MG" + "1" * 32 + "', 1, 1)"))
    migrate.upgrade(db)
    with db.read() as conn:
        assert conn.execute(text("SELECT count(*) FROM incoming_phone_numbers WHERE account_sid = :a"), {"a": SUB}).scalar() == 0
        assert conn.execute(text("SELECT count(*) FROM messaging_service_numbers")).scalar() == 0
        assert conn.execute(text("SELECT trunk_sid FROM incoming_phone_numbers")).scalar() is None


@pytest.mark.parametrize("status", ["closed", "suspended"])
def test_the_database_refuses_a_number_for_an_inactive_account(db, status):
    migrate.upgrade(db)
    with db.write() as conn:
        conn.execute(text(_account(MAIN)))
        conn.execute(text(_account(SUB, status)))
        conn.execute(text(_number("PN" + "3" * 32, MAIN, "+14155550103")))
    with pytest.raises(ConstraintViolation) as caught, db.write() as conn:
        conn.execute(text(_number("PN" + "4" * 32, SUB, "+14155550104")))
    assert account_not_active(caught.value)
    with pytest.raises(ConstraintViolation) as moved, db.write() as conn:  # nor moved to one
        conn.execute(text("UPDATE incoming_phone_numbers SET account_sid = :a"), {"a": SUB})
    assert account_not_active(moved.value)


def test_the_database_keeps_a_numbers_trunk(db):
    migrate.upgrade(db)
    trunk = "TK" + "5" * 32
    with db.write() as conn:
        conn.execute(text(_account(MAIN)))
        conn.execute(text("INSERT INTO trunks (sid, account_sid, disaster_recovery_method, transfer_mode, secure, "
                          "cnam_lookup_enabled, transfer_caller_id, symmetric_rtp_enabled, recording_mode, recording_trim, "
                          f"date_created, date_updated) VALUES ('{trunk}', '{MAIN}', 'POST', 'disable-all', FALSE, FALSE, "
                          "'from-transferee', FALSE, 'do-not-record', 'do-not-trim', 1, 1)"))
        conn.execute(text(_number("PN" + "6" * 32, MAIN, "+14155550106", trunk=trunk)))
    with pytest.raises(ConstraintViolation), db.write() as conn:
        conn.execute(text(_number("PN" + "7" * 32, MAIN, "+14155550107", trunk="TK" + "8" * 32)))
    with pytest.raises(ConstraintViolation), db.write() as conn:
        conn.execute(text("DELETE FROM trunks"))


def test_an_unencoded_plus_is_explained():
    assert "%2B" in invalid_number(" 14155550123").message
    assert "%2B" not in invalid_number("14155550123").message

"""Alembic migrations: the head matches the tables the code uses, and upgrades keep data."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text

from numberpool.domain.accounts import Accounts
from numberpool.domain.backend import Backend
from numberpool.store import migrate
from numberpool.store.paging import PageRequest
from numberpool.store.schema import metadata


def test_head_matches_the_schema_the_code_uses(db):
    assert migrate.upgrade(db) == (None, migrate.head())
    with db.read() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diffs == []


def test_upgrade_from_the_first_revision_keeps_data(db):
    assert migrate.upgrade(db, "0001") == (None, "0001")
    with db.write() as conn:
        conn.execute(text(
            "INSERT INTO accounts VALUES ('AC" + "1" * 32 + "', 'AC" + "1" * 32 + "', 'old main', 'active', 'Full', "
            "'tok', TRUE, 1000, 1000)"
        ))
        conn.execute(text(
            "INSERT INTO incoming_phone_numbers (sid, account_sid, phone_number, friendly_name, iso_country, number_type, "
            "origin, beta, status, address_requirements, cap_voice, cap_sms, cap_mms, cap_fax, api_version, voice_method, "
            "voice_fallback_method, voice_caller_id_lookup, voice_receive_mode, sms_method, sms_fallback_method, "
            "status_callback_method, emergency_status, emergency_address_status, voice_url, date_created, date_updated) "
            "VALUES ('PN" + "2" * 32 + "', 'AC" + "1" * 32 + "', '+14155550100', '(415) 555-0100', 'US', 'Local', "
            "'twilio', FALSE, 'in-use', 'none', TRUE, TRUE, TRUE, FALSE, '2010-04-01', 'POST', 'POST', FALSE, 'voice', 'POST', 'POST', "
            "'POST', 'Inactive', 'unregistered', 'https://example.com/v', 1000, 1000)"
        ))
    assert migrate.upgrade(db) == ("0001", migrate.head())
    backend = Backend.open(db)
    main = backend.accounts.authenticate("AC" + "1" * 32, "tok")
    number = backend.numbers.fetch(main, "PN" + "2" * 32)
    assert (number.phone_number, number.voice_url, number.friendly_name) == ("+14155550100", "https://example.com/v", "(415) 555-0100")
    # the new tables work with the old data
    svc = backend.messaging.parents.create(main, {"friendly_name": "after upgrade"})
    backend.messaging.add(main, svc.sid, number.sid)
    rows, _ = backend.messaging.list(main, svc.sid, PageRequest(50, 0))
    assert [r.phone_number_sid for r in rows] == [number.sid]


def test_a_newer_schema_is_refused(db):
    migrate.upgrade(db)
    with db.write() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = 'ffff'"))
    with pytest.raises(migrate.SchemaTooNew):
        migrate.upgrade(db)
    with db.read() as conn:  # nothing was touched
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == "ffff"


def test_main_account_from_environment_is_created_then_rekeyed(db):
    migrate.upgrade(db)
    accounts = Accounts(db)
    sid = "AC" + "3" * 32
    first = accounts.ensure_main(sid, "one")
    second = accounts.ensure_main(sid, "two")
    assert first.sid == second.sid == sid and second.auth_token == "two"
    generated = Accounts(db).ensure_main(None, None)
    assert generated.sid == sid  # the stored main account is reused


def test_head_constant_is_alembics_head_and_a_current_schema_skips_alembic(db):
    assert migrate.HEAD == migrate.head()  # a new migration must move HEAD too
    assert migrate.current(db) is None
    migrate.upgrade(db)
    assert migrate.current(db) == migrate.HEAD
    import subprocess
    import sys

    code = ("import sys; from numberpool.store import migrate; from numberpool.store.db import Database; "
            f"db = Database({db.url!r}); print(migrate.upgrade(db)); print('alembic' in sys.modules)")
    if db.is_sqlite:
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
        assert out[-1] == "False"  # served without importing Alembic

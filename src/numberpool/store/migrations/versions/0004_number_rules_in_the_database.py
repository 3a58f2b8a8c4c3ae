"""Two rules every writer must keep, however many server processes race, enforced by the database:

- a number is bought for, or moved to, an active account only: closing an account and buying a
  number for it serialise on the account row (PostgreSQL: the trigger reads it ``FOR SHARE``, which
  waits for a close in progress and re-reads the row it committed; SQLite serialises every writer),
  so once a close is acknowledged no number is owned by the closed account;
- a number's ``trunk_sid`` names a trunk that exists (the trigger holds the trunk row ``FOR SHARE``
  until the number's transaction ends, so a trunk cannot be deleted under it), and a trunk that
  numbers still name cannot be deleted.

Triggers rather than constraints: "the account is active" is no key, and on SQLite a foreign key
on an existing table means rebuilding it. The messages are matched by ``store.errors``.

Existing data is brought in line first: numbers of closed accounts are released (with their pool
memberships) and trunk references to deleted trunks are cleared.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

ACCOUNT_NOT_ACTIVE = "numberpool: account not active"  # store.errors.ACCOUNT_NOT_ACTIVE
TRUNK_MISSING = "numberpool: trunk does not exist"
TRUNK_IN_USE = "numberpool: trunk still has numbers"

_CLOSED_NUMBERS = (
    "SELECT n.sid FROM incoming_phone_numbers n JOIN accounts a ON a.sid = n.account_sid WHERE a.status = 'closed'"
)
_REPAIR = (
    f"DELETE FROM messaging_service_numbers WHERE phone_number_sid IN ({_CLOSED_NUMBERS})",
    f"DELETE FROM proxy_service_numbers WHERE phone_number_sid IN ({_CLOSED_NUMBERS})",
    "DELETE FROM incoming_phone_numbers WHERE account_sid IN (SELECT sid FROM accounts WHERE status = 'closed')",
    "UPDATE incoming_phone_numbers SET trunk_sid = NULL WHERE trunk_sid NOT IN (SELECT sid FROM trunks)",
)

_ACTIVE = "EXISTS (SELECT 1 FROM accounts WHERE sid = NEW.account_sid AND status = 'active')"
_TRUNK = "EXISTS (SELECT 1 FROM trunks WHERE sid = NEW.trunk_sid)"
_SQLITE = (
    f"""CREATE TRIGGER numberpool_number_account_insert BEFORE INSERT ON incoming_phone_numbers
    WHEN NOT {_ACTIVE} BEGIN SELECT RAISE(ABORT, '{ACCOUNT_NOT_ACTIVE}'); END""",
    f"""CREATE TRIGGER numberpool_number_account_update BEFORE UPDATE OF account_sid ON incoming_phone_numbers
    WHEN NEW.account_sid IS NOT OLD.account_sid AND NOT {_ACTIVE}
    BEGIN SELECT RAISE(ABORT, '{ACCOUNT_NOT_ACTIVE}'); END""",
    f"""CREATE TRIGGER numberpool_number_trunk_insert BEFORE INSERT ON incoming_phone_numbers
    WHEN NEW.trunk_sid IS NOT NULL AND NOT {_TRUNK} BEGIN SELECT RAISE(ABORT, '{TRUNK_MISSING}'); END""",
    f"""CREATE TRIGGER numberpool_number_trunk_update BEFORE UPDATE OF trunk_sid ON incoming_phone_numbers
    WHEN NEW.trunk_sid IS NOT NULL AND NOT {_TRUNK} BEGIN SELECT RAISE(ABORT, '{TRUNK_MISSING}'); END""",
    f"""CREATE TRIGGER numberpool_trunk_delete BEFORE DELETE ON trunks
    WHEN EXISTS (SELECT 1 FROM incoming_phone_numbers WHERE trunk_sid = OLD.sid)
    BEGIN SELECT RAISE(ABORT, '{TRUNK_IN_USE}'); END""",
)
_SQLITE_NAMES = ("numberpool_number_account_insert", "numberpool_number_account_update",
                 "numberpool_number_trunk_insert", "numberpool_number_trunk_update", "numberpool_trunk_delete")

_POSTGRES = (
    f"""CREATE FUNCTION numberpool_number_rules() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'INSERT' OR NEW.account_sid IS DISTINCT FROM OLD.account_sid THEN
        PERFORM 1 FROM accounts WHERE sid = NEW.account_sid AND status = 'active' FOR SHARE;
        IF NOT FOUND THEN
          RAISE EXCEPTION '{ACCOUNT_NOT_ACTIVE}' USING ERRCODE = 'check_violation';
        END IF;
      END IF;
      IF NEW.trunk_sid IS NOT NULL AND (TG_OP = 'INSERT' OR NEW.trunk_sid IS DISTINCT FROM OLD.trunk_sid) THEN
        PERFORM 1 FROM trunks WHERE sid = NEW.trunk_sid FOR SHARE;
        IF NOT FOUND THEN
          RAISE EXCEPTION '{TRUNK_MISSING}' USING ERRCODE = 'foreign_key_violation';
        END IF;
      END IF;
      RETURN NEW;
    END $$""",
    """CREATE TRIGGER numberpool_number_rules BEFORE INSERT OR UPDATE OF account_sid, trunk_sid
    ON incoming_phone_numbers FOR EACH ROW EXECUTE FUNCTION numberpool_number_rules()""",
    f"""CREATE FUNCTION numberpool_trunk_delete() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF EXISTS (SELECT 1 FROM incoming_phone_numbers WHERE trunk_sid = OLD.sid) THEN
        RAISE EXCEPTION '{TRUNK_IN_USE}' USING ERRCODE = 'foreign_key_violation';
      END IF;
      RETURN OLD;
    END $$""",
    """CREATE TRIGGER numberpool_trunk_delete BEFORE DELETE ON trunks
    FOR EACH ROW EXECUTE FUNCTION numberpool_trunk_delete()""",
)


def upgrade() -> None:
    for statement in _REPAIR:
        op.execute(statement)
    for statement in _SQLITE if op.get_bind().dialect.name == "sqlite" else _POSTGRES:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in _SQLITE_NAMES:
            op.execute(f"DROP TRIGGER {name}")
        return
    op.execute("DROP TRIGGER numberpool_number_rules ON incoming_phone_numbers")
    op.execute("DROP TRIGGER numberpool_trunk_delete ON trunks")
    op.execute("DROP FUNCTION numberpool_number_rules()")
    op.execute("DROP FUNCTION numberpool_trunk_delete()")

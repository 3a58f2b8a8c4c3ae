"""The ``numberpool`` command."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from numberpool.domain.accounts import Account, Accounts
from numberpool.store import accounts as accounts_store
from numberpool.store import migrate
from numberpool.store.db import Database

# Pool limits, per server: CLI flag -> the environment variable the worker processes read.
_LIMIT_FLAGS = {
    "messaging_pool_limit": "NUMBERPOOL_MESSAGING_POOL_LIMIT",
    "proxy_pool_limit": "NUMBERPOOL_PROXY_POOL_LIMIT",
    "proxy_reserved_limit": "NUMBERPOOL_PROXY_RESERVED_LIMIT",
}


def _redact(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def default_db_url() -> str:
    return f"sqlite:///{Path.cwd() / 'numberpool.db'}"


def prepare(db_url: str) -> tuple[str, str]:
    """Bring the schema up to date and make sure of the main account; return its SID and token."""
    db = Database(db_url)
    try:
        migrate.upgrade(db)
        main = Accounts(db).ensure_main(os.environ.get("TWILIO_ACCOUNT_SID"), os.environ.get("TWILIO_AUTH_TOKEN"))
    finally:
        db.dispose()
    return main.sid, main.auth_token


def db_upgrade(args: argparse.Namespace) -> int:
    db = Database(args.db or default_db_url())
    try:
        before, after = migrate.upgrade(db, args.revision)
    except migrate.SchemaTooNew as exc:
        print(f"numberpool: {exc}", file=sys.stderr)
        return 3
    finally:
        db.dispose()
    print(f"schema: {before or 'empty'} -> {after}")
    return 0


def serve(args: argparse.Namespace) -> int:
    db_url = args.db or default_db_url()
    try:
        sid, token = prepare(db_url)
    except (ValueError, migrate.SchemaTooNew) as exc:
        print(f"numberpool: {exc}", file=sys.stderr)
        return 2
    except OperationalError as exc:
        print(f"numberpool: cannot reach the database {_redact(db_url)}: {exc.orig or exc}", file=sys.stderr)
        return 2
    print(f"numberpool serving on http://{args.host}:{args.port} (database {_redact(db_url)})", flush=True)
    print(f"TWILIO_ACCOUNT_SID={sid}", flush=True)
    print(f"TWILIO_AUTH_TOKEN={token}", flush=True)
    os.environ["NUMBERPOOL_DB"] = db_url
    for flag, var in _LIMIT_FLAGS.items():
        value = getattr(args, flag)
        if value is not None:
            os.environ[var] = str(value)
    run_granian("numberpool.http.app:create_app_from_env", args.host, args.port, args.workers, factory=True)
    return 0


def run_granian(target: str, host: str, port: int, workers: int, *, factory: bool) -> None:
    """The server software and settings numberpool runs on (the benchmark's bare app uses the same)."""
    from granian import Granian
    from granian.constants import Interfaces

    extra = {}
    for key in ("runtime_mode", "task_impl", "loop", "http"):
        value = os.environ.get("NUMBERPOOL_GRANIAN_" + key.upper())
        if value:
            extra[key] = value
    Granian(
        target, address=host, port=port, interface=Interfaces.ASGI, workers=workers, factory=factory, log_access=False,
        **extra,
    ).serve()


def bulk_load(args: argparse.Namespace) -> int:
    """Load many numbers into one account directly in the database, with a progress bar."""
    from tqdm import tqdm

    from numberpool.domain import bulk

    db = Database(args.db or default_db_url())
    try:
        migrate.upgrade(db)
        row = accounts_store.fetch(db, args.account)
        if row is None:
            print(f"numberpool: no account {args.account}", file=sys.stderr)
            return 2
        with tqdm(total=args.count, unit="numbers", unit_scale=True, desc="bulk-load") as bar:
            loaded = bulk.load(db, Account.from_row(row), args.count, bar.update, args.tag_every)
    finally:
        db.dispose()
    print(f"loaded {loaded} numbers into {args.account}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="numberpool", description="A Twilio-compatible phone-number server.")
    sub = parser.add_subparsers(dest="command", required=True)
    s = sub.add_parser("serve", help="run the server")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=8080)
    s.add_argument("--db", default=None, help="sqlite:///PATH (default ./numberpool.db) or postgresql://...")
    s.add_argument("--workers", type=int, default=1, help="server processes sharing the port")
    s.add_argument("--messaging-pool-limit", type=int, default=None, help="numbers per Messaging Service (default 400)")
    s.add_argument("--proxy-pool-limit", type=int, default=None, help="unreserved numbers per Proxy Service (default 500)")
    s.add_argument("--proxy-reserved-limit", type=int, default=None, help="reserved numbers per Proxy Service (default 5000)")
    s.set_defaults(func=serve)
    d = sub.add_parser("db", help="database maintenance")
    dsub = d.add_subparsers(dest="db_command", required=True)
    up = dsub.add_parser("upgrade", help="migrate the schema to the newest revision (or --revision)")
    up.add_argument("--db", default=None, help="database URL (default ./numberpool.db)")
    up.add_argument("--revision", default="head")
    up.set_defaults(func=db_upgrade)
    b = sub.add_parser("bulk-load", help="load many numbers into one account (for load tests)")
    b.add_argument("--db", default=None)
    b.add_argument("--account", required=True, help="the owning account SID")
    b.add_argument("--count", type=int, required=True)
    b.add_argument("--tag-every", type=int, default=0, help="name every Nth number bulk-<k> (FriendlyName filters)")
    b.set_defaults(func=bulk_load)
    args = parser.parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())

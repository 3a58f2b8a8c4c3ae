"""The ``numberpool`` command."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from numberpool.domain.accounts import Accounts
from numberpool.store.db import Database


def default_db_url() -> str:
    return f"sqlite:///{Path.cwd() / 'numberpool.db'}"


def prepare(db_url: str) -> tuple[str, str]:
    """Create the schema and the main account; return its SID and token."""
    db = Database(db_url)
    try:
        db.create_schema()
        main = Accounts(db).ensure_main(os.environ.get("TWILIO_ACCOUNT_SID"), os.environ.get("TWILIO_AUTH_TOKEN"))
    finally:
        db.dispose()
    return main.sid, main.auth_token


def serve(args: argparse.Namespace) -> int:
    from granian import Granian
    from granian.constants import Interfaces

    db_url = args.db or default_db_url()
    try:
        sid, token = prepare(db_url)
    except ValueError as exc:
        print(f"numberpool: {exc}", file=sys.stderr)
        return 2
    print(f"numberpool serving on http://{args.host}:{args.port} (database {db_url})", flush=True)
    print(f"TWILIO_ACCOUNT_SID={sid}", flush=True)
    print(f"TWILIO_AUTH_TOKEN={token}", flush=True)
    os.environ["NUMBERPOOL_DB"] = db_url
    Granian(
        "numberpool.http.app:create_app_from_env",
        address=args.host,
        port=args.port,
        interface=Interfaces.ASGI,
        workers=args.workers,
        factory=True,
        log_access=False,
    ).serve()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="numberpool", description="A Twilio-compatible phone-number server.")
    sub = parser.add_subparsers(dest="command", required=True)
    s = sub.add_parser("serve", help="run the server")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=8080)
    s.add_argument("--db", default=None, help="sqlite:///PATH (default ./numberpool.db) or postgresql://...")
    s.add_argument("--workers", type=int, default=1, help="server processes sharing the port")
    s.set_defaults(func=serve)
    args = parser.parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())

"""The ``numberpool`` command: ``serve`` and its start-up, ``db upgrade``, ``bulk-load``, and the
client commands ``receive-sms`` / ``receive-call`` (``server/receive.py``), ``messages``
(``server/messages_cli.py``) and ``calls`` (``server/calls_cli.py``).

Every failure the user can fix (a bad option, a port in use, a database that cannot be used)
is one line on stderr, ``numberpool...: <what is wrong>``, and a non-zero exit code: 2 for
usage and start-up errors, 3 for a database written by a newer numberpool (``db upgrade``).
``receive-sms`` and ``receive-call`` (inbound traffic sent to a running server) exit 1 when the
server refuses the event or cannot be reached; so do ``messages`` and ``calls``.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from numberpool.server import settings as settings_table
from numberpool.server.args import (
    DB_HELP,
    Failure,
    Parser,
    database_url,
    default_db_url,
    host_address,
    int_at_least,
    port_number,
    redact,
)
from numberpool.server.calls_cli import calls_parser
from numberpool.server.messages_cli import messages_parser
from numberpool.server.process import (
    WORKER_KILL_TIMEOUT,
    PortUnavailable,
    check_port_free,
    guard_workers_of_this_process,
)
from numberpool.server.receive import call, format_record, inbound_parser, sms
from numberpool.server.settings import SettingError, Settings
from numberpool.version import __version__

if TYPE_CHECKING:
    from numberpool.store.db import Database

__all__ = ["format_record", "main", "prepare", "run_granian"]  # the tests and the benchmark use these


@contextmanager
def _database_errors(db_url: str) -> Iterator[None]:
    """SQLAlchemy's errors on opening a database, as one line the user can act on."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import DatabaseError, OperationalError

    try:
        yield
    except OperationalError as exc:
        if make_url(db_url).get_backend_name() == "sqlite" and (cause := _read_only(db_url, str(exc.orig))):
            raise Failure(cause) from None
        raise Failure(f"cannot reach the database {redact(db_url)}: {exc.orig or exc}") from None
    except DatabaseError as exc:  # SQLite: "file is not a database"
        if make_url(db_url).get_backend_name() == "sqlite":
            raise Failure(f"the file {make_url(db_url).database} is not an SQLite database ({exc.orig})") from None
        raise Failure(f"{redact(db_url)} is not a usable database: {exc.orig or exc}") from None


def _read_only(db_url: str, error: str) -> str | None:
    """What makes an SQLite database read-only for this process, if that is the problem."""
    from sqlalchemy.engine import make_url

    path = Path(make_url(db_url).database or "")
    for file in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        if file.exists() and not os.access(file, os.W_OK):
            return f"the database file {file} is read-only"
    if path.parent.is_dir() and not os.access(path.parent, os.W_OK):
        return f"the directory {path.parent} is read-only (SQLite writes {path.name}-wal and {path.name}-shm there)"
    return f"the database {redact(db_url)} is read-only" if "readonly" in error else None


def _check_writable(db: Database) -> None:
    """SQLite opens a file it may not write read-only, and only writes fail: try one that changes
    nothing. In a write transaction from its start (``BEGIN IMMEDIATE``), which waits for the write
    lock of a server starting at the same moment; a read first, then a write, would be refused at
    once ("database is locked") rather than wait."""
    if not db.is_sqlite:
        return
    with db.write() as conn:
        version = int(conn.exec_driver_sql("PRAGMA user_version").scalar() or 0)
        conn.exec_driver_sql(f"PRAGMA user_version = {version}")


def prepare(db_url: str, settings: Settings | None = None) -> tuple[str, str]:
    """Bring the schema up to date and make sure of the main account (``settings``' account, else
    the database's); return its SID and token."""
    from numberpool.domain.accounts import Accounts
    from numberpool.store import migrate
    from numberpool.store.db import Database

    settings = settings if settings is not None else _settings({})
    db = Database(db_url, limits=settings.database_limits)
    try:
        with _database_errors(db_url):
            _check_writable(db)
            migrate.upgrade(db)
            main = Accounts(db).ensure_main(settings.account_sid, settings.auth_token)
    finally:
        db.dispose()
    return main.sid, main.auth_token


def _settings(flags: dict[str, Any]) -> Settings:
    """The server's settings from ``flags``, the environment and the defaults; one line if one is wrong."""
    try:
        return Settings.from_sources(flags)
    except SettingError as exc:
        raise Failure(str(exc)) from None


def db_upgrade(args: argparse.Namespace) -> int:
    from alembic.util import CommandError

    from numberpool.store import migrate
    from numberpool.store.db import Database

    db_url = args.db or default_db_url()
    db = Database(db_url)
    try:
        with _database_errors(db_url):
            before, after = migrate.upgrade(db, args.revision)
    except migrate.SchemaTooNew as exc:
        raise Failure(str(exc), 3) from None
    except CommandError as exc:
        raise Failure(f"cannot migrate to revision {args.revision!r}: {exc}") from None
    finally:
        db.dispose()
    print(f"schema: {before or 'empty'} -> {after}")
    return 0


def _seed(settings: Settings, path: str, main_sid: str) -> None:
    """``--seed``: the state document loaded as the main account, or one line on why it was not."""
    from numberpool.server import seed

    try:
        with _database_errors(settings.db_url):
            seed.load(settings.db_url, path, main_sid, settings.pool_limits)
    except seed.SeedRefused as exc:
        raise Failure(str(exc)) from None


def serve(args: argparse.Namespace) -> int:
    # Python's recipe for a server that forks its workers (the documentation of gc.freeze): no cycle
    # collection while the process imports its code (a quarter of the workers' import time went to
    # collections that freed nothing), then everything frozen before the fork, so that the workers
    # neither scan nor copy what they inherited.
    gc.disable()
    from numberpool.store import migrate

    settings = _settings({**vars(args), "db_url": args.db or default_db_url()})
    db_url = settings.db_url
    try:
        sid, token = prepare(db_url, settings)
    except (ValueError, migrate.SchemaTooNew) as exc:
        raise Failure(str(exc)) from None
    if args.seed is not None:
        _seed(settings, args.seed, sid)
    try:
        check_port_free(args.host, args.port)  # last before granian binds: see check_port_free on the race
    except PortUnavailable as exc:
        raise Failure(str(exc)) from None
    host = f"[{args.host}]" if ":" in args.host else args.host
    print(f"numberpool serving on http://{host}:{args.port} (database {redact(db_url)})", flush=True)
    print(f"TWILIO_ACCOUNT_SID={sid}", flush=True)
    if settings.account_sid:  # the account came from the environment: its token may be a live one
        print("TWILIO_AUTH_TOKEN is the one set in the environment (not printed)", flush=True)
    else:
        print(f"TWILIO_AUTH_TOKEN={token}", flush=True)
    guard_workers_of_this_process()  # granian's main process is this one
    settings.export()  # what the workers read back (server/app.py)
    import numberpool.server.app  # noqa: F401  the workers' code, imported once: forked workers inherit it

    gc.freeze()
    gc.enable()
    run_granian("numberpool.server.app:create_app_from_env", args.host, args.port, args.workers, factory=True,
                options=settings.granian)
    return 0


def run_granian(target: str, host: str, port: int, workers: int, *, factory: bool,
                options: tuple[tuple[str, str], ...] | None = None) -> None:
    """The server software and settings numberpool runs on (the benchmark's bare app uses the same;
    ``options``: granian's own, by default those of the environment)."""
    from granian import Granian
    from granian.constants import Interfaces

    extra: dict[str, Any] = dict(options if options is not None else settings_table.granian_options())
    Granian(
        target, address=host, port=port, interface=Interfaces.ASGI, workers=workers, factory=factory, log_access=False,
        workers_kill_timeout=WORKER_KILL_TIMEOUT,  # a worker that missed its SIGTERM is killed, not awaited forever
        **extra,
    ).serve()


def bulk_load(args: argparse.Namespace) -> int:
    """Load many numbers into one account directly in the database, with a progress bar."""
    from tqdm import tqdm

    from numberpool.domain import bulk
    from numberpool.domain.accounts import Account
    from numberpool.store import accounts as accounts_store
    from numberpool.store import migrate
    from numberpool.store.db import Database

    db_url = args.db or default_db_url()
    db = Database(db_url)
    try:
        with _database_errors(db_url):
            migrate.upgrade(db)
            row = accounts_store.fetch(db, args.account)
        if row is None:
            raise Failure(f"no account {args.account}")
        with tqdm(total=args.count, unit="numbers", unit_scale=True, desc="bulk-load") as bar:
            loaded = bulk.load(db, Account.from_row(row), args.count, bar.update, args.tag_every)
    finally:
        db.dispose()
    print(f"loaded {loaded} numbers into {args.account}")
    return 0


def _serve_parser(sub: argparse._SubParsersAction) -> None:
    s = sub.add_parser("serve", help="run the server", description="Run the server (granian, ASGI) on one port.")
    s.add_argument("--host", type=host_address, default="127.0.0.1", metavar="ADDRESS",
                   help="IP address to listen on (default 127.0.0.1)")
    s.add_argument("--port", type=port_number, default=8080, help="TCP port to listen on, 1-65535 (default 8080)")
    s.add_argument("--db", type=database_url, default=None, metavar="URL", help=DB_HELP)
    s.add_argument("--workers", type=int_at_least(1, "a number of processes (1 or more)"), default=1, metavar="N",
                   help="server processes sharing the port (default 1); several want PostgreSQL")
    settings_table.add_flags(s)  # every setting's flag, checked as its variable is
    s.add_argument("--seed", default=None, metavar="FILE",
                   help="a state document (JSON, as GET /numberpool/v1/State answers it) to load as the main account"
                        " before serving; one that cannot be loaded is refused and nothing of it is written")
    s.set_defaults(func=serve)


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="numberpool", description="A Twilio-compatible phone-number server.")
    parser.add_argument("--version", action="version", version=f"numberpool {__version__}",
                        help="print the version and exit")
    sub = parser.add_subparsers(dest="command", required=True,
                                metavar="{serve,receive-sms,receive-call,messages,calls,db,bulk-load}")
    _serve_parser(sub)
    m = inbound_parser(sub, "receive-sms", "message", "sms")
    m.add_argument("--body", default="", metavar="TEXT", help="the text of the message (default empty)")
    m.add_argument("--media", action="append", default=[], metavar="URL",
                   help="the URL of a media file sent with the message (MediaUrl); repeat for several")
    m.set_defaults(func=sms)
    c = inbound_parser(sub, "receive-call", "call", "call")
    c.add_argument("--duration", type=int_at_least(0, "a number of seconds (0 or more)"), default=0, metavar="N",
                   help="seconds the call lasts once answered (CallDuration; default 0)")
    c.set_defaults(func=call)
    messages_parser(sub)
    calls_parser(sub)
    d = sub.add_parser("db", help="database maintenance", description="Database maintenance.")
    dsub = d.add_subparsers(dest="db_command", required=True, metavar="{upgrade}")
    up = dsub.add_parser("upgrade", help="migrate the schema to the newest revision (or --revision)",
                         description="Migrate the schema to the newest revision (or --revision).")
    up.add_argument("--db", type=database_url, default=None, metavar="URL", help=DB_HELP)
    up.add_argument("--revision", default="head", metavar="REV", help="the revision to migrate to (default head)")
    up.set_defaults(func=db_upgrade)
    b = sub.add_parser("bulk-load", help="load many numbers into one account (for load tests)",
                       description="Load many numbers into one account directly in the database.")
    b.add_argument("--db", type=database_url, default=None, metavar="URL", help=DB_HELP)
    b.add_argument("--account", required=True, metavar="SID", help="the owning account SID")
    b.add_argument("--count", type=int_at_least(1, "a count (1 or more)"), required=True, metavar="N",
                   help="how many numbers")
    b.add_argument("--tag-every", type=int_at_least(0, "a count (0 or more)"), default=0, metavar="N",
                   help="name every Nth number bulk-<k> (FriendlyName filters); 0, the default, names none")
    b.set_defaults(func=bulk_load)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except Failure as exc:
        print(f"numberpool: {exc}", file=sys.stderr)
        return exc.code
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())

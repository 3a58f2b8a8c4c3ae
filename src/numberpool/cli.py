"""The ``numberpool`` command.

Every failure the user can fix (a bad option, a port in use, a database that cannot be used)
is one line on stderr, ``numberpool...: <what is wrong>``, and a non-zero exit code: 2 for
usage and start-up errors, 3 for a database written by a newer numberpool (``db upgrade``).
``sms`` and ``call`` (inbound traffic sent to a running server) exit 1 when the server refuses
the event or cannot be reached.
"""

from __future__ import annotations

import argparse
import ipaddress
import math
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DatabaseError, OperationalError

from numberpool import __version__
from numberpool.domain.accounts import Account, Accounts
from numberpool.process import WORKER_KILL_TIMEOUT, PortUnavailable, check_port_free, guard_workers_of_this_process
from numberpool.store import accounts as accounts_store
from numberpool.store import migrate
from numberpool.store.db import Database

# Pool limits, per server: CLI flag -> the environment variable the worker processes read.
_LIMIT_FLAGS = {
    "messaging_pool_limit": "NUMBERPOOL_MESSAGING_POOL_LIMIT",
    "proxy_pool_limit": "NUMBERPOOL_PROXY_POOL_LIMIT",
    "proxy_reserved_limit": "NUMBERPOOL_PROXY_RESERVED_LIMIT",
}
FORWARDED_ENV = "NUMBERPOOL_FORWARDED_ALLOW_IPS"
WEBHOOK_TIMEOUT_ENV = "NUMBERPOOL_WEBHOOK_TIMEOUT"
ACCESS_LOG_ENV = "NUMBERPOOL_ACCESS_LOG"  # "0": no access log (the workers read it)
CONSOLE_HOSTS_ENV = "NUMBERPOOL_CONSOLE_HOSTS"
DEFAULT_WEBHOOK_TIMEOUT = 15.0
DEFAULT_SERVER_URL = "http://127.0.0.1:8080"
DEFAULT_CLIENT_TIMEOUT = 120.0
_DRIVERS = {"sqlite", "sqlite+pysqlite", "postgresql", "postgres", "postgresql+psycopg"}
_SQLITE_SUFFIXES = (".db", ".sqlite", ".sqlite3")
DB_HELP = (
    "the database: sqlite:///PATH, postgresql://USER:PASSWORD@HOST:PORT/NAME, or a path to an SQLite file "
    "(one with a / or ending in .db, .sqlite or .sqlite3, e.g. ./numberpool.db); default ./numberpool.db"
)


class Failure(Exception):
    """A problem the user can fix: printed as one line, ``numberpool: <message>``."""

    def __init__(self, message: str, code: int = 2) -> None:
        super().__init__(message)
        self.code = code


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        """One line, not argparse's usage block; exit code 2."""
        self.exit(2, f"{self.prog}: {message} (see {self.prog} --help)\n")


def _redact(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def default_db_url() -> str:
    return f"sqlite:///{Path.cwd() / 'numberpool.db'}"


def database_url(value: str) -> str:
    """``--db``: a URL of a supported database, or a path to an SQLite file (made a URL)."""
    if "://" not in value:
        if "/" not in value and not value.endswith(_SQLITE_SUFFIXES):
            shown = repr(value) if value else "an empty value"
            raise argparse.ArgumentTypeError(
                f"{shown} is neither a database URL (sqlite:///PATH or postgresql://...) nor a path to an SQLite file"
                f" (write ./{value or 'NAME.db'} for a file in this directory)"
            )
        return f"sqlite:///{Path(value).expanduser().resolve()}"
    try:
        url = make_url(value)
    except ArgumentError:
        raise argparse.ArgumentTypeError("not a database URL (sqlite:///PATH or postgresql://...)") from None
    if url.drivername not in _DRIVERS:
        raise argparse.ArgumentTypeError(
            f"unsupported database {url.drivername!r}: numberpool supports sqlite (sqlite:///PATH) and postgresql"
            " (postgresql://...)"
        )
    if url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:"):
        raise argparse.ArgumentTypeError("an SQLite database in memory cannot be shared by processes; give a file")
    return value


def _int_at_least(low: int, what: str) -> Callable[[str], int]:
    def parse(value: str) -> int:
        try:
            number = int(value)
        except ValueError:
            number = low - 1
        if number < low:
            raise argparse.ArgumentTypeError(f"{value!r} is not {what}")
        return number

    return parse


def port_number(value: str) -> int:
    number = _int_at_least(1, "a port number (1-65535)")(value)
    if number > 65535:
        raise argparse.ArgumentTypeError(f"{value!r} is not a port number (1-65535)")
    return number


def positive_seconds(value: str) -> float:
    """A duration in seconds: a finite number greater than 0."""
    try:
        number = float(value)
    except ValueError:
        number = math.nan
    if not (math.isfinite(number) and number > 0):
        raise argparse.ArgumentTypeError(f"{value!r} is not a number of seconds greater than 0")
    return number


def server_url(value: str) -> str:
    """``--url``: the base URL of a running numberpool server, as ``numberpool.client`` takes it."""
    from numberpool.testing import normalize_base_url

    try:
        return normalize_base_url(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not an http(s)://HOST:PORT URL of a numberpool server") from None


def host_address(value: str) -> str:
    """``--host``: an IP address to listen on (granian takes addresses, not names)."""
    if value == "localhost":
        return "127.0.0.1"
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not an IP address (such as 127.0.0.1, 0.0.0.0 or ::)") from None


def forwarded_allow_ips(value: str) -> str:
    """``--forwarded-allow-ips``: validated the way the workers parse it."""
    from numberpool.http.hosts import TrustedProxies

    try:
        TrustedProxies.parse(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{exc} (give IP addresses or CIDRs separated by commas, or *)") from None
    return ",".join(item.strip() for item in value.split(",") if item.strip())


def console_hosts(value: str) -> str:
    """``--console-hosts``: host names (``name`` for any port, ``name:port`` for one) the console
    answers besides the loopback ones."""
    from numberpool.http.hosts import valid_host

    items = [item.strip() for item in value.split(",") if item.strip()]
    for item in items:
        if not valid_host(item):
            raise argparse.ArgumentTypeError(f"{item!r} is not a host name (such as console.example or [::1]:8080)")
    return ",".join(items)


@contextmanager
def _database_errors(db_url: str) -> Iterator[None]:
    """SQLAlchemy's errors on opening a database, as one line the user can act on."""
    try:
        yield
    except OperationalError as exc:
        if make_url(db_url).get_backend_name() == "sqlite" and (cause := _read_only(db_url, str(exc.orig))):
            raise Failure(cause) from None
        raise Failure(f"cannot reach the database {_redact(db_url)}: {exc.orig or exc}") from None
    except DatabaseError as exc:  # SQLite: "file is not a database"
        if make_url(db_url).get_backend_name() == "sqlite":
            raise Failure(f"the file {make_url(db_url).database} is not an SQLite database ({exc.orig})") from None
        raise Failure(f"{_redact(db_url)} is not a usable database: {exc.orig or exc}") from None


def _read_only(db_url: str, error: str) -> str | None:
    """What makes an SQLite database read-only for this process, if that is the problem."""
    path = Path(make_url(db_url).database or "")
    for file in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        if file.exists() and not os.access(file, os.W_OK):
            return f"the database file {file} is read-only"
    if path.parent.is_dir() and not os.access(path.parent, os.W_OK):
        return f"the directory {path.parent} is read-only (SQLite writes {path.name}-wal and {path.name}-shm there)"
    return f"the database {_redact(db_url)} is read-only" if "readonly" in error else None


def _check_writable(db: Database) -> None:
    """SQLite opens a file it may not write read-only, and only writes fail: try one, undone."""
    if not db.is_sqlite:
        return
    with db.engine.connect() as conn, conn.begin() as tx:
        version = int(conn.exec_driver_sql("PRAGMA user_version").scalar() or 0)
        conn.exec_driver_sql(f"PRAGMA user_version = {version}")
        tx.rollback()


def prepare(db_url: str) -> tuple[str, str]:
    """Bring the schema up to date and make sure of the main account; return its SID and token."""
    db = Database(db_url)
    try:
        with _database_errors(db_url):
            _check_writable(db)
            migrate.upgrade(db)
            main = Accounts(db).ensure_main(os.environ.get("TWILIO_ACCOUNT_SID"), os.environ.get("TWILIO_AUTH_TOKEN"))
    finally:
        db.dispose()
    return main.sid, main.auth_token


def db_upgrade(args: argparse.Namespace) -> int:
    from alembic.util import CommandError

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


def _forwarded_setting(flag: str | None) -> str | None:
    """The flag, else the environment's value (as the limits, which tests pass that way), validated alike."""
    if flag is not None or not os.environ.get(FORWARDED_ENV):
        return flag
    try:
        return forwarded_allow_ips(os.environ[FORWARDED_ENV])
    except argparse.ArgumentTypeError as exc:
        raise Failure(f"{FORWARDED_ENV}: {exc}") from None


def _webhook_timeout_setting(flag: float | None) -> float:
    """The flag, else the environment's value (validated alike), else 15 seconds."""
    if flag is not None:
        return flag
    if not os.environ.get(WEBHOOK_TIMEOUT_ENV):
        return DEFAULT_WEBHOOK_TIMEOUT
    try:
        return positive_seconds(os.environ[WEBHOOK_TIMEOUT_ENV])
    except argparse.ArgumentTypeError as exc:
        raise Failure(f"{WEBHOOK_TIMEOUT_ENV}: {exc}") from None


def _seed(db_url: str, path: str, main_sid: str, args: argparse.Namespace) -> None:
    """``--seed``: the state document loaded as the main account, or one line on why it was not."""
    from numberpool import seed

    limits = seed.limits_with(args.messaging_pool_limit, args.proxy_pool_limit, args.proxy_reserved_limit)
    try:
        with _database_errors(db_url):
            seed.load(db_url, path, main_sid, limits)
    except seed.SeedRefused as exc:
        raise Failure(str(exc)) from None


def serve(args: argparse.Namespace) -> int:
    db_url = args.db or default_db_url()
    forwarded = _forwarded_setting(args.forwarded_allow_ips)
    webhook_timeout = _webhook_timeout_setting(args.webhook_timeout)
    try:
        sid, token = prepare(db_url)
    except (ValueError, migrate.SchemaTooNew) as exc:
        raise Failure(str(exc)) from None
    if args.seed is not None:
        _seed(db_url, args.seed, sid, args)
    try:
        check_port_free(args.host, args.port)  # last before granian binds: see check_port_free on the race
    except PortUnavailable as exc:
        raise Failure(str(exc)) from None
    host = f"[{args.host}]" if ":" in args.host else args.host
    print(f"numberpool serving on http://{host}:{args.port} (database {_redact(db_url)})", flush=True)
    print(f"TWILIO_ACCOUNT_SID={sid}", flush=True)
    if os.environ.get("TWILIO_ACCOUNT_SID"):  # the account came from the environment: its token may be a live one
        print("TWILIO_AUTH_TOKEN is the one set in the environment (not printed)", flush=True)
    else:
        print(f"TWILIO_AUTH_TOKEN={token}", flush=True)
    os.environ["NUMBERPOOL_DB"] = db_url
    guard_workers_of_this_process()  # granian's main process is this one
    if forwarded is not None:
        os.environ[FORWARDED_ENV] = forwarded
    os.environ[WEBHOOK_TIMEOUT_ENV] = repr(webhook_timeout)
    os.environ[ACCESS_LOG_ENV] = "0" if args.access_log is False or os.environ.get(ACCESS_LOG_ENV) == "0" else "1"
    if args.console_hosts is not None:
        os.environ[CONSOLE_HOSTS_ENV] = args.console_hosts
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

    extra: dict[str, Any] = {}
    for key in ("runtime_mode", "task_impl", "loop", "http"):
        value = os.environ.get("NUMBERPOOL_GRANIAN_" + key.upper())
        if value:
            extra[key] = value
    Granian(
        target, address=host, port=port, interface=Interfaces.ASGI, workers=workers, factory=factory, log_access=False,
        workers_kill_timeout=WORKER_KILL_TIMEOUT,  # a worker that missed its SIGTERM is killed, not awaited forever
        **extra,
    ).serve()


def bulk_load(args: argparse.Namespace) -> int:
    """Load many numbers into one account directly in the database, with a progress bar."""
    from tqdm import tqdm

    from numberpool.domain import bulk

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


def _inbound_client(args: argparse.Namespace) -> Any:
    """A numberpool client for ``--url`` with the credentials of the environment (one-line error if missing)."""
    sid, token = os.environ.get("TWILIO_ACCOUNT_SID", ""), os.environ.get("TWILIO_AUTH_TOKEN", "")
    missing = [name for name, value in (("TWILIO_ACCOUNT_SID", sid), ("TWILIO_AUTH_TOKEN", token)) if not value]
    if missing:
        raise Failure(f"set {' and '.join(missing)} in the environment: the credentials of the account to send as"
                      " (numberpool serve prints the main account's)")
    from twilio.http.http_client import TwilioHttpClient

    import numberpool

    return numberpool.client(args.url, sid, token, http_client=TwilioHttpClient(timeout=args.timeout))


def _send_inbound(args: argparse.Namespace, send: Callable[[Any], dict[str, Any]]) -> int:
    """Send one inbound event to the server and print its record; server errors are one line, exit 1."""
    from twilio.base.exceptions import TwilioRestException

    client = _inbound_client(args)
    try:
        record = send(client)
    except TwilioRestException as exc:
        raise Failure(f"{exc.msg}" + (f" (code {exc.code})" if exc.code is not None else ""), 1) from None
    except OSError as exc:  # requests' errors are OSErrors: refused, timed out, reset
        raise Failure(_unreachable(args.url, args.timeout, exc), 1) from None
    print(format_record(record))
    return 0


def _unreachable(url: str, timeout: float, exc: OSError) -> str:
    text = str(exc)
    if "timed out" in text.lower() or "timeout" in type(exc).__name__.lower():
        return f"no answer from the server at {url} within {timeout:g} s (see --timeout)"
    for known in ("Connection refused", "Name or service not known", "No route to host", "Connection reset"):
        if known.lower() in text.lower():
            return f"cannot reach the server at {url}: {known.lower()} (is numberpool serve running there?)"
    return f"cannot reach the server at {url}: {type(exc).__name__}"


def _one_line(text: object) -> str:
    """A value from the server on one line of the terminal (its line breaks shown as \\n)."""
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in str(text))


def _hide_password(url: str) -> str:
    """A webhook URL without the password of its user info, if it has one."""
    from urllib.parse import urlsplit, urlunsplit

    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    if parts.password is None:
        return url
    host = parts.netloc.rsplit("@", 1)[1]
    return urlunsplit(parts._replace(netloc=f"{parts.username}:***@{host}"))


def _milliseconds(value: object) -> str:
    """A duration the server gives in milliseconds (a float), rounded to a whole one."""
    try:
        return str(round(float(str(value))))
    except (ValueError, OverflowError):
        return _one_line(value)


_DECIDED_BY = ("messaging_service_sid", "application_sid", "proxy_service_sid", "trunk_sid", "sip_url")


def format_record(record: dict[str, Any]) -> str:
    """An inbound message or call as lines for a person: its route, each delivery, each reply."""
    kind = "call" if str(record.get("sid", "")).startswith("CA") else "message"
    deciding = ", ".join(f"{key} {_one_line(record[key])}" for key in _DECIDED_BY if record.get(key))
    lines = [f"{kind} {_one_line(record.get('sid'))}: route {_one_line(record.get('route'))}"
             + (f" ({deciding})" if deciding else "")]
    deliveries = record.get("deliveries") or []
    for d in deliveries:
        status = d.get("status_code")
        outcome = str(status) if status is not None else "no answer"
        if d.get("error_code") is not None:
            outcome += f", error {d['error_code']}"
        took = f" ({_milliseconds(d['duration_ms'])} ms)" if d.get("duration_ms") is not None else ""
        lines.append(f"delivery {_one_line(d.get('purpose'))}: {_one_line(d.get('method'))}"
                     f" {_one_line(_hide_password(str(d.get('url'))))} -> {outcome}{took}")
    if not deliveries:
        lines.append("no webhook was called")
    for reply in record.get("replies") or []:
        lines.append(f"reply to {_one_line(reply.get('to'))}: {_one_line(reply.get('body'))}")
    return "\n".join(lines)


def sms(args: argparse.Namespace) -> int:
    from numberpool.inbound_client import send_message

    return _send_inbound(args, lambda c: send_message(c, to=args.to, from_=args.from_, body=args.body,
                                                      media_urls=args.media))


def call(args: argparse.Namespace) -> int:
    from numberpool.inbound_client import place_call

    return _send_inbound(args, lambda c: place_call(c, to=args.to, from_=args.from_, duration=args.duration))


def _inbound_parser(sub: argparse._SubParsersAction, name: str, what: str) -> argparse.ArgumentParser:
    p = sub.add_parser(name, help=f"simulate an inbound {what} to a number of a running server",
                       description=f"Simulate an inbound {what} to a number of a running numberpool server: it is"
                                   " routed as Twilio would, and what happened is printed. The credentials are"
                                   " TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN of the environment.")
    p.add_argument("--url", type=server_url, default=DEFAULT_SERVER_URL, metavar="URL",
                   help=f"the numberpool server (default {DEFAULT_SERVER_URL})")
    p.add_argument("--to", required=True, metavar="NUMBER", help="the receiving number, E.164 (+1...), one an account of the server owns")
    p.add_argument("--from", dest="from_", required=True, metavar="NUMBER", help="the sender's (caller's) number, E.164 (+1...)")
    p.add_argument("--timeout", type=positive_seconds, default=DEFAULT_CLIENT_TIMEOUT, metavar="SECONDS",
                   help=f"how long to wait for the server, webhooks included (default {DEFAULT_CLIENT_TIMEOUT:g})")
    return p


def _serve_parser(sub: argparse._SubParsersAction) -> None:
    s = sub.add_parser("serve", help="run the server", description="Run the server (granian, ASGI) on one port.")
    s.add_argument("--host", type=host_address, default="127.0.0.1", metavar="ADDRESS",
                   help="IP address to listen on (default 127.0.0.1)")
    s.add_argument("--port", type=port_number, default=8080, help="TCP port to listen on, 1-65535 (default 8080)")
    s.add_argument("--db", type=database_url, default=None, metavar="URL", help=DB_HELP)
    s.add_argument("--workers", type=_int_at_least(1, "a number of processes (1 or more)"), default=1, metavar="N",
                   help="server processes sharing the port (default 1); several want PostgreSQL")
    limit = _int_at_least(0, "a limit (0 or more)")
    for flag, what in (("messaging-pool-limit", "numbers per Messaging Service (default 400)"),
                       ("proxy-pool-limit", "unreserved numbers per Proxy Service (default 500)"),
                       ("proxy-reserved-limit", "reserved numbers per Proxy Service (default 5000)")):
        s.add_argument(f"--{flag}", type=limit, default=None, metavar="N", help=what)
    s.add_argument("--forwarded-allow-ips", type=forwarded_allow_ips, default=None, metavar="IPS",
                   help="comma-separated IPs or CIDRs (or *) of the proxies whose X-Forwarded-* and Forwarded"
                        f" headers are believed (default: none, or ${FORWARDED_ENV})")
    s.add_argument("--webhook-timeout", type=positive_seconds, default=None, metavar="SECONDS",
                   help="how long a webhook may take to answer before the request counts as failed, error 11205"
                        f" (default {DEFAULT_WEBHOOK_TIMEOUT:g}, or ${WEBHOOK_TIMEOUT_ENV})")
    s.add_argument("--seed", default=None, metavar="FILE",
                   help="a state document (JSON, as GET /numberpool/v1/State answers it) to load as the main account"
                        " before serving; one that cannot be loaded is refused and nothing of it is written")
    s.add_argument("--no-access-log", dest="access_log", action="store_false", default=None,
                   help="write no line per request on standard output (the access log is on by default;"
                        f" also ${ACCESS_LOG_ENV}=0)")
    s.add_argument("--console-hosts", type=console_hosts, default=None, metavar="HOSTS",
                   help="comma-separated host names the /console pages answer besides 127.0.0.1, localhost and [::1]"
                        f" (default: none, or ${CONSOLE_HOSTS_ENV})")
    s.set_defaults(func=serve)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="numberpool", description="A Twilio-compatible phone-number server.")
    parser.add_argument("--version", action="version", version=f"numberpool {__version__}",
                        help="print the version and exit")
    sub = parser.add_subparsers(dest="command", required=True, metavar="{serve,sms,call,db,bulk-load}")
    _serve_parser(sub)
    m = _inbound_parser(sub, "sms", "message")
    m.add_argument("--body", default="", metavar="TEXT", help="the text of the message (default empty)")
    m.add_argument("--media", action="append", default=[], metavar="URL",
                   help="the URL of a media file sent with the message (MediaUrl); repeat for several")
    m.set_defaults(func=sms)
    c = _inbound_parser(sub, "call", "call")
    c.add_argument("--duration", type=_int_at_least(0, "a number of seconds (0 or more)"), default=0, metavar="N",
                   help="seconds the call lasts once answered (CallDuration; default 0)")
    c.set_defaults(func=call)
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
    b.add_argument("--count", type=_int_at_least(1, "a count (1 or more)"), required=True, metavar="N",
                   help="how many numbers")
    b.add_argument("--tag-every", type=_int_at_least(0, "a count (0 or more)"), default=0, metavar="N",
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

"""What the ``numberpool`` command's own arguments accept (the server's settings are checked in
``settings.py``), and how it fails: one line the user can act on.

Light on purpose: ``numberpool --version``, ``receive-sms`` and ``receive-call`` import nothing of
the server or SQLAlchemy (a database URL is checked with SQLAlchemy only when one is given).
"""

from __future__ import annotations

import argparse
import ipaddress
import math
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn

DEFAULT_SERVER_URL = "http://127.0.0.1:8080"
DEFAULT_CLIENT_TIMEOUT = 120.0
DRIVERS = {"sqlite", "sqlite+pysqlite", "postgresql", "postgres", "postgresql+psycopg"}
SQLITE_SUFFIXES = (".db", ".sqlite", ".sqlite3")
DB_HELP = (
    "the database: sqlite:///PATH, postgresql://USER:PASSWORD@HOST:PORT/NAME, or a path to an SQLite file "
    "(one with a / or ending in .db, .sqlite or .sqlite3, e.g. ./numberpool.db); default ./numberpool.db"
)


class Failure(Exception):
    """A problem the user can fix: printed as one line, ``numberpool: <message>``."""

    def __init__(self, message: str, code: int = 2) -> None:
        super().__init__(message)
        self.code = code


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        """One line, not argparse's usage block; exit code 2."""
        self.exit(2, f"{self.prog}: {message} (see {self.prog} --help)\n")


def redact(url: str) -> str:
    """A database URL without its password."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def default_db_url() -> str:
    return f"sqlite:///{Path.cwd() / 'numberpool.db'}"


def database_url(value: str) -> str:
    """``--db``: a URL of a supported database, or a path to an SQLite file (made a URL)."""
    if "://" not in value:
        if "/" not in value and not value.endswith(SQLITE_SUFFIXES):
            shown = repr(value) if value else "an empty value"
            raise argparse.ArgumentTypeError(
                f"{shown} is neither a database URL (sqlite:///PATH or postgresql://...) nor a path to an SQLite file"
                f" (write ./{value or 'NAME.db'} for a file in this directory)"
            )
        return f"sqlite:///{Path(value).expanduser().resolve()}"
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        url = make_url(value)
    except ArgumentError:
        raise argparse.ArgumentTypeError("not a database URL (sqlite:///PATH or postgresql://...)") from None
    if url.drivername not in DRIVERS:
        raise argparse.ArgumentTypeError(
            f"unsupported database {url.drivername!r}: numberpool supports sqlite (sqlite:///PATH) and postgresql"
            " (postgresql://...)"
        )
    if url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:"):
        raise argparse.ArgumentTypeError("an SQLite database in memory cannot be shared by processes; give a file")
    return value


def int_at_least(low: int, what: str) -> Callable[[str], int]:
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
    number = int_at_least(1, "a port number (1-65535)")(value)
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
    from numberpool.sdk.redirect import normalize_base_url

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

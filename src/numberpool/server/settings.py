"""The server's settings: every option, its flag, its environment variable, its default and its
check, in one table (``OPTIONS``), and the one ``Settings`` object made from it.

``numberpool serve`` builds a ``Settings`` from its flags, then the environment, then the defaults
(a flag wins), each value checked by the same function whichever way it came; a bad one is one
line for the user. The server's worker processes are started by granian, which passes them
nothing but the environment: ``serve`` writes the settings there (``export``) and each worker
reads them back once (``from_environ``). Nothing else in numberpool reads the environment, but
for the process guard's own variable (``server/process.py``) and the client side's credentials
(``sdk/settings.py``).
"""

from __future__ import annotations

import argparse
import math
import os
from collections.abc import Callable, Mapping, MutableMapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from numberpool.domain.pools.base import PoolLimits
from numberpool.server.args import int_at_least, positive_seconds
from numberpool.store.deadline import DEFAULT_DEADLINE
from numberpool.store.deadline import Limits as DatabaseLimits

DEFAULT_WEBHOOK_TIMEOUT = 15.0
GRANIAN_PREFIX = "NUMBERPOOL_GRANIAN_"  # granian's own settings, for the benchmark: runtime_mode, task_impl, ...
GRANIAN_KEYS = ("runtime_mode", "task_impl", "loop", "http")


class SettingError(ValueError):
    """A setting's value is wrong; the message is one line naming it."""


def _deadline(value: str) -> float | None:
    try:
        seconds = float(value)
    except ValueError:
        seconds = math.nan
    if not (0 <= seconds < math.inf):
        raise ValueError(f"{value!r} is not a number of seconds (0: no deadline)")
    return seconds or None


def _switch(value: str) -> bool:
    """"1" on, "0" or empty off; anything else is a mistake (a security setting misspelt must not pass for off)."""
    if value not in ("", "0", "1"):
        raise ValueError(f"{value!r} is not 1 (on) or 0 (off)")
    return value == "1"


def _trusted_proxies(value: str) -> str:
    from numberpool.http.hosts import TrustedProxies

    try:
        TrustedProxies.parse(value)
    except ValueError as exc:
        raise ValueError(f"{exc} (give IP addresses or CIDRs separated by commas, or *)") from None
    return ",".join(item.strip() for item in value.split(",") if item.strip())


def _host_names(value: str) -> tuple[str, ...]:
    from numberpool.http.hosts import valid_host

    items = tuple(item.strip() for item in value.split(",") if item.strip())
    for item in items:
        if not valid_host(item):
            raise ValueError(f"{item!r} is not a host name (such as console.example or [::1]:8080)")
    return items


def _text(value: str) -> str:
    return value


@dataclass(frozen=True)
class Option:
    """One setting: the ``Settings`` field it fills, its environment variable, its ``serve`` flag
    (None: environment only), the check turning text into the value (raising ValueError, or
    argparse's ArgumentTypeError for the checks ``args.py`` shares with the command, with a message), and the text the worker processes are given (``show``; None: leave it out)."""

    name: str
    env: str
    flag: str | None
    parse: Callable[[str], Any]
    show: Callable[[Any], str | None] = str
    help: str = ""
    metavar: str = "VALUE"
    flag_sets: bool | None = None  # a switch: the flag takes no value and sets this one
    read_by_serve: bool = True  # False: only ``serve`` writes it, for its workers (the database URL)


def _limit(name: str, env: str, what: str) -> Option:
    return Option(name, env, name.replace("_", "-"), int_at_least(0, "a limit (0 or more)"), help=what, metavar="N")


OPTIONS: tuple[Option, ...] = (
    Option("db_url", "NUMBERPOOL_DB", None, _text, read_by_serve=False),
    _limit("messaging_pool_limit", "NUMBERPOOL_MESSAGING_POOL_LIMIT", "numbers per Messaging Service (default 400)"),
    _limit("proxy_pool_limit", "NUMBERPOOL_PROXY_POOL_LIMIT", "unreserved numbers per Proxy Service (default 500)"),
    _limit("proxy_reserved_limit", "NUMBERPOOL_PROXY_RESERVED_LIMIT", "reserved numbers per Proxy Service (default 5000)"),
    Option("forwarded_allow_ips", "NUMBERPOOL_FORWARDED_ALLOW_IPS", "forwarded-allow-ips", _trusted_proxies,
           show=lambda v: v or None, metavar="IPS",
           help="comma-separated IPs or CIDRs (or *) of the proxies whose X-Forwarded-* and Forwarded headers are"
                " believed (default: none)"),
    Option("webhook_timeout", "NUMBERPOOL_WEBHOOK_TIMEOUT", "webhook-timeout", positive_seconds, show=repr,
           metavar="SECONDS", help="how long a webhook may take to answer before the request counts as failed,"
                                   f" error 11205 (default {DEFAULT_WEBHOOK_TIMEOUT:g})"),
    Option("webhook_deny_private", "NUMBERPOOL_WEBHOOK_DENY_PRIVATE", "webhook-deny-private", _switch,
           show=lambda v: "1" if v else "0", flag_sets=True,
           help="refuse webhook requests to loopback, link-local, private and other non-public addresses, checked"
                " after DNS resolution (error 11210), for a server several people share (default off: webhooks on"
                " this machine work)"),
    Option("access_log", "NUMBERPOOL_ACCESS_LOG", "no-access-log", lambda v: v != "0", show=lambda v: "1" if v else "0",
           flag_sets=False, help="write no line per request on standard output (the access log is on by default)"),
    Option("console_hosts", "NUMBERPOOL_CONSOLE_HOSTS", "console-hosts", _host_names, show=lambda v: ",".join(v) or None,
           metavar="HOSTS", help="comma-separated host names the /console pages answer besides 127.0.0.1, localhost"
                                 " and [::1] (default: none)"),
    Option("response_cache", "NUMBERPOOL_RESPONSE_CACHE", None, lambda v: v != "0", show=lambda v: "1" if v else "0"),
    Option("pg_statement_deadline", "NUMBERPOOL_PG_STATEMENT_DEADLINE", None, _deadline,
           show=lambda v: repr(v) if v is not None else "0"),
    Option("account_sid", "TWILIO_ACCOUNT_SID", None, _text, show=lambda v: v or None),
    Option("auth_token", "TWILIO_AUTH_TOKEN", None, _text, show=lambda v: v or None),
)
BY_NAME = {option.name: option for option in OPTIONS}


@dataclass(frozen=True)
class Settings:
    """Everything a server process is configured with."""

    db_url: str = field(default_factory=lambda: f"sqlite:///{Path.cwd() / 'numberpool.db'}")
    messaging_pool_limit: int = PoolLimits.messaging
    proxy_pool_limit: int = PoolLimits.proxy_unreserved
    proxy_reserved_limit: int = PoolLimits.proxy_reserved
    forwarded_allow_ips: str | None = None
    webhook_timeout: float = DEFAULT_WEBHOOK_TIMEOUT
    webhook_deny_private: bool = False
    access_log: bool = True
    console_hosts: tuple[str, ...] = ()
    response_cache: bool = True
    pg_statement_deadline: float | None = DEFAULT_DEADLINE
    account_sid: str | None = None  # the main account (TWILIO_ACCOUNT_SID), else the database's
    auth_token: str | None = None
    granian: tuple[tuple[str, str], ...] = ()  # granian's own options, for the benchmark

    @property
    def pool_limits(self) -> PoolLimits:
        return PoolLimits(self.messaging_pool_limit, self.proxy_pool_limit, self.proxy_reserved_limit)

    @property
    def database_limits(self) -> DatabaseLimits:
        return DatabaseLimits(self.pg_statement_deadline)

    @classmethod
    def from_sources(cls, flags: Mapping[str, Any], environ: Mapping[str, str] | None = None) -> Settings:
        """The settings of a ``serve``: a flag that was given (not None), else its environment
        variable (checked as the flag is), else the default. SettingError names what is wrong."""
        environ = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for option in OPTIONS:
            given = flags.get(option.name)
            if given is not None:
                values[option.name] = given
            elif option.read_by_serve and environ.get(option.env):
                values[option.name] = _parsed(option, environ[option.env])
        return cls(**values, granian=granian_options(environ))

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """The settings a worker process was given by ``export`` (every variable, the database's too)."""
        environ = os.environ if environ is None else environ
        values = {o.name: _parsed(o, environ[o.env]) for o in OPTIONS if environ.get(o.env)}
        return cls(**values)

    def environ(self) -> dict[str, str]:
        """The variables a worker process reads these settings back from."""
        out: dict[str, str] = {}
        for option in OPTIONS:
            shown = option.show(getattr(self, option.name))
            if shown is not None:
                out[option.env] = shown
        return out

    def export(self, environ: MutableMapping[str, str] | None = None) -> None:
        """Write ``environ()`` into this process's environment, which the workers inherit."""
        (os.environ if environ is None else environ).update(self.environ())


def _parsed(option: Option, raw: str) -> Any:
    try:
        return option.parse(raw)
    except (ValueError, argparse.ArgumentTypeError) as exc:
        raise SettingError(f"{option.env}: {exc}") from None


def argument_type(name: str) -> Callable[[str], Any]:
    """The check of option ``name`` as an argparse ``type``: the flag's value is checked as its variable's."""
    parse = BY_NAME[name].parse

    def check(value: str) -> Any:
        try:
            return parse(value)
        except (ValueError, argparse.ArgumentTypeError) as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    check.__name__ = name  # argparse names the type in some messages
    return check


def add_flags(parser: argparse.ArgumentParser) -> None:
    """The flags of every option that has one, with its variable named in its help."""
    for option in OPTIONS:
        if option.flag is None:
            continue
        if option.flag_sets is not None:
            value = "1" if option.flag_sets else "0"
            parser.add_argument(f"--{option.flag}", dest=option.name, action="store_const", const=option.flag_sets,
                                default=None, help=f"{option.help}; also ${option.env}={value}")
        else:
            parser.add_argument(f"--{option.flag}", dest=option.name, type=argument_type(option.name), default=None,
                                metavar=option.metavar, help=f"{option.help} (also ${option.env})")


def granian_options(environ: Mapping[str, str] | None = None) -> tuple[tuple[str, str], ...]:
    """granian's own settings (``NUMBERPOOL_GRANIAN_RUNTIME_MODE``, ...), which the benchmark sets."""
    environ = os.environ if environ is None else environ
    return tuple((key, environ[GRANIAN_PREFIX + key.upper()]) for key in GRANIAN_KEYS
                 if environ.get(GRANIAN_PREFIX + key.upper()))

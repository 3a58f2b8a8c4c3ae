"""The server's one Settings object (server/settings.py): a flag, else its variable, else the default,
each checked alike; what ``serve`` exports is what a worker reads back; and docs/serving.md lists
every setting."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from numberpool.domain.pools.base import PoolLimits
from numberpool.server.settings import OPTIONS, SettingError, Settings, add_flags
from numberpool.store.deadline import Limits

DOC = Path(__file__).resolve().parents[2] / "docs" / "serving.md"


def parse(argv: list[str]) -> dict:
    parser = argparse.ArgumentParser()
    add_flags(parser)
    return vars(parser.parse_args(argv))


def test_defaults():
    s = Settings.from_sources({}, {})
    assert s.pool_limits == PoolLimits()
    assert (s.webhook_timeout, s.webhook_deny_private, s.access_log, s.response_cache) == (15.0, False, True, True)
    assert (s.forwarded_allow_ips, s.console_hosts, s.account_sid) == (None, (), None)
    assert s.database_limits == Limits(10.0)
    assert s.db_url.startswith("sqlite:///") and s.db_url.endswith("/numberpool.db")


def test_a_flag_wins_over_its_variable_which_wins_over_the_default():
    env = {"NUMBERPOOL_MESSAGING_POOL_LIMIT": "7", "NUMBERPOOL_WEBHOOK_TIMEOUT": "2.5", "NUMBERPOOL_ACCESS_LOG": "0",
           "NUMBERPOOL_CONSOLE_HOSTS": "a.example, b.example:81", "TWILIO_ACCOUNT_SID": "AC" + "1" * 32}
    s = Settings.from_sources(parse(["--messaging-pool-limit", "3", "--webhook-deny-private"]), env)
    assert (s.messaging_pool_limit, s.proxy_pool_limit) == (3, 500)
    assert (s.webhook_timeout, s.webhook_deny_private, s.access_log) == (2.5, True, False)
    assert s.console_hosts == ("a.example", "b.example:81") and s.account_sid == "AC" + "1" * 32
    assert Settings.from_sources(parse(["--no-access-log"]), {}).access_log is False


def test_the_database_url_comes_from_the_command_not_the_environment():
    s = Settings.from_sources({"db_url": "sqlite:////tmp/x.db"}, {"NUMBERPOOL_DB": "sqlite:////tmp/other.db"})
    assert s.db_url == "sqlite:////tmp/x.db"


@pytest.mark.parametrize(("variable", "value"), [
    ("NUMBERPOOL_MESSAGING_POOL_LIMIT", "-1"), ("NUMBERPOOL_PROXY_POOL_LIMIT", "many"),
    ("NUMBERPOOL_WEBHOOK_TIMEOUT", "0"), ("NUMBERPOOL_WEBHOOK_TIMEOUT", "inf"),
    ("NUMBERPOOL_WEBHOOK_DENY_PRIVATE", "yes"), ("NUMBERPOOL_FORWARDED_ALLOW_IPS", "not-an-ip"),
    ("NUMBERPOOL_CONSOLE_HOSTS", "bad host"), ("NUMBERPOOL_PG_STATEMENT_DEADLINE", "-3"),
])
def test_a_wrong_variable_is_one_line_naming_it(variable, value):
    with pytest.raises(SettingError, match=f"^{variable}: ") as caught:
        Settings.from_sources({}, {variable: value})
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize("argv", [["--webhook-timeout", "-2"], ["--proxy-reserved-limit", "x"],
                                  ["--forwarded-allow-ips", "10.0.0.300"]])
def test_a_wrong_flag_is_refused_by_the_same_check(argv, capsys):
    with pytest.raises(SystemExit):
        parse(argv)
    assert argv[0] in capsys.readouterr().err


def test_what_serve_exports_a_worker_reads_back():
    s = Settings.from_sources({"db_url": "postgresql://u:p@h/db", **parse([
        "--messaging-pool-limit", "9", "--proxy-pool-limit", "8", "--proxy-reserved-limit", "0",
        "--forwarded-allow-ips", "127.0.0.1, 10.0.0.0/8", "--webhook-timeout", "0.5", "--webhook-deny-private",
        "--no-access-log", "--console-hosts", "c.example"])},
        {"NUMBERPOOL_PG_STATEMENT_DEADLINE": "0", "NUMBERPOOL_RESPONSE_CACHE": "0", "TWILIO_AUTH_TOKEN": "t"})
    environ: dict[str, str] = {}
    s.export(environ)
    assert Settings.from_environ(environ) == s
    assert s.forwarded_allow_ips == "127.0.0.1,10.0.0.0/8" and s.database_limits == Limits(None)
    assert Settings.from_environ(Settings().environ()) == Settings()


def test_every_setting_is_in_the_documentation():
    table = DOC.read_text().split("<!-- settings -->")[1].split("<!-- /settings -->")[0]
    for option in OPTIONS:
        if option.read_by_serve:
            assert re.search(rf"`{option.env}\b", table), option.env
        if option.flag:
            assert f"`--{option.flag}" in table, option.flag

"""The ``numberpool`` command: its processes, its errors, what it prints, and ``numberpool.client``."""

from __future__ import annotations

import argparse
import ctypes
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

import numberpool
from numberpool.sdk.redirect import normalize_base_url
from numberpool.server import cli
from tests.conftest import free_port, start_server

CLI = [sys.executable, "-m", "numberpool"]


def group_members(pgid: int) -> list[int]:
    """The live processes of a process group (a server started in a session of its own).

    A zombie whose threads are all gone is not live (nobody may reap an orphan here); one whose
    main thread exited while others still run is (it still holds its sockets)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            threads = len(list((entry / "task").iterdir()))
        except OSError:
            continue  # gone meanwhile
        if int(fields[2]) == pgid and (fields[0] != "Z" or threads > 1):
            found.append(int(entry.name))
    return found


def children(pid: int) -> list[int]:
    try:
        return [int(c) for task in Path(f"/proc/{pid}/task").iterdir() for c in (task / "children").read_text().split()]
    except OSError:
        return []


def poll(condition: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.002)
    return True


def accepts(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False


def end_group(proc: subprocess.Popen) -> None:
    """Kill whatever is left of a server's process group and reap its main process."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait(timeout=10)


@contextmanager
def launched(args: list[str], env: dict[str, str] | None = None, out: Path | None = None) -> Iterator[subprocess.Popen]:
    """``numberpool ARGS`` in a session of its own (output to ``out``); killed, group and all, on exit."""
    with open(out or os.devnull, "w") as sink:
        proc = subprocess.Popen([*CLI, *args], env=env, stdout=sink, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        yield proc
    finally:
        end_group(proc)


def run(args: list[str], timeout: float = 30, **kwargs) -> subprocess.CompletedProcess:
    """``numberpool ARGS`` to completion; a server that starts anyway is killed at ``timeout``."""
    proc = subprocess.Popen([*CLI, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True, **kwargs)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        end_group(proc)
        pytest.fail(f"numberpool {' '.join(args)} was still running after {timeout} s")
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def assert_one_line_error(done: subprocess.CompletedProcess, expected: str, code: int = 2) -> None:
    assert done.returncode == code, (done.returncode, done.stderr)
    assert len(done.stderr.splitlines()) == 1 and "Traceback" not in done.stderr, done.stderr
    assert expected in done.stderr, done.stderr


@pytest.fixture(scope="module")
def db_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """One migrated SQLite database for the tests that only start and stop servers."""
    url = f"sqlite:///{tmp_path_factory.mktemp('cli') / 'numberpool.db'}"
    cli.prepare(url)
    return url


# -- 1. the workers die with the main process ------------------------------------------------


@pytest.mark.parametrize("workers", [1, 2])
def test_workers_end_when_the_main_process_is_killed(db_url, workers):
    proc, base_url = start_server(db_url, {}, workers=workers)
    port = int(base_url.rsplit(":", 1)[1])
    try:
        assert poll(lambda: len(children(proc.pid)) == workers, 10)
        os.kill(proc.pid, signal.SIGKILL)  # the main process alone
        proc.wait(timeout=10)
        assert poll(lambda: not group_members(proc.pid) and not accepts(port), 5), group_members(proc.pid)
        with socket.socket() as s:  # the port is free for the next server
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("127.0.0.1", port))
    finally:
        end_group(proc)


# -- 2. a port in use ------------------------------------------------------------------------


@contextmanager
def listener(kind: str, db_url: str) -> Iterator[int]:
    """A port held by another numberpool, or by a plain socket (with or without SO_REUSEPORT)."""
    if kind == "numberpool":
        proc, base_url = start_server(db_url, {})
        try:
            yield int(base_url.rsplit(":", 1)[1])
        finally:
            end_group(proc)
        return
    with socket.socket() as s:
        if kind == "reuseport":  # as granian binds
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        s.bind(("127.0.0.1", 0))
        s.listen()
        yield s.getsockname()[1]


@pytest.mark.parametrize("kind", ["numberpool", "plain", "reuseport"])
def test_a_port_in_use_is_a_one_line_error(db_url, kind):
    with listener(kind, db_url) as port:
        done = run(["serve", "--port", str(port), "--db", db_url])
    assert_one_line_error(done, f"numberpool: port {port} is already in use")
    assert done.stdout == ""  # nothing claims to be serving


# -- 3. SIGTERM at any moment ----------------------------------------------------------------


def _catches_sigterm(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    caught = int(status.split("SigCgt:", 1)[1].split()[0], 16)
    return bool(caught & (1 << (signal.SIGTERM - 1)))


def _reach(moment: str, proc: subprocess.Popen, port: int) -> None:
    """Wait for a moment of the start-up: a delay, or a state of the processes."""
    if moment.startswith("after"):
        time.sleep(float(moment.removeprefix("after")))
        return
    reached = {
        "handlers": lambda: _catches_sigterm(proc.pid),  # granian's main process took over SIGTERM
        "worker": lambda: bool(children(proc.pid)),  # a worker was just forked
        "serving": lambda: accepts(port),
    }[moment]
    assert poll(reached, 60), f"the server never reached {moment!r}"


MOMENTS = ["after0", "after0.1", "after0.3", "after0.6", "handlers", "worker", "serving"]


@pytest.mark.parametrize(("target", "moment"), [("group", m) for m in MOMENTS] + [
    ("main", "handlers"), ("main", "worker"), ("main", "serving"),
])
def test_sigterm_at_any_moment_ends_every_process(db_url, target, moment):
    port = free_port()
    with launched(["serve", "--port", str(port), "--db", db_url, "--workers", "2"]) as proc:
        _reach(moment, proc, port)
        if target == "group":  # as conftest.stop_server and a terminal do
            os.killpg(proc.pid, signal.SIGTERM)
        else:  # as a container runtime does
            os.kill(proc.pid, signal.SIGTERM)
        ended = poll(lambda: proc.poll() is not None and not group_members(proc.pid), 10)
        assert ended, f"still running 10 s after SIGTERM: {group_members(proc.pid)}"


# -- 4. command-line errors ------------------------------------------------------------------


@pytest.mark.parametrize(("args", "expected"), [
    (["serve", "--port", "99999"], "--port: '99999' is not a port number (1-65535)"),
    (["serve", "--port", "0"], "--port: '0' is not a port number"),
    (["serve", "--port", "-1"], "--port: '-1' is not a port number"),
    (["serve", "--workers", "0"], "--workers: '0' is not a number of processes"),
    (["serve", "--host", "example.com"], "--host: 'example.com' is not an IP address"),
    (["serve", "--db", "mysql://user:pw-secret@host/db"], "numberpool supports sqlite (sqlite:///PATH) and postgresql"),
    (["serve", "--db", "notaurl"], "'notaurl' is neither a database URL"),
    (["serve", "--messaging-pool-limit", "-1"], "--messaging-pool-limit: '-1' is not a limit"),
    (["serve", "--forwarded-allow-ips", "10.0.0.1,10.0.0.300"], "--forwarded-allow-ips: '10.0.0.300' does not appear"),
    (["db", "upgrade", "--db", "postgresql+psycopg2://h/db"], "unsupported database 'postgresql+psycopg2'"),
    (["bulk-load", "--account", "AC00", "--count", "-5"], "--count: '-5' is not a count (1 or more)"),
    (["bulk-load", "--account", "AC00", "--count", "5", "--tag-every", "-1"], "--tag-every: '-1' is not a count"),
    (["bulk-load", "--count", "5"], "the following arguments are required: --account"),
    ([], "numberpool: the following arguments are required"),
])
def test_usage_errors_are_one_line_and_exit_2(args, expected, capsys):
    """In-process, for speed (the parser is all they reach); test_a_usage_error_from_the_command runs one."""
    with pytest.raises(SystemExit) as exited:
        cli.main(args)
    out, err = capsys.readouterr()
    assert_one_line_error(subprocess.CompletedProcess(args, exited.value.code, out, err), expected)
    assert "pw-secret" not in err


def test_a_usage_error_from_the_command():
    assert_one_line_error(run(["serve", "--port", "99999"]), "numberpool serve: argument --port: '99999' is not a port")


def test_a_file_that_is_not_a_database(tmp_path):
    text = tmp_path / "notes.db"
    text.write_text("not a database\n")
    done = run(["serve", "--port", str(free_port()), "--db", str(text)])
    assert_one_line_error(done, f"numberpool: the file {text} is not an SQLite database")
    assert text.read_text() == "not a database\n"


def _capabilities() -> int:
    return int(Path("/proc/self/status").read_text().split("CapEff:")[1].split()[0], 16)


def _without_root_powers() -> None:
    """preexec_fn: root without CAP_DAC_OVERRIDE/READ_SEARCH after exec, so file modes bind it."""
    libc = ctypes.CDLL(None, use_errno=True)
    for cap in (1, 2):  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH
        if libc.prctl(24, cap, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
            os._exit(99)


@pytest.mark.parametrize("what", ["file", "directory"])
def test_a_read_only_sqlite_database_is_refused_at_start(tmp_path, what):
    if os.geteuid() == 0 and not _capabilities() & 1 << 8:  # CAP_SETPCAP
        message = "root without CAP_SETPCAP: file modes cannot be made to bind the server"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    folder = tmp_path / "data"
    folder.mkdir()
    db = folder / "numberpool.db"
    cli.prepare(f"sqlite:///{db}")
    (db if what == "file" else folder).chmod(0o444 if what == "file" else 0o555)
    try:
        done = run(["serve", "--port", str(free_port()), "--db", f"sqlite:///{db}"],
                   preexec_fn=_without_root_powers if os.geteuid() == 0 else None)
    finally:
        folder.chmod(0o755)
    expected = f"the database file {db} is read-only" if what == "file" else f"the directory {folder} is read-only"
    assert_one_line_error(done, "numberpool: " + expected)


def test_a_plain_path_is_an_sqlite_database(tmp_path):
    done = run(["db", "upgrade", "--db", "./here.db"], cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "here.db").stat().st_size > 0
    proc, _ = start_server(str(tmp_path / "there.db"), {})  # an absolute path serves
    end_group(proc)
    assert f"(database sqlite:///{tmp_path / 'there.db'})" in proc.stdout.read()


def test_version():
    done = run(["--version"])
    assert (done.returncode, done.stdout, done.stderr) == (0, f"numberpool {numberpool.__version__}\n", "")


def test_every_option_of_every_command_has_help():
    def walk(parser: argparse.ArgumentParser, name: str) -> Iterator[tuple[str, argparse.Action]]:
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for sub_name, sub in action.choices.items():
                    yield from walk(sub, f"{name} {sub_name}")
            elif not isinstance(action, argparse._HelpAction):
                yield name, action

    options = list(walk(cli.build_parser(), "numberpool"))
    assert {name for name, _ in options} == {"numberpool", "numberpool serve", "numberpool db upgrade",
                                             "numberpool bulk-load", "numberpool receive-sms", "numberpool receive-call", "numberpool messages", "numberpool calls",
                                             "numberpool sms", "numberpool call"}  # the former names, aliases
    assert [(name, a.dest) for name, a in options if not a.help] == []


# -- 5, 6, 7. what serve prints, client(), --forwarded-allow-ips ------------------------------


def serve_and_read(tmp_path: Path, db: str, env: dict[str, str], extra: list[str] = (),
                   while_serving: Callable[[int, subprocess.Popen], None] = lambda port, proc: None) -> str:
    """Start ``serve``, run ``while_serving(port, proc)``, stop it; everything it printed."""
    port = free_port()
    out = tmp_path / f"out-{port}.txt"
    with launched(["serve", "--port", str(port), "--db", db, *extra], env, out) as proc:
        assert poll(lambda: accepts(port) or proc.poll() is not None, 60) and proc.poll() is None, out.read_text()
        while_serving(port, proc)
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=15)
    return out.read_text()


def _environ_without_twilio() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("TWILIO_")}


def test_a_token_from_the_environment_is_never_printed(tmp_path):
    sid, token = "AC" + secrets.token_hex(16), secrets.token_hex(16)
    env = {**_environ_without_twilio(), "TWILIO_ACCOUNT_SID": sid, "TWILIO_AUTH_TOKEN": token}

    def fetch_without_scheme(port: int, _proc: subprocess.Popen) -> None:
        account = numberpool.client(f"127.0.0.1:{port}", sid, token).api.v2010.accounts(sid).fetch()
        assert account.sid == sid

    printed = serve_and_read(tmp_path, f"sqlite:///{tmp_path / 'env.db'}", env, while_serving=fetch_without_scheme)
    assert f"TWILIO_ACCOUNT_SID={sid}\n" in printed
    assert "TWILIO_AUTH_TOKEN is the one set in the environment (not printed)\n" in printed
    assert token not in printed


def test_a_token_the_server_created_is_printed_and_reprinted(tmp_path):
    db = f"sqlite:///{tmp_path / 'own.db'}"
    printed = [serve_and_read(tmp_path, db, _environ_without_twilio()) for _ in range(2)]
    lines = [[line for line in p.splitlines() if line.startswith("TWILIO_")] for p in printed]
    assert lines[0] == lines[1] and len(lines[0]) == 2, printed  # the stored account, printed on every start
    sid, token = (line.split("=", 1)[1] for line in lines[0])
    assert sid.startswith("AC") and len(token) == 32


def test_forwarded_allow_ips_reach_the_workers(tmp_path, db_url):
    """The option ends in the workers' NUMBERPOOL_FORWARDED_ALLOW_IPS: a proxy on 127.0.0.1 is believed."""
    sid, token = "AC" + secrets.token_hex(16), secrets.token_hex(16)
    env = {**_environ_without_twilio(), "TWILIO_ACCOUNT_SID": sid, "TWILIO_AUTH_TOKEN": token}
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "np.example.test"}

    def service_url(port: int, _proc: subprocess.Popen) -> None:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", auth=(sid, token), timeout=30) as h:
            created = h.post("/messaging/v1/Services", data={"FriendlyName": "f"}, headers=forwarded)
        assert created.status_code == 201, created.text
        urls.append(created.json()["url"])

    urls: list[str] = []
    for extra in (["--forwarded-allow-ips", " 10.0.0.0/8, 127.0.0.1,::1"], []):
        serve_and_read(tmp_path, db_url, env, extra, service_url)
    assert urls[0].startswith("https://np.example.test/messaging/v1/Services/MG"), urls
    assert urls[1].startswith("http://127.0.0.1:"), urls  # by default, no proxy is believed


def test_an_invalid_forwarded_allow_ips_in_the_environment_is_refused(db_url):
    env = {**os.environ, "NUMBERPOOL_FORWARDED_ALLOW_IPS": "10.0.0.0/33"}
    done = run(["serve", "--port", str(free_port()), "--db", db_url], env=env)
    assert_one_line_error(done, "numberpool: NUMBERPOOL_FORWARDED_ALLOW_IPS: ")


@pytest.mark.parametrize(("given", "base"), [
    ("127.0.0.1:8080", "http://127.0.0.1:8080"),
    ("localhost:8080/", "http://localhost:8080"),
    ("https://np.example.test/api/", "https://np.example.test/api"),
])
def test_client_base_urls(given, base):
    assert normalize_base_url(given) == base
    assert numberpool.client(given, "AC" + "0" * 32, "token").numberpool_base_url == base


@pytest.mark.parametrize("given", ["", "   ", "ftp://x", "http://", "127.0.0.1:notaport", "http://x:99999", "http://x/?a=1"])
def test_client_refuses_what_is_not_a_base_url(given):
    with pytest.raises(ValueError, match=r"the base URL must be http\(s\)://HOST:PORT"):
        numberpool.client(given, "AC" + "0" * 32, "token")

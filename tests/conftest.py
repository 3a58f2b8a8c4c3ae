"""Fixtures: a real numberpool server process on a free loopback port, and clients for it."""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import NoReturn

import httpx
import pytest
from sqlalchemy.engine import make_url

import numberpool
from tests.tcpproxy import TcpProxy


@dataclass(frozen=True)
class Server:
    base_url: str
    account_sid: str
    auth_token: str
    db_url: str

    def client(self, sid: str | None = None, token: str | None = None):
        return numberpool.client(self.base_url, sid or self.account_sid, token or self.auth_token)

    def http(self, sid: str | None = None, token: str | None = None) -> httpx.Client:
        return httpx.Client(base_url=self.base_url, auth=(sid or self.account_sid, token or self.auth_token), timeout=30)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(db_url: str, env: dict[str, str], workers: int = 1, *, extra: Sequence[str] = (),
                 access_log: bool = False) -> tuple[subprocess.Popen, str]:
    """``extra``: more options for ``serve``. The access log is off unless asked for: its lines would
    fill the pipe nobody reads while the server runs, and the server would stop at the next one."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "numberpool", "serve", "--host", "127.0.0.1", "--port", str(port),
         "--db", db_url, "--workers", str(workers), *extra, *([] if access_log else ["--no-access-log"])],
        env={**os.environ, **env}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        start_new_session=True,  # its own process group: stopping it stops its workers too
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited early:\n{proc.stdout.read()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return proc, f"http://127.0.0.1:{port}"
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError("server did not start within 60 s")


def kill_server(proc: subprocess.Popen, sig: int = signal.SIGKILL) -> None:
    """Signal the server's whole process group (the granian main process and its workers)."""
    try:
        os.killpg(proc.pid, sig)
    except ProcessLookupError:
        pass


def stop_server(proc: subprocess.Popen) -> None:
    kill_server(proc, signal.SIGTERM)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        kill_server(proc)
        proc.wait()


POSTGRES_ENV = "NUMBERPOOL_TEST_POSTGRES_URL"


def unavailable(message: str) -> NoReturn:
    """Something a test needs is missing: a failure in CI (which installs everything), a skip on a laptop."""
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def require_postgres() -> str:
    """The PostgreSQL URL to test against: a failure in CI when missing, a skip on a laptop."""
    url = os.environ.get(POSTGRES_ENV)
    if not url:
        unavailable(f"{POSTGRES_ENV} is not set: no PostgreSQL to test against (see README, 'Testing on PostgreSQL')")
    return url


@contextmanager
def server_behind_proxy(tmp_path_factory: pytest.TempPathFactory, env: dict[str, str] | None = None,
                        workers: int = 1) -> Iterator[tuple[TcpProxy, Server]]:
    """A server on a new PostgreSQL database reached through a TcpProxy the test can cut, freeze
    and restore (``env``: more settings for the server; ``workers``: its processes)."""
    upstream = make_url(require_postgres())
    proxy = TcpProxy(upstream.host or "127.0.0.1", upstream.port or 5432)
    proxy.start()
    sid, token = "AC" + secrets.token_hex(16), secrets.token_hex(16)
    try:
        with fresh_database("postgres", tmp_path_factory) as db_url:
            via_proxy = make_url(db_url).set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
            proc, base_url = start_server(via_proxy, {"TWILIO_ACCOUNT_SID": sid, "TWILIO_AUTH_TOKEN": token, **(env or {})},
                                          workers)
            try:
                yield proxy, Server(base_url, sid, token, via_proxy)
            finally:
                stop_server(proc)
    finally:
        proxy.stop()


@pytest.fixture(scope="session", params=["sqlite", "postgres"])
def backend(request: pytest.FixtureRequest) -> str:
    """Every test that uses a database runs once on SQLite and once on PostgreSQL."""
    if request.param == "postgres":
        require_postgres()
    return request.param


@contextmanager
def fresh_database(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A new empty database: a file for SQLite, a database of its own on the PostgreSQL server."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'numberpool.db'}"
        return
    from tests.pgadmin import create_database, drop_database

    admin_url = os.environ[POSTGRES_ENV]
    name = "np_" + secrets.token_hex(6)
    create_database(admin_url, name)
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        drop_database(admin_url, name)


def one_server(backend: str, tmp_path_factory: pytest.TempPathFactory, env: dict[str, str] | None = None) -> Iterator[Server]:
    """A server process of its own on a new database (``env``: settings for it), for a fixture to yield from."""
    for servers in _servers(backend, tmp_path_factory, 1, env or {}):
        yield servers[0]


@pytest.fixture(scope="session")
def server(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    yield from one_server(backend, tmp_path_factory)


@pytest.fixture
def client(server: Server):
    return server.client()


@pytest.fixture
def http(server: Server) -> Iterator[httpx.Client]:
    with server.http() as c:
        yield c


@pytest.fixture
def subaccount(client):
    """A fresh subaccount, so a test's numbers never meet another test's."""
    return client.api.v2010.accounts.create(friendly_name="test sub")


@pytest.fixture
def sub_client(server: Server, subaccount):
    return server.client(subaccount.sid, subaccount.auth_token)


def _servers(backend: str, tmp_path_factory: pytest.TempPathFactory, count: int, limits: dict[str, str]) -> Iterator[list[Server]]:
    """``count`` server processes sharing one database, with the given pool limits (or other settings)."""
    sid = "AC" + secrets.token_hex(16)
    token = secrets.token_hex(16)
    env = {"TWILIO_ACCOUNT_SID": sid, "TWILIO_AUTH_TOKEN": token, **limits}
    with fresh_database(backend, tmp_path_factory) as db_url:
        started: list[tuple[subprocess.Popen, str]] = []
        try:
            for _ in range(count):  # one after the other: the first one creates the schema
                started.append(start_server(db_url, env))
            yield [Server(base_url, sid, token, db_url) for _, base_url in started]
        finally:
            for proc, _ in started:
                stop_server(proc)


SMALL_LIMITS = {
    "NUMBERPOOL_MESSAGING_POOL_LIMIT": "10",
    "NUMBERPOOL_PROXY_POOL_LIMIT": "5",
    "NUMBERPOOL_PROXY_RESERVED_LIMIT": "4",
}


@pytest.fixture(scope="module")
def server_pair(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[Server]]:
    """Two processes on one database, with small pool limits so the limits are reachable."""
    yield from _servers(backend, tmp_path_factory, 2, SMALL_LIMITS)


@pytest.fixture
def small(server_pair: list[Server]) -> Server:
    return server_pair[0]

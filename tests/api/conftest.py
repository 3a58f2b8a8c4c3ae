"""Tests of the API as a client sees it, with no server process for SQLite: there ``server`` is an
in-process numberpool (numberpool.mock(): the same App, routing, rules and store code as a
server, without HTTP or a subprocess), reached at ``https://api.twilio.com`` through the SDK
(numberpool.client, so the v1 products sit under their path prefixes) and ``http()`` (an httpx
client into the same ASGI app). On PostgreSQL, which the in-process mode does not use, ``server``
stays a real server process, so every test here still runs on both databases."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from twilio.base.exceptions import TwilioRestException

import numberpool
from numberpool.testing.mock import Mock
from tests.conftest import Server, one_server
from tests.receiver import Receiver, running

BASE_URL = "https://api.twilio.com"


@dataclass(frozen=True)
class InProcessServer:
    """What tests use of a Server, served by a mock in this process."""

    mock: Mock
    base_url: str
    account_sid: str
    auth_token: str
    db_url: str

    def client(self, sid: str | None = None, token: str | None = None) -> Any:
        return numberpool.client(self.base_url, sid or self.account_sid, token or self.auth_token)

    def http(self, sid: str | None = None, token: str | None = None) -> httpx.Client:
        return self.mock.http(base_url=self.base_url, auth=(sid or self.account_sid, token or self.auth_token), timeout=30)


def serving(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server | InProcessServer]:
    """A server with a main account of its own: a fresh mock on SQLite, a server process on
    PostgreSQL. A module whose tests move the clock or Reset takes one of its own from here."""
    sid, token = "AC" + secrets.token_hex(16), secrets.token_hex(16)
    if backend == "sqlite":
        with numberpool.mock(sid, token) as m:
            yield InProcessServer(m, BASE_URL, sid, token, m.db_url)
        return
    yield from one_server(backend, tmp_path_factory)


@pytest.fixture(scope="session")
def server(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server | InProcessServer]:
    yield from serving(backend, tmp_path_factory)


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    """A webhook receiver on 127.0.0.1 for the module's tests (each test uses paths of its own)."""
    with running() as r:
        yield r


@pytest.fixture
def account(server, subaccount):
    """A fresh subaccount: (its SDK client, its httpx client, its auth token)."""
    c = server.client(subaccount.sid, subaccount.auth_token)
    with server.http(subaccount.sid, subaccount.auth_token) as h:
        yield c, h, subaccount.auth_token


def settle(h, timeout: int = 60) -> None:
    """``POST /numberpool/v1/Settle``: every message of the caller's family has reached its end."""
    r = h.post("/numberpool/v1/Settle", data={"Timeout": str(timeout)})
    assert r.status_code == 200, r.text


def refused(code: int, http_status: int, fn, *args, **kwargs) -> TwilioRestException:
    """``fn(*args, **kwargs)`` through the SDK answers Twilio's ``code`` with ``http_status``: the error."""
    with pytest.raises(TwilioRestException) as caught:
        fn(*args, **kwargs)
    assert (caught.value.code, caught.value.status) == (code, http_status), caught.value.msg
    return caught.value

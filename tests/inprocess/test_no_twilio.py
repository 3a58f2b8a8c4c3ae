"""Inside numberpool.mock(), no client reaches Twilio with the credentials the mock took from the
environment: not twilio's ValidationClient, nor an HttpClient written on requests, httpx, aiohttp
or urllib. The network is unreachable here, and a recorder proves nothing tried to leave."""

from __future__ import annotations

import asyncio
import base64
import ipaddress
import logging
import socket
import threading
import urllib.error
import urllib.request
from typing import Any

import aiohttp
import httpx
import pytest
import requests
from twilio.base.exceptions import TwilioRestException
from twilio.http import HttpClient
from twilio.http.async_http_client import AsyncHttpClient
from twilio.http.response import Response
from twilio.http.validation_client import ValidationClient
from twilio.jwt.validation import ClientValidationJwt
from twilio.rest import Client

from numberpool.testing.intercept import TwilioRefused
from numberpool.testing.mock import mock
from tests import receiver

SID, TOKEN = "AC" + "5" * 32, "6" * 32  # "real" credentials, as a developer's shell would hold them
INCOMING = f"https://api.twilio.com/2010-04-01/Accounts/{SID}/IncomingPhoneNumbers.json"


def _loopback(host: Any) -> bool:
    if not isinstance(host, str | bytes) or host in ("localhost", b"localhost"):
        return host in ("localhost", b"localhost")
    try:
        return ipaddress.ip_address(host.decode() if isinstance(host, bytes) else host.split("%")[0]).is_loopback
    except ValueError:
        return False


@pytest.fixture
def left(monkeypatch) -> list[tuple[str, Any]]:
    """Every attempt to reach a host that is not this machine: recorded, and refused as an
    unreachable network (loopback goes through, for the test's own receiver)."""
    seen: list[tuple[str, Any]] = []
    real_connect, real_create, real_getaddrinfo = socket.socket.connect, socket.create_connection, socket.getaddrinfo

    def connect(sock, address):
        if sock.family in (socket.AF_INET, socket.AF_INET6) and not _loopback(address[0]):
            seen.append(("connect", address))
            raise OSError(101, "Network is unreachable (test)")
        return real_connect(sock, address)

    def create_connection(address, *args, **kwargs):
        if not _loopback(address[0]):
            seen.append(("create_connection", address))
            raise OSError(101, "Network is unreachable (test)")
        return real_create(address, *args, **kwargs)

    def getaddrinfo(host, *args, **kwargs):
        if not _loopback(host):
            seen.append(("getaddrinfo", host))
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known (test)")
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket, "create_connection", create_connection)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setenv("TWILIO_ACCOUNT_SID", SID)
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", TOKEN)
    return seen


# -- hand-written clients on twilio's HttpClient ----------------------------------------------------

class Sync(HttpClient):
    def __init__(self) -> None:
        super().__init__(logging.getLogger("test"), is_async=False)


class Async(AsyncHttpClient):
    def __init__(self) -> None:
        super().__init__(logging.getLogger("test"), is_async=True)


class RequestsClient(Sync):
    def request(self, method, url, params=None, data=None, headers=None, auth=None, timeout=None,
                allow_redirects=False):
        r = requests.request(method, url, params=params, data=data, headers=headers, auth=auth, timeout=5)
        return Response(r.status_code, r.text, r.headers)


class HttpxClient(Sync):
    def request(self, method, url, params=None, data=None, headers=None, auth=None, timeout=None,
                allow_redirects=False):
        with httpx.Client(timeout=5) as client:
            r = client.request(method, url, params=params, data=data, headers=headers, auth=auth)
        return Response(r.status_code, r.text, r.headers)


class AsyncHttpxClient(Async):
    async def request(self, method, url, params=None, data=None, headers=None, auth=None, timeout=None,
                      allow_redirects=False):
        async with httpx.AsyncClient(timeout=5) as client:
            r = await client.request(method, url, params=params, data=data, headers=headers, auth=auth)
        return Response(r.status_code, r.text, r.headers)


class AiohttpClient(Async):
    async def request(self, method, url, params=None, data=None, headers=None, auth=None, timeout=None,
                      allow_redirects=False):
        basic = {"Authorization": "Basic " + base64.b64encode(":".join(auth).encode()).decode()} if auth else {}
        async with aiohttp.ClientSession() as session, session.request(
                method, url, params=params, data=data, headers=basic) as r:
            return Response(r.status, await r.text(), r.headers)


class UrllibClient(Sync):
    def request(self, method, url, params=None, data=None, headers=None, auth=None, timeout=None,
                allow_redirects=False):
        with urllib.request.urlopen(urllib.request.Request(url, method=method), timeout=5) as r:
            return Response(r.status, r.read().decode(), dict(r.headers))


def _served(m, client: Client) -> None:
    """``client`` reaches the mock with the environment's credentials: the number it buys is the mock's."""
    n = client.incoming_phone_numbers.create(area_code="415", friendly_name="served")
    assert n.account_sid == SID == m.account_sid
    assert [x.sid for x in m.client().incoming_phone_numbers.list()] == [n.sid]
    with pytest.raises(TwilioRestException) as e:  # a product numberpool does not serve: answered here, 404
        client.verify.v2.services("VA" + "0" * 32).fetch()
    assert (e.value.status, e.value.code) == (404, 20404)


@pytest.mark.parametrize("http_client", [RequestsClient, HttpxClient])
def test_an_http_client_of_ones_own_is_served_by_the_mock(left, http_client):
    with mock() as m:
        _served(m, Client(http_client=http_client()))  # Client() reads TWILIO_ACCOUNT_SID / _AUTH_TOKEN
    assert left == []


def test_twilio_validation_client_is_served_by_the_mock(left, monkeypatch):
    # ValidationClient signs a JWT with an RSA key (RS256), which needs the cryptography package;
    # HS256 with the same "key" makes the same requests, and where they go is what is tested here.
    monkeypatch.setattr(ClientValidationJwt, "ALGORITHM", "HS256")
    validation = ValidationClient(SID, "SK" + "1" * 32, "CR" + "2" * 32, "a private key of 32 bytes or more")
    with mock() as m:
        client = Client(http_client=validation)
        _served(m, client)
        with pytest.raises(TwilioRestException):  # tls-test.twilio.com: a product numberpool does not serve
            validation.validate_ssl_certificate(client)
    assert left == []


def test_an_async_httpx_client_is_served_and_aiohttp_refused(left):
    async def scenario(m):
        c = Client(http_client=AsyncHttpxClient())
        n = await c.incoming_phone_numbers.create_async(area_code="212")
        assert [x.sid for x in m.client().incoming_phone_numbers.list()] == [n.sid]
        with pytest.raises(aiohttp.ClientOSError) as e:  # aiohttp: refused before connecting
            await Client(http_client=AiohttpClient()).incoming_phone_numbers.list_async()
        assert isinstance(e.value.__cause__, TwilioRefused)

    with mock() as m:
        asyncio.run(scenario(m))
    assert left == []


def test_urllib_is_refused_and_plain_requests_and_httpx_are_served(left):
    with mock() as m:
        with pytest.raises(urllib.error.URLError) as u:  # urllib: refused before connecting
            Client(http_client=UrllibClient()).incoming_phone_numbers.list()
        assert isinstance(u.value.reason, TwilioRefused)
        # the libraries themselves, with no twilio class around them: served as the SDK would be
        r = requests.get(INCOMING, auth=(SID, TOKEN), timeout=5)
        assert r.status_code == 200 and r.json()["incoming_phone_numbers"] == []
        r = httpx.get(INCOMING.replace("api.twilio.com", "API.Twilio.com."), auth=(SID, "wrong"))
        assert r.status_code == 401 and r.json()["code"] == 20003
        assert m.account_sid == SID
    assert left == []


def test_a_redirect_to_twilio_is_served_too(left):
    with receiver.running() as r, mock():
        url = r.answer("/go", status=302, body="", headers={"Location": INCOMING})
        # requests and httpx drop the credentials on a redirect to another host: the mock answers 401
        answered = requests.get(url, auth=(SID, TOKEN), timeout=5)
        assert answered.status_code == 401 and answered.json()["code"] == 20003
        answered_x = httpx.get(url, follow_redirects=True, timeout=5)
        assert answered_x.status_code == 401 and answered_x.json()["code"] == 20003
        assert [s.path for s in r.requests()] == ["/go", "/go"]  # the loopback hop went out; Twilio's did not
    assert left == []


def test_a_thread_started_inside_a_mock_is_served_by_it(left):
    results: list[int] = []
    with mock() as m:
        worker = threading.Thread(target=lambda: results.append(
            requests.post(INCOMING, data={"AreaCode": "415"}, auth=(SID, TOKEN), timeout=5).status_code))
        worker.start()
        worker.join()
        assert results == [201] and len(m.client().incoming_phone_numbers.list()) == 1
    assert left == []


def test_outside_a_mock_the_network_is_used_as_before(left):
    """The control: the recorder sees a request to Twilio made with no mock active."""
    with mock():
        pass
    with pytest.raises(requests.ConnectionError):
        requests.get(INCOMING, auth=(SID, TOKEN), timeout=5)
    assert ("getaddrinfo", "api.twilio.com") in left

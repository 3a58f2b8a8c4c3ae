"""The Host header and a trusted proxy's forwarding headers decide the absolute URLs the v1
products answer; nothing else may get into them (http/hosts.py)."""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import httpx
import pytest

from numberpool.http.hosts import TrustedProxies, origin
from tests.conftest import Server, fresh_database, start_server, stop_server

BAD_HOSTS = ["user@evil.example", "evil.example/#", "evil.example?x=", '"><script>', "evil.example:80:80",
             "evil .example", "evil.example:99999x", "a" * 300]


def error_of(r: httpx.Response) -> tuple[int, int]:
    body = r.json()
    assert set(body) == {"code", "message", "more_info", "status"}
    return r.status_code, body["code"]


@pytest.mark.parametrize("host", BAD_HOSTS)
def test_a_host_that_is_not_host_port_is_refused(server: Server, host: str):
    with server.http() as h:
        for path in ("/messaging/v1/Services", f"/2010-04-01/Accounts/{server.account_sid}.json"):
            r = h.get(path, headers={"Host": host})
            assert error_of(r) == (400, 20001), r.text
            assert "evil" not in r.text and "<script>" not in r.text


@pytest.mark.parametrize("host", ["localhost:8080", "api.example.test", "[::1]:8080", "127.0.0.1:9", "messaging.example.test."])
def test_a_valid_host_is_echoed_into_absolute_urls(server: Server, host: str):
    with server.http() as h:
        r = h.get("/messaging/v1/Services", headers={"Host": host})
        assert r.status_code == 200, r.text
        assert r.json()["meta"]["url"].startswith(f"http://{host}/messaging/v1/Services?")


def test_forwarding_headers_are_ignored_by_default(server: Server):
    with server.http() as h:
        r = h.get("/messaging/v1/Services", headers={"X-Forwarded-Proto": "https", "X-Forwarded-Host": "public.example",
                                                     "Forwarded": "proto=https;host=other.example"})
        assert r.status_code == 200
        assert r.json()["meta"]["url"].startswith(f"{server.base_url}/messaging/v1/Services?")


@pytest.fixture(scope="module")
def behind_proxy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server that trusts the loopback address's forwarding headers (serve --forwarded-allow-ips)."""
    sid, token = "AC" + secrets.token_hex(16), secrets.token_hex(16)
    env = {"TWILIO_ACCOUNT_SID": sid, "TWILIO_AUTH_TOKEN": token, "NUMBERPOOL_FORWARDED_ALLOW_IPS": "10.0.0.0/8, 127.0.0.1"}
    with fresh_database("sqlite", tmp_path_factory) as db_url:
        proc, base_url = start_server(db_url, env)
        try:
            yield Server(base_url, sid, token, db_url)
        finally:
            stop_server(proc)


def test_a_trusted_proxy_sets_scheme_and_host(behind_proxy: Server):
    with behind_proxy.http() as h:
        for headers, expected in [
            ({"X-Forwarded-Proto": "https", "X-Forwarded-Host": "public.example"}, "https://public.example"),
            ({"X-Forwarded-Proto": "https, http"}, f"https://{behind_proxy.base_url.split('://')[1]}"),
            ({"Forwarded": 'for=1.2.3.4;proto=https;host="fwd.example:8443", for=5.6.7.8'}, "https://fwd.example:8443"),
            ({}, behind_proxy.base_url),  # the same request without the headers: the cache keeps them apart
        ]:
            r = h.get("/messaging/v1/Services", headers=headers)
            assert r.status_code == 200, r.text
            assert r.json()["meta"]["url"].startswith(f"{expected}/messaging/v1/Services?"), (headers, r.json()["meta"])


@pytest.mark.parametrize("headers", [{"X-Forwarded-Host": "user@evil.example"}, {"X-Forwarded-Proto": "javascript"},
                                     {"Forwarded": "host=evil.example/#"}])
def test_a_trusted_proxy_cannot_smuggle_a_bad_host(behind_proxy: Server, headers: dict[str, str]):
    with behind_proxy.http() as h:
        assert error_of(h.get("/messaging/v1/Services", headers=headers)) == (400, 20001)


def test_trusted_proxies_parse_and_match():
    assert TrustedProxies.parse("") is None and TrustedProxies.parse(" , ") is None
    trusted = TrustedProxies.parse("127.0.0.1, 10.0.0.0/8, ::1")
    assert trusted is not None
    assert trusted.trusts("127.0.0.1") and trusted.trusts("10.2.3.4") and trusted.trusts("::1")
    assert not trusted.trusts("127.0.0.2") and not trusted.trusts("192.168.1.1") and not trusted.trusts(None)
    assert not trusted.trusts("/run/sock")
    anyone = TrustedProxies.parse("*")
    assert anyone is not None and anyone.trusts("8.8.8.8")
    with pytest.raises(ValueError):
        TrustedProxies.parse("10.0.0.0/33")


def test_origin_without_a_host_is_localhost():
    assert origin("http", "", None) == "http://localhost"
    assert origin("http", "h.example", {b"x-forwarded-proto": b"HTTPS"}) == "https://h.example"

"""numberpool.client sends every request for a Twilio host to the numberpool server, whatever
region or edge the SDK is told, and refuses a product numberpool does not serve: nothing is ever
sent to twilio.com with the user's credentials."""

from __future__ import annotations

import logging

import pytest
from twilio.http.http_client import HttpClient
from twilio.http.response import Response

import numberpool

BASE = "http://127.0.0.1:8080"
EMPTY_PAGE = '{"incoming_phone_numbers": [], "next_page_uri": null, "page": 0, "page_size": 50, "uri": "/x"}'


class Recorder(HttpClient):
    """An HTTP client that sends nothing: it records each URL and answers an empty page."""

    def __init__(self) -> None:
        super().__init__(logging.getLogger("test"), False)
        self.urls: list[str] = []

    def request(self, method, url, params=None, data=None, headers=None, auth=None, timeout=None,
                allow_redirects=False):
        self.urls.append(url)
        return Response(200, EMPTY_PAGE if "IncomingPhoneNumbers" in url else '{"services": [], "meta": {"key": "services"}}')


@pytest.mark.parametrize("region, edge", [(None, None), ("ie1", None), (None, "dublin"), ("au1", "sydney")])
def test_every_region_and_edge_reaches_the_server(monkeypatch, region, edge):
    monkeypatch.delenv("TWILIO_REGION", raising=False)
    monkeypatch.delenv("TWILIO_EDGE", raising=False)
    rec = Recorder()
    c = numberpool.client(BASE, "AC" + "0" * 32, "token", http_client=rec, region=region, edge=edge)
    c.incoming_phone_numbers.list()
    c.messaging.v1.services.list()
    assert rec.urls and all(u.startswith(BASE + "/") for u in rec.urls), rec.urls
    assert rec.urls[1].startswith(BASE + "/messaging/v1/Services")


def test_the_environment_region_and_edge_too(monkeypatch):
    monkeypatch.setenv("TWILIO_REGION", "ie1")
    monkeypatch.setenv("TWILIO_EDGE", "dublin")
    rec = Recorder()
    numberpool.client(BASE, "AC" + "0" * 32, "token", http_client=rec).incoming_phone_numbers.list()
    assert rec.urls[0].startswith(BASE + "/2010-04-01/")


@pytest.mark.parametrize("uri, expected", [
    ("https://api.twilio.com/2010-04-01/Accounts.json", BASE + "/2010-04-01/Accounts.json"),
    ("https://api.ie1.twilio.com/2010-04-01/Accounts.json?X=1", BASE + "/2010-04-01/Accounts.json?X=1"),
    ("https://api.dublin.ie1.twilio.com/2010-04-01/Accounts.json", BASE + "/2010-04-01/Accounts.json"),
    ("https://trunking.sydney.au1.twilio.com/v1/Trunks", BASE + "/trunking/v1/Trunks"),
    ("https://PROXY.Twilio.com/v1/Services", BASE + "/proxy/v1/Services"),
    (BASE + "/messaging/v1/Services?PageToken=PA1", BASE + "/messaging/v1/Services?PageToken=PA1"),
])
def test_hosts(uri, expected):
    assert numberpool.client(BASE, "AC" + "0" * 32, "token").get_hostname(uri) == expected


@pytest.mark.parametrize("uri", ["https://verify.twilio.com/v2/Services", "https://chat.ie1.twilio.com/v2/Services",
                                 "https://twilio.com/x"])
def test_a_product_numberpool_does_not_serve_is_refused(uri):
    rec = Recorder()
    c = numberpool.client(BASE, "AC" + "0" * 32, "token", http_client=rec)
    with pytest.raises(ValueError, match="nothing was sent to Twilio"):
        c.get_hostname(uri)
    with pytest.raises(ValueError):
        c.verify.v2.services.list()
    assert rec.urls == []

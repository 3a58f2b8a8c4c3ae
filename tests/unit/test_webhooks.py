"""The webhook adapter's parts: the signature (WIRE.md's test vector), TwiML, segments,
locations, the routing decision's tie-breaks, an event's cookies, the private-address check of
``--webhook-deny-private`` (with a resolver and a network the test controls), and reading an answer."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

import pytest
from twilio.request_validator import RequestValidator

from numberpool.domain.routing import choose_origination_url
from numberpool.webhooks import params, twiml
from numberpool.webhooks.cookies import EventCookies
from numberpool.webhooks.guard import PublicHttpTransport, is_public, public_only_transport
from numberpool.webhooks.http import HttpTransport, PrivateAddress
from numberpool.webhooks.sign import signature, with_query, without_fragment


def test_signature_matches_the_documented_vector_and_the_sdk():
    url = "https://mycompany.com/myapp.php?foo=1&bar=2"
    form = [("CallSid", "CA1234567890ABCDE"), ("Caller", "+12349013030"), ("Digits", "1234"),
            ("From", "+12349013030"), ("To", "+18005551212")]
    assert signature("12345", url, form) == "0/KCTR6DLpKmkAf8muzZqo1nDgQ="
    assert signature("12345", url, list(reversed(form))) == "0/KCTR6DLpKmkAf8muzZqo1nDgQ="  # sorted by name
    assert RequestValidator("12345").validate(url, dict(form), signature("12345", url, form))
    get_url = with_query("https://example.com/hook?a=1", [("Body", "x y&z"), ("To", "+1415")])
    assert get_url == "https://example.com/hook?a=1&Body=x+y%26z&To=%2B1415"
    assert RequestValidator("tok").validate(get_url, {}, signature("tok", get_url))
    assert without_fragment("https://example.com/hook?x=1#rc=2") == "https://example.com/hook?x=1"
    assert with_query("https://example.com/hook", []) == "https://example.com/hook"


def test_twiml_replies_redirect_and_errors():
    doc = twiml.parse(b'<?xml version="1.0"?><Response><Message>a</Message><Message to="+1" from="+2"><Body>b</Body>'
                      b'</Message><Redirect method="get">/next</Redirect><Message>never</Message></Response>')
    assert [(r.to, r.from_, r.body) for r in doc.replies] == [(None, None, "a"), ("+1", "+2", "b")]
    assert doc.redirect == twiml.Redirect("/next", "GET") and doc.verbs == ["Message", "Message", "Redirect"]
    assert twiml.parse(b"").replies == [] and twiml.parse(b"  \n").redirect is None
    for bad in (b"<Response>", b"<html/>", b"not xml", b"<Response><Redirect/></Response>",
                b'<Response><Redirect method="PUT">/x</Redirect></Response>'):
        with pytest.raises(twiml.TwimlError):
            twiml.parse(bad)


@pytest.mark.parametrize("body, count", [
    ("", 1), ("a" * 160, 1), ("a" * 161, 2), ("a" * 306, 2), ("a" * 307, 3), ("[" * 80, 1), ("[" * 81, 2),
    ("é" * 160, 1), ("ł" * 70, 1), ("ł" * 71, 2), ("😀" * 35, 1), ("😀" * 36, 2),
])
def test_segments(body, count):
    assert params.segments(body) == count


def test_locations():
    assert params.location("+14155550123") == ("San Francisco", "CA", "", "US")
    assert params.location("+442071234567") == ("London", "", "", "GB")
    assert params.location("+447700900123")[3] == "GB"
    assert params.location("+33612345678") == ("", "", "", "FR")
    assert params.location("client:alice") == ("", "", "", "")
    assert params.location("+14152000123")[1:] == ("CA", "", "US")  # described by its state alone


def test_message_and_call_parameters():
    p = dict(params.message("SM1", "AC1", "+14155550123", "+12125551234", "hi", ["https://x/a.gif"], "MG1"))
    assert (p["MessageSid"], p["SmsSid"], p["SmsMessageSid"], p["MessagingServiceSid"]) == ("SM1", "SM1", "SM1", "MG1")
    assert (p["NumMedia"], p["MediaUrl0"], p["MediaContentType0"], p["NumSegments"]) == ("1", "https://x/a.gif", "image/gif", "1")
    c = params.call("CA1", "AC1", "+14155550123", "+12125551234", "2010-04-01", None)
    assert "CallerName" not in dict(c)
    done = dict(params.completed(c, 7))
    assert (done["CallStatus"], done["CallDuration"], done["CallSid"]) == ("completed", "7", "CA1")
    failed = dict(params.failed(c, 11200, "http://x/"))
    assert (failed["ErrorCode"], failed["ErrorUrl"]) == ("11200", "http://x/")


def test_origination_url_choice():
    def ou(sid, priority, weight, enabled=True):
        return SimpleNamespace(sid=sid, priority=priority, weight=weight, enabled=enabled)

    assert choose_origination_url([]) is None
    assert choose_origination_url([ou("OU1", 1, 1, enabled=False)]) is None
    urls = [ou("OU3", 10, 100), ou("OU2", 5, 10), ou("OU4", 5, 50), ou("OU1", 5, 50), ou("OU0", 1, 99, enabled=False)]
    assert choose_origination_url(urls).sid == "OU1"


# -- cookies of one event: per host, as a browser keeps them -------------------------------------

def test_event_cookies_are_per_host_and_expire():
    jar = EventCookies()
    jar.store("127.0.0.1", "session=abc; Path=/; HttpOnly", at=1000.0)
    jar.store("127.0.0.1", "theme=dark", at=1000.0)
    assert jar.header("127.0.0.1", at=1000.0) == "session=abc; theme=dark"
    assert jar.header("localhost", at=1000.0) is None  # another host, though the same machine
    assert jar.header("LOCALHOST.", at=1000.0) is None and jar.header("127.0.0.1.", at=1000.0) == "session=abc; theme=dark"
    jar.store("127.0.0.1", "session=; Max-Age=0", at=1001.0)
    assert jar.header("127.0.0.1", at=1001.0) == "theme=dark"
    jar.store("127.0.0.1", "theme=dark; Expires=Thu, 01 Jan 1970 00:00:00 GMT", at=1001.0)
    assert jar.header("127.0.0.1", at=1001.0) is None
    jar.store("::1", "short=1; Max-Age=5", at=1000.0)
    assert jar.header("[::1]", at=1004.0) == "short=1" and jar.header("[::1]", at=1005.0) is None
    jar.store("::1", "neg=1; Max-Age=-1", at=1000.0)
    jar.store("::1", 'bad="unterminated; Max-Age=x', at=1000.0)  # unreadable: ignored
    assert jar.header("::1", at=1000.0) == "short=1"


# -- --webhook-deny-private ---------------------------------------------------------------------

@pytest.mark.parametrize("address, public", [
    ("93.184.216.34", True), ("8.8.8.8", True), ("2606:4700:4700::1111", True),
    ("127.0.0.1", False), ("127.5.6.7", False), ("::1", False), ("0.0.0.0", False), ("::", False),
    ("169.254.169.254", False), ("fe80::1", False), ("fe80::1%eth0", False), ("10.1.2.3", False),
    ("172.16.0.1", False), ("192.168.1.1", False), ("100.64.0.1", False), ("fd00::1", False),
    ("224.0.0.1", False), ("239.255.255.250", False), ("ff02::1", False), ("240.0.0.1", False),
    ("255.255.255.255", False), ("::ffff:127.0.0.1", False), ("::ffff:169.254.169.254", False),
    ("2002:7f00:1::", False), ("64:ff9b::a9fe:a9fe", False),
    ("64:ff9b::808:808", False),  # NAT64 lies in ::/8, which ipaddress counts as reserved: refused too
])
def test_which_addresses_are_public(address, public):
    assert is_public(address) is public


class _NoNetwork:
    """The network backend under the check: records where it was asked to connect, connects nowhere."""

    def __init__(self) -> None:
        self.hosts: list[str] = []

    async def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        import httpcore

        self.hosts.append(host)
        raise httpcore.ConnectError("test: no network")

    async def sleep(self, seconds: float) -> None:
        pass


def _deny_private(answers: dict[str, list[list[str]]], url: str) -> tuple[BaseException, list[str], list[str]]:
    """Request ``url`` through the checked transport; the resolver gives ``answers[name]`` one per
    lookup. The exception, the lookups made and the addresses connected to."""
    import httpx

    looked_up: list[str] = []
    inner = _NoNetwork()

    async def resolver(host: str, port: int) -> list[str]:
        looked_up.append(host)
        return answers[host].pop(0)

    async def run() -> BaseException:
        transport = public_only_transport(httpx.Limits(), resolver, inner)
        async with httpx.AsyncClient(transport=transport) as client:
            try:
                await client.get(url)
            except BaseException as exc:  # noqa: BLE001 - returned for the test to look at
                return exc
        raise AssertionError("the request succeeded with no network")

    return asyncio.run(run()), looked_up, inner.hosts


def test_a_public_name_resolving_to_a_private_address_is_refused_before_connecting():
    for addresses in (["127.0.0.1"], ["93.184.216.34", "10.0.0.1"], ["::1"], ["169.254.169.254"]):
        exc, looked_up, connected = _deny_private({"public.example": [addresses]}, "http://public.example/hook")
        assert isinstance(exc, PrivateAddress) and looked_up == ["public.example"] and connected == [], addresses


def test_the_connection_goes_to_the_address_that_was_checked():
    # DNS rebinding: the first answer is public, a second lookup would say 127.0.0.1; there is none
    exc, looked_up, connected = _deny_private(
        {"rebind.example": [["93.184.216.34", "2606:2800:220:1::1"], ["127.0.0.1"]]}, "https://rebind.example/hook")
    assert looked_up == ["rebind.example"]
    assert connected == ["93.184.216.34", "2606:2800:220:1::1"]  # each checked address in turn, nothing else
    assert not isinstance(exc, PrivateAddress)


def _send_to_a_listener(transport: HttpTransport, **send: object) -> tuple[object, str, bool]:
    """``transport`` sends one webhook to a 127.0.0.1 listener that accepts nothing by itself:
    the exchange, the URL, and whether a connection reached the listener."""
    import socket

    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(4)
        listener.setblocking(False)
        url = f"http://127.0.0.1:{listener.getsockname()[1]}/hook"

        async def run():
            try:
                return await transport.send(url, "POST", [("A", "1")], "tok", EventCookies(), **send)
            finally:
                await transport.close()

        sent = asyncio.run(run())
        try:
            listener.accept()[0].close()
            connected = True
        except BlockingIOError:
            connected = False
    return sent, url, connected


def test_a_refused_address_is_11210_with_no_connection():
    sent, _, connected = _send_to_a_listener(PublicHttpTransport())
    assert (sent.error_code, sent.status_code) == (11210, None)
    assert not connected


def test_no_time_left_sends_nothing_and_fails_as_timed_out():
    sent, url, connected = _send_to_a_listener(HttpTransport(), timeout=0)
    assert (sent.error_code, sent.status_code, sent.url) == (11205, None, url) and sent.signature
    assert not connected


# -- the answer is read in linear time ------------------------------------------------------------

class _Counted(bytes):
    """A chunk that counts the bytes ``body += chunk`` copies (Python asks the right operand's
    ``__radd__`` first when it is a subclass of the left one's type)."""

    copied = 0

    def __radd__(self, other: bytes) -> bytes:
        _Counted.copied += len(other) + len(self)
        return bytes(other) + bytes(self)


def test_the_answer_is_assembled_in_linear_time_and_capped(monkeypatch):
    import httpx

    from numberpool.testing.transports import InProcessTransport
    from numberpool.webhooks.http import MAX_BODY

    piece = 256
    count = MAX_BODY // piece + 64  # past the cap

    async def chunks(self, chunk_size=None):
        for i in range(count):
            yield _Counted(bytes([i % 251]) * piece)

    monkeypatch.setattr(httpx.Response, "aiter_bytes", chunks)

    async def app(scope, receive, send):
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
        await send({"type": "http.response.body", "body": b"ignored: the chunks come from aiter_bytes"})

    async def run():
        transport = InProcessTransport(app)
        try:
            return await transport.send("http://app.test/hook", "POST", [], "tok", EventCookies())
        finally:
            await transport.close()

    _Counted.copied = 0
    sent = asyncio.run(run())
    assert len(sent.body) == MAX_BODY and sent.body[:piece] == bytes([0]) * piece
    assert sent.body[-piece:] == bytes([(MAX_BODY // piece - 1) % 251]) * piece
    assert _Counted.copied <= 2 * MAX_BODY  # += would copy the body so far for every chunk: ~2 GB here

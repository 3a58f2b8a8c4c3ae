"""The webhook adapter's pure parts: the signature (WIRE.md's test vector), TwiML, segments,
locations, and the routing decision's tie-breaks."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from twilio.request_validator import RequestValidator

from numberpool.domain.routing import choose_origination_url
from numberpool.webhooks import params, twiml
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

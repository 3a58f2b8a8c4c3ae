"""Pure functions of the wire and parameter layers."""

from __future__ import annotations

import email.utils

import pytest

from numberpool.domain.errors import TwilioError
from numberpool.domain.sids import is_sid, new_sid
from numberpool.http.wire import iso8601, rfc2822, v2010_page
from numberpool.products import params as p
from numberpool.products.api2010.params import phone_number_pattern
from numberpool.products.paging import parse_page
from numberpool.store.paging import PageRequest


def test_dates():
    assert rfc2822(1438298344) == "Thu, 30 Jul 2015 23:19:04 +0000"
    assert email.utils.parsedate_to_datetime(rfc2822(0)).timestamp() == 0
    assert iso8601(1438288351) == "2015-07-30T20:32:31Z"


def test_sids_are_valid_and_time_ordered():
    sids = [new_sid("PN") for _ in range(50)]
    assert all(is_sid(s, "PN") for s in sids)
    assert len(set(sids)) == 50
    assert not is_sid("PN" + "g" * 32, "PN") and not is_sid(sids[0], "AC") and not is_sid(sids[0][:-1], "PN")


@pytest.mark.parametrize(
    "query, expected",
    [
        ({}, PageRequest(50, 0)),
        ({"PageSize": "20", "Page": "3"}, PageRequest(20, 3)),
        ({"PageSize": "100000"}, PageRequest(1000, 0)),
        ({"PageToken": "PAPN" + "a" * 32, "Page": "1"}, PageRequest(50, 1, after="PN" + "a" * 32, token="PAPN" + "a" * 32)),
        ({"PageToken": "PBPN" + "a" * 32}, PageRequest(50, 0, before="PN" + "a" * 32, token="PBPN" + "a" * 32)),
    ],
)
def test_parse_page(query, expected):
    assert parse_page(query, "PN") == expected


@pytest.mark.parametrize(
    "query, code",
    [({"PageSize": "0"}, 20001), ({"PageSize": "1.5"}, 20001), ({"Page": "-2"}, 20001),
     ({"PageToken": "PAAC" + "a" * 32}, 21481), ({"PageToken": "xyz"}, 21481)],
)
def test_parse_page_rejects(query, code):
    with pytest.raises(TwilioError) as e:
        parse_page(query, "PN")
    assert e.value.code == code and e.value.status == 400


def test_v2010_page_uris():
    req = PageRequest(2, 1, after="PN" + "1" * 32, token="PAPN" + "1" * 32)
    env = v2010_page("things", [{"a": 1}, {"a": 2}], "/x.json", [("FriendlyName", "a b")], req,
                     "PN" + "2" * 32, "PN" + "3" * 32, True)
    assert env["next_page_uri"] == "/x.json?FriendlyName=a+b&PageSize=2&Page=2&PageToken=PAPN" + "3" * 32
    assert env["previous_page_uri"] == "/x.json?FriendlyName=a+b&PageSize=2&Page=0&PageToken=PBPN" + "2" * 32
    assert env["first_page_uri"] == "/x.json?FriendlyName=a+b&PageSize=2&Page=0"
    assert (env["start"], env["end"]) == (2, 3)


@pytest.mark.parametrize("raw", ["https://example.com/a?b=c", "http://localhost:8080/x", "HTTPS://EXAMPLE.COM"])
def test_url_accepts(raw):
    assert p.url("VoiceUrl", raw) == raw


@pytest.mark.parametrize("raw", ["ftp://x.com", "example.com", "http://", "https://exa mple.com", "http://" + "a" * 4000])
def test_url_rejects(raw):
    with pytest.raises(TwilioError) as e:
        p.url("VoiceUrl", raw)
    assert e.value.code == 21502 and "VoiceUrl" in e.value.message


def test_kinds():
    assert p.url("VoiceUrl", "") is None
    assert p.method("SmsMethod", "get") == "GET"
    assert p.boolean("Beta", "TRUE") is True
    assert p.sid("AP")("X", "") is None
    values = p.parse([p.Param("A", "a", p.boolean), p.Param("B", "b", p.text(3))], {"A": "false", "Z": "ignored"})
    assert values == {"a": False}
    with pytest.raises(TwilioError):
        p.text(3)("B", "abcd")
    with pytest.raises(TwilioError):
        p.enum("x", "y")("E", "X")


def test_phone_number_pattern():
    assert phone_number_pattern("+1415*55") == "%+1415_55%"
    assert phone_number_pattern("(415) 555-01") == "%41555501%"
    with pytest.raises(TwilioError):
        phone_number_pattern("41a")

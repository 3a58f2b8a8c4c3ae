"""The AvailablePhoneNumbers inventory: valid, typed, deterministic, filtered, never owned."""

from __future__ import annotations

import random
import time

import phonenumbers
import pytest
from phonenumbers import geocoder

from numberpool.domain.errors import TwilioError
from numberpool.domain.inventory import countries, data, facts, screen
from numberpool.domain.inventory import search as inv
from numberpool.products.api2010.search import filters as search_filters

NOTHING_TAKEN = lambda batch: set()
US = countries.country("US")
GB = countries.country("GB")


def search(country, kind="Local", limit=50, taken=NOTHING_TAKEN, **params):
    return inv.search(country, kind, search_filters({k: str(v) for k, v in params.items()}, country), taken, limit)


def test_country_list():
    isos = [c.iso for c in countries.countries()]
    assert isos == sorted(isos) and len(isos) >= 15
    assert {"US", "CA", "GB"} <= set(isos)
    assert countries.country("us") is US and countries.country("ZZ") is None
    assert all(c.types and set(c.types) <= set(countries.NUMBER_TYPES) for c in countries.countries())


@pytest.mark.parametrize("country", countries.countries(), ids=lambda c: c.iso)
def test_every_offered_type_gives_valid_numbers_of_that_type(country):
    for kind in countries.NUMBER_TYPES:
        found = search(country, kind, limit=25)
        if kind not in country.types:
            assert found == []
            continue
        assert len(found) == 25, (country.iso, kind)
        assert len({f.phone_number for f in found}) == 25
        for f in found:
            n = phonenumbers.parse(f.phone_number, None)
            assert phonenumbers.is_valid_number(n) and phonenumbers.region_code_for_number(n) == country.iso
            assert (f.iso_country, f.number_type) == (country.iso, kind)
            assert facts.facts(f.phone_number) == f


def test_deterministic_and_never_taken():
    first = search(US, limit=20)
    assert first == search(US, limit=20)
    taken = {f.phone_number for f in first[:5]}
    calls = []

    def is_taken(batch):
        calls.append(len(batch))
        return taken & set(batch)

    again = search(US, limit=20, taken=is_taken)
    assert len(again) == 20 and not taken & {f.phone_number for f in again}
    assert [f.phone_number for f in again[:15]] == [f.phone_number for f in first[5:]]
    assert calls and max(calls) <= 1000  # asked in batches, not one by one


def test_limit_1000():
    found = search(US, limit=1000)
    assert len(found) == 1000 and len({f.phone_number for f in found}) == 1000


def test_area_code():
    found = search(US, AreaCode=415)
    assert found and all(f.phone_number.startswith("+1415") for f in found)
    assert search(US, AreaCode=999) == []
    assert search(countries.country("CA"), AreaCode=604)[0].phone_number.startswith("+1604")


@pytest.mark.parametrize("pattern, check", [
    ("*555*", lambda e: "555" in e[2:]),
    ("HELLO", lambda e: "43556" in e[2:]),
    ("+1212", lambda e: e.startswith("+1212")),
    ("9*9", lambda e: any(e[i] == "9" and e[i + 2] == "9" for i in range(2, len(e) - 2))),
])
def test_contains(pattern, check):
    found = search(US, Contains=pattern)
    assert len(found) == 50
    assert all(check(f.phone_number) for f in found), [f.phone_number for f in found if not check(f.phone_number)]


def test_region_locality_and_near_number():
    assert all(f.region == "NY" for f in search(US, InRegion="NY"))
    sf = search(US, InLocality="San Francisco")
    assert sf and all(f.locality == "San Francisco" for f in sf)
    london = search(GB, InLocality="London")
    assert london and all(f.locality == "London" and f.phone_number.startswith("+4420") for f in london)
    near = search(US, NearNumber="+14155550123")
    assert near and all(f.phone_number.startswith("+1415") for f in near)
    near_gb = search(GB, NearNumber="+442079460000")
    assert near_gb and all(f.locality == "London" for f in near_gb)


def test_capability_and_address_filters():
    assert search(GB, "Local", SmsEnabled="true") == []  # British geographic numbers are voice-only here
    assert len(search(GB, "Mobile", SmsEnabled="true")) == 50
    assert all(not f.capabilities["sms"] for f in search(GB, "Local", SmsEnabled="false"))
    assert search(US, VoiceEnabled="false") == []
    assert search(countries.country("DE"), "Local", ExcludeAllAddressRequired="true") == []
    assert search(countries.country("DE"), "Local", ExcludeLocalAddressRequired="true") == []
    assert len(search(countries.country("DE"), "TollFree", ExcludeAllAddressRequired="true")) == 50
    assert len(search(US, ExcludeAllAddressRequired="true", Beta="false")) == 50


@pytest.mark.parametrize("params, code, name", [
    ({"AreaCode": "41"}, 21451, "AreaCode"),
    ({"AreaCode": "abc"}, 21451, "AreaCode"),
    ({"Contains": "5"}, 20001, "Contains"),
    ({"Contains": "55-55"}, 20001, "Contains"),
    ({"SmsEnabled": "yes"}, 20001, "SmsEnabled"),
    ({"Beta": "1"}, 20001, "Beta"),
    ({"Distance": "-1"}, 20001, "Distance"),
    ({"Distance": "501"}, 20001, "Distance"),
    ({"NearNumber": "12"}, 21421, "NearNumber"),
    ({"InPostalCode": "94103"}, 20001, "InPostalCode"),
    ({"InRateCenter": "SNFC"}, 20001, "InRateCenter"),
    ({"InLata": "722"}, 20001, "InLata"),
    ({"NearLatLong": "37.7,-122.4"}, 20001, "NearLatLong"),
])
def test_rejected_filters(params, code, name):
    with pytest.raises(TwilioError) as e:
        search_filters(params, US)
    assert (e.value.status, e.value.code) == (400, code) and name in e.value.message


def test_area_code_outside_north_america():
    with pytest.raises(TwilioError) as e:
        search_filters({"AreaCode": "207"}, GB)
    assert e.value.code == 21451


def test_facts():
    f = facts.facts("+14158675309")
    assert (f.friendly_name, f.iso_country, f.number_type, f.region) == ("(415) 867-5309", "US", "Local", "CA")
    assert f.capabilities == {"voice": True, "sms": True, "mms": True, "fax": False} and f.address_requirements == "none"
    g = facts.facts("+442079460000")
    assert (g.iso_country, g.number_type, g.locality) == ("GB", "Local", "London") and g.friendly_name == "020 7946 0000"
    assert facts.facts("+18005550199").number_type == "TollFree"
    assert facts.facts("+1415") is None and facts.facts("not a number") is None
    assert facts.facts("+8613800138000") is None  # China is not offered


def test_number_for_area_code():
    first = inv.number_for_area_code("212", NOTHING_TAKEN)
    assert first.phone_number.startswith("+1212")
    second = inv.number_for_area_code("212", lambda batch: {first.phone_number} & set(batch))
    assert second.phone_number.startswith("+1212") and second.phone_number != first.phone_number
    assert inv.number_for_area_code("999", NOTHING_TAKEN) is None


def test_walking_past_owned_numbers_costs_few_queries_and_no_reparsing(monkeypatch):
    """Provisioning by area code walks the same owned numbers each time: that walk must stay cheap."""
    ahead = [f.phone_number for f in search(US, limit=900, AreaCode="206")]
    owned = set(ahead[:899])
    calls: list[int] = []

    def is_taken(batch):
        calls.append(len(batch))
        return owned & set(batch)

    first = inv.number_for_area_code("206", is_taken)
    assert first is not None and first.phone_number == ahead[899]
    assert len(calls) <= 8  # batches grow while they come back owned: 20, 40, 80, ...
    parsed: list[str] = []
    real_parse = phonenumbers.parse
    monkeypatch.setattr(inv.phonenumbers, "parse", lambda *a, **k: parsed.append(a[0]) or real_parse(*a, **k))
    again = inv.number_for_area_code("206", is_taken)
    assert again == first and parsed == []  # every candidate on the way was remembered


def _facts_the_plain_way(e164):
    """What `inventory.facts` must answer, from phonenumbers' public calls used one by one."""
    n = phonenumbers.parse(e164, None)
    iso = phonenumbers.region_code_for_number(n)
    if countries.country(iso or "ZZ") is None or not phonenumbers.is_valid_number(n):
        return None
    kind = countries.FROM_PN.get(phonenumbers.number_type(n))
    if kind not in countries.country(iso).types:
        return None
    text = geocoder.description_for_number(n, "en") or None
    if text is None:
        place = (None, None)
    elif iso in countries.NANP:
        place = tuple(text.rsplit(", ", 1)) if ", " in text else (None, data.REGION_CODES.get(text, text))
    else:
        place = (text, text)
    return (phonenumbers.format_number(n, phonenumbers.PhoneNumberFormat.E164), iso, kind,
            phonenumbers.format_number(n, phonenumbers.PhoneNumberFormat.NATIONAL), *place)


def test_facts_classify_exactly_as_phonenumbers_does():
    # Every offered country and type, and numbers one to five digits away from each example
    # (valid, invalid, other types, other regions sharing a country code), plus random +1 numbers.
    rng = random.Random(5)
    numbers = []
    for c in countries.countries():
        for kind in list(phonenumbers.PhoneNumberType.values()):
            ex = phonenumbers.example_number_for_type(c.iso, kind)
            if ex is None:
                continue
            e164 = phonenumbers.format_number(ex, phonenumbers.PhoneNumberFormat.E164)
            for _ in range(40):
                k = rng.randint(1, 5)
                numbers.append(e164[:-k] + "".join(rng.choice("0123456789") for _ in range(k)))
    numbers += ["+1" + "".join(rng.choice("0123456789") for _ in range(10)) for _ in range(2000)]
    kinds, answered = set(), 0
    for e164 in numbers:
        expected = _facts_the_plain_way(e164)
        got = facts._candidate.__wrapped__(e164)
        if expected is None:
            assert got is None, e164
            continue
        answered += 1
        kinds.add((got.iso_country, got.number_type))
        assert "place" not in vars(got)  # geocoded only when asked: buying a number needs no place
        assert (got.phone_number, got.iso_country, got.number_type, got.friendly_name, got.locality, got.region) \
            == expected, e164
    assert answered > 1000 and len(kinds) > 40  # the sample reaches most countries and types


# -- searches that cannot match, and the budget -------------------------------------------------
@pytest.mark.parametrize("iso, kind, params", [
    ("US", "Local", {"FaxEnabled": "true"}),  # capabilities and address requirements are fixed per country and type
    ("US", "Local", {"VoiceEnabled": "false"}),
    ("US", "TollFree", {"MmsEnabled": "false"}),
    ("GB", "Local", {"SmsEnabled": "true"}),
    ("DE", "Local", {"ExcludeAllAddressRequired": "true"}),
    ("DE", "Local", {"ExcludeLocalAddressRequired": "true"}),
    ("US", "Mobile", {}),  # a type the country does not offer
    ("US", "Local", {"AreaCode": "999"}),  # no such area code
    ("US", "TollFree", {"AreaCode": "415"}),
    ("US", "Local", {"Contains": "+00"}),  # anchored on another country code
    ("US", "Local", {"Contains": "+999"}),
    ("US", "Local", {"Contains": "+44"}),
    ("US", "Local", {"Contains": "+10"}),  # no area code starts with 0
    ("US", "Local", {"AreaCode": "415", "Contains": "+1212"}),
    ("US", "Local", {"Contains": "12345678"}),  # longer than the seven digits after the area code
    ("GB", "Mobile", {"Contains": "+" + "4" * 20}),  # longer than any number
    ("US", "Local", {"InLocality": "Atlantis"}),
    ("US", "Local", {"InRegion": "Atlantis"}),
    ("GB", "Local", {"InLocality": "Atlantis"}),
    ("US", "Local", {"NearNumber": "+18005550199"}),  # toll-free: in no area code
    ("US", "Local", {"NearNumber": "+16135550123"}),  # Canadian
])
def test_impossible_searches_answer_at_once(monkeypatch, iso, kind, params):
    walked: list[str] = []
    monkeypatch.setattr(inv, "_offered", lambda e164, *rest: walked.append(e164) or (None, inv.SCREENED_OUT))
    assert search(countries.country(iso), kind, **params) == []
    assert walked == []


@pytest.mark.parametrize("iso, kind, params", [
    ("US", "TollFree", {"Contains": "+19999"}),  # no toll-free code starts 999: refused by the digits
    ("US", "Local", {"Contains": "0000000"}),  # no exchange starts with 0
    ("GB", "Mobile", {"InRegion": "Atlantis"}),  # parsed, then refused for the place
    ("CA", "Voip", {"Contains": "+1999"}),
])
def test_a_search_that_cannot_match_stops_within_its_budget(monkeypatch, iso, kind, params):
    search(countries.country(iso), kind, limit=1)  # what is derived once per process: area codes, screens, seeds
    inv._offered.cache_clear()  # but no candidate remembered
    facts._candidate.cache_clear()
    real_candidates, real_parse = inv.candidates, phonenumbers.parse
    walked: list[str] = []
    parsed: list[str] = []
    monkeypatch.setattr(inv, "candidates", lambda *a: (walked.append(e) or e for e in real_candidates(*a)))
    monkeypatch.setattr(inv.phonenumbers, "parse", lambda *a, **k: parsed.append(a[0]) or real_parse(*a, **k))
    started = time.process_time()
    assert search(countries.country(iso), kind, limit=1000, **params) == []
    cpu = time.process_time() - started
    # Each candidate refused costs at least one unit, each one parsed PARSED_OUT units.
    assert len(walked) <= inv.WASTE_BUDGET + inv.PARSED_OUT + 1
    assert len(parsed) <= inv.WASTE_BUDGET // inv.PARSED_OUT + 1
    assert cpu < 0.1, cpu  # about 10 ms; walking every candidate took 1 to 4 s


def test_when_the_budget_runs_out_the_search_answers_what_it_found(monkeypatch):
    # About half the candidates for 9*9 are not numbers (an exchange 0XX or 1XX): waste grows with the walk.
    everything = [f.phone_number for f in search(US, limit=300, Contains="9*9")]
    monkeypatch.setattr(inv, "WASTE_PER_MATCH", 0)
    monkeypatch.setattr(inv, "WASTE_BUDGET", 500)
    cut = [f.phone_number for f in search(US, limit=300, Contains="9*9")]
    assert 50 < len(cut) < 300 and cut == everything[:len(cut)]
    inv._offered.cache_clear()
    facts._candidate.cache_clear()
    assert [f.phone_number for f in search(US, limit=300, Contains="9*9")] == cut  # the same with nothing remembered


@pytest.mark.parametrize("country", [US, countries.country("CA")], ids=lambda c: c.iso)
@pytest.mark.parametrize("pattern", ["12", "00", "*0*"])
def test_the_budget_leaves_room_for_ordinary_searches(country, pattern):
    # Before its first local number the walk refuses ~1,500 candidates by their digits (exchanges 0XX, 1XX).
    found = search(country, limit=1000, Contains=pattern)
    assert len(found) == 1000 and all(pattern.replace("*", "") in f.phone_number[2:] for f in found)


def test_the_screen_passes_every_valid_number_of_its_type():
    """`_screen` may refuse a candidate only if phonenumbers would: numbers a few digits away from
    every example, of every offered country and type."""
    rng = random.Random(11)
    refused = 0
    for c in countries.countries():
        cc_len = len(str(phonenumbers.country_code_for_region(c.iso)))
        for kind in list(phonenumbers.PhoneNumberType.values()):
            ex = phonenumbers.example_number_for_type(c.iso, kind)
            if ex is None:
                continue
            e164 = phonenumbers.format_number(ex, phonenumbers.PhoneNumberFormat.E164)
            for _ in range(30):
                k = rng.randint(1, 6)
                candidate = e164[:-k] + "".join(rng.choice("0123456789") for _ in range(k))
                f = facts.facts(candidate)
                for offered in c.types:
                    passes = screen.screen(c.iso, offered)(candidate[1 + cc_len:])
                    if f is not None and (f.iso_country, f.number_type) == (c.iso, offered):
                        assert passes, (candidate, offered)
                    refused += not passes
    assert refused > 10_000  # and it does refuse most of what is not


def test_every_type_offers_a_first_page_cheaply(monkeypatch):
    """The seeds keep enough leading digits that most candidates are numbers of the type."""
    real = inv._offered
    refused: list[int] = []

    def offered(*args):
        found = real(*args)
        refused.append(found[1] if found[0] is None else 0)
        return found

    monkeypatch.setattr(inv, "_offered", offered)
    for c in countries.countries():
        for kind in c.types:
            refused.clear()
            assert len(search(c, kind, limit=50)) == 50
            assert sum(refused) <= 300, (c.iso, kind, sum(refused))  # US local numbers: 253 (exchanges 0XX, 1XX)


@pytest.mark.parametrize("params, name", [
    ({"Contains": "\u00b2\u00b2"}, "Contains"),  # superscript digits: str.isdigit() says yes
    ({"Contains": "+\u00df\u00df"}, "Contains"),  # "ß".upper() is "SS"
    ({"Contains": "1" * 65}, "Contains"),
    ({"Contains": "+"}, "Contains"),
    ({"Distance": "\u00b2"}, "Distance"),
    ({"Distance": "9" * 5000}, "Distance"),  # more digits than int() converts
])
def test_rejected_odd_filters(params, name):
    with pytest.raises(TwilioError) as e:
        search_filters(params, US)
    assert (e.value.status, e.value.code) == (400, 20001) and name in e.value.message
    assert len(e.value.message) < 200


def test_area_code_must_be_ascii_digits():
    with pytest.raises(TwilioError) as e:
        search_filters({"AreaCode": "\u0664\u0661\u0665"}, US)  # Arabic-Indic 415
    assert e.value.code == 21451


def test_distance_with_leading_zeros():
    assert search_filters({"Distance": "0" * 5000 + "25"}, US).distance == 25

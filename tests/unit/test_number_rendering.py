"""An IncomingPhoneNumber's representation, pinned byte for byte (key order, escaping, nulls and
empty strings, dates, URIs, the list envelope); and the store's hot reads (a fetch, a list page),
which SQLite answers with one JSON array a row, reading exactly as the columns themselves."""

from __future__ import annotations

from typing import Any

import pytest

from numberpool.http.wire import dumps, v2010_page
from numberpool.products.api2010.incoming import number_json
from numberpool.store import migrate
from numberpool.store import numbers as q
from numberpool.store.numbers import NumberFilter, StoredRow
from numberpool.store.paging import PageRequest

ACCOUNT = "AC" + "0123456789abcdef" * 2
PATH = f"/2010-04-01/Accounts/{ACCOUNT}/IncomingPhoneNumbers.json"


def _row(i: int, **changes: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "sid": f"PN{i:032x}", "account_sid": ACCOUNT, "phone_number": f"+1415555{i:04d}",
        "friendly_name": f"(415) 555-{i:04d}", "iso_country": "US", "number_type": "Local", "origin": "twilio",
        "beta": False, "status": "in-use", "address_requirements": "none", "cap_voice": True, "cap_sms": True,
        "cap_mms": True, "cap_fax": False, "api_version": "2010-04-01", "voice_url": None, "voice_method": "POST",
        "voice_fallback_url": None, "voice_fallback_method": "POST", "voice_caller_id_lookup": False,
        "voice_application_sid": None, "voice_receive_mode": "voice", "trunk_sid": None, "sms_url": None,
        "sms_method": "POST", "sms_fallback_url": None, "sms_fallback_method": "POST", "sms_application_sid": None,
        "status_callback": None, "status_callback_method": "POST", "emergency_status": "Inactive",
        "emergency_address_sid": None, "emergency_address_status": "unregistered", "identity_sid": None,
        "address_sid": None, "bundle_sid": None, "date_created": 1438298344, "date_updated": 1438298344,
    }
    row.update(changes)
    return row


# Every field set, and a name that JSON must escape (quotes, a backslash, a newline, a control
# character) or keep as UTF-8.
FULL = {
    "friendly_name": 'a "quoted" \\ name\n\x01\u00e9\U0001f600', "number_type": "TollFree", "beta": True,
    "cap_fax": True, "voice_url": "https://example.com/v?a=1&b=2", "voice_method": "GET",
    "voice_fallback_url": "https://example.com/f", "voice_caller_id_lookup": True,
    "voice_application_sid": "AP" + "1" * 32, "trunk_sid": "TK" + "2" * 32, "sms_url": "https://example.com/s",
    "sms_application_sid": "AP" + "3" * 32, "sms_fallback_url": "https://example.com/sf",
    "status_callback": "https://example.com/cb", "emergency_address_sid": "AD" + "4" * 32,
    "emergency_address_status": "registered", "identity_sid": "RI" + "5" * 32, "address_sid": "AD" + "6" * 32,
    "bundle_sid": "BU" + "7" * 32, "date_updated": 1700000000,
}

PLAIN_JSON = (
    b'{"account_sid":"AC0123456789abcdef0123456789abcdef","address_requirements":"none","address_sid":null,'
    b'"api_version":"2010-04-01","beta":false,"capabilities":{"voice":true,"sms":true,"mms":true,"fax":false},'
    b'"date_created":"Thu, 30 Jul 2015 23:19:04 +0000","date_updated":"Thu, 30 Jul 2015 23:19:04 +0000",'
    b'"emergency_status":"Inactive","emergency_address_sid":null,"emergency_address_status":"unregistered",'
    b'"friendly_name":"(415) 555-0001","identity_sid":null,"origin":"twilio","phone_number":"+14155550001",'
    b'"sid":"PN00000000000000000000000000000001","sms_application_sid":"","sms_fallback_method":"POST",'
    b'"sms_fallback_url":"","sms_method":"POST","sms_url":"","status_callback":"","status_callback_method":"POST",'
    b'"trunk_sid":null,"uri":"/2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef/IncomingPhoneNumbers/'
    b'PN00000000000000000000000000000001.json","voice_application_sid":"","voice_caller_id_lookup":false,'
    b'"voice_fallback_method":"POST","voice_fallback_url":null,"voice_method":"POST","voice_url":null,'
    b'"voice_receive_mode":"voice","status":"in-use","bundle_sid":null,"type":"local","subresource_uris":'
    b'{"assigned_add_ons":"/2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef/IncomingPhoneNumbers/'
    b'PN00000000000000000000000000000001/AssignedAddOns.json"}}'
)
FULL_JSON = (
    b'{"account_sid":"AC0123456789abcdef0123456789abcdef","address_requirements":"none",'
    b'"address_sid":"AD66666666666666666666666666666666","api_version":"2010-04-01","beta":true,'
    b'"capabilities":{"voice":true,"sms":true,"mms":true,"fax":true},'
    b'"date_created":"Thu, 30 Jul 2015 23:19:04 +0000","date_updated":"Tue, 14 Nov 2023 22:13:20 +0000",'
    b'"emergency_status":"Inactive","emergency_address_sid":"AD44444444444444444444444444444444",'
    b'"emergency_address_status":"registered",'
    b'"friendly_name":"a \\"quoted\\" \\\\ name\\n\\u0001\xc3\xa9\xf0\x9f\x98\x80",'
    b'"identity_sid":"RI55555555555555555555555555555555","origin":"twilio","phone_number":"+14155550002",'
    b'"sid":"PN00000000000000000000000000000002","sms_application_sid":"AP33333333333333333333333333333333",'
    b'"sms_fallback_method":"POST","sms_fallback_url":"https://example.com/sf","sms_method":"POST",'
    b'"sms_url":"https://example.com/s","status_callback":"https://example.com/cb","status_callback_method":"POST",'
    b'"trunk_sid":"TK22222222222222222222222222222222","uri":"/2010-04-01/Accounts/'
    b'AC0123456789abcdef0123456789abcdef/IncomingPhoneNumbers/PN00000000000000000000000000000002.json",'
    b'"voice_application_sid":"AP11111111111111111111111111111111","voice_caller_id_lookup":true,'
    b'"voice_fallback_method":"POST","voice_fallback_url":"https://example.com/f","voice_method":"GET",'
    b'"voice_url":"https://example.com/v?a=1&b=2","voice_receive_mode":"voice","status":"in-use",'
    b'"bundle_sid":"BU77777777777777777777777777777777","type":"toll-free","subresource_uris":'
    b'{"assigned_add_ons":"/2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef/IncomingPhoneNumbers/'
    b'PN00000000000000000000000000000002/AssignedAddOns.json"}}'
)


def test_a_number_renders_byte_for_byte():
    assert dumps(number_json(StoredRow(**_row(1)))) == PLAIN_JSON
    assert dumps(number_json(StoredRow(**_row(2, **FULL)))) == FULL_JSON


@pytest.mark.parametrize("stored, shown", [("Local", "local"), ("TollFree", "toll-free"), ("SharedCost", "shared-cost"),
                                           ("MachineToMachine", "machine-to-machine"), ("Other", "other")])
def test_type_field(stored, shown):
    assert number_json(StoredRow(**_row(1, number_type=stored)))["type"] == shown


def test_a_list_page_renders_byte_for_byte():
    plain, full = number_json(StoredRow(**_row(1))), number_json(StoredRow(**_row(2, **FULL)))
    after = "PN" + "0" * 31 + "9"
    req = PageRequest(2, 1, after=after, token="PA" + after)
    body = dumps(v2010_page("incoming_phone_numbers", [plain, full], PATH, [("FriendlyName", "a b&c")], req,
                            plain["sid"], full["sid"], True))
    query = "?FriendlyName=a+b%26c&PageSize=2"
    assert body == (
        b'{"incoming_phone_numbers":[' + PLAIN_JSON + b"," + FULL_JSON + b"],"
        + f'"first_page_uri":"{PATH}{query}&Page=0",'
          f'"next_page_uri":"{PATH}{query}&Page=2&PageToken=PAPN00000000000000000000000000000002",'
          f'"previous_page_uri":"{PATH}{query}&Page=0&PageToken=PBPN00000000000000000000000000000001",'
          f'"page":1,"page_size":2,"start":2,"end":3,'
          f'"uri":"{PATH}{query}&Page=1&PageToken=PA{after}"}}'.encode()
    )
    empty = dumps(v2010_page("incoming_phone_numbers", [], PATH, [], PageRequest(50, 0), None, None, False))
    assert empty == (
        f'{{"incoming_phone_numbers":[],"first_page_uri":"{PATH}?PageSize=50&Page=0","next_page_uri":null,'
        f'"previous_page_uri":null,"page":0,"page_size":50,"start":0,"end":0,'
        f'"uri":"{PATH}?PageSize=50&Page=0"}}'.encode()
    )
    before = "PB" + after
    last = dumps(v2010_page("incoming_phone_numbers", [plain], PATH, [], PageRequest(2, 3, before=after, token=before),
                            plain["sid"], plain["sid"], False))
    assert last == (
        b'{"incoming_phone_numbers":[' + PLAIN_JSON + b"],"
        + f'"first_page_uri":"{PATH}?PageSize=2&Page=0","next_page_uri":null,'
          f'"previous_page_uri":"{PATH}?PageSize=2&Page=2&PageToken=PBPN00000000000000000000000000000001",'
          f'"page":3,"page_size":2,"start":6,"end":6,"uri":"{PATH}?PageSize=2&Page=3&PageToken={before}"}}'.encode()
    )


def _stored(db: Any) -> list[dict[str, Any]]:
    migrate.upgrade(db)
    with db.write() as conn:
        conn.exec_driver_sql(
            "INSERT INTO accounts VALUES ('" + ACCOUNT + "', '" + ACCOUNT + "', 'a', 'active', 'Full', 'tok', FALSE, 1, 1)")
    rows = [
        _row(1), _row(2, **{**FULL, "trunk_sid": None}),
        # What a JSON array might get wrong: text that reads as a number or as JSON, a tab, a NUL (which
        # PostgreSQL refuses), DEL and U+2028, an empty string, integers past 32 bits.
        _row(3, friendly_name="12", voice_url='{"a": [1, 2.5]}', status_callback="", number_type="Mobile", date_created=2**40, date_updated=2**40 + 1, beta=True, cap_voice=False,
             sms_url=("\t\x00" if db.is_sqlite else "\t") + "\x7f\u2028"),
    ]
    with db.write() as conn:
        q.insert_many(conn, rows)
    return rows


def test_the_hot_reads_read_as_the_columns(db):
    rows = _stored(db)
    with db.read() as conn:
        by_columns = {r["sid"]: q.get(conn, r["sid"]) for r in rows}
    for r in rows:
        fetched = q.fetch(db, r["sid"])
        assert fetched._fields == StoredRow._fields
        assert tuple(fetched) == tuple(by_columns[r["sid"]]) == tuple(StoredRow(**r))
        assert [type(v) for v in fetched] == [type(v) for v in StoredRow(**r)]  # bools as bools, not 0 and 1
        assert fetched.account_sid == ACCOUNT and fetched.beta is r["beta"]
    assert q.fetch(db, "PN" + "f" * 32) is None
    page, more = q.list_page(db, ACCOUNT, NumberFilter(), PageRequest(2, 0))
    assert more and [tuple(p) for p in page] == [tuple(StoredRow(**r)) for r in rows[:2]]
    assert all(p._fields == StoredRow._fields and p.cap_voice is True for p in page)
    page, more = q.list_page(db, ACCOUNT, NumberFilter(), PageRequest(2, 1, after=rows[1]["sid"]))
    assert not more and [tuple(p) for p in page] == [tuple(StoredRow(**rows[2]))]
    assert [type(v) for v in page[0]] == [type(v) for v in StoredRow(**rows[2])]
    page, more = q.list_page(db, ACCOUNT, NumberFilter(), PageRequest(2, 1, before=rows[2]["sid"]))
    assert more and [p.sid for p in page] == [rows[0]["sid"], rows[1]["sid"]]
    page, _ = q.list_page(db, ACCOUNT, NumberFilter(number_type="Mobile", beta=False), PageRequest(50, 0))
    assert page == []
    page, _ = q.list_page(db, ACCOUNT, NumberFilter(friendly_name="12", phone_like="+1415%", origin="twilio"),
                          PageRequest(50, 0))
    assert [p.sid for p in page] == [rows[2]["sid"]]
    assert dumps(number_json(q.fetch(db, rows[1]["sid"]))) == FULL_JSON.replace(
        b'"trunk_sid":"TK22222222222222222222222222222222"', b'"trunk_sid":null')

"""AvailablePhoneNumbers.json, AvailablePhoneNumbers/{CC}.json and the seven type lists."""

from __future__ import annotations

from typing import Any

from numberpool.domain import inventory
from numberpool.domain.errors import not_found
from numberpool.domain.paging import parse_page
from numberpool.http.request import Request, Response
from numberpool.http.router import Router
from numberpool.http.wire import dumps, v2010_page
from numberpool.products.services import Services
from numberpool.store import numbers as numbers_q

SEARCH_ECHO = (
    "AreaCode", "Contains", "SmsEnabled", "MmsEnabled", "VoiceEnabled", "FaxEnabled",
    "ExcludeAllAddressRequired", "ExcludeLocalAddressRequired", "ExcludeForeignAddressRequired", "Beta",
    "NearNumber", "NearLatLong", "Distance", "InPostalCode", "InRegion", "InRateCenter", "InLata", "InLocality",
)


def country_json(account_sid: str, c: inventory.Country) -> dict[str, Any]:
    base = f"/2010-04-01/Accounts/{account_sid}/AvailablePhoneNumbers/{c.iso}"
    return {
        "country_code": c.iso,
        "country": c.name,
        "uri": f"{base}.json",
        "beta": c.beta,
        "subresource_uris": {inventory.TYPE_KEYS[t]: f"{base}/{t}.json" for t in c.types},
    }


def available_json(f: inventory.NumberFacts) -> dict[str, Any]:
    # phonenumbers has no LATA, rate-center, postal-code or coordinate data: those stay null.
    return {
        "friendly_name": f.friendly_name,
        "phone_number": f.phone_number,
        "lata": None,
        "locality": f.locality,
        "rate_center": None,
        "latitude": None,
        "longitude": None,
        "region": f.region,
        "postal_code": None,
        "iso_country": f.iso_country,
        "address_requirements": f.address_requirements,
        "beta": f.beta,
        "capabilities": dict(f.capabilities),
    }


def register(r: Router, s: Services) -> None:
    def _country(req: Request, code: str) -> inventory.Country:
        found = inventory.country(code) if len(code) == 2 else None
        if found is None:
            raise not_found(req.full_path)
        return found

    def list_countries(req: Request, account_sid: str) -> Response:
        account = s.accounts.resolve_active(req.caller, account_sid, req.full_path)
        parse_page(req.query, "AC")  # validated for consistency; the list is short and never paged
        body = {
            "countries": [country_json(account.sid, c) for c in inventory.countries()],
            "uri": f"/2010-04-01/Accounts/{account.sid}/AvailablePhoneNumbers.json",
        }
        return Response(200, dumps(body))

    def fetch_country(req: Request, account_sid: str, code: str) -> Response:
        account = s.accounts.resolve_active(req.caller, account_sid, req.full_path)
        return Response(200, dumps(country_json(account.sid, _country(req, code))))

    def search(req: Request, account_sid: str, code: str, number_type: str) -> Response:
        account = s.accounts.resolve_active(req.caller, account_sid, req.full_path)
        if number_type not in inventory.NUMBER_TYPES:
            raise not_found(req.full_path)
        country = _country(req, code)
        page = parse_page(req.query, "PN")
        filters = inventory.parse_filters(req.query, country)
        found: list[inventory.NumberFacts] = []
        if page.page == 0 and page.token is None:  # Twilio returns one page of search results
            with s.db.read() as conn:
                found = inventory.search(country, number_type, filters, lambda batch: numbers_q.taken(conn, batch), page.size)
        echo = [(k, req.query[k]) for k in SEARCH_ECHO if k in req.query]
        body = v2010_page(
            "available_phone_numbers", [available_json(f) for f in found],
            f"/2010-04-01/Accounts/{account.sid}/AvailablePhoneNumbers/{country.iso}/{number_type}.json",
            echo, page, None, None, False,
        )
        return Response(200, dumps(body))

    base = "/2010-04-01/Accounts/{AccountSid}/AvailablePhoneNumbers"
    r.add(base + ".json", GET=list_countries)
    r.add(base + "/{CountryCode}.json", GET=fetch_country)
    r.add(base + "/{CountryCode}/{Type}.json", GET=search)

"""AvailablePhoneNumbers.json, AvailablePhoneNumbers/{CC}.json and the seven type lists."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from numberpool.domain import access
from numberpool.domain.backend import Backend
from numberpool.domain.errors import not_found
from numberpool.domain.inventory.countries import TYPE_KEYS, Country, countries
from numberpool.domain.inventory.countries import country as offered_country
from numberpool.domain.inventory.facts import NumberFacts
from numberpool.http.request import Request, Response
from numberpool.http.router import Handler, Path, Router
from numberpool.http.wire import dumps, v2010_page
from numberpool.products.api2010 import search, urls
from numberpool.products.paging import parse_page


def country_json(account_sid: str, c: Country) -> dict[str, Any]:
    base = f"/2010-04-01/Accounts/{account_sid}/AvailablePhoneNumbers/{c.iso}"
    return {
        "country_code": c.iso,
        "country": c.name,
        "uri": f"{base}.json",
        "beta": c.beta,
        "subresource_uris": {TYPE_KEYS[t]: f"{base}/{t}.json" for t in c.types},
    }


def available_json(f: NumberFacts) -> dict[str, Any]:
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


def register(r: Router, s: Backend) -> None:
    def _country(code: str) -> Country:
        found = offered_country(code) if len(code) == 2 else None
        if found is None:
            raise not_found()
        return found

    def list_countries(req: Request, account_sid: str) -> Response:
        account = s.accounts.resolve_active(req.caller, account_sid)
        parse_page(req.query, "AC")  # validated for consistency; the list is short and never paged
        body = {
            "countries": [country_json(account.sid, c) for c in countries()],
            "uri": urls.AVAILABLE_COUNTRIES.format(AccountSid=account.sid),
        }
        return Response(200, dumps(body))

    def fetch_country(req: Request, account_sid: str, code: str) -> Response:
        account = s.accounts.resolve_active(req.caller, account_sid)
        return Response(200, dumps(country_json(account.sid, _country(code))))

    def searcher(number_type: str, path: Path) -> Handler:
        def list_available(req: Request, account_sid: str, code: str) -> Response:
            account = s.accounts.resolve_active(req.caller, account_sid)
            country = _country(code)
            page = parse_page(req.query, "PN")
            filters = search.filters(req.query, country)
            found: Sequence[NumberFacts] = []
            if page.page == 0 and page.token is None:  # Twilio returns one page of search results
                found = s.numbers.available(country, number_type, filters, page.size)
            echo = [(k, req.query[k]) for k in search.ECHO if k in req.query]
            body = v2010_page(
                "available_phone_numbers", [available_json(f) for f in found],
                path.format(AccountSid=account.sid, CountryCode=country.iso), echo, page, None, None, False,
            )
            return Response(200, dumps(body))

        return list_available

    r.add(urls.AVAILABLE_COUNTRIES, access=access.FAMILY, GET=("ListAvailablePhoneNumberCountry", list_countries))
    r.add(urls.AVAILABLE_COUNTRY, access=access.FAMILY, GET=("FetchAvailablePhoneNumberCountry", fetch_country))
    for number_type, path in urls.AVAILABLE_OF_TYPE.items():
        r.add(path, access=access.FAMILY, GET=(f"ListAvailablePhoneNumber{number_type}", searcher(number_type, path)))

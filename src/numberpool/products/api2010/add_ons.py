"""An IncomingPhoneNumber's AssignedAddOns and their Extensions: Twilio Marketplace add-ons, which
numberpool does not have. Every number's ``subresource_uris.assigned_add_ons`` resolves all the
same: the list is an empty page of the number (404 for a number the caller cannot see), as is the
Extensions list under any well-formed AssignedAddOn SID; assigning one answers that no add-on is
installed, and any single add-on or extension is not found."""

from __future__ import annotations

from numberpool.domain import access, errors
from numberpool.domain.backend import Backend
from numberpool.domain.sids import is_sid
from numberpool.http.request import Request, Response
from numberpool.http.router import Router
from numberpool.http.wire import dumps, v2010_page
from numberpool.products.api2010 import urls
from numberpool.products.paging import parse_page


def register(r: Router, b: Backend) -> None:
    def number_of(req: Request, account_sid: str, number_sid: str) -> None:
        """404 unless the caller may see the account and it owns the number."""
        b.numbers.fetch(b.accounts.resolve_active(req.caller, account_sid), number_sid)

    def list_add_ons(req: Request, account_sid: str, number_sid: str) -> Response:
        number_of(req, account_sid, number_sid)
        page = parse_page(req.query, "XE")
        path = urls.ASSIGNED_ADD_ONS.format(AccountSid=account_sid, ResourceSid=number_sid)
        return Response(200, dumps(v2010_page("assigned_add_ons", [], path, [], page, None, None, False)))

    def assign_add_on(req: Request, account_sid: str, number_sid: str) -> Response:
        number_of(req, account_sid, number_sid)
        installed = req.form.get("InstalledAddOnSid")
        if not installed:
            raise errors.missing_parameter("InstalledAddOnSid")
        raise errors.add_on_not_installed(installed)

    def one_add_on(req: Request, account_sid: str, number_sid: str, sid: str) -> Response:
        number_of(req, account_sid, number_sid)
        raise errors.not_found()

    def list_extensions(req: Request, account_sid: str, number_sid: str, add_on_sid: str) -> Response:
        number_of(req, account_sid, number_sid)
        if not is_sid(add_on_sid, "XE"):
            raise errors.not_found()
        page = parse_page(req.query, "XF")  # choice: an empty page, as the AssignedAddOns list's
        path = urls.ADD_ON_EXTENSIONS.format(AccountSid=account_sid, ResourceSid=number_sid, AssignedAddOnSid=add_on_sid)
        return Response(200, dumps(v2010_page("extensions", [], path, [], page, None, None, False)))

    def one_extension(req: Request, account_sid: str, number_sid: str, add_on_sid: str, sid: str) -> Response:
        number_of(req, account_sid, number_sid)
        raise errors.not_found()

    r.add(urls.ASSIGNED_ADD_ONS, access=access.FAMILY, GET=("ListIncomingPhoneNumberAssignedAddOn", list_add_ons),
          POST=("CreateIncomingPhoneNumberAssignedAddOn", assign_add_on))
    r.add(urls.ASSIGNED_ADD_ON, access=access.FAMILY, GET=("FetchIncomingPhoneNumberAssignedAddOn", one_add_on),
          DELETE=("DeleteIncomingPhoneNumberAssignedAddOn", one_add_on))
    r.add(urls.ADD_ON_EXTENSIONS, access=access.FAMILY,
          GET=("ListIncomingPhoneNumberAssignedAddOnExtension", list_extensions))
    r.add(urls.ADD_ON_EXTENSION, access=access.FAMILY,
          GET=("FetchIncomingPhoneNumberAssignedAddOnExtension", one_extension))

"""Every error numberpool can answer: Twilio's code, the HTTP status, and one constructor per meaning.

This module is the whole error contract. Each constructor below is the only place its meaning is
worded, so ``grep -n 21712 src`` finds one line, and a reader sees every code the server can send
without reading the rest of it. The domain raises these; the products raise the ones about the
wire (parameters, paging); ``numberpool.http`` renders them as Twilio's body
``{"code", "message", "more_info", "status"}`` (see WIRE.md) and words a 404 with the request's
path, which the layers below never see.

Codes follow Twilio's error dictionary (https://www.twilio.com/docs/api/errors); where Twilio
uses one code for several meanings (21421, 21245, 20001), each meaning still has its own
constructor here.
"""

from __future__ import annotations


class TwilioError(Exception):
    """A failure with Twilio's error code, HTTP status and message."""

    def __init__(self, code: int, status: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.status = status
        self.message = message

    def for_path(self, path: str) -> TwilioError:
        """The error as the client at ``path`` sees it (only a 404 names the path)."""
        return self

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return f"{type(self).__name__}({self.code}, {self.status}, {self.message!r})"


class NotFound(TwilioError):
    """20404. Without ``what``, the HTTP boundary names the requested path, as Twilio does."""

    def __init__(self, what: str | None = None) -> None:
        super().__init__(20404, 404, f"The requested resource {what} was not found" if what else "")
        self.what = what

    def for_path(self, path: str) -> TwilioError:
        if self.what is not None:
            return self
        return TwilioError(20404, 404, f"The requested resource {path} was not found")


def shown(raw: str) -> str:
    """A value a client sent, quoted for an error message and cut short if long."""
    return repr(raw if len(raw) <= 40 else raw[:40] + "...")


# -- The request itself (20xxx) ---------------------------------------------------------------

def invalid_parameter(name: str, detail: str | None = None) -> TwilioError:
    """20001: a parameter a client got wrong; the message always names the parameter."""
    return TwilioError(20001, 400, f"Invalid parameter {name}" if detail is None else f"Invalid parameter {name}: {detail}")


def missing_parameter(name: str) -> TwilioError:
    return TwilioError(20001, 400, f"Missing required parameter {name} in the post body")


def unsupported_search_filter(name: str) -> TwilioError:
    return TwilioError(20001, 400, f"{name} is not supported by this server: phonenumbers has no postal-code, "
                                   "rate-center, LATA or coordinate data")


def invalid_form(what: str, detail: str) -> TwilioError:
    """20001: the query string or body cannot be read as a form."""
    return TwilioError(20001, 400, f"The {what} {detail}")


def form_body_required() -> TwilioError:
    return TwilioError(20001, 400, "The request body must be application/x-www-form-urlencoded")


def json_body_required() -> TwilioError:
    return TwilioError(20001, 400, "The request body must be a state document, sent as application/json")


def invalid_state_document(detail: str) -> TwilioError:
    """20001: a state document (POST /numberpool/v1/State, ``serve --seed``) that cannot be read as one."""
    return TwilioError(20001, 400, f"Invalid state document: {detail}")


def body_too_large() -> TwilioError:
    return TwilioError(20001, 413, "The request body is too large")


def invalid_host(what: str) -> TwilioError:
    return TwilioError(20001, 400, f"The {what} header is not a valid host[:port]")


def invalid_forwarded_scheme() -> TwilioError:
    return TwilioError(20001, 400, "The forwarded scheme must be http or https")


def authentication_failed() -> TwilioError:
    return TwilioError(20003, 401, "Authenticate")


def method_not_allowed(method: str, path: str) -> TwilioError:
    return TwilioError(20004, 405, f"Method {method} not allowed on {path}")


def account_not_active(sid: str, status: str) -> TwilioError:
    """20005: 403 for a closed account (final), 401 for a suspended one."""
    return TwilioError(20005, 403 if status == "closed" else 401, f"Account {sid} is not active ({status})")


def subaccount_cannot_create_subaccounts() -> TwilioError:
    return TwilioError(20403, 403, "A subaccount cannot create subaccounts")


def own_status_change() -> TwilioError:
    return TwilioError(20403, 403, "An account cannot change its own Status; its parent account can")


def reset_requires_main_account() -> TwilioError:
    return TwilioError(20403, 403, "Only the main account may reset the server; these credentials are not the main "
                                   "account's")


def state_account_not_visible(sid: str) -> TwilioError:
    return TwilioError(20403, 403, f"Account {sid} is neither the caller's account nor one of its subaccounts: a state "
                                   "document may hold only those")


def key_not_allowed(key_sid: str) -> TwilioError:
    """70051 "Authorization Failed" (docs/api/errors/70051): a Standard API key may not manage
    accounts or API keys; Twilio's Key resource page: "Access to all Twilio API resources, except
    for API key and Account resources"."""
    return TwilioError(70051, 403, f"Authorization Failed: API key {key_sid} is a Standard key, which may not manage "
                                   "accounts or API keys; use the account's auth token")


def not_found(what: str | None = None) -> NotFound:
    """20404, for the requested path; ``what`` names another resource the request referred to."""
    return NotFound(what)


def add_on_not_installed(installed_add_on_sid: str) -> TwilioError:
    """20404: numberpool has no Twilio Marketplace, so no add-on is ever installed to assign."""
    return TwilioError(20404, 404, f"InstalledAddOnSid {shown(installed_add_on_sid)} was not found: numberpool has no "
                                   "Marketplace add-ons to install or assign")


def product_not_served(host: str) -> TwilioError:
    """20404 for a request to a Twilio product numberpool does not serve (in-process mode)."""
    return TwilioError(20404, 404, f"numberpool does not serve {host}: only the api, messaging, trunking and proxy "
                                   "products; nothing was sent to Twilio")


def concurrent_change() -> TwilioError:
    return TwilioError(20409, 409, "The request conflicted with concurrent changes; retry it")


def proxy_unique_name_taken(unique_name: object) -> TwilioError:
    return TwilioError(20409, 409, f"A Proxy Service with UniqueName {unique_name!r} already exists")


def internal_error() -> TwilioError:
    return TwilioError(20500, 500, "Internal server error")


def database_unavailable() -> TwilioError:
    return TwilioError(20503, 503, "Service unavailable: the database cannot be reached; retry shortly")


# -- Phone numbers (214xx) --------------------------------------------------------------------

def invalid_phone_number(name: str, raw: str, hint: str = "") -> TwilioError:
    """21421: not an E.164 number (or not a valid one)."""
    return TwilioError(21421, 400, f"{name} {raw} is invalid (an E.164 number such as +14155551234 is required){hint}")


def phone_number_or_area_code_required() -> TwilioError:
    return TwilioError(21421, 400, "Either PhoneNumber or AreaCode is required")


def phone_number_required() -> TwilioError:
    return TwilioError(21421, 400, "Missing required parameter PhoneNumber in the post body")


def not_a_number_of_this_account(pn_sid: str) -> TwilioError:
    """21421 on Messaging Service PhoneNumbers: the number is not the service account's."""
    return TwilioError(21421, 400, f"PhoneNumberSid {pn_sid} is not a valid phone number of this account")


def number_unavailable(e164: str) -> TwilioError:
    return TwilioError(21422, 400, f"{e164} is not available")


def number_not_of_type(e164: str, number_type: str) -> TwilioError:
    return TwilioError(21422, 400, f"{e164} is not available as a {number_type} number")


def invalid_area_code(shown: str, detail: str) -> TwilioError:
    return TwilioError(21451, 400, f"AreaCode {shown} is invalid: {detail}")


def no_numbers_in_area_code(area_code: str) -> TwilioError:
    return TwilioError(21452, 400, f"No phone numbers found in area code {area_code}")


def area_code_not_on_type(number_type: str) -> TwilioError:
    return TwilioError(21457, 400, f"AreaCode is not supported on the {number_type} sub-resource; give PhoneNumber")


def invalid_page_token(shown: str) -> TwilioError:
    return TwilioError(21481, 400, f"Invalid PageToken {shown}")


def invalid_method(name: str, raw: str) -> TwilioError:
    return TwilioError(21403, 400, f"{name} must be GET or POST, not {raw!r}")


def invalid_url(name: str, raw: str) -> TwilioError:
    return TwilioError(21502, 400, f"{name} is not a valid URL: {raw!r} (an http or https URL is required)")


# -- Applications (21420) --------------------------------------------------------------------

def application_not_of_account(name: str, application_sid: str, account_sid: str) -> TwilioError:
    """21420: VoiceApplicationSid / SmsApplicationSid names no Application of the number's account."""
    return TwilioError(21420, 400, f"{name} {application_sid} is not an application of account {account_sid}")


# -- Trunks (21245) ---------------------------------------------------------------------------

def trunk_not_of_account(trunk_sid: str, account_sid: str) -> TwilioError:
    return TwilioError(21245, 400, f"TrunkSid {trunk_sid} is not a trunk of account {account_sid}")


def invalid_trunk_domain(name: str, raw: str) -> TwilioError:
    return TwilioError(21245, 400, f"{name} {raw!r} is invalid: letters, digits and '-', ending in .pstn.twilio.com")


def trunk_domain_in_use(domain: object) -> TwilioError:
    return TwilioError(21245, 400, f"DomainName {domain!r} is already in use")


def invalid_sip_url(name: str, raw: str) -> TwilioError:
    """21245: an OriginationUrl's SipUrl must be a ``sip:`` URI (``sips:`` is not supported)."""
    return TwilioError(21245, 400, f"{name} is not a valid SIP URI: {raw!r} (a sip: URI is required)")


# -- Messaging Services (217xx) ---------------------------------------------------------------

def messaging_number_in_this_service() -> TwilioError:
    return TwilioError(21710, 409, "Phone Number or Short Code is already in the Messaging Service.")


def messaging_number_in_other_service(e164: str) -> TwilioError:
    return TwilioError(21712, 409, f"Phone number {e164} is already associated with another Messaging Service")


def messaging_pool_full(limit: int) -> TwilioError:
    return TwilioError(21714, 400, f"Messaging Service number pool size limit ({limit}) reached")


def messaging_number_without_sms(e164: str) -> TwilioError:
    return TwilioError(21715, 400, f"Phone number {e164} has neither SMS nor MMS capability")


# -- Proxy Services (80xxx) -------------------------------------------------------------------

def proxy_number_in_other_service(e164: str) -> TwilioError:
    return TwilioError(80101, 400, f"PhoneNumber {e164} has already been added to another Proxy Service")


def proxy_number_in_this_service() -> TwilioError:
    return TwilioError(80104, 400, "PhoneNumber has already been added to Service")


def proxy_number_in_messaging_service() -> TwilioError:
    return TwilioError(80601, 400, "PhoneNumber is not available. It may be bound to a number pool.")


def proxy_pool_full(limit: int, kind: str) -> TwilioError:
    return TwilioError(80622, 400, f"Proxy number pool maximum size reached ({limit} {kind} numbers)")


def proxy_invalid_parameter(message: str) -> TwilioError:
    """80701: Proxy's own code for any parameter it refuses, with the message of the general one."""
    return TwilioError(80701, 400, message)


# -- Inbound traffic (numberpool's own API; codes as Twilio's Messages and Calls use them) -----

def to_number_required() -> TwilioError:
    return TwilioError(21604, 400, "A 'To' phone number is required")


def from_number_required() -> TwilioError:
    return TwilioError(21603, 400, "A 'From' phone number is required")


def invalid_to_number(raw: str) -> TwilioError:
    """21211: ``To`` must be the E.164 form of a number an account owns."""
    return TwilioError(21211, 400, f"Invalid 'To' Phone Number: {shown(raw)} (an E.164 number such as +14155551234)")


def invalid_from_number(raw: str) -> TwilioError:
    return TwilioError(21212, 400, f"Invalid 'From' Phone Number: {shown(raw)} (a caller id of at most 64 printable characters)")


def body_too_long(limit: int) -> TwilioError:
    return TwilioError(21617, 400, f"The concatenated message body exceeds the {limit} character limit")


def invalid_media_url(raw: str) -> TwilioError:
    return TwilioError(21620, 400, f"Invalid media URL(s): {shown(raw)} is not an http(s) URL")


def too_many_media(limit: int) -> TwilioError:
    return TwilioError(21623, 400, f"Number of media files exceeds allowed limit: at most {limit} MediaUrl")


# -- Sending messages (2010-04-01 Messages; SENDING.md, A6) --------------------------------------

def from_or_service_required() -> TwilioError:
    return TwilioError(21603, 400, "A 'From' phone number is required.")


def message_content_required() -> TwilioError:
    return TwilioError(21619, 400, "A message body, media URL, or content SID is required.")


def not_a_sender_of_account(from_: str) -> TwilioError:
    return TwilioError(21606, 400, f"The From phone number {from_} is not a valid, SMS-capable inbound phone number "
                                   "or short code for your account.")


def sender_without_mms() -> TwilioError:
    return TwilioError(21621, 400, "The From number has not been enabled for MMS.")


def to_equals_from() -> TwilioError:
    return TwilioError(21266, 400, "'To' and 'From' numbers cannot be the same")


def invalid_status_callback(raw: str) -> TwilioError:
    return TwilioError(21609, 400, f"Invalid StatusCallback: {shown(raw)} (an http or https URL is required)")


def invalid_validity_period(raw: str) -> TwilioError:
    return TwilioError(21624, 400, f"Invalid validity period value: {shown(raw)} (1 to 36000 seconds)")


def invalid_media(raw: str) -> TwilioError:
    """21620 for a media URL that is not http(s), and for more than ten of them."""
    return TwilioError(21620, 400, f"Invalid media URL(s): {raw}")


def service_not_found(sid: str) -> TwilioError:
    return TwilioError(21701, 404, f"The Messaging Service {sid} does not exist")


def service_invalid(raw: str) -> TwilioError:
    return TwilioError(21705, 400, f"The Messaging Service {shown(raw)} is invalid")


def service_pool_empty() -> TwilioError:
    return TwilioError(21704, 400, "The Messaging Service contains no phone numbers.")


def sender_not_in_service(from_: str) -> TwilioError:
    return TwilioError(21711, 400, f"Phone Number, Shortcode, or AlphaSender {from_} is not associated to the "
                                   "specified Messaging Service")


def send_at_required() -> TwilioError:
    return TwilioError(35111, 400, "You must indicate SendAt timestamp if ScheduleType is 'fixed'.")


def invalid_schedule_type() -> TwilioError:
    return TwilioError(35111, 400, "ScheduleType must be 'fixed' to schedule a message with SendAt.")


def send_at_out_of_range() -> TwilioError:
    return TwilioError(35114, 400, "SendAt time must be between 300 seconds and 35 days (3024000 seconds) in the "
                                   "future, inclusive.")


def schedule_needs_service() -> TwilioError:
    return TwilioError(35118, 400, "MessagingServiceSid is required to schedule a message.")


def invalid_send_at(raw: str) -> TwilioError:
    return TwilioError(35114, 400, f"SendAt {shown(raw)} is not an ISO 8601 date and time")


def queue_full() -> TwilioError:
    return TwilioError(21611, 400, "This From number has exceeded the maximum number of queued messages.")


def unroutable_pair() -> TwilioError:
    return TwilioError(21612, 400, "Message cannot be sent with the current combination of 'To' and/or 'From' "
                                   "parameters")


def region_not_enabled() -> TwilioError:
    return TwilioError(21408, 400, "Permission to send an SMS has not been enabled for the region indicated by the "
                                   "'To' number")


def unsubscribed_recipient() -> TwilioError:
    return TwilioError(21610, 400, "Attempt to send to unsubscribed recipient")


def not_mobile() -> TwilioError:
    return TwilioError(21614, 400, "'To' number is not a valid mobile number")


def invalid_message_status(raw: str) -> TwilioError:
    return TwilioError(20001, 400, f"Invalid parameter Status: {shown(raw)} (only canceled)")


def cancel_not_scheduled(status: str) -> TwilioError:
    """30409: only a scheduled message can be canceled (Twilio's "Message cannot be canceled")."""
    return TwilioError(30409, 400, f"Message cannot be canceled: its status is {status}, not scheduled")


def body_only_redacted() -> TwilioError:
    return TwilioError(20001, 400, "Invalid parameter Body: a message's body can only be redacted (Body=\"\")")


def redact_unfinished() -> TwilioError:
    return TwilioError(20009, 400, "Cannot redact the body of a message that is still being sent")


def message_not_final(status: str) -> TwilioError:
    """20009: Twilio refuses to delete a message still being sent."""
    return TwilioError(20009, 400, f"Cannot delete a message whose status is {status}: it is still being sent")


def settle_timed_out(detail: str) -> TwilioError:
    """20504 (numberpool's): Settle or a clock advance waited its Timeout and work is still pending."""
    return TwilioError(20504, 504, f"Work still pending after the timeout: {detail}")


def invalid_delivery_rule(name: str, detail: str) -> TwilioError:
    return TwilioError(20001, 400, f"Invalid parameter {name}: {detail}")


# -- Proxy sessions (proxy v1; SENDING.md, C) ----------------------------------------------------

def session_closed() -> TwilioError:
    return TwilioError(80607, 400, "Session is closed and cannot be updated")


def session_status_invalid(current: str, wanted: str) -> TwilioError:
    return TwilioError(80608, 400, f"Session Status Invalid: {current} cannot become {wanted} (close an open or "
                                   "in-progress session, or re-open a closed one as in-progress)")


def session_unique_name_taken(unique_name: str) -> TwilioError:
    return TwilioError(20409, 409, f"A Session with UniqueName {unique_name!r} already exists in this Service")


def session_full() -> TwilioError:
    return TwilioError(80609, 400, "A Session may have at most 2 participants")


def participant_identifier_taken() -> TwilioError:
    return TwilioError(80103, 400, "The identifier is already a participant in the Session")


def proxy_pair_in_use(identifier: str, proxy: str) -> TwilioError:
    return TwilioError(80604, 400, f"The identifier {identifier} already uses the proxy number {proxy} in another "
                                   "active Session")


def proxy_numbers_in_use() -> TwilioError:
    return TwilioError(80208, 400, "All matching proxies for this Participant are already in use in other Sessions.")


def proxy_no_geo_match(level: str) -> TwilioError:
    return TwilioError(80206, 400, f"No proxy number matches the Participant for the Service's GeoMatchLevel "
                                   f"{level!r}: either you have no numbers meeting it for the target number, or "
                                   "the numbers you do have are already in use by the participant in other Sessions.")


def proxy_no_country_match(country: str) -> TwilioError:
    return TwilioError(80203, 400, f"The Service has no proxy number in the Participant's country ({country})")


def proxy_only_reserved() -> TwilioError:
    return TwilioError(80207, 400, "Only reserved proxy numbers match this Participant; a reserved number must be "
                                   "given as ProxyIdentifier or ProxyIdentifierSid")


def proxy_no_voice_number() -> TwilioError:
    return TwilioError(80201, 400, "The Service has no voice-capable proxy number for this Session's mode")


def proxy_no_sms_number() -> TwilioError:
    return TwilioError(80202, 400, "The Service has no SMS-capable proxy number for this Session's mode")


def proxy_number_not_in_pool(raw: str) -> TwilioError:
    return TwilioError(80701, 400, f"'ProxyIdentifier' is invalid: {shown(raw)} is not a number of the Service's pool")


def participant_deleted() -> TwilioError:
    return TwilioError(80607, 400, "The Participant was removed from the Session")


# -- Calls (2010-04-01 Calls; SENDING.md, "Calls") ------------------------------------------------

def call_to_required() -> TwilioError:
    return TwilioError(21201, 400, "No 'To' number is specified")


def invalid_call_to(raw: str) -> TwilioError:
    return TwilioError(21217, 400, f"Phone number does not appear to be valid: {shown(raw)}")


def call_from_required() -> TwilioError:
    return TwilioError(21213, 400, "'From' phone number is required")


def call_from_not_verified(from_: str) -> TwilioError:
    return TwilioError(21210, 400, f"The source phone number provided, {from_}, is not yet verified for your account. "
                                   "You may only make calls from phone numbers that you've verified or purchased "
                                   "from Twilio.")


def call_url_required() -> TwilioError:
    """21205 (numberpool's choice of code and text, as GoAlert's mock answers it): none of Url,
    Twiml, ApplicationSid."""
    return TwilioError(21205, 400, "Url parameter is required.")


def invalid_call_url(name: str, raw: str) -> TwilioError:
    return TwilioError(21205, 400, f"{name}: the URL you specified to handle the call was not a valid URL: {shown(raw)}")


def application_without_voice_url(application_sid: str) -> TwilioError:
    return TwilioError(21205, 400, f"Application {application_sid} has no VoiceUrl to handle the call")


def invalid_status_callback_event(raw: str) -> TwilioError:
    return TwilioError(21626, 400, "One or more of the StatusCallbackEvents provided were invalid: " + shown(raw))


def unroutable_call_to(to: str) -> TwilioError:
    return TwilioError(21214, 400, f"'To' phone number cannot be reached: {to}")


def call_geo_permission(to: str) -> TwilioError:
    return TwilioError(21215, 400, f"Account not authorized to call {to}. Perhaps you need to enable some "
                                   "international permissions")


def call_to_blocked(to: str) -> TwilioError:
    return TwilioError(21216, 400, f"Call blocked by Twilio blocklist: {to}")


def call_not_in_progress() -> TwilioError:
    return TwilioError(21220, 400, "You attempted a realtime operation on a Call that was not in-progress. "
                                   "Calls that have completed cannot be recorded or redirected.")


def call_not_ringing(status: str) -> TwilioError:
    """21220 too: Status=canceled only while queued or ringing (numberpool's choice, SENDING.md)."""
    return TwilioError(21220, 400, f"Status=canceled applies to a call that is queued or ringing; this one is {status}")


def call_still_active(status: str) -> TwilioError:
    """21220 (the code is undocumented: numberpool's choice): a call not yet ended cannot be deleted."""
    return TwilioError(21220, 400, f"A call that is {status} cannot be deleted until it has ended")


"""The state document's JSON, version 1: read into ``domain.state.Document``, written from a snapshot.

Each resource carries its SID, its account's SID and exactly the fields a client can set through
the API: the fields of the API's own parameter tables (``IncomingPhoneNumber`` update,
``Application``, Messaging ``Service``, ``Trunk``, ``OriginationUrl``, Proxy ``Service``), in
snake_case as Twilio's JSON names them, each checked by the same parameter kind, so a bad value is
refused with the error (code and status) the API answers for it, worded with where it is in the
document (``numbers[2].sms_url``). ``null`` is allowed where the API's default is null; a field a
resource leaves out takes the API's default. A DeliveryRule (numberpool's own) carries ``to``,
``status`` and ``error_code``, checked as ``POST /numberpool/v1/DeliveryRules`` checks ``To``,
``Status`` and ``ErrorCode`` (``delivery_rules[0].to``); a CallRule carries ``to``, ``status``,
``ring_seconds``, ``hold_seconds``, ``digits`` (a list of strings), ``duration`` and
``answered_by``, checked as ``POST /numberpool/v1/CallRules`` checks ``To``, ``Status``,
``RingSeconds``, ``HoldSeconds``, ``Digits``, ``Duration`` and ``AnsweredBy``
(``call_rules[0].ring_seconds``). Anything else wrong with the document's shape is 400, code
20001, naming what is wrong.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import orjson

from numberpool.domain import applications as applications_domain
from numberpool.domain import numbers as numbers_domain
from numberpool.domain.errors import TwilioError, invalid_state_document, missing_parameter, shown
from numberpool.domain.pools import messaging as messaging_domain
from numberpool.domain.pools import proxy as proxy_domain
from numberpool.domain.pools import trunking as trunking_domain
from numberpool.domain.sids import is_sid
from numberpool.domain.state import (
    AccountDoc,
    Document,
    Member,
    NumberDoc,
    ResourceDoc,
    RuleDoc,
    ServiceDoc,
    Snapshot,
    TrunkDoc,
)
from numberpool.domain.state_document import CallRuleDoc
from numberpool.products import params as p
from numberpool.products.api2010.applications import APPLICATION
from numberpool.products.api2010.params import ACCOUNT_UPDATE, NUMBER_CONFIG
from numberpool.products.control.calls import rule_fields as call_rule_fields
from numberpool.products.control.sending import rule_fields
from numberpool.products.messaging.params import SERVICE as MESSAGING_SERVICE
from numberpool.products.proxy.params import SERVICE as PROXY_SERVICE
from numberpool.products.trunking.params import ORIGINATION_URL, TRUNK

VERSION = 1
LISTS = ("accounts", "applications", "numbers", "messaging_services", "trunks", "proxy_services", "delivery_rules",
         "call_rules")
MAX_TOKEN = 64


class Kind:
    """One kind of resource in the document: its SID prefix, its settable fields (the API's table),
    the fields that may be null (those whose API default is null), and its other keys."""

    def __init__(self, prefix: str, form: p.Form, defaults: Mapping[str, Any], keys: Sequence[str] = ("sid", "account_sid")) -> None:
        self.prefix = prefix
        self.form = form
        self.fields = {param.field: param for param in form.params}
        self.nullable = {name for name, value in defaults.items() if value is None}
        self.keys = tuple(keys)  # the keys besides the settable fields
        self.required = tuple(param.field for param in form.params if param.name in form.required)

    def values(self, where: str, item: Mapping[str, Any]) -> dict[str, Any]:
        """The settable fields the item gives, each checked as the API checks it."""
        values: dict[str, Any] = {}
        for key, raw in item.items():
            if key in self.keys:
                continue
            param = self.fields.get(key)
            if param is None:
                raise invalid_state_document(f"{where} has an unknown field {key!r}")
            name = f"{where}.{key}"
            if raw is None and key in self.nullable:
                values[key] = None
                continue
            try:
                values[key] = param.kind(name, _text(name, raw))
            except TwilioError as err:
                raise self._refused(err) from None
        for key in self.required:
            if values.get(key) in (None, ""):
                raise self._refused(missing_parameter(f"{where}.{key}"))
        return values

    def _refused(self, err: TwilioError) -> TwilioError:
        """The product's own word for a bad parameter (Proxy: 80701), as its API answers."""
        return self.form.refuse(err) if self.form.refuse is not None and err.status == 400 else err

    def shown(self, row: Any) -> dict[str, Any]:
        return {"sid": row.sid, "account_sid": row.account_sid, **{name: getattr(row, name) for name in self.fields}}


def _text(name: str, raw: Any) -> str:
    """A JSON value as the form string the API's parameter kinds read."""
    if raw is None:
        return ""
    if isinstance(raw, bool):
        return "true" if raw else "false"
    if isinstance(raw, int | str):
        return str(raw)
    raise invalid_state_document(f"{name} must be a string, an integer, true, false or null")


_OWNED = ("sid", "account_sid")
ACCOUNT = Kind("AC", ACCOUNT_UPDATE, {}, ("sid", "owner_account_sid", "auth_token"))
APPLICATIONS = Kind("AP", APPLICATION, applications_domain.DEFAULTS)
NUMBERS = Kind("PN", NUMBER_CONFIG, numbers_domain.DEFAULTS, (*_OWNED, "phone_number"))
MESSAGING = Kind("MG", MESSAGING_SERVICE, messaging_domain.SERVICE.defaults, (*_OWNED, "phone_numbers"))
TRUNKS = Kind("TK", TRUNK, trunking_domain.TRUNK.defaults, (*_OWNED, "origination_urls"))
ORIGINATION_URLS = Kind("OU", ORIGINATION_URL, {}, ("sid",))
PROXY = Kind("KS", PROXY_SERVICE, proxy_domain.SERVICE.defaults, (*_OWNED, "phone_numbers"))


# -- reading --------------------------------------------------------------------------------------

def parse(body: bytes) -> Document:
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise invalid_state_document(f"the body is not JSON ({exc})") from None
    doc = _object("the document", data)
    for key in doc:
        if key != "version" and key not in LISTS:
            raise invalid_state_document(f"unknown key {key!r} (the keys are version, {', '.join(LISTS)})")
    version = doc.get("version")
    if type(version) is not int or version != VERSION:
        raise invalid_state_document(f"version must be {VERSION}, not {_shown(version)}")
    parsed = Document(
        accounts=tuple(_account(where, item) for where, item in _items(doc, "accounts")),
        applications=tuple(_resource(where, item, APPLICATIONS) for where, item in _items(doc, "applications")),
        numbers=tuple(_number(where, item) for where, item in _items(doc, "numbers")),
        messaging_services=tuple(_service(where, item, MESSAGING) for where, item in _items(doc, "messaging_services")),
        trunks=tuple(_trunk(where, item) for where, item in _items(doc, "trunks")),
        proxy_services=tuple(_service(where, item, PROXY) for where, item in _items(doc, "proxy_services")),
        delivery_rules=tuple(_rule(where, item) for where, item in _items(doc, "delivery_rules")),
        call_rules=tuple(_call_rule(where, item) for where, item in _items(doc, "call_rules")),
    )
    for name in LISTS:
        _once(name, getattr(parsed, name))
    _once("origination_urls", [u for t in parsed.trunks for u in t.origination_urls])
    _one_rule_per_to(parsed.delivery_rules)
    _one_rule_per_to(parsed.call_rules)
    return parsed


def _shown(value: Any) -> str:
    return "nothing" if value is None else shown(orjson.dumps(value).decode())


def _object(where: str, value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise invalid_state_document(f"{where} must be a JSON object, not {_shown(value)}")
    return value


def _items(parent: Mapping[str, Any], key: str, where: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    value = parent.get(key, [])
    if not isinstance(value, list):
        raise invalid_state_document(f"{where}{key} must be a list")
    for i, item in enumerate(value):
        yield f"{where}{key}[{i}]", _object(f"{where}{key}[{i}]", item)


def _once(name: str, items: Sequence[Any]) -> None:
    seen: set[str] = set()
    for item in items:
        if item.sid in seen:
            raise invalid_state_document(f"{item.where}.sid: {item.sid} appears twice in {name}")
        seen.add(item.sid)


def _sid(where: str, item: Mapping[str, Any], key: str, prefix: str) -> str:
    value = item.get(key)
    if value is None:
        raise invalid_state_document(f"{where}.{key} is missing")
    if not isinstance(value, str) or not is_sid(value, prefix):
        raise invalid_state_document(f"{where}.{key} must be a SID ({prefix} and 32 hex digits), not {_shown(value)}")
    return value


def _account(where: str, item: dict[str, Any]) -> AccountDoc:
    values = ACCOUNT.values(where, item)
    name = values.get("friendly_name")
    if not name:
        raise missing_parameter(f"{where}.friendly_name")
    token = item.get("auth_token")
    if token is not None and not (isinstance(token, str) and 0 < len(token) <= MAX_TOKEN and token.isprintable()):
        raise invalid_state_document(f"{where}.auth_token must be a string of 1 to {MAX_TOKEN} printable characters")
    return AccountDoc(where, _sid(where, item, "sid", "AC"), _sid(where, item, "owner_account_sid", "AC"), name,
                      values.get("status") or "active", token)


def _resource(where: str, item: dict[str, Any], kind: Kind) -> ResourceDoc:
    return ResourceDoc(where, _sid(where, item, "sid", kind.prefix), _sid(where, item, "account_sid", "AC"),
                       kind.values(where, item))


def _number(where: str, item: dict[str, Any]) -> NumberDoc:
    e164 = item.get("phone_number")
    if not isinstance(e164, str) or not e164:
        raise invalid_state_document(f"{where}.phone_number must be an E.164 number such as +14155551234")
    return NumberDoc(where, _sid(where, item, "sid", "PN"), _sid(where, item, "account_sid", "AC"), e164,
                     NUMBERS.values(where, item))


def _trunk(where: str, item: dict[str, Any]) -> TrunkDoc:
    r = _resource(where, item, TRUNKS)
    urls = tuple(ResourceDoc(w, _sid(w, u, "sid", "OU"), r.account_sid, ORIGINATION_URLS.values(w, u))
                 for w, u in _items(item, "origination_urls", f"{where}."))
    return TrunkDoc(r.where, r.sid, r.account_sid, r.values, urls)


def _service(where: str, item: dict[str, Any], kind: Kind) -> ServiceDoc:
    r = _resource(where, item, kind)
    members = []
    for w, m in _items(item, "phone_numbers", f"{where}."):
        allowed = ("sid", "is_reserved") if kind is PROXY else ("sid",)
        for key in m:
            if key not in allowed:
                raise invalid_state_document(f"{w} has an unknown field {key!r} (it has {', '.join(allowed)})")
        reserved = m.get("is_reserved", False)
        if not isinstance(reserved, bool):
            raise invalid_state_document(f"{w}.is_reserved must be true or false")
        members.append(Member(w, _sid(w, m, "sid", "PN"), reserved))
    return ServiceDoc(r.where, r.sid, r.account_sid, r.values, tuple(members))


_RULE_KEYS = ("sid", "account_sid", "to", "status", "error_code")
_RULE_PARAMS = {"To": "to", "Status": "status", "ErrorCode": "error_code"}  # the API's names, the document's


def _rule(where: str, item: dict[str, Any]) -> RuleDoc:
    for key in item:
        if key not in _RULE_KEYS:
            raise invalid_state_document(f"{where} has an unknown field {key!r}")
    sid, account_sid = _sid(where, item, "sid", "DR"), _sid(where, item, "account_sid", "AC")
    raw = {key: _text(f"{where}.{key}", item.get(key)) for key in ("to", "status", "error_code")}
    try:
        to, status, code = rule_fields(raw["to"], raw["status"], raw["error_code"])
    except TwilioError as err:
        raise _rule_refused(where, err) from None
    return RuleDoc(where, sid, account_sid, to, status, code)


_CALL_RULE_PARAMS = {"To": "to", "Status": "status", "RingSeconds": "ring_seconds", "HoldSeconds": "hold_seconds",
                     "Digits": "digits", "Duration": "duration", "AnsweredBy": "answered_by"}
_CALL_RULE_KEYS = ("sid", "account_sid", *_CALL_RULE_PARAMS.values())


def _call_rule(where: str, item: dict[str, Any]) -> CallRuleDoc:
    for key in item:
        if key not in _CALL_RULE_KEYS:
            raise invalid_state_document(f"{where} has an unknown field {key!r}")
    sid, account_sid = _sid(where, item, "sid", "CL"), _sid(where, item, "account_sid", "AC")
    form = {param: _text(f"{where}.{key}", item.get(key)) for param, key in _CALL_RULE_PARAMS.items() if key != "digits"}
    digits = item.get("digits")
    if digits is None:
        digits = []  # the API's default: no Digits parameter
    if not isinstance(digits, list) or not all(isinstance(value, str) for value in digits):
        raise invalid_state_document(f"{where}.digits must be a list of strings")
    try:
        values = call_rule_fields(form, digits)
    except TwilioError as err:
        raise _rule_refused(where, err, _CALL_RULE_PARAMS) from None
    return CallRuleDoc(where, sid, account_sid, values["to_pattern"], values["status"], values["ring_seconds"],
                       values["hold_seconds"], tuple(digits), values["duration"], values["answered_by"])


def _rule_refused(where: str, err: TwilioError, params: Mapping[str, str] = _RULE_PARAMS) -> TwilioError:
    """``rule_fields``' error, naming the field where it is in the document (``delivery_rules[0].to``)
    instead of the API's parameter (``To``); ``params`` maps the API's names to the document's."""
    for param, key in params.items():
        for before in ("Invalid parameter ", "Missing required parameter "):
            if err.message.startswith(f"{before}{param}:") or err.message.startswith(f"{before}{param} "):
                rest = err.message[len(before) + len(param):]
                return TwilioError(err.code, err.status, f"{before}{where}.{key}{rest}")
    return err


def _one_rule_per_to(rules: Sequence[RuleDoc | CallRuleDoc]) -> None:
    """An account holds one rule per ``To`` (a second replaces the first): a document listing two
    could not be what a load leaves."""
    seen: set[tuple[str, str]] = set()
    for r in rules:
        if (r.account_sid, r.to) in seen:
            raise invalid_state_document(f"{r.where}.to: account {r.account_sid} has another rule for {r.to}")
        seen.add((r.account_sid, r.to))


# -- writing --------------------------------------------------------------------------------------

def render(s: Snapshot) -> dict[str, Any]:
    """The document of a snapshot: every list in SID order, so equal states give equal documents."""
    messaging: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for m in s.messaging_members:
        messaging[m.service_sid].append({"sid": m.phone_number_sid})
    proxy: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for m in s.proxy_members:
        proxy[m.service_sid].append({"sid": m.phone_number_sid, "is_reserved": bool(m.is_reserved)})
    urls: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for u in s.origination_urls:
        urls[u.trunk_sid].append({"sid": u.sid, **{name: getattr(u, name) for name in ORIGINATION_URLS.fields}})
    return {
        "version": VERSION,
        "accounts": [{"sid": a.sid, "owner_account_sid": a.owner_account_sid, "friendly_name": a.friendly_name,
                      "status": a.status, "auth_token": a.auth_token} for a in s.accounts],
        "applications": [APPLICATIONS.shown(a) for a in s.applications],
        "numbers": [{"sid": n.sid, "account_sid": n.account_sid, "phone_number": n.phone_number,
                     **{name: getattr(n, name) for name in NUMBERS.fields}} for n in s.numbers],
        "messaging_services": [{**MESSAGING.shown(m), "phone_numbers": messaging[m.sid]} for m in s.messaging_services],
        "trunks": [{**TRUNKS.shown(t), "origination_urls": urls[t.sid]} for t in s.trunks],
        "proxy_services": [{**PROXY.shown(k), "phone_numbers": proxy[k.sid]} for k in s.proxy_services],
        "delivery_rules": [{"sid": r.sid, "account_sid": r.account_sid, "to": r.to_pattern, "status": r.status,
                            "error_code": r.error_code} for r in s.delivery_rules],
        "call_rules": [{"sid": r.sid, "account_sid": r.account_sid, "to": r.to_pattern, "status": r.status,
                        "ring_seconds": r.ring_seconds, "hold_seconds": r.hold_seconds,
                        "digits": orjson.loads(r.digits), "duration": r.duration, "answered_by": r.answered_by}
                       for r in s.call_rules],
    }

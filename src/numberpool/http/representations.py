"""XML and CSV: the 2010-04-01 API's other two representations, made from the JSON answer.

Every 2010-04-01 path answers ``.json``, ``.xml`` or ``.csv`` by its extension, and XML without
one, as Twilio does (WIRE.md, "XML and CSV"). A handler renders JSON, as for the SDKs; the
answer is turned into the other representation here, so no resource has a second definition of
its fields. The v1 products are JSON only: there ``.xml`` is simply a path that does not exist.

- XML: ``<TwilioResponse>`` holding the instance as its PascalCase singular (``<Account>``) or
  a list as its PascalCase plural with the paging as attributes (``page``, ``pagesize``,
  ``start``, ``end``, ``uri``, ``firstpageuri``, ``previouspageuri``, ``nextpageuri``, leading to
  XML pages: the request's own extension, ``.xml`` or none); fields are
  PascalCase elements, null or empty ones self-closed, objects nested; an error is a
  ``<RestException>``.
- XML 1.0 cannot carry most control characters, not even escaped: each one other than tab, line
  feed and carriage return (and U+FFFE, U+FFFF, lone surrogates) is written as U+FFFD, so every
  XML answer parses whatever text was stored. JSON and CSV carry the text as it is.
- CSV: a header row of the JSON field names in the JSON's order, then a row per instance (a list:
  the instances of that page, no paging; an empty page: no header either). An object is
  flattened into one column per field, named ``object.field`` (``capabilities.voice``); null is
  an empty cell, booleans ``true``/``false``. An error answers in JSON.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import MutableMapping
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import orjson

from numberpool.domain.errors import TwilioError

JSON, XML, CSV = "json", "xml", "csv"
CONTENT_TYPES = {JSON: b"application/json; charset=utf-8", XML: b"application/xml; charset=utf-8",
                 CSV: b"text/csv; charset=utf-8"}
_PAGING = ("page", "page_size", "start", "end", "uri", "first_page_uri", "previous_page_uri", "next_page_uri")
_UPPER = {"sms": "SMS", "mms": "MMS"}  # Capabilities' <SMS> and <MMS>; SmsUrl stays as it is


def routed(path: str) -> tuple[str, str]:
    """The JSON path a 2010-04-01 request is routed by, and the representation it asks for. A
    path that ends in a slash is routed as it is (and found nowhere), in the representation of
    the extension before the slash."""
    if path.endswith(".json"):
        return path, JSON
    if path.endswith(".xml"):
        return path[:-4] + ".json", XML
    if path.endswith(".csv"):
        return path[:-4] + ".json", CSV
    if path.endswith("/"):
        stripped = path.rstrip("/")
        return path, next((kind for kind in (JSON, XML, CSV) if stripped.endswith("." + kind)), XML)
    return path + ".json", XML  # no extension: XML, Twilio's default


def pascal(name: str) -> str:
    return _UPPER.get(name) or "".join(part[:1].upper() + part[1:] for part in name.split("_"))


def singular(plural: str) -> str:
    if plural.endswith("ies"):
        return plural[:-3] + "y"
    return plural.removesuffix("s")


_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _text(value: Any) -> str:
    if value is True or value is False:
        return "true" if value else "false"
    return str(value)


def _xml_text(value: Any) -> str:
    """``value`` as XML character data (unescaped): what XML 1.0 cannot hold becomes U+FFFD."""
    return _NOT_XML.sub("\ufffd", _text(value))


def _element(name: str, value: Any, out: list[str]) -> None:
    tag = pascal(name)
    if value is None or value == "" or value == {} or value == []:
        out.append(f"<{tag}/>")
    elif isinstance(value, dict):
        out.append(f"<{tag}>")
        for key, inner in value.items():
            _element(key, inner, out)
        out.append(f"</{tag}>")
    elif isinstance(value, list):
        out.append(f"<{tag}>")
        for item in value:
            _element(singular(name), item, out)
        out.append(f"</{tag}>")
    else:
        out.append(f"<{tag}>{escape(_xml_text(value))}</{tag}>")


def _list_key(body: dict[str, Any]) -> str | None:
    """The record key of a 2010-04-01 list (the one key that is not paging), or None for one
    resource. The country list is a list without paging: its records and its ``uri``."""
    keys = [k for k in body if k not in _PAGING]
    if len(keys) == 1 and isinstance(body[keys[0]], list) and ("page_size" in body or set(body) == {keys[0], "uri"}):
        return keys[0]
    return None


def to_xml(body: bytes, instance_name: str, extension: str = ".xml") -> bytes:
    """A JSON answer as Twilio's XML; ``instance_name`` names a single resource (``Account``);
    the paging URIs lead to more XML (``extension``: the request's own, ``.xml`` or none)."""
    data = orjson.loads(body)
    out = ['<?xml version="1.0" encoding="UTF-8"?>', "<TwilioResponse>"]
    key = _list_key(data)
    if key is not None:
        attrs = {name.replace("_", ""): data[name] for name in _PAGING if name in data}
        shown = " ".join(f"{name}={quoteattr(_paging_value(v, extension))}" for name, v in attrs.items())
        out.append(f"<{pascal(key)} {shown}>")
        for record in data[key]:
            _element(singular(key), record, out)
        out.append(f"</{pascal(key)}>")
    else:
        _element(instance_name, data, out)
    out.append("</TwilioResponse>")
    return "".join(out).encode()


def _paging_value(value: Any, extension: str) -> str:
    if value is None:
        return ""
    text = _xml_text(value)
    path, sep, query = text.partition("?")
    return (path.removesuffix(".json") + extension if path.endswith(".json") else path) + sep + query


def error_xml(err: TwilioError) -> bytes:
    fields = {"code": err.code, "message": err.message, "more_info": f"https://www.twilio.com/docs/errors/{err.code}",
              "status": err.status}
    out = ['<?xml version="1.0" encoding="UTF-8"?>', "<TwilioResponse>"]
    _element("rest_exception", fields, out)
    out.append("</TwilioResponse>")
    return "".join(out).encode()


def _flatten(record: dict[str, Any], prefix: str = "") -> dict[str, str]:
    row: dict[str, str] = {}
    for key, value in record.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            row.update(_flatten(value, name + "."))
        elif isinstance(value, list):
            row[name] = orjson.dumps(value).decode()
        else:
            row[name] = "" if value is None else _text(value)
    return row


def to_csv(body: bytes) -> bytes:
    """A JSON answer as CSV: the page's instances, or the one instance."""
    data = orjson.loads(body)
    key = _list_key(data)
    rows = [_flatten(r) for r in (data[key] if key is not None else [data])]
    if not rows:
        return b""
    columns = list(rows[0])
    for row in rows[1:]:
        columns += [c for c in row if c not in columns]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\r\n", restval="")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode()


REPRESENTATION = "numberpool.representation"  # scope keys: the XML or CSV a 2010-04-01 path asked for,
OPERATION = "numberpool.operation"  # and the operationId that answered it
_VERBS = ("Fetch", "Create", "Update", "List", "Delete")


def kind_of(scope: MutableMapping[str, Any]) -> str:
    """The representation a request's answer takes, errors included: a 2010-04-01 path's, else JSON."""
    kind = scope.get(REPRESENTATION)
    if kind is not None:
        return str(kind)
    path: str = scope.get("path", "")
    return routed(path)[1] if path.startswith("/2010-04-01/") else JSON


def resource_name(operation_id: str) -> str:
    """``FetchIncomingPhoneNumber`` -> ``incoming_phone_number``: the XML element of one resource."""
    for verb in _VERBS:
        if operation_id.startswith(verb):
            operation_id = operation_id[len(verb):]
            break
    operation_id = operation_id.removeprefix("New")  # CreateNewKey answers a Key
    return "".join("_" + c.lower() if c.isupper() else c for c in operation_id).lstrip("_") or "resource"

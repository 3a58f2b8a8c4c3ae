"""numberpool's own API for sending: Settle (wait for pending work), DeliveryRules (how messages
to a number end), and the Messages view (every message of the caller's family, with how its
sender was chosen and each status callback sent)."""

from __future__ import annotations

import re
from typing import Any

import orjson

from numberpool.domain import access, clock, errors
from numberpool.domain.backend import Backend
from numberpool.http.request import Request, Response
from numberpool.http.router import Path, Router
from numberpool.http.wire import dumps, iso8601, v1_page
from numberpool.products.api2010.messages import message_filter, message_json
from numberpool.products.control import rules
from numberpool.products.paging import parse_page
from numberpool.store import messages as q
from numberpool.store.messages import MessageFilter

SETTLE = Path("/v1/Settle")
CLOCK = Path("/v1/Clock")
RULES, RULE = Path("/v1/DeliveryRules"), Path("/v1/DeliveryRules/{Sid}")
MESSAGES, MESSAGE = Path("/v1/Messages"), Path("/v1/Messages/{Sid}")

SETTLE_DEFAULT, SETTLE_MAX = 60.0, 300.0
MAX_ADVANCE = 10 * 365 * 86_400  # seconds one advance may add
RULE_STATUSES = ("delivered", "undelivered", "failed", "sent")
_RULE_TO = re.compile(r"^\+[1-9][0-9]{1,14}$|^\+[0-9]{0,14}\*$")
_DIRECTIONS = ("outbound-api", "outbound-reply", "inbound")


def timeout(raw: str | None) -> float:
    """Settle's ``Timeout``: seconds, default 60, at most 300."""
    if raw is None or raw == "":
        return SETTLE_DEFAULT
    try:
        value = float(raw)
    except ValueError:
        raise errors.invalid_parameter("Timeout", f"{errors.shown(raw)} is not a number of seconds") from None
    if not 0 < value <= SETTLE_MAX:  # NaN fails this too
        raise errors.invalid_parameter("Timeout", f"must be more than 0 and at most {SETTLE_MAX:g} seconds")
    return value


def clock_json() -> dict[str, Any]:
    ms = clock.now_ms()
    return {"now": iso8601(ms // 1000), "offset_seconds": clock.offset_ms() / 1000}


def rule_fields(to: str | None, status: str | None, raw_code: str | None) -> tuple[str, str, int | None]:
    """A DeliveryRule's ``To``, ``Status`` and ``ErrorCode``, checked (400, 20001 naming the field)."""
    if not to:
        raise errors.missing_parameter("To")
    if not _RULE_TO.match(to):
        raise errors.invalid_delivery_rule("To", f"{errors.shown(to)} is neither an E.164 number nor a prefix ending in *")
    status = status or "delivered"
    if status not in RULE_STATUSES:
        raise errors.invalid_delivery_rule("Status", f"{errors.shown(status)} is not one of {', '.join(RULE_STATUSES)}")
    code = None
    if raw_code:
        if not (raw_code.isascii() and raw_code.isdigit() and 30001 <= int(raw_code) <= 30999):
            raise errors.invalid_delivery_rule("ErrorCode", f"{errors.shown(raw_code)} is not a delivery error code "
                                                            "(30001-30999)")
        code = int(raw_code)
    if status in ("undelivered", "failed") and code is None:
        raise errors.invalid_delivery_rule("ErrorCode", f"is required with Status {status}")
    if status in ("delivered", "sent") and code is not None:
        raise errors.invalid_delivery_rule("ErrorCode", f"is not allowed with Status {status}")
    return to, status, code


def _rule_columns(req: Request) -> dict[str, Any]:
    to, status, code = rule_fields(req.form.get("To"), req.form.get("Status"), req.form.get("ErrorCode"))
    return {"to_pattern": to, "status": status, "error_code": code}


def rule_json(req: Request, r: Any) -> dict[str, Any]:
    return {
        "sid": r.sid, "account_sid": r.account_sid, "to": r.to_pattern, "status": r.status,
        "error_code": r.error_code, "date_created": iso8601(r.date_created),
        "url": req.base_url + RULE.format(Sid=r.sid),
    }


def view_json(req: Request, m: Any) -> dict[str, Any]:
    """numberpool's view of a message: Twilio's fields, then how the sender was chosen and the
    status callbacks sent."""
    selection = orjson.loads(m.selection) if m.selection else None
    if selection is not None:
        selection = {"rule": selection["rule"], "least_used": selection["least_used"]}
    return {**message_json(m), "url": req.base_url + MESSAGE.format(Sid=m.sid), "selection": selection,
            "media_urls": [media["url"] for media in orjson.loads(m.media_urls)],
            "deliveries": orjson.loads(m.deliveries)}


def register(r: Router, b: Backend) -> None:
    async def settle(req: Request) -> Response:
        limit = timeout(req.form.get("Timeout"))
        left = await b.sending.settle(q.family(req.caller.sid), limit)
        if left:
            shown = ", ".join(row.message_sid for row in left[:10])
            more = f" and {len(left) - 10} more" if len(left) > 10 else ""
            raise errors.settle_timed_out(f"{len(left)} message(s) or call(s) still pending: {shown}{more}")
        return Response(200, dumps({"pending": 0}))

    def fetch_clock(req: Request) -> Response:
        return Response(200, dumps(clock_json()), reusable=False)

    async def advance_clock(req: Request) -> Response:
        raw = req.form.get("Advance")
        if not raw:
            raise errors.missing_parameter("Advance")
        try:
            seconds = float(raw)
        except ValueError:
            raise errors.invalid_parameter("Advance", f"{errors.shown(raw)} is not a number of seconds") from None
        if not 0 < seconds <= MAX_ADVANCE:  # NaN fails this too
            raise errors.invalid_parameter("Advance", f"must be more than 0 and at most {MAX_ADVANCE} seconds")
        limit = timeout(req.form.get("Timeout"))
        left = await b.sending.advance_clock(seconds, q.family(req.caller.sid), limit)
        if left:
            raise errors.settle_timed_out(f"the clock advanced; {len(left)} message(s) or call(s) still pending: "
                                          + ", ".join(row.message_sid for row in left[:10]))
        return Response(200, dumps(clock_json()), reusable=False)

    def list_messages(req: Request) -> Response:
        page = parse_page(req.query, ("SM", "MM"))
        base = message_filter(req.query)
        direction = req.query.get("Direction") or None
        if direction is not None and direction not in _DIRECTIONS:
            raise errors.invalid_parameter("Direction", f"{errors.shown(direction)} is not one of {', '.join(_DIRECTIONS)}")
        which = MessageFilter(base.to_number, base.from_number, base.sent_on, base.sent_from, base.sent_before,
                              body_contains=req.query.get("Body") or None, direction=direction,
                              status=req.query.get("Status") or None)
        rows, more = b.messages.family_list(req.caller, which, page)
        echo = [(k, req.query[k]) for k in ("To", "From", "Body", "Direction", "Status") if req.query.get(k)]
        body = v1_page("messages", [view_json(req, m) for m in rows], req.base_url, MESSAGES.format(), echo, page,
                       rows[0].sid if rows else None, rows[-1].sid if rows else None, more)
        return Response(200, dumps(body))

    def fetch_message(req: Request, sid: str) -> Response:
        return Response(200, dumps(view_json(req, b.messages.view(req.caller, sid))))

    r.add(SETTLE, access=access.FAMILY, POST=("CreateSettle", settle))
    r.add(CLOCK, access=access.FAMILY, GET=("FetchClock", fetch_clock),
          POST=("CreateClock", advance_clock, access.MAIN_ONLY_NO_KEYS))  # as Reset: the main account itself
    rules.register(r, b, name="DeliveryRule", key="delivery_rules", prefix="DR", collection=RULES, item=RULE,
                   table=q.rules, fields=_rule_columns, render=rule_json)
    r.add(MESSAGES, access=access.FAMILY, GET=("ListMessage", list_messages))
    r.add(MESSAGE, access=access.FAMILY, GET=("FetchMessage", fetch_message))

"""The trivial webhook receiver the inbound and call rows call: every request, whatever its method
and path, is answered 200 with an empty TwiML ``<Response/>``, except on ``/call`` (the call row's
``Url``): ``<Response><Say>hi</Say></Response>``, a call's one verb. It runs as a process of its
own, started by bench/run.py (servers.receiver), never inside a measured server's process tree:
its CPU is counted in no row."""

from __future__ import annotations

BODY = b'<?xml version="1.0" encoding="UTF-8"?><Response/>'
CALL_PATH = "/call"
CALL_BODY = b'<?xml version="1.0" encoding="UTF-8"?><Response><Say>hi</Say></Response>'
HEADERS = [(b"content-type", b"text/xml")]


async def app(scope, receive, send):
    if scope["type"] != "http":
        return
    while (await receive()).get("more_body"):  # the webhook's form, read and dropped
        pass
    await send({"type": "http.response.start", "status": 200, "headers": HEADERS})
    await send({"type": "http.response.body", "body": CALL_BODY if scope["path"] == CALL_PATH else BODY})

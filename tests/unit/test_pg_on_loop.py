"""PostgreSQL GETs run on the event loop (store.onloop): a read that no reused answer serves runs
its synchronous code in a greenlet, on a connection lent for the request, without a request
thread; one that needs a transaction runs again on a thread and answers the same; more requests
than loop connections wait for one; and after the database dropped every connection (a restart),
the next requests succeed at once: held connections are asked before they are used again."""

from __future__ import annotations

import asyncio

import httpx
import psycopg
import pytest

from numberpool.server.app import create_app
from numberpool.server.cli import prepare
from numberpool.server.settings import Settings
from numberpool.store.offload import Offload
from numberpool.store.onloop import NeedsThread


@pytest.fixture
def hops(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The paths of the requests that went to a request thread."""
    seen: list[str] = []
    request = Offload.request

    async def counting(self, fn, scope, *args, **kwargs):
        seen.append(scope["path"])
        return await request(self, fn, scope, *args, **kwargs)

    monkeypatch.setattr(Offload, "request", counting)
    return seen


def _terminate_others(url: str) -> int:
    """What a database restart does to a server's connections: every one of them is closed."""
    with psycopg.connect(url, autocommit=True) as admin:
        return len(admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid()").fetchall())


def test_reads_run_on_the_loop_and_transactions_on_a_thread(pg_url: str, hops: list[str]):
    sid, token = prepare(pg_url)
    app = create_app(Settings(db_url=pg_url, response_cache=False))
    db = app.backend.db
    assert db.loop_connections > 0

    async def scenario() -> None:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1", auth=(sid, token)) as h:
            numbers = f"/2010-04-01/Accounts/{sid}/IncomingPhoneNumbers"
            bought = await h.post(f"{numbers}.json", data={"AreaCode": "415"})
            assert bought.status_code == 201, bought.text
            pn = bought.json()["sid"]
            hops.clear()

            fetched = await h.get(f"{numbers}/{pn}.json")
            listed = await h.get(f"{numbers}.json", params={"PageSize": 5})
            assert fetched.status_code == 200 and fetched.json()["sid"] == pn
            assert listed.status_code == 200 and [n["sid"] for n in listed.json()["incoming_phone_numbers"]] == [pn]
            assert hops == []  # neither needed a thread

            # a search of the inventory asks which numbers are owned, batch by batch, on the loop too
            search = f"/2010-04-01/Accounts/{sid}/AvailablePhoneNumbers/US/Local.json"
            first = (await h.get(search, params={"AreaCode": "415", "PageSize": 5})).json()["available_phone_numbers"]
            assert first and hops == []
            taken = (await h.post(f"{numbers}.json", data={"PhoneNumber": first[0]["phone_number"]})).json()
            assert taken["phone_number"] == first[0]["phone_number"]
            hops.clear()
            again = (await h.get(search, params={"AreaCode": "415", "PageSize": 5})).json()["available_phone_numbers"]
            assert again and taken["phone_number"] not in [n["phone_number"] for n in again]  # owned: left out
            assert hops == []

            # more requests at once than the loop has connections: they wait for one, on the loop
            together = await asyncio.gather(*(h.get(f"{numbers}/{pn}.json") for _ in range(4 * db.loop_connections)))
            assert {r.status_code for r in together} == {200} and {r.content for r in together} == {fetched.content}
            assert hops == []
            assert db.reader._loop_open <= db.loop_connections

            # the state export reads in one REPEATABLE READ transaction: it goes to a thread, whole
            held = {id(conn) for conn in db.reader._idle}
            state = await h.get("/numberpool/v1/State")
            assert state.status_code == 200, state.text
            assert pn in state.text
            assert hops == ["/numberpool/v1/State"]
            # the connection it was lent on the loop (to authenticate) went back, idle: none discarded
            assert {id(conn) for conn in db.reader._idle} == held

            # a failing request on the loop gives back no broken connection
            missing = await h.get(f"{numbers}/PN{'0' * 32}.json")
            assert missing.status_code == 404 and missing.json()["code"] == 20404

            # every connection lent came back: none is lost to a request that ended (a request
            # making several statements, a page reached by its token, one that went to a thread)
            trunk = (await h.post("/trunking/v1/Trunks", data={})).json()["sid"]
            for i in range(3):
                made = await h.post(f"/trunking/v1/Trunks/{trunk}/OriginationUrls", data={
                    "Weight": "1", "Priority": "1", "Enabled": "true", "FriendlyName": f"u{i}", "SipUrl": "sip:a@example.com"})
                assert made.status_code == 201, made.text
            for _ in range(3 * db.loop_connections):
                first = (await h.get(f"/trunking/v1/Trunks/{trunk}/OriginationUrls", params={"PageSize": 1})).json()
                second = await h.get(first["meta"]["next_page_url"])
                assert second.status_code == 200, second.text
            assert db.reader._loop_open == len(db.reader._idle) <= db.loop_connections

        # a write never runs on the loop (a request there may run again on a thread): refused before it starts
        with pytest.raises(NeedsThread):
            await db.on_loop(db.reader.returning, None, {})

    try:
        asyncio.run(scenario())
    finally:
        db.dispose()


@pytest.mark.parametrize("response_cache", [True, False])
def test_after_the_database_dropped_every_connection_the_next_requests_succeed(pg_url: str, response_cache: bool):
    sid, token = prepare(pg_url)
    app = create_app(Settings(db_url=pg_url, response_cache=response_cache))

    async def scenario() -> None:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1", auth=(sid, token)) as h:
            numbers = f"/2010-04-01/Accounts/{sid}/IncomingPhoneNumbers"
            pn = (await h.post(f"{numbers}.json", data={"AreaCode": "415"})).json()["sid"]
            for _ in range(2):  # every kind of connection is held: the stamp's, the loop's, a thread's
                assert (await h.get(f"{numbers}/{pn}.json")).status_code == 200
                assert (await h.get(f"{numbers}.json")).status_code == 200
            assert _terminate_others(pg_url) >= 2

            fetched = await h.get(f"{numbers}/{pn}.json")
            assert fetched.status_code == 200, fetched.text
            assert (await h.get(f"{numbers}.json")).status_code == 200
            renamed = await h.post(f"{numbers}/{pn}.json", data={"FriendlyName": "after the restart"})
            assert renamed.status_code == 200, renamed.text
            assert (await h.get(f"{numbers}/{pn}.json")).json()["friendly_name"] == "after the restart"

    try:
        asyncio.run(scenario())
    finally:
        app.backend.db.dispose()

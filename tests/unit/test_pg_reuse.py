"""Reads reused on PostgreSQL, with SQLite's promise: the change stamp is the database's snapshot,
read once per request (on the event loop), so a GET answered before is answered again with that one round trip while
nothing committed, and a write (by any process, on any host: the snapshot is the database's)
makes the next read compute afresh; credentials likewise."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from numberpool.server.app import create_app
from numberpool.server.cli import prepare
from numberpool.server.settings import Settings
from numberpool.store.db import Database
from numberpool.store.prepared import Reader


@pytest.fixture
def statements(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The SQL of every hot-path read (the Reader runs the snapshot, the account and the fetch)."""
    seen: list[str] = []
    run = Reader._run

    def counting(self, prepared, values, many):
        seen.append(prepared.sql)
        return run(self, prepared, values, many)

    monkeypatch.setattr(Reader, "_run", counting)
    return seen


def test_a_read_is_reused_until_something_commits(pg_url: str, statements: list[str]):
    sid, token = prepare(pg_url)
    app = create_app(Settings(db_url=pg_url))
    reader = app.backend.db.change_watch().reader

    async def scenario() -> None:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1", auth=(sid, token)) as h:
            numbers = f"/2010-04-01/Accounts/{sid}/IncomingPhoneNumbers.json"
            bought = await h.post(numbers, data={"AreaCode": "415", "FriendlyName": "first"})
            assert bought.status_code == 201, bought.text
            pn = bought.json()["sid"]
            first = await h.get(f"{numbers[:-5]}/{pn}.json")
            assert first.status_code == 200
            # The stamp is the cluster's snapshot: a commit in any database of the cluster (other
            # tests' servers) moves it, and the answer is computed afresh. Nothing commits here,
            # so within a few tries a GET is served by the reused answer.
            for _ in range(20):
                statements.clear()
                reads = reader.reads
                again = await h.get(f"{numbers[:-5]}/{pn}.json")
                assert again.content == first.content
                if statements == []:
                    break
            # one round trip, on the event loop: no thread's statement at all
            assert statements == [] and reader.reads == reads + 1, statements

            reads = reader.reads  # requests arriving together share the next read
            together = await asyncio.gather(*(h.get(f"{numbers[:-5]}/{pn}.json") for _ in range(20)))
            assert {r.content for r in together} == {first.content}
            assert reader.reads - reads < 20, reader.reads - reads

            renamed = await h.post(f"{numbers[:-5]}/{pn}.json", data={"FriendlyName": "second"})
            assert renamed.status_code == 200
            statements.clear()
            after = await h.get(f"{numbers[:-5]}/{pn}.json")
            assert after.json()["friendly_name"] == "second"  # the write is seen at once
            assert len(statements) > 1

            # a write by another process (here: another engine on the same database) is seen too
            other = Database(pg_url)
            try:
                with other.write() as conn:
                    conn.exec_driver_sql("UPDATE incoming_phone_numbers SET friendly_name = 'third' WHERE sid = %(sid)s",
                                         {"sid": pn})
            finally:
                other.dispose()
            assert (await h.get(f"{numbers[:-5]}/{pn}.json")).json()["friendly_name"] == "third"

            sub = (await h.post("/2010-04-01/Accounts.json", data={"FriendlyName": "sub"})).json()
            mine = f"/2010-04-01/Accounts/{sub['sid']}.json"
            assert (await h.get(mine, auth=(sub["sid"], sub["auth_token"]))).status_code == 200
            assert (await h.get(mine, auth=(sub["sid"], sub["auth_token"]))).status_code == 200  # cached credentials
            assert (await h.post(mine, data={"Status": "suspended"})).status_code == 200
            refused = await h.get(mine, auth=(sub["sid"], sub["auth_token"]))
            assert refused.status_code == 401 and refused.json()["code"] == 20005  # from the next request on

    try:
        asyncio.run(scenario())
    finally:
        app.backend.db.dispose()

"""Which mock serves a request is a property of the context (contextvars), not of the process: two
async tests running at once in one event loop each see their own mock."""

from __future__ import annotations

import asyncio
import threading

import pytest
from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.rest import Client

import numberpool
from numberpool.testing.mock import _active, mock


@pytest.fixture(autouse=True)
def generated_account(monkeypatch):
    monkeypatch.delenv("TWILIO_ACCOUNT_SID", raising=False)


def test_two_tasks_in_one_loop_each_see_only_their_own_mock():
    """Each task enters its own mock, one after the other (so the second entered last for both), and
    provisions and lists numbers, interleaved with the other task at every await."""

    async def tenant(name: str, other: str, area: str, events: dict[str, asyncio.Event]) -> tuple[set[str], set[str]]:
        if name == "b":
            await events["a"].wait()  # b enters after a: the last entered in the process
        with mock() as m:
            events[name].set()
            await events[other].wait()  # both are active from here on
            http = AsyncTwilioHttpClient()
            try:
                c = Client(m.account_sid, m.auth_token, http_client=http)
                mine = set()
                for _ in range(3):
                    mine.add((await c.incoming_phone_numbers.create_async(area_code=area)).sid)
                    await asyncio.sleep(0)  # the other task runs here
                    # a sync client in the same task (served on the mock's background loop)
                    mine.add(Client(m.account_sid, m.auth_token).incoming_phone_numbers.create(area_code=area).sid)
                    await asyncio.sleep(0)
                listed = {n.sid for n in await c.incoming_phone_numbers.list_async()}
                # a thread of this task that carries its context (asyncio.to_thread) sees the same mock
                in_thread = await asyncio.to_thread(lambda: {n.sid for n in m.client().incoming_phone_numbers.list()})
                assert in_thread == listed
                return mine, listed
            finally:
                await http.close()

    async def main() -> None:
        events = {"a": asyncio.Event(), "b": asyncio.Event()}
        (a_made, a_listed), (b_made, b_listed) = await asyncio.gather(
            tenant("a", "b", "415", events), tenant("b", "a", "212", events))
        assert len(a_made) == len(b_made) == 6
        assert a_listed == a_made and b_listed == b_made and not a_made & b_made

    asyncio.run(main())


def test_decorated_async_tests_run_at_once():
    @numberpool.mock()
    async def one(area: str, ready: asyncio.Barrier) -> set[str]:
        m = _active()
        assert m is not None
        c = m.client()
        await ready.wait()  # both mocks are active now
        made = {c.incoming_phone_numbers.create(area_code=area).sid}
        await asyncio.sleep(0)
        made.add(c.incoming_phone_numbers.create(area_code=area).sid)
        await asyncio.sleep(0)
        assert {n.sid for n in c.incoming_phone_numbers.list()} == made
        return made

    async def main() -> None:
        ready = asyncio.Barrier(2)
        first, second = await asyncio.gather(one("415", ready), one("212", ready))
        assert len(first) == len(second) == 2 and not first & second

    asyncio.run(main())


def test_a_thread_started_inside_a_mock_sees_the_innermost_active_mock():
    """A threading.Thread starts with an empty context: it is served by the innermost mock active in
    the process, never by the network."""
    with mock() as m:
        seen = []
        worker = threading.Thread(target=lambda: seen.append(_active()))
        worker.start()
        worker.join()
        assert seen == [m]
    assert _active() is None


def test_a_mock_stopped_from_another_context_no_longer_serves_there():
    m = mock().__enter__()
    try:
        async def stop_it() -> None:  # a task: a copy of this context
            m.stop()

        asyncio.run(stop_it())
        assert _active() is None  # this context still lists m, stopped: it is skipped
    finally:
        m.stop()

"""The change stamp read on the event loop (store.snapshot.SnapshotReader): a request waits for a
read that started after it arrived, the requests that arrived meanwhile share one read, a failure
reaches every one of them as the database being unavailable and the next read starts afresh, and
no request waits past its bound. The round trip is replaced by one the test releases by hand; the
real one is exercised on PostgreSQL by tests/unit/test_pg_reuse.py and the stall by
tests/e2e/test_pg_event_loop.py."""

from __future__ import annotations

import asyncio

import psycopg
import pytest
from sqlalchemy.engine import make_url

from numberpool.store.deadline import Limits
from numberpool.store.errors import unavailable
from numberpool.store.offload import WaitedTooLong
from numberpool.store.snapshot import SnapshotReader, conninfo


class HandReleased(SnapshotReader):
    """Each round trip waits until the test answers it (a stamp, or an exception to raise); one
    connection, unless the test asks for more."""

    def __init__(self, bound: float | None = 5.0, parallel: int = 1, gap: float = 0.0, far: float = 0.0) -> None:
        super().__init__(make_url("postgresql+psycopg://u:p@127.0.0.1:1/db"), Limits(2.0), bound,
                         parallel=parallel, gap=gap, far=far)
        self.trips: list[asyncio.Future] = []
        self.dropped = 0

    async def _round_trip(self, link) -> bytes:
        trip = asyncio.get_running_loop().create_future()
        self.trips.append(trip)
        answer = await trip
        if isinstance(answer, Exception):
            raise answer
        self.reads += 1
        return answer

    def _drop(self, link) -> None:
        self.dropped += 1
        super()._drop(link)


async def _settled() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


def test_arrivals_during_a_read_share_the_next_one():
    async def scenario() -> None:
        reader = HandReleased()
        first = asyncio.ensure_future(reader.read())
        await _settled()
        assert len(reader.trips) == 1
        later = [asyncio.ensure_future(reader.read()) for _ in range(5)]  # arrive while the first read travels
        await _settled()
        assert len(reader.trips) == 1  # nobody starts a second read while one is under way
        reader.trips[0].set_result(b"s1")
        assert await first == b"s1"
        await _settled()
        assert not any(f.done() for f in later)  # s1 may predate them: they wait for a read that started after
        assert len(reader.trips) == 2
        reader.trips[1].set_result(b"s2")
        assert [await f for f in later] == [b"s2"] * 5
        assert reader.reads == 2  # six requests, two round trips
        # idle again: the next request starts a read of its own
        again = asyncio.ensure_future(reader.read())
        await _settled()
        reader.trips[2].set_result(b"s3")
        assert await again == b"s3"

    asyncio.run(scenario())


def test_far_from_the_database_a_read_starts_beside_one_under_way_close_by_one_at_a_time():
    async def scenario() -> None:
        beside = HandReleased(parallel=2, gap=0.0)  # far away: overlap at once
        first = asyncio.ensure_future(beside.read())
        await _settled()
        second = asyncio.ensure_future(beside.read())
        await _settled()
        assert len(beside.trips) == 2  # the second request did not wait for the first read to end
        third = asyncio.ensure_future(beside.read())
        await _settled()
        assert len(beside.trips) == 2  # both connections busy: it waits for the next free one
        beside.trips[1].set_result(b"s2")
        assert await second == b"s2"
        await _settled()
        assert len(beside.trips) == 3 and not third.done()  # a read that started after it arrived
        beside.trips[0].set_result(b"s1")
        beside.trips[2].set_result(b"s3")
        assert (await first, await third) == (b"s1", b"s3")

        spaced = HandReleased(parallel=2, gap=3600.0)  # far, but the next may start only after the gap
        first = asyncio.ensure_future(spaced.read())
        await _settled()
        second = asyncio.ensure_future(spaced.read())
        await _settled()
        assert len(spaced.trips) == 1  # within the gap: it waits
        spaced.trips[0].set_result(b"s1")
        assert await first == b"s1"
        await _settled()
        assert len(spaced.trips) == 2  # nothing under way any more: no gap to keep, it starts at once
        spaced.trips[1].set_result(b"s2")
        assert await second == b"s2"

        close_by = HandReleased(parallel=2, far=3600.0)  # reads never take as long as that: one at a time
        first = asyncio.ensure_future(close_by.read())
        await _settled()
        later = [asyncio.ensure_future(close_by.read()) for _ in range(3)]
        await _settled()
        assert len(close_by.trips) == 1
        close_by.trips[0].set_result(b"s1")
        assert await first == b"s1"
        await _settled()
        assert len(close_by.trips) == 2  # nothing under way: the waiting batch starts at once
        close_by.trips[1].set_result(b"s2")
        assert [await f for f in later] == [b"s2"] * 3

    asyncio.run(scenario())


def test_a_failed_read_fails_its_waiters_as_unavailable_and_the_next_one_starts_afresh():
    async def scenario() -> None:
        reader = HandReleased()
        waiting = [asyncio.ensure_future(reader.read()) for _ in range(3)]
        await _settled()
        reader.trips[0].set_result(psycopg.OperationalError("server closed the connection unexpectedly"))
        for f in waiting:
            with pytest.raises(Exception) as failed:
                await f
            assert unavailable(failed.value)  # answered 20503 by the HTTP layer
        assert reader.dropped == 1  # the connection is forgotten
        retry = asyncio.ensure_future(reader.read())
        await _settled()
        reader.trips[1].set_result(b"back")
        assert await retry == b"back"

    asyncio.run(scenario())


def test_no_request_waits_past_its_bound():
    async def scenario() -> None:
        reader = HandReleased(bound=0.05)
        with pytest.raises(WaitedTooLong):
            await reader.read()  # the round trip never answers
        # a request arriving now waits for the read after the stuck one: bounded too
        with pytest.raises(WaitedTooLong):
            await reader.read()
        reader.trips[0].set_result(b"late")
        await _settled()
        assert len(reader.trips) == 2  # the stuck read ended; the waiting one began
        reader.trips[1].set_result(b"unwaited")  # its waiter gave up: nobody is served it
        await _settled()
        final = asyncio.ensure_future(reader.read())
        await _settled()
        assert len(reader.trips) == 3  # a new arrival starts a read of its own
        reader.trips[2].set_result(b"fresh")
        assert await final == b"fresh"

    asyncio.run(scenario())


def test_its_connection_string_keeps_the_url_without_the_driver():
    url = make_url("postgresql+psycopg://user:pa%40ss@db.example:5433/np?sslmode=require")
    assert conninfo(url) == "postgresql://user:pa%40ss@db.example:5433/np?sslmode=require"
    assert psycopg.conninfo.conninfo_to_dict(conninfo(url))["password"] == "pa@ss"

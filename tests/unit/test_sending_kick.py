"""The sending work's kick (domain.messages.Sending.kick) from a request thread: on PostgreSQL a
create runs to its end on a request thread (router.database_only), where no event loop runs; its
kick must still wake the poller on the server's loop, at once, not at the poller's next look."""

from __future__ import annotations

import asyncio
import threading

from numberpool.domain.backend import Backend
from numberpool.server import cli
from numberpool.store.db import Database


def test_a_kick_from_a_thread_without_a_loop_runs_on_the_loop_of_the_latest_kick(tmp_path):
    url = f"sqlite:///{tmp_path / 'kick.db'}"
    cli.prepare(url)
    db = Database(url)
    sending = Backend.open(db).sending

    async def main() -> list[int]:
        sending.kick()  # on the loop (the server kicks at start-up): the poller starts
        ran_on: list[int] = []
        kick_on = sending._kick_on

        def recording(loop: asyncio.AbstractEventLoop) -> None:
            ran_on.append(threading.get_ident())
            kick_on(loop)

        sending._kick_on = recording  # type: ignore[method-assign]
        await asyncio.to_thread(sending.kick)  # a request thread: no loop running there
        await asyncio.sleep(0)
        await sending.close()
        return ran_on

    try:
        assert asyncio.run(main()) == [threading.get_ident()]  # once, on the loop's thread
    finally:
        db.dispose()


def test_a_kick_from_a_thread_before_any_loop_kicked_is_a_no_op(tmp_path):
    url = f"sqlite:///{tmp_path / 'kick.db'}"
    cli.prepare(url)
    db = Database(url)
    sending = Backend.open(db).sending
    try:
        thread = threading.Thread(target=sending.kick)
        thread.start()
        thread.join()
        assert sending._loop is None and not sending._poller  # nothing started, nothing raised
    finally:
        db.dispose()

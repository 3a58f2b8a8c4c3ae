"""Reused GET answers: the commit detector and the cache built on it."""

from __future__ import annotations

import asyncio
import base64
import sqlite3
import subprocess
import sys

import orjson
import pytest

from numberpool.http.app import create_app
from numberpool.http.cache import ResponseCache
from numberpool.http.request import Response
from numberpool.server import cli
from numberpool.store.changes import ChangeWatch


@pytest.fixture
def wal_file(tmp_path):
    path = str(tmp_path / "watch.db")
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("CREATE TABLE t (x INTEGER)")
    yield path, conn
    conn.close()


def test_stamp_holds_while_nothing_commits_and_moves_on_every_commit(wal_file):
    path, conn = wal_file
    watch = ChangeWatch(path)
    try:
        seen = {watch.stamp()}
        conn.execute("SELECT * FROM t").fetchall()
        assert watch.stamp() in seen  # reads change nothing
        for i in range(50):
            conn.execute("INSERT INTO t VALUES (?)", (i,))
            stamp = watch.stamp()
            assert stamp is not None and stamp not in seen
            seen.add(stamp)
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the WAL restarts: salts change, counts start over
        for i in range(50):
            conn.execute("INSERT INTO t VALUES (?)", (i,))
            stamp = watch.stamp()
            assert stamp not in seen
            seen.add(stamp)
    finally:
        watch.close()


def test_commit_by_another_process_moves_the_stamp(wal_file):
    path, _ = wal_file
    watch = ChangeWatch(path)
    try:
        before = watch.stamp()
        code = f"import sqlite3; c = sqlite3.connect({path!r}); c.execute('INSERT INTO t VALUES (1)'); c.commit()"
        subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
        assert watch.stamp() not in (None, before)
    finally:
        watch.close()


def test_watch_leaves_sqlite_holding_its_locks(wal_file):
    """SQLite marks "this file is in use" with a shared POSIX lock on byte 128 of the -shm file
    (the DMS lock, see SQLite's WAL file format). Closing any descriptor of that file would drop
    it for the whole process, and another process could then reset the WAL index under us."""
    path, conn = wal_file
    conn.execute("SELECT * FROM t").fetchall()  # this process uses the WAL index
    watch = ChangeWatch(path)
    try:
        probe = ("import fcntl, os, sys\nfd = os.open(sys.argv[1], os.O_RDWR)\n"
                 "fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, 128)")
        done = subprocess.run([sys.executable, "-c", probe, path + "-shm"], capture_output=True, timeout=60, check=False)
        assert done.returncode != 0, "another process could lock the DMS byte: this process lost its lock"
        assert b"Resource temporarily unavailable" in done.stderr or b"Permission denied" in done.stderr
    finally:
        watch.close()


def test_no_watch_without_a_file():
    assert ChangeWatch.for_url_database(None) is None
    assert ChangeWatch.for_url_database(":memory:") is None


class FakeWatch:
    def __init__(self) -> None:
        self.value: bytes | None = b"1"

    def stamp(self) -> bytes | None:
        return self.value


def test_cache_keeps_ok_answers_until_the_stamp_moves():
    watch = FakeWatch()
    cache = ResponseCache(watch, max_bytes=100, max_body=60)  # type: ignore[arg-type]
    key = ("/a", b"", b"auth", b"host", "http")
    stamp = cache.current()
    cache.put(stamp, key, Response(200, b"x" * 10))
    cache.put(stamp, ("/missing", b"", b"", b"", "http"), Response(404, b"nope"))
    cache.put(stamp, ("/big", b"", b"", b"", "http"), Response(200, b"x" * 61))
    assert cache.current() == b"1" and cache.get(key).body == b"x" * 10 and len(cache) == 1
    watch.value = b"2"
    assert cache.current() == b"2" and cache.get(key) is None
    cache.put(b"1", key, Response(200, b"old"))  # computed before the change: not kept
    assert cache.get(key) is None
    watch.value = None  # a commit being published: nothing is served or kept
    assert cache.current() is None
    cache.put(None, key, Response(200, b"x"))  # type: ignore[arg-type]
    assert len(cache) == 0


def test_cache_is_bounded_in_bytes():
    cache = ResponseCache(FakeWatch(), max_bytes=100, max_body=60)  # type: ignore[arg-type]
    stamp = cache.current()
    for i in range(10):
        cache.put(stamp, (f"/{i}", b"", b"", b"", "http"), Response(200, b"x" * 40))
        assert cache._bytes <= 100
    assert 1 <= len(cache) <= 2


def _call(app, method: str, path: str, auth: bytes, body: bytes = b"") -> tuple[int, bytes]:
    sent: list[dict] = []

    async def receive():
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message):
        sent.append(message)

    headers = [(b"host", b"127.0.0.1"), (b"authorization", auth)]
    if body:
        headers += [(b"content-type", b"application/x-www-form-urlencoded"), (b"content-length", str(len(body)).encode())]
    scope = {"type": "http", "method": method, "path": path, "query_string": b"", "scheme": "http", "headers": headers}
    asyncio.run(app(scope, receive, send))
    return sent[0]["status"], sent[1]["body"]


def _get(app, path: str, auth: bytes) -> tuple[int, bytes]:
    return _call(app, "GET", path, auth)


def test_app_reuses_answers_and_sees_writes_by_any_connection(tmp_path, monkeypatch):
    sid, token = "AC" + "1" * 32, "t" * 32
    monkeypatch.setenv("TWILIO_ACCOUNT_SID", sid)
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", token)
    url = f"sqlite:///{tmp_path}/app.db"
    cli.prepare(url)
    app = create_app(url)
    assert app.cache is not None
    auth = b"Basic " + base64.b64encode(f"{sid}:{token}".encode())
    try:
        numbers = f"/2010-04-01/Accounts/{sid}/IncomingPhoneNumbers"
        status, created = _call(app, "POST", numbers + ".json", auth, b"AreaCode=415")
        assert status == 201
        path = f"{numbers}/{orjson.loads(created)['sid']}.json"
        status, first = _get(app, path, auth)
        assert status == 200 and len(app.cache) == 1
        assert _get(app, path, auth) == (200, first)
        # A writer that is not this server: the sqlite3 module on the same file.
        with sqlite3.connect(f"{tmp_path}/app.db") as other:
            other.execute("UPDATE incoming_phone_numbers SET friendly_name = 'renamed elsewhere'")
        status, after = _get(app, path, auth)
        assert status == 200 and orjson.loads(after)["friendly_name"] == "renamed elsewhere"
        assert orjson.loads(first)["friendly_name"] != "renamed elsewhere"
        # Wrong credentials are never answered from the cache.
        bad = b"Basic " + base64.b64encode(f"{sid}:{'x' * 32}".encode())
        assert _get(app, path, bad)[0] == 401
    finally:
        app.backend.db.dispose()


def test_app_without_cache_when_disabled(tmp_path, monkeypatch):
    monkeypatch.setenv("TWILIO_ACCOUNT_SID", "AC" + "2" * 32)
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", "t" * 32)
    url = f"sqlite:///{tmp_path}/off.db"
    cli.prepare(url)
    app = create_app(url, response_cache=False)
    try:
        assert app.cache is None
    finally:
        app.backend.db.dispose()

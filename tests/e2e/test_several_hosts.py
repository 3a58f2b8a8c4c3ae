"""Several hosts on one PostgreSQL database, as docs/databases.md ("Several hosts") deploys them:
the migration step run once, then two servers, each with ``--workers 2``, its own port and its
own working directory (nothing shared but the database), and the foundation scenario through the
official SDK against both in turn. PostgreSQL only: that is what several hosts need."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import psycopg
import pytest
from twilio.base.exceptions import TwilioRestException

import numberpool
from tests.conftest import free_port, fresh_database, require_postgres, stop_server

LOG = "serve.log"


def health(base_url: str) -> httpx.Response:
    return httpx.get(f"{base_url}/numberpool/health", timeout=5)


@contextmanager
def host(db_url: str, env: dict[str, str], workdir: Path) -> Iterator[str]:
    """``numberpool serve --workers 2`` run from ``workdir`` as if on a host of its own; its base
    URL once its health check answers 200. Its output goes to a file there (a pipe nobody reads
    would fill)."""
    port = free_port()
    with (workdir / LOG).open("w") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "numberpool", "serve", "--host", "127.0.0.1", "--port", str(port),
             "--db", db_url, "--workers", "2", "--no-access-log"],
            cwd=workdir, env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT, text=True,
            start_new_session=True,  # its own process group: stopping it stops its workers too
        )
        base_url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                assert proc.poll() is None, f"server exited early:\n{(workdir / LOG).read_text()}"
                try:
                    if health(base_url).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert time.monotonic() < deadline, f"no healthy server within 60 s:\n{(workdir / LOG).read_text()}"
                time.sleep(0.05)
            yield base_url
        finally:
            stop_server(proc)


def schema_revision(db_url: str) -> str:
    with psycopg.connect(db_url) as conn:
        return conn.execute("SELECT version_num FROM alembic_version").fetchone()[0]


def test_two_hosts_on_one_database_take_turns_at_the_foundation_scenario(tmp_path_factory: pytest.TempPathFactory):
    require_postgres()
    sid, token = "AC" + secrets.token_hex(16), secrets.token_hex(16)
    env = {"TWILIO_ACCOUNT_SID": sid, "TWILIO_AUTH_TOKEN": token}
    dir_a, dir_b = tmp_path_factory.mktemp("host-a"), tmp_path_factory.mktemp("host-b")
    with fresh_database("postgres", tmp_path_factory) as db_url:
        # the migration step, once, before any server
        migrated = subprocess.run([sys.executable, "-m", "numberpool", "db", "upgrade", "--db", db_url],
                                  check=False, cwd=tmp_path_factory.mktemp("deploy"), capture_output=True, text=True, timeout=120)
        assert migrated.returncode == 0, migrated.stderr
        head = schema_revision(db_url)
        assert migrated.stdout == f"schema: empty -> {head}\n"

        with host(db_url, env, dir_a) as url_a, host(db_url, env, dir_b) as url_b:
            assert url_a != url_b
            for url in (url_a, url_b):
                r = health(url)
                assert r.status_code == 200 and r.json()["status"] == "ok" and r.json()["database"] == "postgresql", r.text
            a, b = numberpool.client(url_a, sid, token), numberpool.client(url_b, sid, token)

            # search on A, buy on B; the number is no longer offered on A
            offered = [n.phone_number for n in a.available_phone_numbers("US").local.list(area_code=415, limit=5)]
            assert len(offered) == 5 and all(n.startswith("+1415") for n in offered), offered
            bought = b.incoming_phone_numbers.create(phone_number=offered[0])
            assert (bought.phone_number, bought.account_sid) == (offered[0], sid) and bought.sid.startswith("PN")
            now_offered = [n.phone_number for n in a.available_phone_numbers("US").local.list(area_code=415, limit=5)]
            assert offered[0] not in now_offered and len(now_offered) == 5, now_offered

            # fetch on A, list with filters on B
            fetched = a.incoming_phone_numbers(bought.sid).fetch()
            assert (fetched.sid, fetched.phone_number, fetched.account_sid) == (bought.sid, offered[0], sid)
            assert [n.sid for n in b.incoming_phone_numbers.list(phone_number=offered[0])] == [bought.sid]
            assert b.incoming_phone_numbers.list(friendly_name="front desk") == []
            assert b.incoming_phone_numbers(bought.sid).fetch().friendly_name != "front desk"  # B has read it before

            # update on A, the update read on B
            updated = a.incoming_phone_numbers(bought.sid).update(friendly_name="front desk", sms_url="https://example.test/sms")
            assert (updated.friendly_name, updated.sms_url) == ("front desk", "https://example.test/sms")
            seen = b.incoming_phone_numbers(bought.sid).fetch()
            assert (seen.friendly_name, seen.sms_url) == ("front desk", "https://example.test/sms")
            assert [n.sid for n in b.incoming_phone_numbers.list(friendly_name="front desk")] == [bought.sid]

            # a Messaging Service created on B, the number added to it on A
            service = b.messaging.v1.services.create(friendly_name="alerts")
            assert service.sid.startswith("MG")
            assert b.messaging.v1.services(service.sid).phone_numbers.list() == []
            added = a.messaging.v1.services(service.sid).phone_numbers.create(phone_number_sid=bought.sid)
            assert (added.sid, added.phone_number, added.service_sid) == (bought.sid, offered[0], service.sid)
            assert [m.sid for m in b.messaging.v1.services(service.sid).phone_numbers.list()] == [bought.sid]

            # 21712 on B: a second service cannot take the number
            other = b.messaging.v1.services.create(friendly_name="other")
            with pytest.raises(TwilioRestException) as refused:
                b.messaging.v1.services(other.sid).phone_numbers.create(phone_number_sid=bought.sid)
            assert (refused.value.status, refused.value.code) == (409, 21712)
            assert a.messaging.v1.services(other.sid).phone_numbers.list() == []

            # release on A: gone from the service and the list on B, offered again there
            assert a.incoming_phone_numbers(bought.sid).delete() is True
            assert b.messaging.v1.services(service.sid).phone_numbers.list() == []
            assert b.incoming_phone_numbers.list(phone_number=offered[0]) == []
            with pytest.raises(TwilioRestException) as gone:
                b.incoming_phone_numbers(bought.sid).fetch()
            assert (gone.value.status, gone.value.code) == (404, 20404)
            assert [n.phone_number for n in b.available_phone_numbers("US").local.list(area_code=415, limit=5)] == offered

            for url in (url_a, url_b):
                assert health(url).status_code == 200
        assert schema_revision(db_url) == head  # the servers found the schema migrated

    for workdir in (dir_a, dir_b):  # each host kept nothing but its log: the database is all they share
        assert sorted(p.name for p in workdir.iterdir()) == [LOG]
        assert f"TWILIO_ACCOUNT_SID={sid}" in (workdir / LOG).read_text()

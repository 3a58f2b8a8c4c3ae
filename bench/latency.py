"""Throughput with the database a little far away: a server on PostgreSQL reached through a relay
that delays every chunk it forwards by ``delay`` (1 ms each way), against the same server and
database with no relay, for fetch and list with 8 and 64 connections (wrk, loopback, bounded).

A server that waited for the database on its event loop would serve one round trip at a time per
worker; one that waits off the loop (store.offload) serves as many as it has threads, so with 64
connections it keeps a large share of its no-latency throughput.

    python bench/latency.py relay --port P --target 127.0.0.1:5432 --delay-ms 1   # the relay alone
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import os
import secrets
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx
from sqlalchemy.engine import make_url

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import measure
import servers

TARGET = 0.5  # with 64 connections and 1 ms each way, at least half the no-latency throughput


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, delay: float) -> None:
    """Forward what arrives, each chunk ``delay`` after it arrived, in order."""
    queue: asyncio.Queue[tuple[float, bytes]] = asyncio.Queue()

    async def send() -> None:
        loop = asyncio.get_running_loop()
        while True:
            due, chunk = await queue.get()
            if not chunk:
                break
            wait = due - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            writer.write(chunk)
            await writer.drain()
        writer.close()

    sender = asyncio.create_task(send())
    loop = asyncio.get_running_loop()
    try:
        while chunk := await reader.read(65536):
            queue.put_nowait((loop.time() + delay, chunk))
    finally:
        queue.put_nowait((0.0, b""))
        await sender


async def _relay(port: int, host: str, target_port: int, delay: float) -> None:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(host, target_port)
        except OSError:
            writer.close()
            return
        await asyncio.gather(_pipe(reader, up_writer, delay), _pipe(up_reader, writer, delay), return_exceptions=True)

    server = await asyncio.start_server(handle, "127.0.0.1", port)
    async with server:
        await server.serve_forever()


def relay_process(target_host: str, target_port: int, delay_ms: float) -> tuple[subprocess.Popen, int]:
    port = servers.free_port()
    proc = subprocess.Popen([sys.executable, __file__, "relay", "--port", str(port), "--target",
                             f"{target_host}:{target_port}", "--delay-ms", str(delay_ms)])
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            with __import__("socket").create_connection(("127.0.0.1", port), timeout=0.2):
                return proc, port
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError("the relay did not start")


def measure_latency(pg_url: str, *, window: float, rounds: int, delay_ms: float = 1.0) -> dict:
    """Requests per second of fetch and list at 8 and 64 connections, near and far (the relay)."""
    sys.path.insert(0, str(HERE.parent))
    from tests.pgadmin import create_database, drop_database

    name = "npbench_lat_" + secrets.token_hex(4)
    create_database(pg_url, name)
    db_url = make_url(pg_url).set(database=name)
    relay, relay_port = relay_process(db_url.host or "127.0.0.1", db_url.port or 5432, delay_ms)
    far_url = db_url.set(host="127.0.0.1", port=relay_port).render_as_string(hide_password=False)
    near_url = db_url.render_as_string(hide_password=False)
    sid, token = "AC" + secrets.token_hex(16), secrets.token_hex(16)
    env = {"TWILIO_ACCOUNT_SID": sid, "TWILIO_AUTH_TOKEN": token}
    near, near_base = servers.numberpool(near_url, env)
    far, far_base = servers.numberpool(far_url, env)
    try:
        with httpx.Client(base_url=near_base, auth=(sid, token), timeout=30) as c:
            numbers = f"/2010-04-01/Accounts/{sid}/IncomingPhoneNumbers.json"
            pn = c.post(numbers, data={"AreaCode": "415"}).json()["sid"]
            for _ in range(20):
                c.post(numbers, data={"AreaCode": "212"}).raise_for_status()
        paths = {"fetch": f"/2010-04-01/Accounts/{sid}/IncomingPhoneNumbers/{pn}.json", "list": f"{numbers}?PageSize=20"}
        auth = {"Authorization": "Basic " + base64.b64encode(f"{sid}:{token}".encode()).decode()}
        samples: dict[str, list[float]] = {}
        for _ in range(rounds):
            for op, path in paths.items():
                for conns in (8, 64):
                    for where, (proc, base) in (("near", (near, near_base)), ("far", (far, far_base))):
                        w = measure.wrk_window(proc.pid, base + path, seconds=window, connections=conns, headers=auth)
                        samples.setdefault(f"{op} {conns} {where}", []).append(w.rps)
        out = {}
        for op in paths:
            for conns in (8, 64):
                near_rps = statistics.median(samples[f"{op} {conns} near"])
                far_rps = statistics.median(samples[f"{op} {conns} far"])
                out[f"{op}, {conns} connections"] = {"near_rps": near_rps, "far_rps": far_rps, "far_over_near": far_rps / near_rps}
        return {"delay_ms_each_way": delay_ms, "rows": out, "target_64": TARGET}
    finally:
        servers.stop(near)
        servers.stop(far)
        relay.kill()
        relay.wait()
        drop_database(pg_url, name)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    r = sub.add_parser("relay")
    r.add_argument("--port", type=int, required=True)
    r.add_argument("--target", required=True)
    r.add_argument("--delay-ms", type=float, default=1.0)
    m = sub.add_parser("measure")
    m.add_argument("--window", type=float, default=2.0)
    m.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if args.command == "relay":
        host, _, port = args.target.rpartition(":")
        asyncio.run(_relay(args.port, host, int(port), args.delay_ms / 1000))
        return 0
    pg = os.environ.get("NUMBERPOOL_BENCH_POSTGRES_URL") or os.environ["NUMBERPOOL_TEST_POSTGRES_URL"]
    result = measure_latency(pg, window=args.window, rounds=args.rounds)
    for name, row in result["rows"].items():
        print(f"{name}: {row['near_rps']:.0f} req/s near, {row['far_rps']:.0f} far ({row['far_over_near']:.2f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())

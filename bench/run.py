"""numberpool's benchmark: server CPU per request against a bare ASGI app, and a million numbers.

    python bench/run.py            # the full run (make bench)
    python bench/run.py --quick    # a smoke run (make bench-quick)

The primary figure is server CPU time per request (user+system of the server's whole process
tree around each load window), in interleaved rounds (bare app, then each numberpool operation),
reported as the median over rounds of ``bare CPU per request / numberpool CPU per request``.
Requests per second are reported beside it. Load comes from wrk, on loopback, bounded in time.
Results: bench/results/latest.json, latest.md and ratios.png.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import latency
import measure
import messages_scale
import mock_vs_moto
import receiver_app
import report
import servers
import startup
from ops import Operations

OPS = ("fetch", "list", "provision", "messaging add/remove", "proxy fetch")
# Sending messages (2010-04-01 Messages.json), no status callback: with a From of the account's, and
# through a Messaging Service of 400 numbers with sticky sender on. numberpool answers a create,
# then delivers the message in the background (its status changes); each window ends with a Settle
# (POST /numberpool/v1/Settle) before its CPU is read, so that work is counted in the window.
MSG_FROM = "messages.create (From)"
MSG_SERVICE = "messages.create (Service of 400, sticky)"
MESSAGES = (MSG_FROM, MSG_SERVICE)
CREATE_TARGET = 1.0  # a create with From and no status callback: CPU per request / provision's, at most
# Placing a call (2010-04-01 Calls.json) with From of the account's, its Url on the webhook receiver
# (bench/receiver_app.py's /call: <Response><Say>hi</Say></Response>), no status callback. numberpool
# answers queued, then takes the call through ringing, in-progress (fetches the Url, runs the Say) and
# completed in the background: the window ends with a Settle, as the messages rows' do, so every call
# of the window has completed when the CPU is read. Reported against the inbound message row where
# both are measured (SQLite): inbound message CPU per event / call CPU per call.
CALL = "call (one-verb TwiML)"
SETTLED = (*MESSAGES, CALL)  # rows whose windows end with a Settle
# The same reads on a second server process with the response cache off (every request runs
# the query and renders), so the table shows what a read costs when it misses.
UNCACHED = ("fetch, cache off", "list, cache off")
# SQLite: the floor of any write on this stack (bench/bare_write_app.py), and of buying a number
# never seen before (bench/bare_provision_app.py: the same, plus phonenumbers), beside provision.
FLOOR = "floor: bare POST + 1 SQLite INSERT"
FLOOR_PN = "floor: bare POST + phonenumbers + 1 SQLite INSERT"
FLOOR_PN_RSGI = "the same floor on granian's RSGI interface"
# SQLite: an inbound message (numberpool calls the number's SmsUrl and answers once the webhook has
# answered), and its floor (bench/bare_inbound_app.py: a bare POST making one outbound POST), both
# calling the trivial webhook receiver (bench/receiver_app.py), a process of its own.
INBOUND = "inbound message"
FLOOR_HOOK = "floor: bare POST + 1 outbound POST (httpx)"
INBOUND_TARGET = 2.0  # inbound message CPU per event / its floor's, at most
# PostgreSQL: the floor of any read (bench/bare_pg_read_app.py: a bare GET making the one query
# numberpool reads as its change stamp, one round trip through psycopg), and of buying a number
# (bench/bare_provision_app.py with BARE_PG_URL: phonenumbers and one INSERT through psycopg).
FLOOR_PG_READ = "floor: bare GET + 1 PostgreSQL query (psycopg)"
FLOOR_PN_PG = "floor: bare POST + phonenumbers + 1 PostgreSQL INSERT"
BUYERS = (FLOOR_PN, FLOOR_PN_RSGI, FLOOR_PN_PG)  # the floors that buy numbers by PhoneNumber, as provision
# Rows also reported against a floor or another row (its CPU per request / the row's), and the
# least such ratio asked of a row, if any.
AGAINST_FLOOR = {
    "sqlite": {CALL: INBOUND},
    "postgres": {"fetch": FLOOR_PG_READ, "list": FLOOR_PG_READ, "fetch, cache off": FLOOR_PG_READ,
                 "list, cache off": FLOOR_PG_READ, "provision": FLOOR_PN_PG},
}
FLOOR_TARGETS = {"postgres": {"provision": 0.8}}
POST_LUA = """
wrk.method = "POST"
wrk.body = "PhoneNumber=%2B14155550123&FriendlyName=floor"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
"""
NO_CACHE = {"NUMBERPOOL_RESPONSE_CACHE": "0"}
CONNECTIONS = 8


def ensure_wrk() -> None:
    if shutil.which("wrk"):
        return
    print("bench: installing wrk from Debian's packages", flush=True)
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    subprocess.run([*sudo, "apt-get", "install", "-y", "-q", "wrk"], check=True, stdout=subprocess.DEVNULL,
                   env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})


def fresh_db(kind: str, workdir: Path) -> str:
    if kind == "sqlite":
        return f"sqlite:///{workdir / 'bench.db'}"
    from sqlalchemy.engine import make_url

    sys.path.insert(0, str(HERE.parent))
    from tests.pgadmin import create_database

    admin = os.environ["NUMBERPOOL_BENCH_POSTGRES_URL"]
    name = "npbench_" + secrets.token_hex(4)
    create_database(admin, name)
    return make_url(admin).set(database=name).render_as_string(hide_password=False)


def drop_db(kind: str, url: str) -> None:
    if kind == "postgres":
        from sqlalchemy.engine import make_url

        sys.path.insert(0, str(HERE.parent))
        from tests.pgadmin import drop_database

        drop_database(os.environ["NUMBERPOOL_BENCH_POSTGRES_URL"], make_url(url).database)


def rounds(kind: str, args: argparse.Namespace, workdir: Path) -> dict:
    sid, token = "AC" + secrets.token_hex(16), secrets.token_hex(16)
    env = {"TWILIO_ACCOUNT_SID": sid, "TWILIO_AUTH_TOKEN": token}
    auth = {"Authorization": "Basic " + base64.b64encode(f"{sid}:{token}".encode()).decode()}
    db_url = fresh_db(kind, workdir)
    proc, base = servers.numberpool(db_url, env, "--messaging-pool-limit", "1000000")
    bare_proc, bare_base = servers.bare()
    cold = servers.numberpool(db_url, {**env, **NO_CACHE})
    receiver = servers.receiver()  # the call row's Url; on SQLite also the inbound rows' webhook
    call_url = receiver[1].rsplit("/", 1)[0] + receiver_app.CALL_PATH
    hook = receiver if kind == "sqlite" else None
    hook_url = hook[1] if hook else ""
    if hook:
        floors = {
            FLOOR: servers.bare("bare_write_app", {"BARE_WRITE_DB": str(workdir / "floor.db")}),
            FLOOR_PN: servers.bare("bare_provision_app", {"BARE_WRITE_DB": str(workdir / "floor_pn.db")}),
            FLOOR_PN_RSGI: servers.bare("bare_provision_app", {"BARE_WRITE_DB": str(workdir / "floor_rsgi.db")}, rsgi=True),
            FLOOR_HOOK: servers.bare("bare_inbound_app", {"BARE_INBOUND_WEBHOOK": hook_url}),
        }
    elif kind == "postgres":  # the floor apps work in the same throw-away database (their own table)
        pg_env = {"BARE_PG_URL": _libpq_url(db_url)}
        floors = {FLOOR_PG_READ: servers.bare("bare_pg_read_app", pg_env),
                  FLOOR_PN_PG: servers.bare("bare_provision_app", pg_env)}
    else:
        floors = {}
    buyers = 1 + sum(name in BUYERS for name in floors)  # loads that buy numbers by PhoneNumber
    ops_names = OPS + MESSAGES + (CALL,) + (UNCACHED if cold else ()) + ((INBOUND,) if hook else ()) + tuple(floors)
    if args.op:  # a check of some rows only (and the bare app, every ratio's baseline)
        unknown = set(args.op) - set(ops_names)
        if unknown:
            raise SystemExit(f"bench: no row {', '.join(sorted(unknown))} on {kind}; rows: {', '.join(ops_names)}")
        ops_names = tuple(name for name in ops_names if name in args.op)
    per_window = int(args.window * 4000)
    try:
        # Numbers to buy: each provision window, and each window of a phonenumbers floor, takes
        # numbers no window has used, so all of them classify numbers they have never seen.
        ops = Operations(base, sid, token, workdir, per_window * args.rounds * buyers)
        samples: dict[str, list[dict]] = {op: [] for op in ("bare", *ops_names)}
        servers_measured = [proc, *(floor_proc for floor_proc, _ in floors.values())]
        if any(receiver[0].pid in measure.tree(server.pid) for server in servers_measured):
            raise RuntimeError("the webhook receiver is in a measured process tree")
        if hook:
            inbound = ops.inbound(hook_url)  # buys the numbers and warms numberpool's webhook client up
            ops.warm_inbound(inbound.url.replace(base, floors[FLOOR_HOOK][1], 1))  # and the floor's
        for r in range(args.rounds):
            loads = {
                "bare": (bare_proc.pid, bare_base + "/", None),
                "fetch": (proc.pid, ops.fetch.url, None),
                "list": (proc.pid, ops.list.url, None),
                "provision": (proc.pid, *_load(ops.provision(per_window))),
                "messaging add/remove": (proc.pid, *_load(ops.messaging())),
                "proxy fetch": (proc.pid, ops.proxy_fetch.url, None),
            }
            if MSG_FROM in samples:  # (made on the first round, when measured)
                loads[MSG_FROM] = (proc.pid, *_load(ops.message_from()))
            if MSG_SERVICE in samples:
                loads[MSG_SERVICE] = (proc.pid, *_load(ops.message_service()))
            if CALL in samples:  # (made on the first round, after the 415 numbers of the rows above)
                loads[CALL] = (proc.pid, *_load(ops.call(call_url)))
            if cold:
                cold_proc, cold_base = cold
                loads["fetch, cache off"] = (cold_proc.pid, ops.fetch.url.replace(base, cold_base, 1), None)
                loads["list, cache off"] = (cold_proc.pid, ops.list.url.replace(base, cold_base, 1), None)
            if hook:
                loads[INBOUND] = (proc.pid, *_load(ops.inbound(hook_url)))
            for i, (name, (floor_proc, floor_base)) in enumerate(floors.items()):
                if name == FLOOR:
                    loads[name] = (floor_proc.pid, floor_base + "/", POST_LUA)
                elif name == FLOOR_PG_READ:  # the very request of the fetch row, to the floor app
                    loads[name] = (floor_proc.pid, ops.fetch.url.replace(base, floor_base, 1), None)
                elif name == FLOOR_HOOK:  # the very requests of the inbound row, to the floor app
                    url, lua = _load(ops.inbound(hook_url))
                    loads[name] = (floor_proc.pid, url.replace(base, floor_base, 1), lua)
                else:
                    url, lua = _load(ops.provision(per_window, f"floor-{i}"))
                    loads[name] = (floor_proc.pid, url.replace(base, floor_base, 1), lua)
            for name, (pid, url, lua) in loads.items():
                if name not in samples:
                    continue
                w = measure.wrk_window(pid, url, seconds=args.window, connections=CONNECTIONS, headers=auth, lua=lua,
                                       after=ops.settle if name in SETTLED else None)
                samples[name].append({"requests": w.requests, "seconds": w.seconds, "cpu": w.cpu,
                                      "cpu_us": w.cpu_per_request_us, "rps": w.rps, "errors": w.non_2xx})
            print(f"bench[{kind}]: round {r + 1}/{args.rounds} done", flush=True)
        if CALL in samples and (unfinished := ops.calls_not_completed()):
            raise RuntimeError(f"bench: the call row's calls did not all complete: some are {', '.join(unfinished)}")
        summary = {}
        for name in ("bare", *ops_names):
            ratios = [b["cpu_us"] / s["cpu_us"] for b, s in zip(samples["bare"], samples[name], strict=True)]
            summary[name] = {
                "ratio_median": statistics.median(ratios), "ratios": ratios,
                "cpu_us_median": statistics.median(s["cpu_us"] for s in samples[name]),
                "rps_median": statistics.median(s["rps"] for s in samples[name]),
                "errors": sum(s["errors"] for s in samples[name]),
            }
        out = {"summary": summary, "samples": samples}
        if INBOUND in samples and FLOOR_HOOK in samples:
            out["inbound_vs_floor"] = _over(samples[INBOUND], samples[FLOOR_HOOK], INBOUND_TARGET)
        if MSG_FROM in samples and "provision" in samples:
            out["create_vs_provision"] = _over(samples[MSG_FROM], samples["provision"], CREATE_TARGET)
        against = {op: floor for op, floor in AGAINST_FLOOR.get(kind, {}).items() if op in samples and floor in samples}
        if against:
            out["vs_floor"] = {op: {"floor": floor, **_under(samples[op], samples[floor], FLOOR_TARGETS.get(kind, {}).get(op))}
                               for op, floor in against.items()}
        return out
    finally:
        servers.stop(bare_proc)
        servers.stop(proc)
        if cold:
            servers.stop(cold[0])
        for floor_proc, _ in floors.values():
            servers.stop(floor_proc)
        servers.stop(receiver[0])
        drop_db(kind, db_url)


def _over(op: list[dict], floor: list[dict], target: float) -> dict:
    """Per round, ``op``'s CPU per request / ``floor``'s: median and quartiles, and the target (at most)."""
    ratios = [o["cpu_us"] / f["cpu_us"] for o, f in zip(op, floor, strict=True)]
    q = statistics.quantiles(ratios, n=4) if len(ratios) > 1 else ratios * 3
    median = statistics.median(ratios)
    return {"ratio_median": median, "quartiles": [q[0], q[2]], "ratios": ratios,
            "target": target, "met": median <= target}


def _under(op: list[dict], floor: list[dict], target: float | None) -> dict:
    """Per round, ``floor``'s CPU per request / ``op``'s (1.0: as cheap as its floor): median and
    quartiles, and the target (at least), if any."""
    ratios = [f["cpu_us"] / o["cpu_us"] for o, f in zip(op, floor, strict=True)]
    q = statistics.quantiles(ratios, n=4) if len(ratios) > 1 else ratios * 3
    median = statistics.median(ratios)
    return {"ratio_median": median, "quartiles": [q[0], q[2]], "ratios": ratios,
            "target": target, "met": None if target is None else median >= target}


def _libpq_url(db_url: str) -> str:
    """A SQLAlchemy PostgreSQL URL (any driver) as psycopg takes it."""
    from sqlalchemy.engine import make_url

    return make_url(db_url).set(drivername="postgresql").render_as_string(hide_password=False)


def _load(load) -> tuple[str, str | None]:
    return load.url, load.lua


def scale(kind: str, args: argparse.Namespace, workdir: Path) -> dict:
    """One account with ``args.scale`` numbers: filters, deep paging, memory; then as many messages."""
    sid, token = "AC" + secrets.token_hex(16), secrets.token_hex(16)
    env = {"TWILIO_ACCOUNT_SID": sid, "TWILIO_AUTH_TOKEN": token}
    db_url = fresh_db(kind, workdir)
    proc, base = servers.numberpool(db_url, {**env, **NO_CACHE})  # every latency below is a query, never a reuse
    try:
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "numberpool", "bulk-load", "--db", db_url, "--account", sid,
                        "--count", str(args.scale), "--tag-every", "1000"], check=True, env={**os.environ, **env})
        load_seconds = time.perf_counter() - started
        acc = f"{base}/2010-04-01/Accounts/{sid}/IncomingPhoneNumbers.json"
        with httpx.Client(auth=(sid, token), timeout=120) as c:
            reps = 5 if args.quick else 30
            wildcard = measure.latency_ms(c, f"{acc}?PhoneNumber=*555*&PageSize=50", reps)
            friendly = measure.latency_ms(c, f"{acc}?FriendlyName=bulk-7&PageSize=50", reps)
            first = f"{acc}?PageSize=50"
            url, hops = first, 0
            hop_started = time.perf_counter()
            while hops < args.hops:
                body = c.get(url).json()
                url = base + body["next_page_uri"]
                hops += 1
            hop_seconds = time.perf_counter() - hop_started
            deep_page = c.get(url).json()["page"]
            page1, deep = [], []
            for _ in range(reps):  # interleaved, so both see the same machine
                page1 += measure.latency_ms(c, first, 1)
                deep += measure.latency_ms(c, url, 1)
        rss = measure.peak_rss_mb(proc.pid)  # before the messages below: the figure for the numbers alone
        # The same count of messages, and a sticky map of that many recipients (bench/messages_scale.py).
        messages = messages_scale.measure_messages(base, sid, token, db_url, args.scale, reps)
        return {
            "numbers": args.scale, "bulk_load_seconds": load_seconds, "messages": messages,
            "wildcard_ms_median": statistics.median(wildcard), "friendly_name_ms_median": statistics.median(friendly),
            "hops": hops, "hop_seconds": hop_seconds, "deep_page": deep_page,
            "page1_ms_median": statistics.median(page1), "deep_page_ms_median": statistics.median(deep),
            "deep_over_first": statistics.median(deep) / statistics.median(page1),
            "peak_rss_mb_max_process": max(rss.values()), "peak_rss_mb_tree": sum(rss.values()),
        }
    finally:
        servers.stop(proc)
        drop_db(kind, db_url)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="a smoke run: 2 short rounds, 20,000 numbers")
    parser.add_argument("--rounds", type=int, default=None)
    parser.add_argument("--window", type=float, default=None, help="seconds of load per operation per round")
    parser.add_argument("--scale", type=int, default=None, help="numbers in the scale account")
    parser.add_argument("--hops", type=int, default=None, help="next_page_uri hops to the deep page")
    parser.add_argument("--out", type=Path, default=HERE / "results")
    parser.add_argument("--op", action="append", metavar="ROW",
                        help="measure this row of the rounds only, beside the bare app (repeatable): a check")
    parser.add_argument("--only-rounds", action="store_true",
                        help="the interleaved rounds only (no scale, latency, in-process or start-up sections): a check")
    args = parser.parse_args()
    args.rounds = args.rounds or (2 if args.quick else 5)
    args.window = args.window or (1.0 if args.quick else 5.0)
    args.scale = args.scale or (20_000 if args.quick else 1_000_000)
    args.hops = args.hops or (100 if args.quick else 10_000)
    ensure_wrk()
    kinds = ["sqlite"]
    pg = os.environ.get("NUMBERPOOL_BENCH_POSTGRES_URL") or os.environ.get("NUMBERPOOL_TEST_POSTGRES_URL")
    if pg:
        os.environ["NUMBERPOOL_BENCH_POSTGRES_URL"] = pg
        kinds.append("postgres")
    else:
        print("bench: no NUMBERPOOL_BENCH_POSTGRES_URL, measuring SQLite only", flush=True)
    results = {"when": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()), "quick": args.quick,
               "settings": {"rounds": args.rounds, "window_s": args.window, "connections": CONNECTIONS,
                            "scale": args.scale, "hops": args.hops, "cores": os.cpu_count()},
               "databases": {}}
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="npbench-") as tmp:
        for kind in kinds:
            workdir = Path(tmp) / kind
            workdir.mkdir()
            results["databases"][kind] = {"rounds": rounds(kind, args, workdir)}
            if args.only_rounds:
                _write(results, args.out)
                continue
            results["databases"][kind]["scale"] = scale(kind, args, workdir)
            if kind == "postgres":
                print("bench: postgres throughput with 1 ms added to the database each way", flush=True)
                results["databases"][kind]["latency"] = latency.measure_latency(
                    os.environ["NUMBERPOOL_BENCH_POSTGRES_URL"], window=args.window, rounds=min(args.rounds, 3))
            _write(results, args.out)  # after each database: a later failure loses nothing measured
    if not args.only_rounds:
        print("bench: in-process figures (numberpool.mock() and moto's mock_aws())", flush=True)
        rounds_, fresh, fetches = (3, 10, 200) if args.quick else (7, 30, 2000)
        results["inprocess"] = mock_vs_moto.measure(rounds_, fresh, fetches)
        print("bench: start-up (numberpool serve, moto_server, a bare granian app)", flush=True)
        results["startup"] = startup.measure(3 if args.quick else 10)
        _write(results, args.out)
    print(report.markdown(results))
    return 0


def _write(results: dict, out: Path) -> None:
    (out / "latest.json").write_text(json.dumps(results, indent=2))
    (out / "latest.md").write_text(report.markdown(results))
    report.chart(results, out / "ratios.png")


if __name__ == "__main__":
    sys.exit(main())

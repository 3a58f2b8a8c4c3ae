"""numberpool at scale on PostgreSQL: one account with ten million numbers (make bench-scale).

    python bench/scale.py                  # 10,000,000 numbers (make bench-scale)
    python bench/scale.py --count 200000   # a smaller run

PostgreSQL only, from NUMBERPOOL_BENCH_POSTGRES_URL (else NUMBERPOOL_TEST_POSTGRES_URL): a URL whose
role may create databases. On a new database of its own, dropped at the end, it starts
``numberpool serve`` with the response cache off (every latency is a query, never a reuse), then
bulk-loads the numbers with ``numberpool bulk-load`` (COPY on PostgreSQL), timed end to end, and
measures as bench/run.py's ``scale()`` does: a ``PhoneNumber=*555*`` page and a ``FriendlyName``
page (medians), page 1 against the page a client reaches after following ``next_page_uri`` from
page 1 ``--hops`` times (interleaved), and the server's peak RSS.
Results: bench/results/scale.json and scale.md, with the targets of issue 20.
"""

from __future__ import annotations

import argparse
import json
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
sys.path.insert(0, str(HERE.parent))  # tests.pgadmin

import measure
import servers
from report import SCALE_TARGETS
from tests.pgadmin import create_database, drop_database

LOAD_TARGET = 50_000  # numbers per second, bulk-load end to end
TAG_EVERY = 1000  # every 1000th number is named bulk-<k>, as in bench/run.py
NO_CACHE = {"NUMBERPOOL_RESPONSE_CACHE": "0"}
TARGETS = (
    ("load_numbers_per_second", "bulk-load, numbers per second (COPY)", lambda v: v >= LOAD_TARGET, f">= {LOAD_TARGET:,}"),
    *SCALE_TARGETS,
)


def _postgres_version(db_url: str) -> str:
    import psycopg

    with psycopg.connect(db_url) as conn:
        row = conn.execute("SHOW server_version").fetchone()
    return row[0] if row else "?"


def run(admin_url: str, args: argparse.Namespace) -> dict:
    sid, token = "AC" + secrets.token_hex(16), secrets.token_hex(16)
    env = {"TWILIO_ACCOUNT_SID": sid, "TWILIO_AUTH_TOKEN": token}
    name = "npscale_" + secrets.token_hex(4)
    create_database(admin_url, name)
    db_url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    try:
        proc, base = servers.numberpool(db_url, {**env, **NO_CACHE})
        try:
            print(f"bench-scale: bulk-loading {args.count:,} numbers", flush=True)
            started = time.perf_counter()
            subprocess.run([sys.executable, "-m", "numberpool", "bulk-load", "--db", db_url, "--account", sid,
                            "--count", str(args.count), "--tag-every", str(TAG_EVERY)],
                           check=True, env={**os.environ, **env})
            load_seconds = time.perf_counter() - started
            acc = f"{base}/2010-04-01/Accounts/{sid}/IncomingPhoneNumbers.json"
            with httpx.Client(auth=(sid, token), timeout=120) as c:
                print("bench-scale: filters", flush=True)
                wildcard_url = f"{acc}?PhoneNumber=*555*&PageSize=50"
                wildcard_body = c.get(wildcard_url).json()
                assert wildcard_body["incoming_phone_numbers"], "no number matched *555*"
                assert all("555" in n["phone_number"] for n in wildcard_body["incoming_phone_numbers"])
                wildcard = measure.latency_ms(c, wildcard_url, args.reps)
                friendly = measure.latency_ms(c, f"{acc}?FriendlyName=bulk-7&PageSize=50", args.reps)
                print(f"bench-scale: {args.hops:,} next_page_uri hops", flush=True)
                first = f"{acc}?PageSize=50"
                url, hops = first, 0
                hop_started = time.perf_counter()
                while hops < args.hops:
                    body = c.get(url).json()
                    url = base + body["next_page_uri"]
                    hops += 1
                hop_seconds = time.perf_counter() - hop_started
                deep_body = c.get(url).json()
                deep_page = deep_body["page"]
                assert len(deep_body["incoming_phone_numbers"]) == 50
                page1, deep = [], []
                for _ in range(args.reps):  # interleaved, so both see the same machine
                    page1 += measure.latency_ms(c, first, 1)
                    deep += measure.latency_ms(c, url, 1)
            rss = measure.peak_rss_mb(proc.pid)
        finally:
            servers.stop(proc)
        return {
            "numbers": args.count, "postgres": _postgres_version(db_url), "cores": os.cpu_count(),
            "bulk_load_seconds": load_seconds, "load_numbers_per_second": args.count / load_seconds,
            "wildcard_ms_median": statistics.median(wildcard), "wildcard_ms_p90": _p90(wildcard),
            "friendly_name_ms_median": statistics.median(friendly),
            "hops": hops, "hop_seconds": hop_seconds, "deep_page": deep_page, "deep_page_uri": url[len(base):],
            "page1_ms_median": statistics.median(page1), "deep_page_ms_median": statistics.median(deep),
            "deep_over_first": statistics.median(deep) / statistics.median(page1),
            "peak_rss_mb_max_process": max(rss.values()), "peak_rss_mb_tree": sum(rss.values()),
            "reps": args.reps,
        }
    finally:
        drop_database(admin_url, name)


def _p90(values: list[float]) -> float:
    return statistics.quantiles(values, n=10)[-1] if len(values) > 1 else values[0]


def markdown(r: dict) -> str:
    lines = [
        f"# numberpool at scale ({r['when']})",
        "",
        (f"One account with {r['numbers']:,} numbers on PostgreSQL {r['postgres']} ({r['cores']} cores), "
         f"bulk-loaded by `numberpool bulk-load` (COPY) in {r['bulk_load_seconds']:.0f} s; the server with the "
         f"response cache off. `make bench-scale` (bench/scale.py)."),
        "",
        "| measure | value | target |",
        "|---|---|---|",
    ]
    for key, label, ok, target in TARGETS:
        lines.append(f"| {label} | {r[key]:,.2f} | {target} ({'met' if ok(r[key]) else '**missed**'}) |")
    lines += [
        f"| `PhoneNumber=*555*` page, 90th percentile ms | {r['wildcard_ms_p90']:.2f} | |",
        f"| `FriendlyName` filter page, median ms | {r['friendly_name_ms_median']:.2f} | |",
        f"| page 1 / page {r['deep_page']:,} latency, median ms | {r['page1_ms_median']:.2f} / {r['deep_page_ms_median']:.2f} | |",
        f"| {r['hops']:,} `next_page_uri` hops took | {r['hop_seconds']:.1f} s | |",
        f"| largest single process peak RSS, MB | {r['peak_rss_mb_max_process']:.0f} | |",
        "",
        f"Medians of {r['reps']} requests each, one at a time, over loopback; page 1 and the deep page interleaved.",
        "",
    ]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=10_000_000, help="numbers to load (default 10,000,000)")
    parser.add_argument("--hops", type=int, default=10_000, help="next_page_uri hops to the deep page (default 10,000)")
    parser.add_argument("--reps", type=int, default=30, help="requests per latency median (default 30)")
    parser.add_argument("--out", type=Path, default=HERE / "results")
    args = parser.parse_args()
    if args.count < 50 * (args.hops + 1):
        parser.error(f"--count {args.count} is too few for {args.hops} hops of 50 and a full page after them")
    admin_url = os.environ.get("NUMBERPOOL_BENCH_POSTGRES_URL") or os.environ.get("NUMBERPOOL_TEST_POSTGRES_URL")
    if not admin_url:
        print("bench-scale: PostgreSQL only; set NUMBERPOOL_BENCH_POSTGRES_URL (or NUMBERPOOL_TEST_POSTGRES_URL) to a "
              "URL whose role may create databases, e.g. postgresql://user:password@127.0.0.1:5432/postgres",
              file=sys.stderr)
        return 2
    results = {"when": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()), **run(admin_url, args)}
    results["targets"] = {key: {"target": target, "met": bool(ok(results[key]))} for key, _, ok, target in TARGETS}
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "scale.json").write_text(json.dumps(results, indent=2) + "\n")
    text = markdown(results)
    (args.out / "scale.md").write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""In-process figures: numberpool.mock() beside moto's mock_aws(), measured in the same run.

    python bench/mock_vs_moto.py [--quick]

Two figures each, CPU time (time.process_time) per operation, median of many repetitions
(interleaved in rounds, so both see the same machine): a fresh mock (enter and exit), and one
in-process fetch through the SDK (numberpool: an IncomingPhoneNumber with twilio-python; moto: an
S3 bucket's HeadBucket with boto3). The mock answers a repeated GET from the response cache while
its database is unchanged, as the server does; a third row runs the same fetch with the cache off.
Nothing here opens a socket.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable
from typing import Any

for name in ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN"):
    os.environ.pop(name, None)
# moto and boto3 need credentials and a region to sign requests; fake ones, never sent anywhere.
os.environ.update({"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1"})

TARGETS = {"fresh mock, ms": 20.0, "fetch, µs": 150.0}


def _cpu_each(fn: Callable[[], Any], times: int) -> float:
    start = time.process_time()
    for _ in range(times):
        fn()
    return (time.process_time() - start) / times


def numberpool_figures(fresh: int, fetches: int) -> tuple[float, float, float]:
    import numberpool

    def enter_exit() -> None:
        with numberpool.mock():
            pass

    fresh_s = _cpu_each(enter_exit, fresh)
    with numberpool.mock() as m:
        c = m.client()
        sid = c.incoming_phone_numbers.create(area_code="415").sid
        ctx = c.incoming_phone_numbers(sid)
        _cpu_each(ctx.fetch, 50)
        fetch_s = _cpu_each(ctx.fetch, fetches)
        assert m.app is not None
        m.app.cache = None  # the same fetch run through routing, the query and the renderer every time
        uncached_s = _cpu_each(ctx.fetch, fetches)
    return fresh_s, fetch_s, uncached_s


def moto_figures(fresh: int, fetches: int) -> tuple[float, float]:
    import boto3
    from moto import mock_aws

    def enter_exit() -> None:
        with mock_aws():
            pass

    fresh_s = _cpu_each(enter_exit, fresh)
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="bench")
        _cpu_each(lambda: s3.head_bucket(Bucket="bench"), 50)
        fetch_s = _cpu_each(lambda: s3.head_bucket(Bucket="bench"), fetches)
    return fresh_s, fetch_s


def measure(rounds: int, fresh: int, fetches: int) -> dict[str, Any]:
    numberpool_figures(3, 50)  # first use: imports, the template database, boto3's service models
    moto_figures(3, 50)
    samples: dict[str, list[float]] = {k: [] for k in ("np_fresh", "np_fetch", "np_uncached", "moto_fresh", "moto_fetch")}
    for _ in range(rounds):
        f, g, u = numberpool_figures(fresh, fetches)
        samples["np_fresh"].append(f * 1e3)
        samples["np_fetch"].append(g * 1e6)
        samples["np_uncached"].append(u * 1e6)
        f, g = moto_figures(fresh, fetches)
        samples["moto_fresh"].append(f * 1e3)
        samples["moto_fetch"].append(g * 1e6)
    med = {k: statistics.median(v) for k, v in samples.items()}
    return {
        "rows": [
            {"measure": "fresh mock, ms", "numberpool": med["np_fresh"], "moto": med["moto_fresh"],
             "target": f"< {TARGETS['fresh mock, ms']:g} ms and <= moto",
             "met": med["np_fresh"] < TARGETS["fresh mock, ms"] and med["np_fresh"] <= med["moto_fresh"]},
            {"measure": "fetch through the SDK, µs", "numberpool": med["np_fetch"], "moto": med["moto_fetch"],
             "target": f"< {TARGETS['fetch, µs']:g} µs", "met": med["np_fetch"] < TARGETS["fetch, µs"]},
            {"measure": "the same fetch, response cache off, µs", "numberpool": med["np_uncached"],
             "moto": med["moto_fetch"], "target": "", "met": None},
        ],
        "samples": samples,
        "rounds": rounds,
    }


def markdown(result: dict[str, Any]) -> str:
    lines = ["| in-process, CPU per operation (median) | numberpool.mock() | moto mock_aws() | target |",
             "|---|---|---|---|"]
    for row in result["rows"]:
        verdict = "" if row["met"] is None else f"{row['target']} ({'met' if row['met'] else '**missed**'})"
        lines.append(f"| {row['measure']} | {row['numberpool']:.2f} | {row['moto']:.2f} | {verdict} |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    rounds, fresh, fetches = (3, 10, 200) if args.quick else (7, 30, 2000)
    result = measure(rounds, fresh, fetches)
    print(markdown(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

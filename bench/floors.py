"""Provisioning against its floors, in more and shorter rounds than `make bench` gives it.

    python bench/floors.py --rounds 10 --window 2

Interleaves the bare app, numberpool's provision by PhoneNumber, and the bare app that asks
phonenumbers about a never-seen number and inserts one SQLite row (bench/bare_provision_app.py)
on granian's ASGI and RSGI interfaces; prints each one's CPU per request per round and the
median and quartiles of the per-round ratios. Each window buys numbers no window used before.
"""

from __future__ import annotations

import argparse
import base64
import secrets
import statistics
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import measure
import servers
from ops import Operations


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--window", type=float, default=2.0)
    args = parser.parse_args()
    sid, token = "AC" + secrets.token_hex(16), secrets.token_hex(16)
    env = {"TWILIO_ACCOUNT_SID": sid, "TWILIO_AUTH_TOKEN": token}
    auth = {"Authorization": "Basic " + base64.b64encode(f"{sid}:{token}".encode()).decode()}
    per_window = int(args.window * 5000)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        numberpool = servers.numberpool(f"sqlite:///{work / 'numberpool.db'}", env)
        bare = servers.bare()
        asgi = servers.bare("bare_provision_app", {"BARE_WRITE_DB": str(work / "asgi.db")})
        rsgi = servers.bare("bare_provision_app", {"BARE_WRITE_DB": str(work / "rsgi.db")}, rsgi=True)
        targets = {"provision": numberpool, "floor, ASGI": asgi, "floor, RSGI": rsgi}
        cpu: dict[str, list[float]] = {"bare": [], **{name: [] for name in targets}}
        try:
            ops = Operations(numberpool[1], sid, token, work, per_window * len(targets) * args.rounds)
            for r in range(args.rounds):
                w = measure.wrk_window(bare[0].pid, bare[1] + "/", seconds=args.window, connections=8, headers={})
                cpu["bare"].append(w.cpu_per_request_us)
                for name, (proc, base) in targets.items():
                    load = ops.provision(per_window, f"floors-{len(cpu[name])}")
                    w = measure.wrk_window(proc.pid, load.url.replace(numberpool[1], base, 1), seconds=args.window,
                                           connections=8, headers=auth, lua=load.lua)
                    if w.non_2xx:
                        raise RuntimeError(f"{name}: {w.non_2xx} failed requests")
                    cpu[name].append(w.cpu_per_request_us)
                print(f"round {r + 1}/{args.rounds} done", flush=True)
        finally:
            for proc, _ in (numberpool, bare, asgi, rsgi):
                servers.stop(proc)
    for name, values in cpu.items():
        ratios = sorted(b / v for b, v in zip(cpu["bare"], values, strict=True))
        q = statistics.quantiles(ratios, n=4) if len(ratios) > 1 else ratios * 3
        print(f"{name:12s} ratio median {statistics.median(ratios):.3f} (quartiles {q[0]:.3f}-{q[2]:.3f}); "
              f"CPU µs/request {[round(v) for v in values]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

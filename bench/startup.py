"""Start-up: from launching a server to its first answered authenticated request.

    python bench/startup.py [--starts 10]

Interleaves ``--starts`` starts each of numberpool serve (an existing SQLite database, the main
account from the environment), moto_server (its first authenticated S3 ListBuckets), a bare
granian app (numberpool's own server settings: bench/bare_app.py), and the same app started after
``import sqlalchemy``, the floor of any server that uses SQLAlchemy. Each start is timed from the
launch to the first 200 answer to a request polled every 5 ms (a refused connection is retried),
wall-clock; median and quartiles. Every server starts from Python's bytecode caches, as an
installed one does: the first, untimed start of each writes them (see ``_environ``).
"""

from __future__ import annotations

import argparse
import base64
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import servers

TARGET_S = 0.4


def _environ(extra: dict[str, str]) -> dict[str, str]:
    """The started server's environment: this one with ``extra``, and with Python's bytecode caches
    written and read. A server as installed has them (an installer compiles a package's modules); a
    machine that sets PYTHONDONTWRITEBYTECODE (as this one and many container images do) would
    otherwise make every start of an editable install compile numberpool's source anew, about 0.1 s
    that no installed server pays, while moto and SQLAlchemy, installed, start from their bytecode."""
    environ = {**os.environ, **extra}
    environ.pop("PYTHONDONTWRITEBYTECODE", None)
    return environ


def _time_start(argv: list[str], env: dict[str, str], probe: Callable[[httpx.Client, str], bool], port: int) -> float:
    base = f"http://127.0.0.1:{port}"
    started = time.perf_counter()
    proc = subprocess.Popen(argv, env=_environ(env), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    try:
        with httpx.Client(timeout=2, trust_env=False) as h:
            while time.perf_counter() - started < 30:
                try:
                    if probe(h, base):
                        return time.perf_counter() - started
                except httpx.TransportError:
                    pass
                if proc.poll() is not None:
                    raise RuntimeError(f"{argv[:3]} exited with {proc.returncode}")
                time.sleep(0.005)
        raise RuntimeError(f"{argv[:3]} did not answer within 30 s")
    finally:
        servers.stop(proc)


def measure(starts: int) -> dict[str, dict[str, float]]:
    sid, token = "AC" + secrets.token_hex(16), secrets.token_hex(16)
    auth = {"Authorization": "Basic " + base64.b64encode(f"{sid}:{token}".encode()).decode()}
    env = {"TWILIO_ACCOUNT_SID": sid, "TWILIO_AUTH_TOKEN": token}
    with tempfile.TemporaryDirectory() as tmp:
        db = f"sqlite:///{Path(tmp) / 'numberpool.db'}"
        subprocess.run([sys.executable, "-m", "numberpool", "db", "upgrade", "--db", db], env={**os.environ, **env},
                       check=True, capture_output=True)

        def numberpool_start() -> float:
            port = servers.free_port()
            return _time_start(
                [sys.executable, "-m", "numberpool", "serve", "--port", str(port), "--db", db, "--no-access-log"],
                env, lambda h, base: h.get(f"{base}/2010-04-01/Accounts/{sid}.json", headers=auth).status_code == 200,
                port)

        def moto_start() -> float:
            port = servers.free_port()
            moto = str(Path(sys.executable).with_name("moto_server"))
            aws = {"Authorization": "AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/s3/aws4_request, "
                                    "SignedHeaders=host, Signature=0"}
            return _time_start([moto, "-H", "127.0.0.1", "-p", str(port)], {},
                               lambda h, base: h.get(f"{base}/", headers=aws).status_code == 200, port)

        def bare_start(first: str = "") -> float:
            port = servers.free_port()
            # granian itself, as numberpool.server.cli.run_granian sets it up, without importing numberpool
            code = (first + "from granian import Granian; from granian.constants import Interfaces; "
                    f"Granian('bare_app:app', address='127.0.0.1', port={port}, interface=Interfaces.ASGI, workers=1, "
                    "log_access=False, workers_kill_timeout=5).serve()")
            return _time_start([sys.executable, "-c", code],
                               {"PYTHONPATH": os.pathsep.join(filter(None, [str(HERE), os.environ.get("PYTHONPATH")]))},
                               lambda h, base: h.get(f"{base}/").status_code == 200, port)

        kinds = {"numberpool serve": numberpool_start, "moto_server": moto_start, "bare granian app": bare_start,
                 # the floor of any server that reads its database with SQLAlchemy, as the standards ask
                 "bare granian app after import sqlalchemy": lambda: bare_start("import sqlalchemy; ")}
        for start in kinds.values():  # once each first: the OS's file cache, Python's bytecode caches
            start()
        times: dict[str, list[float]] = {name: [] for name in kinds}
        for _ in range(starts):
            for name, start in kinds.items():
                times[name].append(start())
    out = {}
    for name, values in times.items():
        q = statistics.quantiles(values, n=4)
        out[name] = {"median_s": statistics.median(values), "q1_s": q[0], "q3_s": q[2]}
    return out


def markdown(result: dict[str, dict[str, float]]) -> str:
    np_s, moto_s = result["numberpool serve"]["median_s"], result["moto_server"]["median_s"]
    met = np_s < TARGET_S and np_s <= moto_s
    lines = ["| start-up to the first answered request | median s | quartiles s |", "|---|---|---|"]
    for name, r in result.items():
        lines.append(f"| {name} | {r['median_s']:.3f} | {r['q1_s']:.3f}-{r['q3_s']:.3f} |")
    lines.append(f"\nTarget: numberpool serve under {TARGET_S} s and no later than moto_server: "
                 f"{'met' if met else '**missed**'}.")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--starts", type=int, default=10)
    args = parser.parse_args()
    print(markdown(measure(args.starts)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

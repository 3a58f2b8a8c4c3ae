"""A/B of two checkouts of numberpool, measured in one session, in interleaved rounds.

    git worktree add /tmp/ab-a <commit A> && git worktree add /tmp/ab-b <commit B>
    PYTHONPATH=/tmp/ab-b/src:/tmp/ab-b python bench/ab.py --a /tmp/ab-a --b /tmp/ab-b \\
        --rounds 5 --window 2 --out bench/results/ab.md

Each checkout is selected by PYTHONPATH=<tree>/src:<tree> (checked: numberpool.__file__ lies in
the tree) and started with its own command (``python -m numberpool serve``, or ``python -m
numberpool.cli serve`` for a tree without numberpool/__main__.py). Both trees run the same rows
as `make bench` (bench/run.py), on SQLite and, with NUMBERPOOL_BENCH_POSTGRES_URL or
NUMBERPOOL_TEST_POSTGRES_URL, on PostgreSQL (a fresh database per server); each server has its
own database, its own data (bench/ops.py) and buys the same numbers in the same order. A round
is: per database the bare app's window, then each row for A and for B (which goes first
alternates by row and round); then the start-up of each tree's server (bench/startup.py: launch
to the first answered authenticated request, on a migrated SQLite file of its own) and each
tree's numberpool.mock() figures (bench/mock_vs_moto.py: CPU of a fresh mock, of a fetch through
the SDK, and of that fetch with the cache off), each in a process of its own.

Reported per row: A's and B's median and quartiles over rounds (for server rows, the ratio
bare CPU per request / server CPU per request, higher is better; otherwise CPU or seconds,
lower is better), and the per-round B/A ratio of the cost (CPU per request, CPU, seconds),
median and quartiles. A row is worse beyond the spread when B/A's median is above 1 and A's and
B's interquartile ranges do not overlap. Load goes to 127.0.0.1 only, bounded by the windows.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import measure
import servers
import startup
from ops import Load, Operations

CONNECTIONS = 8
NO_CACHE = {"NUMBERPOOL_RESPONSE_CACHE": "0"}
SERVER_ROWS = ("fetch", "list", "provision", "messaging add/remove", "proxy fetch")
SQLITE_ROWS = (*SERVER_ROWS, "fetch, cache off", "list, cache off", "inbound message")
MOCK_ROWS = ("numberpool.mock(): fresh mock, CPU ms", "numberpool.mock(): fetch through the SDK, CPU µs",
             "numberpool.mock(): the same fetch, cache off, CPU µs")
START_ROW = "start-up to the first answered request, s"


@dataclass
class Tree:
    label: str
    path: Path
    module: str  # what follows python -m to get the numberpool command
    env: dict[str, str] = field(default_factory=dict)


def tree(label: str, path: Path) -> Tree:
    path = path.resolve()
    module = "numberpool" if (path / "src/numberpool/__main__.py").exists() else "numberpool.cli"
    t = Tree(label, path, module, {"PYTHONPATH": f"{path / 'src'}{os.pathsep}{path}"})
    found = subprocess.run([sys.executable, "-c", "import numberpool; print(numberpool.__file__)"],
                           env={**os.environ, **t.env}, capture_output=True, text=True, check=True).stdout.strip()
    if not Path(found).resolve().is_relative_to(path):
        raise RuntimeError(f"{label}: numberpool is imported from {found}, not from {path}")
    sha = subprocess.run(["git", "-C", str(path), "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                         check=False).stdout.strip()
    t.label = f"{label} ({sha})" if sha else label
    return t


def serve(t: Tree, db_url: str, env: dict[str, str], log: Path, *extra: str) -> tuple[subprocess.Popen, str]:
    port = servers.free_port()
    with log.open("ab") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", t.module, "serve", "--port", str(port), "--db", db_url, "--no-access-log", *extra],
            env={**os.environ, **env, **t.env}, stdout=out, stderr=out, start_new_session=True)
    try:
        servers._wait(proc, port)
    except RuntimeError as exc:
        raise RuntimeError(f"{t.label}: {exc}; see {log}: {log.read_text()[-2000:]}") from None
    return proc, f"http://127.0.0.1:{port}"


def quartiles(values: list[float]) -> tuple[float, float, float]:
    q = statistics.quantiles(values, n=4) if len(values) > 1 else values * 3
    return q[0], statistics.median(values), q[2]


class Block:
    """One database: per tree a server (and on SQLite a second one with the cache off) and its data."""

    def __init__(self, kind: str, trees: list[Tree], work: Path, admin_url: str | None, supply: list[str],
                 per_window: int, hook_url: str | None) -> None:
        self.kind, self.trees, self.per_window = kind, trees, per_window
        self.sid, token = "AC" + secrets.token_hex(16), secrets.token_hex(16)
        env = {"TWILIO_ACCOUNT_SID": self.sid, "TWILIO_AUTH_TOKEN": token}
        self.auth = {"Authorization": "Basic " + base64.b64encode(f"{self.sid}:{token}".encode()).decode()}
        self.admin_url, self.databases, self.procs = admin_url, [], []
        self.rows = SQLITE_ROWS if kind == "sqlite" else SERVER_ROWS
        self.hook_url = hook_url
        self.main: dict[str, tuple[subprocess.Popen, str]] = {}
        self.cold: dict[str, tuple[subprocess.Popen, str]] = {}
        self.ops: dict[str, Operations] = {}
        try:
            self._start(env, token, work, supply)
        except BaseException:
            self.close()
            raise

    def _start(self, env: dict[str, str], token: str, work: Path, supply: list[str]) -> None:
        kind, hook_url = self.kind, self.hook_url
        for i, t in enumerate(self.trees):
            wd = work / f"{kind}-{i}"
            wd.mkdir()
            db_url = self._fresh_db(wd)
            self.main[t.label] = serve(t, db_url, env, wd / "server.log", "--messaging-pool-limit", "1000000")
            self.procs.append(self.main[t.label][0])
            if kind == "sqlite":
                self.cold[t.label] = serve(t, db_url, {**env, **NO_CACHE}, wd / "cold.log")
                self.procs.append(self.cold[t.label][0])
            ops = Operations(self.main[t.label][1], self.sid, token, wd, 0)
            ops.supply = list(supply)  # every tree buys the same numbers in the same order
            if hook_url:
                ops.inbound(hook_url)  # buys the numbers and warms the webhook client up
            self.ops[t.label] = ops

    def _fresh_db(self, wd: Path) -> str:
        if self.kind == "sqlite":
            return f"sqlite:///{wd / 'bench.db'}"
        from sqlalchemy.engine import make_url

        sys.path.insert(0, str(HERE.parent))
        from tests.pgadmin import create_database

        assert self.admin_url
        name = "npab_" + secrets.token_hex(4)
        create_database(self.admin_url, name)
        self.databases.append(name)
        return make_url(self.admin_url).set(database=name).render_as_string(hide_password=False)

    def load(self, row: str, label: str) -> tuple[int, str, str | None]:
        ops, (proc, base) = self.ops[label], self.main[label]
        loads: dict[str, Callable[[], Load]] = {
            "fetch": lambda: ops.fetch, "list": lambda: ops.list, "proxy fetch": lambda: ops.proxy_fetch,
            "provision": lambda: ops.provision(self.per_window), "messaging add/remove": ops.messaging,
            "inbound message": lambda: ops.inbound(self.hook_url or ""),
        }
        if row in loads:
            got = loads[row]()
            return proc.pid, got.url, got.lua
        cold_proc, cold_base = self.cold[label]
        url = (ops.fetch if row == "fetch, cache off" else ops.list).url.replace(base, cold_base, 1)
        return cold_proc.pid, url, None

    def close(self) -> None:
        for proc in self.procs:
            servers.stop(proc)
        for name in self.databases:
            from tests.pgadmin import drop_database

            assert self.admin_url
            drop_database(self.admin_url, name)


def mock_figures(t: Tree, fresh: int, fetches: int) -> list[float]:
    """bench/mock_vs_moto.py's numberpool figures in a process of ``t``'s own: ms, µs, µs."""
    code = (f"import json, sys; sys.path.insert(0, {str(HERE)!r}); import mock_vs_moto as m; "
            f"m.numberpool_figures(3, 50); f, g, u = m.numberpool_figures({fresh}, {fetches}); "
            "print(json.dumps([f * 1e3, g * 1e6, u * 1e6]))")
    done = subprocess.run([sys.executable, "-c", code], env={**os.environ, **t.env}, capture_output=True, text=True,
                          timeout=300, check=False)
    if done.returncode:
        raise RuntimeError(f"{t.label}: numberpool.mock() figures failed: {done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


class Starts:
    """Start-up of each tree's server on a migrated SQLite file of its own (bench/startup.py's probe)."""

    def __init__(self, trees: list[Tree], work: Path) -> None:
        self.sid, token = "AC" + secrets.token_hex(16), secrets.token_hex(16)
        self.env = {"TWILIO_ACCOUNT_SID": self.sid, "TWILIO_AUTH_TOKEN": token}
        self.auth = {"Authorization": "Basic " + base64.b64encode(f"{self.sid}:{token}".encode()).decode()}
        self.dbs = {}
        for i, t in enumerate(trees):
            db = f"sqlite:///{work / f'start-{i}.db'}"
            subprocess.run([sys.executable, "-m", t.module, "db", "upgrade", "--db", db],
                           env={**os.environ, **self.env, **t.env}, check=True, capture_output=True)
            self.dbs[t.label] = db
            self.start(t)  # once first: the OS's file cache, Python's bytecode caches, the main account

    def start(self, t: Tree) -> float:
        port = servers.free_port()
        url = f"/2010-04-01/Accounts/{self.sid}.json"
        return startup._time_start(
            [sys.executable, "-m", t.module, "serve", "--port", str(port), "--db", self.dbs[t.label], "--no-access-log"],
            {**self.env, **t.env}, lambda h, base: h.get(base + url, headers=self.auth).status_code == 200, port)


def summarise(a: list[float], b: list[float], a_cost: list[float], b_cost: list[float], higher_better: bool) -> dict:
    """``a``/``b``: the figure shown (a ratio to bare, or a cost); ``*_cost``: what B/A compares per round."""
    qa, qb = quartiles(a), quartiles(b)
    ba = quartiles([y / x for x, y in zip(a_cost, b_cost, strict=True)])
    if higher_better:
        apart_worse, apart_better = qb[2] < qa[0], qb[0] > qa[2]
    else:
        apart_worse, apart_better = qb[0] > qa[2], qb[2] < qa[0]
    verdict = ("**worse beyond the spread**" if ba[1] > 1 and apart_worse
               else "better beyond the spread" if ba[1] < 1 and apart_better else "within the spread")
    return {"a": qa, "b": qb, "b_over_a": ba, "a_values": a, "b_values": b, "a_cost": a_cost, "b_cost": b_cost,
            "verdict": verdict, "worse": ba[1] > 1 and apart_worse}


def run(args: argparse.Namespace) -> dict:
    trees = [tree("A", args.a), tree("B", args.b)]
    labels = [t.label for t in trees]
    admin = os.environ.get("NUMBERPOOL_BENCH_POSTGRES_URL") or os.environ.get("NUMBERPOOL_TEST_POSTGRES_URL")
    per_window = int(args.window * 4000)
    supply = Operations._supply(per_window * args.rounds)
    started = time.time()
    with tempfile.TemporaryDirectory(prefix="npab-") as tmp:
        work = Path(tmp)
        bare_proc, bare_base = servers.bare()
        hook_proc, hook_url = servers.receiver()
        blocks: list[Block] = []
        try:
            blocks.append(Block("sqlite", trees, work, None, supply, per_window, hook_url))
            if admin:
                blocks.append(Block("postgres", trees, work, admin, supply, per_window, None))
            else:
                print("ab: no NUMBERPOOL_BENCH_POSTGRES_URL / NUMBERPOOL_TEST_POSTGRES_URL: SQLite only", flush=True)
            measured = [p.pid for b in blocks for p in b.procs]
            if any(hook_proc.pid in measure.tree(pid) for pid in measured):
                raise RuntimeError("the webhook receiver is in a measured process tree")
            starts = Starts(trees, work)
            for t in trees:
                mock_figures(t, 3, 50)  # first use of each tree: bytecode caches
            print(f"ab: set up in {time.time() - started:.0f} s", flush=True)
            windows: dict[str, list[dict]] = {}
            inproc: dict[str, list[float]] = {}

            def record(key: str, value: dict | float) -> None:
                if isinstance(value, dict):
                    windows.setdefault(key, []).append(value)
                else:
                    inproc.setdefault(key, []).append(value)

            for r in range(args.rounds):
                for block in blocks:
                    w = measure.wrk_window(bare_proc.pid, bare_base + "/", seconds=args.window,
                                           connections=CONNECTIONS, headers={})
                    record(f"{block.kind}|bare", {"cpu_us": w.cpu_per_request_us, "rps": w.rps, "errors": w.non_2xx})
                    for i, row in enumerate(block.rows):
                        for t in (trees if (r + i) % 2 == 0 else trees[::-1]):
                            pid, url, lua = block.load(row, t.label)
                            w = measure.wrk_window(pid, url, seconds=args.window, connections=CONNECTIONS,
                                                   headers=block.auth, lua=lua)
                            record(f"{block.kind}|{row}|{t.label}",
                                   {"cpu_us": w.cpu_per_request_us, "rps": w.rps, "errors": w.non_2xx})
                for t in (trees if r % 2 == 0 else trees[::-1]):
                    for _ in range(args.starts_per_round):
                        record(f"{START_ROW}|{t.label}", starts.start(t))
                for t in (trees if r % 2 == 0 else trees[::-1]):
                    for name, value in zip(MOCK_ROWS, mock_figures(t, args.fresh, args.fetches), strict=True):
                        record(f"{name}|{t.label}", value)
                print(f"ab: round {r + 1}/{args.rounds} done ({time.time() - started:.0f} s)", flush=True)
        finally:
            for block in blocks:
                block.close()
            servers.stop(bare_proc)
            servers.stop(hook_proc)
    rows = []
    for block in blocks:
        bare = [w["cpu_us"] for w in windows[f"{block.kind}|bare"]]
        for row in block.rows:
            cost = {label: [w["cpu_us"] for w in windows[f"{block.kind}|{row}|{label}"]] for label in labels}
            ratio = {label: [b / c for b, c in zip(bare, cost[label], strict=True)] for label in labels}
            s = summarise(ratio[labels[0]], ratio[labels[1]], cost[labels[0]], cost[labels[1]], True)
            s.update(database=block.kind, row=row, unit="ratio to bare",
                     cpu_us=[statistics.median(cost[label]) for label in labels],
                     rps=[statistics.median(w["rps"] for w in windows[f"{block.kind}|{row}|{label}"]) for label in labels],
                     errors=[sum(w["errors"] for w in windows[f"{block.kind}|{row}|{label}"]) for label in labels])
            rows.append(s)
    for name in (START_ROW, *MOCK_ROWS):
        a, b = inproc[f"{name}|{labels[0]}"], inproc[f"{name}|{labels[1]}"]
        if name == START_ROW:  # several starts per round: B/A per round of the round's medians
            k = args.starts_per_round
            a_cost = [statistics.median(a[i:i + k]) for i in range(0, len(a), k)]
            b_cost = [statistics.median(b[i:i + k]) for i in range(0, len(b), k)]
        else:
            a_cost, b_cost = a, b
        s = summarise(a, b, a_cost, b_cost, False)
        s.update(database="", row=name, unit="cost")
        rows.append(s)
    return {"when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(started)), "seconds": time.time() - started,
            "trees": {t.label: {"path": str(t.path), "command": f"python -m {t.module} serve"} for t in trees},
            "labels": labels, "settings": {"rounds": args.rounds, "window_s": args.window, "connections": CONNECTIONS,
                                           "starts_per_round": args.starts_per_round, "fresh": args.fresh,
                                           "fetches": args.fetches, "cores": os.cpu_count()},
            "rows": rows}


def markdown(result: dict, command: str) -> str:
    a, b = result["labels"]
    s = result["settings"]
    out = [f"# A/B: {a} against {b}", "",
           (f"Measured {result['when']} in one session of {result['seconds'] / 60:.1f} minutes on {s['cores']} cores "
           f"(shared with other work: hence interleaved rounds and ratios), {s['rounds']} rounds, "
           f"{s['window_s']:g} s windows, {s['connections']} connections; start-up {s['starts_per_round']} starts "
           f"per tree per round; numberpool.mock() {s['fresh']} fresh mocks and {s['fetches']} fetches per tree per round."),
           "", "```", command, "```", "",
           *(f"- {label}: `{t['path']}`, served by `{t['command']}`" for label, t in result["trees"].items()), "",
           ("Server rows: bare app CPU per request / the server's CPU per request (its whole process tree), per round; "
           "median (quartiles) over rounds, higher is better. B/A: B's CPU per request / A's in the same round, median "
           "(quartiles), above 1 means B costs more. A row is worse beyond the spread when B/A's median is above 1 "
           "and A's and B's interquartile ranges do not overlap."), "",
           (f"| database | row | {a}: ratio to bare | {b}: ratio to bare | CPU µs/request A / B | req/s A / B "
           "| B/A CPU | failed requests A / B | verdict |"),
           "|---|---|---|---|---|---|---|---|---|"]

    def q(v: tuple[float, float, float], fmt: str = ".3f") -> str:
        return f"{v[1]:{fmt}} ({v[0]:{fmt}}–{v[2]:{fmt}})"

    for row in result["rows"]:
        if row["unit"] != "ratio to bare":
            continue
        out.append(f"| {row['database']} | {row['row']} | {q(row['a'])} | {q(row['b'])} | "
                   f"{row['cpu_us'][0]:.0f} / {row['cpu_us'][1]:.0f} | {row['rps'][0]:.0f} / {row['rps'][1]:.0f} | "
                   f"{q(row['b_over_a'])} | {row['errors'][0]} / {row['errors'][1]} | {row['verdict']} |")
    out += ["", ("Start-up and in-process rows: the cost itself, median (quartiles) over rounds, lower is better "
            "(start-up: wall-clock seconds from launch to the first 200 answer; the mock: CPU time, "
            "time.process_time). B/A per round, as above."), "",
            f"| measure | {a} | {b} | B/A | verdict |", "|---|---|---|---|---|"]
    for row in result["rows"]:
        if row["unit"] == "cost":
            fmt = ".3f" if row["row"] == START_ROW else ".2f"
            out.append(f"| {row['row']} | {q(row['a'], fmt)} | {q(row['b'], fmt)} | {q(row['b_over_a'])} | "
                       f"{row['verdict']} |")
    worse = [f"{r['database']} {r['row']}".strip() for r in result["rows"] if r["worse"]]
    out += ["", "Worse beyond the spread: " + (", ".join(worse) if worse else "none") + "."]
    return "\n".join(out) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--a", type=Path, required=True, help="checkout A (a git worktree)")
    parser.add_argument("--b", type=Path, required=True, help="checkout B (a git worktree)")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--window", type=float, default=2.0, help="seconds of load per row per tree per round")
    parser.add_argument("--starts-per-round", type=int, default=2)
    parser.add_argument("--fresh", type=int, default=20, help="fresh mocks per tree per round")
    parser.add_argument("--fetches", type=int, default=1000, help="SDK fetches per tree per round (each figure)")
    parser.add_argument("--out", type=Path, default=HERE / "results" / "ab.md")
    parser.add_argument("--json", type=Path, default=None, help="also write every sample here")
    args = parser.parse_args()
    measure_rows = run(args)
    command = " ".join(["PYTHONPATH=" + os.environ.get("PYTHONPATH", ""), "python", *sys.argv]).strip()
    text = markdown(measure_rows, command)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text)
    if args.json:
        args.json.write_text(json.dumps(measure_rows, indent=2))
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())

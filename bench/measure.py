"""Measuring a server: CPU time of its process tree, peak RSS, and load windows driven by wrk."""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CLK_TCK = os.sysconf("SC_CLK_TCK")


def tree(pid: int) -> list[int]:
    """``pid`` and all its descendants."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            for task in Path(f"/proc/{p}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except FileNotFoundError:
            pass
    return out


def cpu_seconds(pid: int) -> float:
    """user + system CPU of the whole process tree."""
    total = 0
    for p in tree(pid):
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / CLK_TCK


def peak_rss_mb(pid: int) -> dict[int, float]:
    """VmHWM (peak resident set) of each process in the tree, in MB."""
    peaks = {}
    for p in tree(pid):
        try:
            m = re.search(r"VmHWM:\s+(\d+) kB", Path(f"/proc/{p}/status").read_text())
        except FileNotFoundError:
            continue
        if m:
            peaks[p] = int(m.group(1)) / 1024
    return peaks


@dataclass(frozen=True)
class Window:
    requests: int
    seconds: float
    cpu: float
    non_2xx: int

    @property
    def rps(self) -> float:
        return self.requests / self.seconds

    @property
    def cpu_per_request_us(self) -> float:
        return self.cpu / max(self.requests, 1) * 1e6


def wrk_window(pid: int, url: str, *, seconds: float, connections: int, headers: dict[str, str], lua: str | None = None,
               after: Callable[[], None] | None = None) -> Window:
    """One bounded load window from a second process (wrk), with the server's CPU read around it;
    ``after``, if any, runs once wrk is done and before the CPU is read (the work the requests
    left running in the background, waited for: counted in the window, not in the next one)."""
    cmd = ["wrk", "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--timeout", "10s"]
    for k, v in headers.items():
        cmd += ["-H", f"{k}: {v}"]
    script = None
    if lua:
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
            f.write(lua)
        script = f.name
        cmd += ["-s", script]
    before = cpu_seconds(pid)
    done = subprocess.run([*cmd, url], capture_output=True, text=True, timeout=seconds + 60, check=False)
    if after is not None:
        after()
    cpu = cpu_seconds(pid) - before
    if script:
        os.unlink(script)
    out = done.stdout
    m = re.search(r"(\d+) requests in ([\d.]+)(m?s)", out)
    if not m:
        raise RuntimeError(f"wrk said: {out}\n{done.stderr}")
    elapsed = float(m.group(2)) / (1000 if m.group(3) == "ms" else 1)
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    failures = (int(bad.group(1)) if bad else 0) + (sum(map(int, errors.groups())) if errors else 0)
    return Window(int(m.group(1)), elapsed, cpu, failures)


def latency_ms(client: Any, url: str, times: int) -> list[float]:
    """Wall-clock milliseconds of ``times`` GETs of ``url``, one at a time (each must succeed)."""
    out = []
    for _ in range(times):
        started = time.perf_counter()
        r = client.get(url)
        out.append((time.perf_counter() - started) * 1000)
        r.raise_for_status()
    return out

"""Starting the servers under test: numberpool (``numberpool serve``) and the bare app; and the
trivial webhook receiver the inbound rows call."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(proc: subprocess.Popen, port: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited: {proc.stdout.read() if proc.stdout else ''}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("server did not start")


def numberpool(db_url: str, env: dict[str, str], *extra: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "numberpool", "serve", "--port", str(port), "--db", db_url, "--no-access-log", *extra],
        env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )
    _wait(proc, port)
    return proc, f"http://127.0.0.1:{port}"


def bare(module: str = "bare_app", env: dict[str, str] | None = None, *, rsgi: bool = False) -> tuple[subprocess.Popen, str]:
    """A bare app (bench/<module>.py) on numberpool's own granian settings (numberpool.server.cli.run_granian);
    ``rsgi``: its ``rsgi_app`` on granian's own interface instead, with the same settings."""
    port = free_port()
    if rsgi:
        code = ("from granian import Granian; "
                f"Granian('{module}:rsgi_app', address='127.0.0.1', port={port}, interface='rsgi', workers=1, "
                "log_access=False).serve()")
    else:
        code = f"from numberpool.server.cli import run_granian; run_granian('{module}:app', '127.0.0.1', {port}, 1, factory=False)"
    proc = subprocess.Popen(
        [sys.executable, "-c", code],
        env={**os.environ, **(env or {}),
             "PYTHONPATH": os.pathsep.join(filter(None, [str(HERE), os.environ.get("PYTHONPATH")]))},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )
    _wait(proc, port)
    return proc, f"http://127.0.0.1:{port}"


def receiver() -> tuple[subprocess.Popen, str]:
    """The trivial webhook receiver (bench/receiver_app.py), served like the bare apps, and its URL.
    It is a child of this process in a session of its own, so never in a measured server's process
    tree (measure.tree): what it spends answering webhooks is counted in no row."""
    proc, base = bare("receiver_app")
    return proc, base + "/sms"


def stop(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=15)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()

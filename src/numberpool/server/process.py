"""The server's processes: a port check before binding, and workers that never outlive the server.

``numberpool serve`` runs granian: a main process that forks the worker processes, which
serve. Two things granian leaves to us:

- A worker forked while the main process is alive keeps running if the main process is
  killed (``kill -9``): it still holds the port and answers. ``guard_worker`` asks the kernel
  to kill the worker when its parent dies (Linux ``PR_SET_PDEATHSIG``).
- A worker is forked with the main process's Python signal handlers, which only set a flag
  in (the worker's copy of) the main process's memory: a SIGTERM that reaches a worker before
  granian installs the worker's own handlers (while it imports and builds the app, a second
  or so) is swallowed, and the main process, which waits for its workers with no time limit,
  then waits forever. ``guard_worker``, run by a fork hook the moment a worker exists,
  restores the default action (end the process) for that stretch; the main process also
  kills a worker still running ``WORKER_KILL_TIMEOUT`` seconds after it was told to stop
  (for a SIGTERM that lands in the microseconds before the hook runs).
"""

from __future__ import annotations

import ctypes
import errno
import os
import signal
import socket
import sys

SERVER_PID_ENV = "NUMBERPOOL_SERVER_PID"  # the granian main process, set by ``serve`` for its workers
WORKER_KILL_TIMEOUT = 5  # seconds a stopping worker is given before it is killed
_PR_SET_PDEATHSIG = 1


class PortUnavailable(Exception):
    """The address cannot be listened on: its message is one line for the user."""


def check_port_free(host: str, port: int) -> None:
    """Raise PortUnavailable unless ``host:port`` can be listened on right now.

    granian's sockets use SO_REUSEPORT, so a second server on a held port would start
    silently and the kernel would split the connections between the two. This socket has no
    SO_REUSEPORT, so any socket listening on the port (another numberpool or anything else)
    makes the bind fail. SO_REUSEADDR, as granian sets it, keeps connections in TIME_WAIT from
    an earlier server from counting. The check runs in the ``serve`` process immediately
    before granian binds: another process could still take the port in the milliseconds
    between the two, a race granian gives no way to close (it binds its own sockets).
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host, port))
            probe.listen(1)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise PortUnavailable(f"port {port} is already in use") from None
        if exc.errno == errno.EACCES:
            raise PortUnavailable(f"no permission to listen on port {port}") from None
        if exc.errno == errno.EADDRNOTAVAIL:
            raise PortUnavailable(f"{host} is not an address of this machine") from None
        raise PortUnavailable(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None


def _die_with_parent() -> None:
    """Have the kernel SIGKILL this process when the thread that forked it ends (Linux only).

    granian forks workers from its main thread, which ends only with its process. SIGKILL,
    not SIGTERM: the parent died without stopping its workers (a graceful stop goes through
    the parent, which waits for them), so nothing would wait for a graceful exit either; what
    the worker committed is durable and its port is freed at once.
    """
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)


def guard_worker() -> None:
    """In a worker of ``numberpool serve``, as early as possible: see the module docstring.

    Does nothing in any other process (the app built in-process, or by granian run by hand).
    """
    server = os.environ.get(SERVER_PID_ENV, "")
    if not server.isdigit() or int(server) == os.getpid():
        return
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, signal.SIG_DFL)  # granian installs the worker's own handlers once the app is built
    _die_with_parent()
    if os.getppid() != int(server):  # the parent died before the line above: nobody would be told
        os._exit(1)


def guard_workers_of_this_process() -> None:
    """In the server's main process, before granian: every worker is guarded the moment it is
    forked, before it spends a second importing the app (the app factory guards again, for a
    worker started by the ``spawn`` method, which runs no fork hook)."""
    os.environ[SERVER_PID_ENV] = str(os.getpid())
    os.register_at_fork(after_in_child=guard_worker)

"""The server's application: the HTTP app built from the one ``Settings``, with the console mounted.

``create_app_from_env`` is the factory granian calls in each worker process: the worker reads the
settings ``numberpool serve`` exported for it, once, and builds the app. ``create_app`` builds the
same app from a ``Settings`` in any process (tests and the benchmark use it).
"""

from __future__ import annotations

import logging

from numberpool.http import hosts
from numberpool.http.app import App
from numberpool.http.app import create_app as create_http_app
from numberpool.http.asgi import ASGIApp
from numberpool.server.settings import Settings


def create_app(settings: Settings) -> App:
    trusted = hosts.TrustedProxies.parse(settings.forwarded_allow_ips or "")
    console_hosts = settings.console_hosts

    def console(app: App) -> ASGIApp:
        from numberpool.console.app import Console  # on the first /console request: start-up stays short

        return Console(app.backend, console_hosts, app.trusted)

    return create_http_app(
        settings.db_url, settings.pool_limits, response_cache=settings.response_cache, trusted=trusted,
        webhook_timeout=settings.webhook_timeout, access_log=settings.access_log,
        webhook_deny_private=settings.webhook_deny_private, console=console, db_limits=settings.database_limits,
    )


def create_app_from_env() -> App:
    """Factory for the server's worker processes: ``serve`` passed the settings in the environment."""
    from numberpool.server.process import guard_worker

    guard_worker()  # first: until the app is built, a SIGTERM or the server's death must end this worker
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # not a line per webhook request
    return create_app(Settings.from_environ())

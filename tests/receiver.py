"""A small real HTTP server on 127.0.0.1 that plays the user's webhook: it records every request
and answers each path as the test says (status, body, Content-Type, delay, headers)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

TWIML = "text/xml"


@dataclass
class Answer:
    status: int = 200
    body: str = "<Response/>"
    content_type: str = TWIML
    delay: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Seen:
    method: str
    path: str  # with the query string, as requested
    headers: dict[str, str]
    form: dict[str, str]
    query: dict[str, str]


class Receiver:
    def __init__(self) -> None:
        self.answers: dict[str, Answer] = {}
        self.seen: list[Seen] = []
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length).decode() if length else ""
                parts = urlsplit(self.path)
                with receiver._lock:
                    receiver.seen.append(Seen(self.command, self.path, dict(self.headers),
                                              dict(parse_qsl(raw, keep_blank_values=True)),
                                              dict(parse_qsl(parts.query, keep_blank_values=True))))
                answer = receiver.answers.get(parts.path, Answer())
                if answer.delay:
                    time.sleep(answer.delay)
                payload = answer.body.encode()
                self.send_response(answer.status)
                self.send_header("Content-Type", answer.content_type)
                self.send_header("Content-Length", str(len(payload)))
                for name, value in answer.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = _handle

            def log_message(self, *args: object) -> None:
                pass

        class Server(ThreadingHTTPServer):
            # numberpool sends a batch of status callbacks at once (and two servers may): the
            # socketserver default backlog of 5 would refuse some of them under load
            request_queue_size = 128

        self.server = Server(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"

    def url(self, path: str) -> str:
        return self.base + path

    def answer(self, path: str, **kwargs: object) -> str:
        """Set how ``path`` answers; its full URL."""
        self.answers[path] = Answer(**kwargs)  # type: ignore[arg-type]
        return self.url(path)

    def requests(self, path: str | None = None) -> list[Seen]:
        with self._lock:
            return [s for s in self.seen if path is None or urlsplit(s.path).path == path]


@contextmanager
def running() -> Iterator[Receiver]:
    receiver = Receiver()
    thread = threading.Thread(target=receiver.server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        receiver.server.shutdown()
        receiver.server.server_close()

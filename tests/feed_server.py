"""A loopback HTTP server that serves feed files, answers conditional GETs and can misbehave."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Route:
    """What one path answers. ``etag`` / ``last_modified`` enable 304s; ``delay_s`` stalls."""

    body: bytes
    content_type: str = "application/rss+xml; charset=utf-8"
    etag: str | None = None
    last_modified: str | None = None
    delay_s: float = 0.0
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class FeedServer:
    base: str
    routes: dict[str, Route]
    requests: list[tuple[str, dict[str, str]]]

    def url(self, path: str) -> str:
        return f"{self.base}{path}"


def _handler(server: FeedServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            server.requests.append((self.path, {k.lower(): v for k, v in self.headers.items()}))
            route = server.routes.get(self.path)
            if route is None:
                self.send_error(404)
                return
            if route.delay_s:
                time.sleep(route.delay_s)
            inm = self.headers.get("If-None-Match")
            ims = self.headers.get("If-Modified-Since")
            fresh = (route.etag is not None and inm == route.etag) or (
                route.etag is None
                and route.last_modified is not None
                and ims == route.last_modified
            )
            if route.status == 200 and fresh:
                self.send_response(304)
                self.end_headers()
                return
            self.send_response(route.status)
            self.send_header("Content-Type", route.content_type)
            self.send_header("Content-Length", str(len(route.body)))
            if route.etag:
                self.send_header("ETag", route.etag)
            if route.last_modified:
                self.send_header("Last-Modified", route.last_modified)
            for k, v in route.headers.items():
                self.send_header(k, v)
            self.end_headers()
            try:
                self.wfile.write(route.body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (the timeout test)

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler


@contextmanager
def serve_feeds(routes: dict[str, Route] | None = None) -> Iterator[FeedServer]:
    """Serve ``routes`` on 127.0.0.1 (a free port) in a thread for the ``with`` block."""
    state = FeedServer(base="", routes=dict(routes or {}), requests=[])
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    httpd.daemon_threads = True
    state.base = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)

"""A real HTTP webhook receiver on loopback that verifies every request with standardwebhooks.

Its answers are scripted: ``script(n, webhook_id)`` returns (status, delay seconds, headers)
for the n-th request (0-based). It can be stopped and started again on the same port to play
an outage.
"""

from __future__ import annotations

import base64
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from standardwebhooks import Webhook

from signals.models import Alert, Evidence, Signal

Answer = tuple[int, float, dict[str, str]]
Script = Callable[[int, str], Answer]


def always(status: int, delay: float = 0.0, headers: dict[str, str] | None = None) -> Script:
    return lambda n, wid: (status, delay, headers or {})


@dataclass
class Received:
    webhook_id: str
    timestamp: str
    verified: bool
    body: dict[str, Any]
    status: int
    at: float = field(default_factory=time.monotonic)


class Receiver:
    """``with Receiver(secret) as r: ... r.url ...``; ``r.received`` lists every request."""

    def __init__(self, secret: str, script: Script | None = None, port: int = 0) -> None:
        self.secret = secret
        self.script: Script = script or always(204)
        self.received: list[Received] = []
        self._lock = threading.Lock()
        self._port = port
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return self._port

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._port}/hook"

    def start(self) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                length = int(self.headers.get("content-length", "0"))
                raw = self.rfile.read(length)
                headers = {k.lower(): v for k, v in self.headers.items()}
                try:
                    Webhook(receiver.secret).verify(raw, headers)
                    verified = True
                except Exception:
                    verified = False
                wid = headers.get("webhook-id", "")
                with receiver._lock:
                    n = len(receiver.received)
                    status, delay, extra = receiver.script(n, wid)
                    receiver.received.append(
                        Received(
                            webhook_id=wid,
                            timestamp=headers.get("webhook-timestamp", ""),
                            verified=verified,
                            body=json.loads(raw) if raw else {},
                            status=status,
                        )
                    )
                if delay:
                    time.sleep(delay)
                try:
                    self.send_response(status)
                    for k, v in extra.items():
                        self.send_header(k, v)
                    self.send_header("content-length", "0")
                    self.end_headers()
                except OSError:
                    pass  # the client gave up (timeout test)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", self._port), Handler)
        server.daemon_threads = True
        self._port = server.server_address[1]
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            server.server_close()
        if self._thread is not None:
            self._thread.join(5)

    def __enter__(self) -> Receiver:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def snapshot(self) -> list[Received]:
        with self._lock:
            return list(self.received)

    def delivered_ids(self) -> list[str]:
        return [r.webhook_id for r in self.snapshot() if 200 <= r.status < 300]

    def wait_for(self, predicate: Callable[[list[Received]], bool], timeout_s: float) -> bool:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if predicate(self.snapshot()):
                return True
            time.sleep(0.05)
        return predicate(self.snapshot())


def make_alert(n: int = 1, **overrides: Any) -> Alert:
    """An alert with defaults for every field (factory for webhook tests)."""
    signal = Signal(
        signal_id=f"sig-{n}",
        article_id=f"article-{n}",
        kind="funding",
        company="Example Robotics",
        company_mention="Example Robotics",
        language="en",
        confidence=0.9,
        evidence=Evidence(field="body", start=0, end=40, sentence="Example Robotics raised money."),
        amount=150_000_000.0,
        currency="USD",
        amount_usd=150_000_000.0,
    )
    fields: dict[str, Any] = {
        "alert_id": f"alert-{n}",
        "rule": "funding_threshold",
        "severity": "warning",
        "kind": "funding",
        "company": "Example Robotics",
        "article_id": f"article-{n}",
        "summary": "Example Robotics raised USD 150M",
        "signals": [signal],
        "occurred_at": datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
    }
    fields.update(overrides)
    return Alert(**fields)


def new_secret(seed: int = 0) -> str:
    return "whsec_" + base64.b64encode(bytes((seed + i) % 256 for i in range(32))).decode()

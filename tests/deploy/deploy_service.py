"""The running service of the deploy tests: a worker, the API and Prometheus as child processes.

Both run on the session's embedded broker, bind loopback ports only, and are stopped by PID.
The worker delivers webhooks to a loopback receiver (allowed explicitly in its config). News
is posted through the API in two waves with Prometheus-visible gaps between them, so counter
rates and histogram quantiles have real values.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx

from streams.broker import _die_with_parent, free_port
from streams.settings import Settings

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"

# Sample news written for these tests (not taken from any dataset).
WAVES: list[list[dict[str, Any]]] = [
    [
        {
            "id": "deploy-1",
            "language": "en",
            "source": "test-wire",
            "published_at": "2026-03-02T09:00:00Z",
            "title": "Nordwind Labs raises $300 million",
            "body": "Nordwind Labs raised $300 million in a Series C round led by Example "
            "Ventures, the Berlin robotics company said on Monday.",
        },
        {
            "id": "deploy-2",
            "language": "en",
            "source": "test-daily",
            "published_at": "2026-03-02T09:20:00Z",
            "title": "Halden Cloud orders GPUs",
            "body": "Halden Cloud has ordered 25,000 Nvidia H100 GPUs for a new data center "
            "in Norway, the company said.",
        },
        {
            "id": "deploy-3",
            "language": "en",
            "source": "test-daily",
            "published_at": "2026-03-02T09:30:00Z",
            "title": "Shares of Kestrel fall",
            "body": "Shares of Kestrel Software fell 3% on Tuesday in a quiet market.",
        },
    ],
    [
        {
            "id": "deploy-4",
            "language": "en",
            "source": "test-post",
            "published_at": "2026-03-02T09:40:00Z",
            "title": "Ostara Energy closes a round",
            "body": "Ostara Energy raised $450 million in a Series D round, the Lisbon "
            "battery maker announced on Wednesday.",
        },
        {
            "id": "deploy-5",
            "language": "fr",
            "source": "test-presse",
            "published_at": "2026-03-02T09:50:00Z",
            "title": "Brume Robotique lève 200 millions d'euros",
            "body": "La start-up lyonnaise Brume Robotique a levé 200 millions d'euros lors "
            "d'un tour de table de série B mené par des fonds européens.",
        },
    ],
]


@dataclass
class Hook:
    """A loopback webhook receiver answering 204 to every POST."""

    received: list[bytes] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    def start(self) -> str:
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                length = int(self.headers.get("content-length", "0"))
                hook.received.append(self.rfile.read(length))
                self.send_response(204)
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()


@dataclass
class Service:
    settings: Settings
    worker_url: str
    api_url: str
    hook: Hook
    logs: Path
    prometheus: PrometheusServer | None = None

    def log_tail(self) -> str:
        out = []
        for path in sorted(self.logs.glob("*.log")):
            lines = path.read_text(errors="replace").splitlines()[-30:]
            out.append(f"--- {path.name}\n" + "\n".join(lines))
        return "\n".join(out)


def wait_for(check: Callable[[], bool], timeout_s: float, what: str, service: Any = None) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with contextlib.suppress(httpx.HTTPError):
            if check():
                return
        time.sleep(0.25)
    tail = service.log_tail() if service is not None else ""
    raise AssertionError(f"timed out waiting for {what}\n{tail}")


def get(url: str) -> httpx.Response:
    return httpx.get(url, timeout=5)


def metric_value(text: str, name: str) -> float:
    total = 0.0
    for line in text.splitlines():
        if line.startswith(name) and not line.startswith("#"):
            total += float(line.rsplit(" ", 1)[1])
    return total


def post_wave(service: Service, wave: list[dict[str, Any]]) -> None:
    r = httpx.post(f"{service.api_url}/v1/news", json=wave, timeout=30)
    assert r.status_code == 202, r.text


def publish_malformed(service: Service) -> None:
    """A message the API would refuse, straight onto news.raw: the worker must reject it."""
    import asyncio

    from aiokafka import AIOKafkaProducer

    async def send() -> None:
        producer = AIOKafkaProducer(
            bootstrap_servers=service.settings.bootstrap_servers(), acks="all"
        )
        await producer.start()
        try:
            await producer.send_and_wait(
                service.settings.topic_news_raw, b"{not json", key=b"broken"
            )
        finally:
            await producer.stop()

    asyncio.run(send())


class PrometheusServer:
    """Debian's /usr/bin/prometheus on a loopback port with a temporary storage dir."""

    def __init__(self, tmp: Path, worker: str, api: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.tmp = tmp
        config = {
            "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
            "rule_files": [str(DEPLOY / "rules" / "signals.rules.yml")],
            "scrape_configs": [
                {"job_name": "signals-worker", "static_configs": [{"targets": [worker]}]},
                {"job_name": "signals-api", "static_configs": [{"targets": [api]}]},
            ],
        }
        self.config = tmp / "prometheus.yml"
        self.config.write_text(json.dumps(config))  # JSON is YAML
        self._proc: subprocess.Popen[bytes] | None = None

    def start(self) -> PrometheusServer:
        with (self.tmp / "prometheus.log").open("ab") as log:
            self._proc = subprocess.Popen(
                [
                    PROMETHEUS,
                    f"--config.file={self.config}",
                    f"--storage.tsdb.path={self.tmp / 'tsdb'}",
                    f"--web.listen-address=127.0.0.1:{self.port}",
                    "--storage.tsdb.retention.time=1h",
                ],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=_die_with_parent(os.getpid()),
            )
        wait_for(lambda: get(f"{self.url}/-/ready").status_code == 200, 30, "prometheus ready")
        return self

    def stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None or proc.poll() is not None:
            return
        os.kill(proc.pid, signal.SIGTERM)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(5)

    def query(self, expr: str) -> dict[str, Any]:
        r = httpx.get(f"{self.url}/api/v1/query", params={"query": expr}, timeout=10)
        body: dict[str, Any] = r.json()
        return body

    def scrapes(self, job: str) -> float:
        """Samples of ``up`` stored for ``job`` in the last minute (= scrapes done)."""
        result = self.query(f'count_over_time(up{{job="{job}"}}[1m])')["data"]["result"]
        return float(result[0]["value"][1]) if result else 0.0

    def wait_scrapes(self, n: int = 3) -> None:
        """Wait until both targets were scraped ``n`` more times."""
        base = {job: self.scrapes(job) for job in ("signals-worker", "signals-api")}
        wait_for(lambda: all(self.scrapes(j) >= base[j] + n for j in base), 30, f"{n} more scrapes")


PROMETHEUS = "/usr/bin/prometheus"


def alerts(service: Service) -> int:
    return len(get(f"{service.api_url}/v1/alerts").json()["alerts"])

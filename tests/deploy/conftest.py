"""A running service for the deploy tests: a worker and the API as child processes.

Both run on the session's embedded broker, bind loopback ports only, and are stopped by PID.
The worker delivers webhooks to a loopback receiver (allowed explicitly in its config). News
is posted through the API in two waves with Prometheus-visible gaps between them, so counter
rates and histogram quantiles have real values.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import secrets
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from streams.broker import EmbeddedBroker, _die_with_parent, free_port
from streams.processes import WorkerProcess, settings_env
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


class ApiProcess:
    """``python -m streams.cli api`` as a child process, stopped by its PID."""

    def __init__(self, settings: Settings, port: int, log_path: Path) -> None:
        self.settings = settings
        self.port = port
        self.log_path = log_path
        self._proc: subprocess.Popen[bytes] | None = None

    def start(self) -> ApiProcess:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SIGNALS_", "FAUST_"))}
        env.update(settings_env(self.settings))
        with self.log_path.open("ab") as log:
            self._proc = subprocess.Popen(
                [sys.executable, "-m", "streams.cli", "api", "--port", str(self.port)],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
                cwd=REPO,
                start_new_session=True,
                preexec_fn=_die_with_parent(os.getpid()),
            )
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


@dataclass
class Service:
    settings: Settings
    worker_url: str
    api_url: str
    hook: Hook
    logs: Path

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


@pytest.fixture(scope="session")
def running_service(
    embedded_broker: EmbeddedBroker, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Callable[[Callable[[Service], None] | None], Service]]:
    """Start (once) a worker and the API; the caller may run a hook between the two waves."""
    started: list[Service] = []
    stack = contextlib.ExitStack()

    def start(between: Callable[[Service], None] | None = None) -> Service:
        if started:
            return started[0]
        tmp = tmp_path_factory.mktemp("service")
        hook = Hook()
        stack.callback(hook.stop)
        hook_url = hook.start()
        secret = "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()
        webhooks = tmp / "webhooks.json"
        webhooks.write_text(
            json.dumps(
                {
                    "allow_private_targets": True,
                    "subscriptions": [{"id": "deploy-test", "url": hook_url, "secret": secret}],
                }
            )
        )
        tag = uuid.uuid4().hex[:8]
        settings = Settings(
            broker=embedded_broker.url,
            embedded_broker=True,
            app_id=f"deploy-{tag}",
            data_dir=tmp / "state",
            store="memory",
            partitions=2,
            web_enabled=True,
            web_host="127.0.0.1",
            web_port=free_port(),
            webhooks_config=webhooks,
            log_level="WARNING",
        )
        api_port = free_port()
        worker = WorkerProcess(settings, log_path=tmp / "worker.log")
        stack.callback(worker.stop)
        worker.start()
        service = Service(
            settings=settings,
            worker_url=f"http://127.0.0.1:{settings.web_port}",
            api_url=f"http://127.0.0.1:{api_port}",
            hook=hook,
            logs=tmp,
        )
        wait_for(
            lambda: get(f"{service.worker_url}/readyz").status_code == 200,
            90,
            "the worker to be assigned partitions",
            service,
        )
        api = ApiProcess(settings, api_port, tmp / "api.log")
        stack.callback(api.stop)
        api.start()
        wait_for(
            lambda: get(f"{service.api_url}/readyz").status_code == 200, 60, "API ready", service
        )
        if between is not None:
            between(service)  # e.g. let Prometheus scrape the idle service first
        post_wave(service, WAVES[0])
        publish_malformed(service)
        wait_for(
            lambda: len(get(f"{service.api_url}/v1/alerts").json()["alerts"]) >= 1,
            60,
            "a first alert on the API",
            service,
        )
        if between is not None:
            between(service)
        post_wave(service, WAVES[1])
        wait_for(
            lambda: len(get(f"{service.api_url}/v1/alerts").json()["alerts"]) >= 2,
            60,
            "a second alert on the API",
            service,
        )
        wait_for(
            lambda: metric_value(
                get(f"{service.worker_url}/metrics").text, "signals_webhook_deliveries_total"
            )
            >= 2,
            60,
            "webhook deliveries",
            service,
        )
        started.append(service)
        return service

    with stack:
        yield start

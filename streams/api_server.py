"""Wire the HTTP API to Kafka and serve it with uvicorn (``signals api``, ``signals demo --port``).

The API runs as its own process (or, in the demo, as one more task on the demo's loop): a
producer for ``news.raw`` and group-less readers of ``signals.alerts`` and of the window
tables' changelogs. It is not a faust worker, so it holds no partitions of its own and sees
every company, and HTTP load never stalls the agents' event loop (see README, "HTTP API").
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import uvicorn
from starlette.applications import Starlette

from streams.alerts_feed import AlertsRing, alert_handler
from streams.api import SubscriptionsListing, create_api
from streams.dispatcher import disable_key
from streams.errors import StreamsError
from streams.ingest import NewsProducer
from streams.metrics import Metrics
from streams.settings import Settings
from streams.subscriptions import list_subscriptions, load_subscriptions
from streams.topic_reader import TopicReader
from streams.windows_replica import ReplicaAggregates, WindowsReplica, changelog_topics

log = logging.getLogger(__name__)


@dataclass
class ApiParts:
    """What the API process runs besides HTTP: started and stopped by the ASGI lifespan."""

    producer: NewsProducer
    ring: AlertsRing
    alerts_reader: TopicReader
    replica: WindowsReplica
    windows_reader: TopicReader
    disabled: set[str]  # disable keys of subscriptions a 410 turned off (webhooks.state)
    state_reader: TopicReader

    async def readiness(self) -> dict[str, bool]:
        # The table changelogs exist only once a worker has started; ingest does not need
        # them, so they do not gate readiness (GET .../aggregates answers 404 meanwhile).
        return {
            "broker": await self.producer.reachable(timeout_s=2.0),
            "alerts_partitions_assigned": self.alerts_reader.assigned,
        }

    async def start(self) -> None:
        await self.alerts_reader.start()
        await self.windows_reader.start()
        await self.state_reader.start()

    async def stop(self) -> None:
        await self.alerts_reader.stop()
        await self.windows_reader.stop()
        await self.state_reader.stop()
        await self.producer.stop()


def disabled_handler(disabled: set[str]) -> Callable[[Any], None]:
    """Keep the disable keys of ``webhooks.state`` records (the last record of a key wins)."""

    def apply(record: Any) -> None:
        try:
            state = json.loads(record.value or b"{}")
            key = str(state["key"])
        except (ValueError, KeyError, TypeError):
            return
        if state.get("disabled"):
            disabled.add(key)
        else:
            disabled.discard(key)

    return apply


def build_parts(settings: Settings) -> ApiParts:
    ring = AlertsRing(settings.api_recent_alerts)
    topics = changelog_topics(settings)
    replica = WindowsReplica(topics)
    disabled: set[str] = set()
    return ApiParts(
        producer=NewsProducer(settings),
        ring=ring,
        alerts_reader=TopicReader(
            settings,
            [settings.topic_signals_alerts],
            alert_handler(ring),
            tail=settings.api_recent_alerts,
            name="alerts",
        ),
        replica=replica,
        windows_reader=TopicReader(settings, list(topics), replica.apply, name="windows"),
        disabled=disabled,
        state_reader=TopicReader(
            settings,
            [settings.topic_webhooks_state],
            disabled_handler(disabled),
            name="webhooks-state",
        ),
    )


def file_subscriptions(
    settings: Settings, disabled: set[str] | None = None
) -> SubscriptionsListing:
    """The listing of the subscriptions file, re-read on each call (no secrets).

    ``disabled`` holds the disable keys read from ``webhooks.state``: a subscription a 410
    turned off is listed with ``enabled: false``.
    """

    def listing() -> list[dict[str, Any]]:
        config = load_subscriptions(settings.webhooks_config)
        off = disabled or set()
        return list_subscriptions(
            config, [s.id for s in config.subscriptions if disable_key(s) in off]
        )

    return listing


def build_api(
    settings: Settings,
    metrics: Metrics,
    *,
    parts: ApiParts | None = None,
    subscriptions: SubscriptionsListing | None = None,
) -> tuple[Starlette, ApiParts]:
    """The ASGI app with its Kafka parts, started by the app's lifespan."""
    p = parts or build_parts(settings)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await p.start()
        try:
            yield
        finally:
            await p.stop()

    app = create_api(
        settings,
        ingest=p.producer,
        metrics=metrics,
        alerts=p.ring,
        aggregates=ReplicaAggregates(p.replica),
        subscriptions=subscriptions or file_subscriptions(settings, p.disabled),
        readiness=p.readiness,
        lifespan=lifespan,
    )
    return app, p


def uvicorn_server(app: Starlette, host: str, port: int, *, log_level: str = "warning") -> Any:
    config = uvicorn.Config(
        app, host=host, port=port, lifespan="on", log_level=log_level.lower(), access_log=False
    )
    return uvicorn.Server(config)


@contextlib.asynccontextmanager
async def serving(
    settings: Settings,
    metrics: Metrics,
    *,
    host: str | None = None,
    port: int | None = None,
    subscriptions: SubscriptionsListing | None = None,
    startup_timeout_s: float = 30.0,
) -> AsyncIterator[ApiParts]:
    """Serve the API on ``host:port`` as a task of the running loop while the block runs."""
    app, parts = build_api(settings, metrics, subscriptions=subscriptions)
    server = uvicorn_server(app, host or settings.api_host, port or settings.api_port)
    server.install_signal_handlers = lambda: None  # the caller owns process signals
    server.capture_signals = contextlib.nullcontext
    task = asyncio.create_task(server.serve(), name="api-server")
    try:
        await _wait_started(server, task, startup_timeout_s)
        yield parts
    finally:
        server.should_exit = True
        with contextlib.suppress(Exception):
            await asyncio.wait_for(task, 10.0)


async def _wait_started(server: Any, task: asyncio.Task[Any], timeout_s: float) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while not server.started:
        if task.done():
            task.result()
            raise RuntimeError("the API server exited during startup")
        if loop.time() > deadline:
            raise TimeoutError("the API server did not start")
        await asyncio.sleep(0.02)


def run_api(
    settings: Settings,
    metrics: Metrics,
    *,
    host: str | None = None,
    port: int | None = None,
) -> None:
    """Serve the API in the foreground until SIGINT/SIGTERM (``signals api``)."""
    app, _ = build_api(settings, metrics)
    server = uvicorn_server(
        app, host or settings.api_host, port or settings.api_port, log_level=settings.log_level
    )
    server.run()


class ApiProcess:
    """``python -m streams.cli api`` as a child process (the demo's API), stopped by its PID.

    It gets its configuration as ``SIGNALS_*`` variables and dies with its parent.
    """

    def __init__(
        self, settings: Settings, port: int, host: str = "127.0.0.1", log_path: Path | None = None
    ) -> None:
        self.settings = settings
        self.host = host
        self.port = port
        self.log_path = log_path
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    def start(self, ready_timeout_s: float = 30.0) -> ApiProcess:
        """Start the process and wait until ``/healthz`` answers."""
        from streams.broker import _die_with_parent
        from streams.processes import settings_env

        env = {k: v for k, v in os.environ.items() if not k.startswith(("SIGNALS_", "FAUST_"))}
        env.update(settings_env(self.settings))
        cmd = [sys.executable, "-m", "streams.cli", "api", "--host", self.host]
        log = self.log_path.open("ab") if self.log_path is not None else None
        try:
            self._proc = subprocess.Popen(
                [*cmd, "--port", str(self.port)],
                stdin=subprocess.DEVNULL,
                stdout=log or subprocess.DEVNULL,
                stderr=subprocess.STDOUT if log else subprocess.DEVNULL,
                env=env,
                start_new_session=True,
                preexec_fn=_die_with_parent(os.getpid()),
            )
        finally:
            if log is not None:
                log.close()
        deadline = time.monotonic() + ready_timeout_s
        while not self._healthy():
            if self._proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise StreamsError(f"the API did not start on {self.url}")
            time.sleep(0.1)
        return self

    def _healthy(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.url}/healthz", timeout=1) as response:
                return bool(response.status == 200)
        except OSError:
            return False

    def stop(self, timeout_s: float = 10.0) -> None:
        """SIGTERM by PID, then SIGKILL if it does not exit in time. Idempotent."""
        proc, self._proc = self._proc, None
        if proc is None or proc.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.kill(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout_s)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout_s)

    def __enter__(self) -> ApiProcess:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

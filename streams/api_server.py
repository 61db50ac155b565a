"""Wire the HTTP API to Kafka and serve it with uvicorn (``signals api``, ``signals demo --port``).

The API runs as its own process (or, in the demo, as one more task on the demo's loop): a
producer for ``news.raw`` and group-less readers of ``signals.alerts`` and of the window
tables' changelogs. It is not a faust worker, so it holds no partitions of its own and sees
every company, and HTTP load never stalls the agents' event loop (see README, "HTTP API").
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import uvicorn
from starlette.applications import Starlette

from streams.alerts_feed import AlertsRing, alert_handler
from streams.api import SubscriptionsListing, create_api
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

    async def stop(self) -> None:
        await self.alerts_reader.stop()
        await self.windows_reader.stop()
        await self.producer.stop()


def build_parts(settings: Settings) -> ApiParts:
    ring = AlertsRing(settings.api_recent_alerts)
    topics = changelog_topics(settings)
    replica = WindowsReplica(topics)
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
    )


def file_subscriptions(settings: Settings) -> SubscriptionsListing:
    """The listing of the subscriptions file, re-read on each call (no secrets)."""

    def listing() -> list[dict[str, Any]]:
        return list_subscriptions(load_subscriptions(settings.webhooks_config))

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
        subscriptions=subscriptions or file_subscriptions(settings),
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

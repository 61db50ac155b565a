"""``signals demo``: broker + worker + sample news, alerts printed as they arrive.

The worker runs as a child process (memory store, its own app id). With ``--once`` the demo
exits when everything it published has been processed: the worker's group has committed past
every ``news.raw`` offset the demo produced, then past every ``signals.detected`` message, and
the demo has read ``signals.alerts`` to its end.
"""

from __future__ import annotations

import asyncio
import contextlib
import tempfile
import uuid
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from signals.models import Alert
from streams.api_server import ApiProcess
from streams.broker import EmbeddedBroker, install_signal_handlers
from streams.kafka import aiokafka_options
from streams.processes import WorkerProcess
from streams.publish import publish_lines
from streams.settings import Settings
from streams.topics import create_topics

_SEVERITY_STYLE = {"critical": "bold red", "warning": "yellow", "info": "cyan"}


def sample_lines(path: Path | None = None) -> list[bytes]:
    """The lines of the bundled sample news (or of ``path``)."""
    if path is not None:
        data = path.read_bytes()
    else:
        data = resources.files("streams").joinpath("samples/demo.jsonl").read_bytes()
    return [line for line in data.splitlines() if line.strip()]


@dataclass
class Progress:
    """What the demo has seen so far."""

    published: int = 0
    rejected: int = 0
    signals: int = 0
    alerts: dict[str, Alert] = field(default_factory=dict)


def alert_table(alerts: list[Alert]) -> Table:
    table = Table(title="signals.alerts", show_lines=False, expand=False)
    for name in ("severity", "rule", "company", "summary", "1h", "1d", "7d", "article"):
        table.add_column(name, overflow="fold")
    for alert in alerts:
        counts: dict[str, str] = {}
        for w in alert.windows:  # a surge lists the company's window first
            counts.setdefault(w.window, str(w.count))
        table.add_row(
            f"[{_SEVERITY_STYLE[alert.severity]}]{alert.severity}[/]",
            alert.rule,
            alert.company,
            alert.summary,
            counts.get("1h", ""),
            counts.get("1d", ""),
            counts.get("7d", ""),
            alert.article_id,
        )
    return table


def run_demo(
    settings: Settings,
    *,
    once: bool,
    api_port: int | None = None,
    samples: Path | None = None,
    timeout_s: float = 180.0,
    console: Console | None = None,
) -> int:
    """Run the demo; returns the exit status."""
    console = console or Console()
    install_signal_handlers()
    with contextlib.ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="signals-demo-")))
        update: dict[str, Any] = {
            "app_id": f"{settings.app_id}-demo-{uuid.uuid4().hex[:6]}",
            "store": "memory",
            "data_dir": tmp / "state",
            "commit_interval_s": min(settings.commit_interval_s, 0.5),
        }
        if not settings.broker:
            broker = stack.enter_context(EmbeddedBroker(log_path=tmp / "broker.log"))
            update.update(broker=broker.url, embedded_broker=True)
            console.print(f"embedded broker on {broker.bootstrap} (pid {broker.pid})")
        live = settings.model_copy(update=update)
        asyncio.run(create_topics(live))
        worker = stack.enter_context(WorkerProcess(live, log_path=tmp / "worker.log"))
        console.print(f"worker pid {worker.pid}, app id {live.app_id}")
        if api_port is not None:
            api = ApiProcess(live, port=api_port, log_path=tmp / "api.log")
            stack.enter_context(api)
            console.print(f"HTTP API on {api.url} (pid {api.pid}; OpenAPI at {api.url}/docs)")
        try:
            progress = asyncio.run(
                _drive(live, worker, sample_lines(samples), once, timeout_s, console)
            )
        except KeyboardInterrupt:
            console.print("stopped")
            return 0
        except TimeoutError as exc:
            console.print(f"[red]demo: {exc}[/]")
            console.print(worker.log_tail())
            return 1
        if not worker.running():
            console.print("[red]the worker stopped[/]")
            console.print(worker.log_tail())
            return 1
        console.print(alert_table(sorted(progress.alerts.values(), key=_order)))
        console.print(
            f"published {progress.published} news, rejected {progress.rejected}, "
            f"signals {progress.signals}, alerts {len(progress.alerts)}"
        )
    return 0


def _order(alert: Alert) -> tuple[int, str, str]:
    rank = {"critical": 0, "warning": 1, "info": 2}[alert.severity]
    return rank, alert.company, alert.rule


async def _drive(
    settings: Settings,
    worker: WorkerProcess,
    lines: list[bytes],
    once: bool,
    timeout_s: float,
    console: Console,
) -> Progress:
    from aiokafka import AIOKafkaConsumer, TopicPartition

    progress = Progress()
    topics = {
        "rejected": settings.topic_news_rejected,
        "detected": settings.topic_signals_detected,
        "alerts": settings.topic_signals_alerts,
    }
    sources = source_topics(settings)
    consumer = AIOKafkaConsumer(
        enable_auto_commit=False, fetch_max_wait_ms=100, **aiokafka_options(settings)
    )
    # reads the worker's committed offsets; never subscribes, so never joins its group
    offsets = AIOKafkaConsumer(
        group_id=settings.app_id, enable_auto_commit=False, **aiokafka_options(settings)
    )
    await consumer.start()
    await offsets.start()
    try:
        raw_end = await publish_lines(settings, settings.topic_news_raw, lines)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        # the worker creates its internal topics when it starts
        while not set(sources) <= await consumer.topics():
            if loop.time() > deadline or not worker.running():
                raise TimeoutError("the worker did not create its topics")
            await asyncio.sleep(0.2)
        watched = {**{t: settings.partitions for t in topics.values()}, **sources}
        parts = [TopicPartition(t, p) for t, n in watched.items() for p in range(n)]
        consumer.assign(parts)
        await consumer.seek_to_beginning(*parts)
        progress.published = len(lines)
        console.print(f"published {len(lines)} sample news to {settings.topic_news_raw}")
        settled = 0
        while True:
            if not worker.running():
                return progress
            batch = await consumer.getmany(timeout_ms=200)
            for tp, records in batch.items():
                for record in records:
                    _see(progress, tp.topic, record.value or b"", topics, console)
            if not once:
                continue
            if loop.time() > deadline:
                raise TimeoutError(f"not everything was processed within {timeout_s:.0f}s")
            done = await _processed(offsets, consumer, settings, raw_end, parts, sources)
            settled = settled + 1 if done else 0
            if settled >= 3:  # three checks in a row, each after a fresh fetch
                return progress
    finally:
        with contextlib.suppress(Exception):
            await consumer.stop()
        with contextlib.suppress(Exception):
            await offsets.stop()


def _see(
    progress: Progress, topic: str, value: bytes, topics: dict[str, str], console: Console
) -> None:
    if topic == topics["rejected"]:
        progress.rejected += 1
    elif topic == topics["detected"]:
        progress.signals += 1
    elif topic == topics["alerts"]:
        alert = Alert.model_validate_json(value)
        if alert.alert_id not in progress.alerts:  # at-least-once: drop repeats by id
            progress.alerts[alert.alert_id] = alert
            style = _SEVERITY_STYLE[alert.severity]
            console.print(f"[{style}]{alert.severity:8}[/] {alert.rule:17} {alert.summary}")


def source_topics(settings: Settings) -> dict[str, int]:
    """Topic -> partitions of every topic the worker's agents consume (built, not started)."""
    from prometheus_client import CollectorRegistry

    from streams.app import create_app
    from streams.metrics import Metrics

    service = create_app(settings, Metrics.create(CollectorRegistry()))
    out: dict[str, int] = {}
    for agent in service.app.agents.values():
        for name in agent.channel.topics:
            out[name] = agent.channel.partitions or settings.partitions
    return out


async def _processed(
    offsets: Any,
    consumer: Any,
    settings: Settings,
    raw_end: dict[int, int],
    parts: list[Any],
    sources: dict[str, int],
) -> bool:
    """True when the worker's group committed past everything there is to process."""
    from aiokafka import TopicPartition

    for partition, last in raw_end.items():
        done = await offsets.committed(TopicPartition(settings.topic_news_raw, partition))
        if done is None or done <= last:
            return False
    for tp in parts:
        high = consumer.highwater(tp)
        if high is None:
            return False
        if tp.topic in sources:
            if high > 0 and (await offsets.committed(tp) or 0) < high:
                return False
        elif await consumer.position(tp) < high:
            return False
    return True

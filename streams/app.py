"""The faust app, built explicitly from Settings by :func:`create_app` (no work at import time).

Faust also reads ``FAUST_*`` environment variables; every setting that matters is passed here so
the service is configured by ``SIGNALS_*`` alone.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from streams.agents import Pipeline, register_agents
from streams.alerts import AlertRules
from streams.extract import Detector, default_detector
from streams.kafka import faust_credentials
from streams.metrics import Metrics
from streams.settings import Settings
from streams.stories import StoryStage
from streams.tables import create_tables, window_for
from streams.topics import declare_topics


@dataclass(frozen=True)
class Service:
    """One faust app with its topics, tables and agents wired up."""

    app: Any
    pipeline: Pipeline


def faust_options(settings: Settings) -> dict[str, Any]:
    """The faust settings derived from ours."""
    if not settings.broker:
        raise ValueError("no broker configured (set SIGNALS_BROKER)")
    opts: dict[str, Any] = {
        "broker": settings.broker,
        "broker_credentials": faust_credentials(settings),
        "store": "rocksdb://" if settings.store == "rocksdb" else "memory://",
        "datadir": str(settings.data_dir),
        # the embedded broker has no exactly-once; outputs are idempotent instead
        "processing_guarantee": "at_least_once",
        "broker_session_timeout": settings.session_timeout_s,
        "broker_heartbeat_interval": settings.heartbeat_interval_s,
        "broker_rebalance_timeout": settings.rebalance_timeout_s,
        "broker_commit_interval": settings.commit_interval_s,
        # librdkafka's defaults (Kafka 4 lingers 5 ms too): faust's 16 KB, no linger, sent
        # a changelog burst in many small requests
        "producer_linger": settings.producer_linger_ms / 1000.0,
        "producer_max_batch_size": settings.producer_batch_bytes,
        "consumer_auto_offset_reset": "earliest",
        "topic_partitions": settings.partitions,
        "topic_replication_factor": settings.replication_factor,
        "topic_allow_declare": True,
        "web_enabled": settings.web_enabled,
        "web_host": settings.web_host,
        "web_port": settings.web_port,
        "autodiscover": False,
        "key_serializer": "raw",
        "value_serializer": "raw",
        "table_key_serializer": "json",
        "table_value_serializer": "json",
    }
    if settings.embedded_broker:
        # the embedded broker keeps its topics in memory: after it restarts, a state dir left
        # by an earlier run holds offsets past the new, empty changelogs, and RocksDB recovery
        # would refuse to start. (Its under-reported end offsets are handled by the transport.)
        opts["recovery_consistency_check"] = False
    return opts


def light_monitor() -> type[Any]:
    """faust's ``Monitor`` sensor without its per-message, per-event and per-send bookkeeping.

    faust calls its monitor for every message read, stream event, table read and write and
    record sent (counters, timestamps, latency deques) that only faust's own web views and
    ``faust.sensors`` exporters read; none of them is used here. What the service reads is
    kept: committed offsets (the consumer lag gauge), end offsets, commits and rebalances.
    """
    from faust.sensors import Monitor

    class LightMonitor(Monitor):
        def on_message_in(self, tp: Any, offset: int, message: Any) -> None:
            return None

        def on_stream_event_in(self, tp: Any, offset: int, stream: Any, event: Any) -> None:
            return None

        def on_stream_event_out(
            self, tp: Any, offset: int, stream: Any, event: Any, state: Any = None
        ) -> None:
            return None

        def on_message_out(self, tp: Any, offset: int, message: Any) -> None:
            return None

        def on_table_get(self, table: Any, key: Any) -> None:
            return None

        def on_table_set(self, table: Any, key: Any, value: Any) -> None:
            return None

        def on_table_del(self, table: Any, key: Any) -> None:
            return None

        def on_send_initiated(
            self, producer: Any, topic: str, message: Any, keysize: int, valsize: int
        ) -> None:
            return None

        def on_send_completed(self, producer: Any, state: Any, metadata: Any) -> None:
            return None

    return LightMonitor


def use_transport(app: Any, settings: Settings) -> None:
    """Make ``app`` consume through :class:`streams.transport.Transport` (before any topic)."""
    from streams.transport import Transport

    app.transport = Transport(
        app.conf.broker_consumer,
        app,
        fetch_max_wait_ms=settings.fetch_max_wait_ms,
        exact_end_offsets=settings.embedded_broker,
    )


def create_app(
    settings: Settings,
    metrics: Metrics,
    *,
    clock: Callable[[], float] = time.time,
    detect: Detector | None = None,
    **overrides: Any,
) -> Service:
    """A faust app running the pipeline on ``settings.broker``; ``overrides`` go to faust."""
    import faust

    window_for(settings.surge_window_s)  # fail before starting on a window we do not keep
    options = {"Monitor": light_monitor(), **faust_options(settings), **overrides}
    app = faust.App(settings.app_id, **options)
    use_transport(app, settings)
    topics = declare_topics(app, settings)
    tables = create_tables(app, settings)
    pipeline = Pipeline(
        app=app,
        settings=settings,
        topics=topics,
        tables=tables,
        metrics=metrics,
        rules=AlertRules.from_settings(settings),
        clock=clock,
        detect=detect or default_detector(),
        stories=StoryStage(app, settings, metrics, clock) if settings.stories_enabled else None,
    )
    register_agents(pipeline)
    return Service(app=app, pipeline=pipeline)

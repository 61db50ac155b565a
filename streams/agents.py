"""The agents: thin loops that decode, call :mod:`signals`, aggregate, alert and send.

``detect_signals``: ``news.raw`` -> decode/validate -> detect -> ``signals.detected`` (keyed
by company, timestamped with the event's publication time). ``aggregate_signals``:
``signals.detected`` -> windowed tables -> alert rules -> ``signals.alerts``. A message that
fails at any stage goes to ``news.rejected`` with its reason and stage; an agent never stops.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from signals.models import KINDS, Alert, Signal
from streams.alerts import AlertRules, surge_alert_of, surge_triggered, threshold_hit
from streams.codec import dead_letter, decode_event, encode
from streams.errors import DecodeError
from streams.extract import Detector, default_detector, extract
from streams.heap import TRIM_INTERVAL_S, heap_trimmer
from streams.metrics import Metrics
from streams.settings import Settings
from streams.shutdown import finish
from streams.stories import StoryStage
from streams.tables import (
    WindowBatch,
    WindowTables,
    as_of,
    contribution,
    figures,
    processing,
    seq_of,
    table_key,
    window_for,
)
from streams.topics import Topics

log = logging.getLogger(__name__)
INGESTED_HEADER = "x-signals-ingested-at"
UNKNOWN_SOURCE = "unknown"


@dataclass
class Pipeline:
    """Everything the agents need, injected: settings, topics, tables, metrics, clock."""

    app: Any
    settings: Settings
    topics: Topics
    tables: WindowTables
    metrics: Metrics
    rules: AlertRules
    clock: Callable[[], float] = time.time
    detect: Detector = field(default_factory=default_detector)
    # duplicates dropped, rewrites grouped, signals corroborated (streams/stories.py)
    stories: StoryStage | None = None

    async def on_news(self, event: Any) -> None:
        """One ``news.raw`` message: validate, detect, send each signal."""
        msg = event.message
        try:
            news = decode_event(msg.value, self.settings.max_body_bytes)
        except DecodeError as exc:
            stage = "validate" if exc.reason in ("invalid_event", "too_large") else "decode"
            await self.reject(msg, exc.reason, stage, exc.detail)
            return
        self.metrics.news_ingested.inc()
        try:
            found = extract(news, self.detect)
        except Exception as exc:  # a detector bug must not stop the stream
            log.exception("detect failed on %s[%s]@%s", msg.topic, msg.partition, msg.offset)
            await self.reject(msg, "processing_error", "detect", f"{type(exc).__name__}: {exc}")
            return
        if self.stories is not None:
            found = self.stories.corroborate(found, msg.headers)
        when = news.published_at.timestamp() if news.published_at else msg.timestamp
        ingested = _header(msg.headers, INGESTED_HEADER)  # stamped by the story stage
        stamp = ingested if ingested is not None else self.clock()
        headers = [(INGESTED_HEADER, repr(stamp).encode("ascii"))]
        for signal in found:
            self.metrics.signals_detected.labels(signal.kind).inc()
            await self.topics.signals_detected.send(
                key=signal.company.encode("utf-8"),
                value=encode(signal),
                timestamp=when,
                headers=headers,
            )

    async def on_signal(self, event: Any) -> None:
        """One ``signals.detected`` message (a batch of one)."""
        await self.on_signals([event])

    async def on_signals(self, events: Sequence[Any]) -> None:
        """A batch of ``signals.detected`` messages: counted in their windows, rules applied.

        Each window is read once and written once per batch (one changelog record per key and
        window, not per signal); the rules see the windows as they are after each signal.
        """
        batch = WindowBatch(self.tables)
        out: list[tuple[Alert, float, float | None]] = []
        for event in events:
            msg = event.message
            try:
                signal = Signal.model_validate_json(msg.value or b"")
            except ValidationError as exc:
                await self.reject(msg, "invalid_event", "aggregate", str(exc.errors()[0]["msg"]))
                continue
            try:
                with processing(event):  # the story stage's table writes go to its partition
                    alerts = self._aggregate(signal, msg.timestamp, batch, event)
            except Exception as exc:
                log.exception("aggregate failed on %s[%s]@%s", msg.topic, msg.partition, msg.offset)
                await self.reject(
                    msg, "processing_error", "aggregate", f"{type(exc).__name__}: {exc}"
                )
                continue
            ingested = _header(msg.headers, INGESTED_HEADER)
            out.extend((alert, msg.timestamp, ingested) for alert in alerts)
        batch.flush()
        for alert, timestamp, ingested in out:
            await self.topics.signals_alerts.send(
                key=alert.company.encode("utf-8"), value=encode(alert), timestamp=timestamp
            )
            self.metrics.alerts_emitted.labels(alert.rule, alert.severity).inc()
            if ingested is not None:
                self.metrics.alert_latency.observe(max(0.0, self.clock() - ingested))

    def _aggregate(
        self, signal: Signal, timestamp: float, tables: WindowBatch, event: Any
    ) -> list[Alert]:
        key = table_key(signal.company, signal.kind)
        source = signal.source or UNKNOWN_SOURCE
        _, day = tables.members("1d", key, timestamp)  # the stored window (1 h is part of it)
        if signal.signal_id in day:
            self.metrics.duplicates_dropped.labels("aggregate").inc()
        # applied even to a duplicate: the union is idempotent
        seq = int(event.message.offset)
        tables.add(key, contribution(signal, source, seq, timestamp), timestamp, event)
        # figures as of the seq the signal was first counted at: a replay yields the same alert
        first = day.get(signal.signal_id)
        upto = seq_of(first) if first is not None and seq_of(first) >= 0 else seq
        # the rules decide first: the window figures are built only for an alert that fires
        hit = threshold_hit(signal, self.rules)
        company: dict[str, list[Any]] = {}
        start = 0.0
        span = window_for(self.settings.surge_window_s)
        for kind in KINDS:
            start, members = tables.members(span, table_key(signal.company, kind), timestamp)
            company.update(as_of(members, upto))
        sources = {sid: m[0] for sid, m in company.items()}
        surges = surge_triggered(signal.signal_id, sources, self.rules)
        alerts: list[Alert] = []
        if hit is not None or surges:
            windows = tables.figures(key, timestamp, upto)
            if hit is not None:
                alerts.append(hit.alert(signal, windows))
            if surges:
                alerts.append(
                    surge_alert_of(signal, sources, figures(span, start, company), windows)
                )
        if self.stories is not None:  # once per story, not once per outlet
            return self.stories.first_alerts(signal, alerts)
        return alerts

    async def reject(self, msg: Any, reason: str, stage: str, detail: str) -> None:
        """Send a message to the dead-letter topic, count it and log where it came from."""
        log.warning(
            "rejected %s[%s]@%s: %s at %s: %s",
            msg.topic,
            msg.partition,
            msg.offset,
            reason,
            stage,
            detail,
        )
        self.metrics.news_rejected.labels(reason, stage).inc()
        letter = dead_letter(
            reason=reason,
            stage=stage,
            detail=detail,
            topic=msg.topic,
            partition=msg.partition,
            offset=msg.offset,
            key=msg.key,
            value=msg.value,
        )
        await self.topics.news_rejected.send(key=msg.key, value=encode(letter))

    def update_gauges(self) -> None:
        for name, size in self.tables.sizes():
            self.metrics.table_size.labels(name).set(size)
        for topic, lag in consumer_lag(self.app).items():
            self.metrics.consumer_lag.labels(topic).set(lag)


def consumer_lag(app: Any) -> dict[str, int]:
    """Messages not yet committed, per source topic of the app's agents.

    Uses the highwater of fetch responses (the embedded broker under-reports ListOffsets).
    """
    sources = {name for agent in app.agents.values() for name in agent.channel.topics}
    committed = app.monitor.tp_committed_offsets
    lag: dict[str, int] = {}
    for tp in app.consumer.assignment():
        if tp.topic not in sources:
            continue
        high = app.consumer.highwater(tp)
        if high is None:
            continue
        done = committed.get(tp) or 0
        lag[tp.topic] = lag.get(tp.topic, 0) + max(0, high - done)
    return lag


def _header(headers: Any, name: str) -> float | None:
    items = headers.items() if isinstance(headers, dict) else (headers or ())
    for key, value in items:
        if key == name:
            try:
                return float(value.decode("ascii") if isinstance(value, bytes) else value)
            except ValueError:
                return None
    return None


def register_agents(pipeline: Pipeline) -> None:
    """Declare the agents (and the gauge timer) on the pipeline's app."""
    app = pipeline.app

    async def detect_signals(stream: Any) -> None:
        async for event in stream.events():
            await finish(pipeline.on_news(event))

    async def aggregate_signals(stream: Any) -> None:
        settings = pipeline.settings
        async for events in stream.take_events(settings.batch_max, settings.batch_within_s):
            await finish(pipeline.on_signals(events))

    async def update_gauges() -> None:
        try:
            pipeline.update_gauges()
        except Exception:  # a gauge must never stop the worker
            log.exception("gauge update failed")

    source = pipeline.topics.news_raw
    if pipeline.stories is not None:
        pipeline.stories.register(app, pipeline.topics.news_raw, pipeline.reject)
        source = pipeline.stories.stories_topic
    app.agent(source, name="detect_signals")(detect_signals)
    app.agent(pipeline.topics.signals_detected, name="aggregate_signals")(aggregate_signals)
    app.timer(5.0, name="update_gauges")(update_gauges)
    trim = heap_trimmer()
    if trim is not None:  # RSS back to what is live after a backlog (streams/heap.py)

        async def trim_heap() -> None:
            trim()

        app.timer(TRIM_INTERVAL_S, name="trim_heap")(trim_heap)

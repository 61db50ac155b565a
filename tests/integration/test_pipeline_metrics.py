"""The pipeline's metrics, from a faust app run in this process on the session broker."""

from __future__ import annotations

import asyncio
import time

import orjson
import pytest
from prometheus_client import CollectorRegistry

from streams.app import create_app
from streams.metrics import Metrics
from streams.publish import publish_lines
from streams.settings import Settings
from streams.topics import create_topics

pytestmark = pytest.mark.integration


def value(registry: CollectorRegistry, name: str, **labels: str) -> float:
    return registry.get_sample_value(name, labels or None) or 0.0


async def test_pipeline_counts_what_it_does(settings: Settings) -> None:
    settings = settings.model_copy(update={"commit_interval_s": 0.5})
    await create_topics(settings)
    registry = CollectorRegistry()
    service = create_app(settings, Metrics.create(registry))
    await service.app.start()
    try:
        event = {
            "id": "m1",
            "body": "Acme Robotics raised $200 million in a Series B round.",
            "source": "wire",
        }
        await publish_lines(settings, settings.topic_news_raw, [orjson.dumps(event), b"{bad"])
        deadline = time.monotonic() + 60
        rule = {"rule": "funding_threshold", "severity": "warning"}
        while value(registry, "signals_alerts_emitted_total", **rule) < 1:
            assert time.monotonic() < deadline, "no alert counted"
            await asyncio.sleep(0.1)
        assert value(registry, "signals_news_ingested_total") == 1
        bad = {"reason": "not_json", "stage": "decode"}
        assert value(registry, "signals_news_rejected_total", **bad) == 1
        assert value(registry, "signals_signals_detected_total", kind="funding") == 1
        assert value(registry, "signals_alert_latency_seconds_count") == 1
        service.pipeline.update_gauges()
        # one stored table: the 1 h figures come from the daily windows
        hourly = registry.get_sample_value("signals_table_keys", {"table": "signal_windows_1h"})
        assert hourly is None
        assert value(registry, "signals_table_keys", table="signal_windows_1d") == 1
        lag = registry.get_sample_value(
            "signals_consumer_lag_messages", {"topic": settings.topic_news_raw}
        )
        assert lag is not None and lag >= 0
    finally:
        await service.app.stop()

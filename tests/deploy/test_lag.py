"""The consumer lag gauge is real: it rises under a burst and falls back to zero once processed."""

from __future__ import annotations

import asyncio
import re
import time
import uuid
from pathlib import Path

import httpx
import pytest
from aiokafka import AIOKafkaProducer

from streams.broker import EmbeddedBroker, free_port
from streams.processes import WorkerProcess
from streams.settings import Settings

pytestmark = [pytest.mark.integration, pytest.mark.timeout(240)]

BURST = 20_000


def lag(metrics_text: str, topic: str) -> float | None:
    match = re.search(
        rf'^signals_consumer_lag_messages{{topic="{re.escape(topic)}"}} (\S+)$', metrics_text, re.M
    )
    return float(match.group(1)) if match else None


async def burst(settings: Settings, n: int) -> None:
    producer = AIOKafkaProducer(
        bootstrap_servers=settings.bootstrap_servers(), acks="all", linger_ms=20
    )
    await producer.start()
    try:
        futures = [
            await producer.send(
                settings.topic_news_raw,
                f'{{"id": "lag-{i}", "body": "Nothing happened today."}}'.encode(),
                key=f"lag-{i}".encode(),
            )
            for i in range(n)
        ]
        await asyncio.gather(*futures)
    finally:
        await producer.stop()


def test_consumer_lag_rises_under_a_burst_then_returns_to_zero(
    embedded_broker: EmbeddedBroker, tmp_path: Path
) -> None:
    tag = uuid.uuid4().hex[:8]
    settings = Settings(
        broker=embedded_broker.url,
        embedded_broker=True,
        app_id=f"lag-{tag}",
        data_dir=tmp_path / "state",
        store="memory",
        partitions=2,
        web_enabled=True,
        web_port=free_port(),
        stories_enabled=False,
        topic_news_raw=f"news.raw.{tag}",
        topic_news_rejected=f"news.rejected.{tag}",
        topic_signals_detected=f"signals.detected.{tag}",
        topic_signals_alerts=f"signals.alerts.{tag}",
        topic_webhooks_dead=f"webhooks.dead.{tag}",
    )
    url = f"http://127.0.0.1:{settings.web_port}"
    with WorkerProcess(settings, log_path=tmp_path / "worker.log") as worker:

        def scrape() -> str:
            try:
                return httpx.get(f"{url}/metrics", timeout=5).text
            except httpx.HTTPError:
                return ""

        deadline = time.monotonic() + 90
        while lag(scrape(), settings.topic_news_raw) is None:
            assert time.monotonic() < deadline, worker.log_tail()
            time.sleep(0.5)
        asyncio.run(burst(settings, BURST))
        seen: list[float] = []
        deadline = time.monotonic() + 150
        while time.monotonic() < deadline:
            value = lag(scrape(), settings.topic_news_raw)
            if value is not None:
                seen.append(value)
                if max(seen) > 0 and value == 0:
                    break
            time.sleep(0.5)
        print(f"lag samples every 0.5 s: max {max(seen, default=0):.0f}, {len(seen)} samples")
        assert seen and max(seen) > 0, f"the lag never rose: {seen[:20]}\n{worker.log_tail()}"
        assert max(seen) <= BURST
        assert seen[-1] == 0, f"the lag did not fall back to 0: {seen[-10:]}"
        ingested = re.search(r"^signals_news_ingested_total (\S+)$", scrape(), re.M)
        assert ingested and float(ingested.group(1)) == BURST

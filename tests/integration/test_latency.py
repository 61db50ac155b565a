"""An unloaded pipeline on the embedded broker alerts within a fraction of a second.

Before ``SIGNALS_FETCH_MAX_WAIT_MS`` (streams/transport.py), faust's fetches waited 1.5 s on
the embedded broker, which answers a pending fetch only when its wait runs out: each hop
(news.raw -> stories -> detect -> aggregate) took up to 1.5 s and an article needed 1-3 s.
"""

from __future__ import annotations

import asyncio
import statistics
import time

import orjson
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from prometheus_client import CollectorRegistry

from streams.app import create_app
from streams.kafka import aiokafka_options
from streams.metrics import Metrics
from streams.settings import Settings
from streams.topics import create_topics

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]

ARTICLES = 7
# generous: 0.16-0.28 s here at a load of 3 (fetch wait 100 ms), 1.7-2.8 s with faust's 1.5 s
BOUND_S = 0.8


# distinct stories (the story stage would group near-copies and alert once per story)
BODIES = [
    "Brindle Robotics raised $310 million in a Series C round led by a pension fund.",
    "Corvane Health, a maker of hospital software, closed a $450 million growth round.",
    "Dellmar Batteries said on Tuesday it had secured $275 million from new investors.",
    "Estuary Freight, the logistics start-up, raised $620 million to expand into Asia.",
    "Fennick Labs raised $190 million from a group of investors led by two family offices.",
    "Galloway Quantum has raised $530 million, valuing the chip designer at $4 billion.",
    "Harrowgate Foods closed a $240 million funding round to open forty new kitchens.",
]


def article(i: int) -> bytes:
    body = BODIES[i % len(BODIES)]
    return orjson.dumps(
        {"id": f"lat-{i}", "title": body.split(",")[0], "body": body, "source": f"wire-{i}"}
    )


async def test_one_article_is_alerted_well_under_the_old_fetch_wait(settings: Settings) -> None:
    await create_topics(settings)
    service = create_app(settings, Metrics.create(CollectorRegistry()))
    alerts = AIOKafkaConsumer(
        **aiokafka_options(settings), group_id=None, enable_auto_commit=False, fetch_max_wait_ms=5
    )
    producer = AIOKafkaProducer(**aiokafka_options(settings), acks="all")
    await service.app.start()
    await alerts.start()
    await producer.start()
    try:
        tps = [TopicPartition(settings.topic_signals_alerts, p) for p in range(settings.partitions)]
        alerts.assign(tps)

        async def alerted(article_id: str, timeout_s: float) -> float:
            sent = time.monotonic()
            await producer.send_and_wait(settings.topic_news_raw, article(int(article_id[4:])))
            while time.monotonic() - sent < timeout_s:
                batch = await alerts.getmany(timeout_ms=20)
                for records in batch.values():
                    for record in records:
                        if orjson.loads(record.value or b"{}").get("article_id") == article_id:
                            return time.monotonic() - sent
            raise AssertionError(f"no alert for {article_id} in {timeout_s} s")

        # the first article waits for the group's assignment and warms the detectors up
        await alerted("lat-0", 60)
        took = []
        for i in range(1, ARTICLES):
            took.append(await alerted(f"lat-{i}", 10))
            await asyncio.sleep(0.3)  # one at a time: every hop starts idle
        assert statistics.median(took) < BOUND_S, [round(t, 3) for t in took]
    finally:
        await producer.stop()
        await alerts.stop()
        await service.app.stop()

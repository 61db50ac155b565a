"""End offsets on the real embedded broker, with multi-record batches at the end of partitions."""

from __future__ import annotations

from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from streams.kafka import aiokafka_options
from streams.offsets import end_offsets
from streams.settings import Settings
from streams.topics import create_topics

pytestmark = [pytest.mark.integration, pytest.mark.timeout(60)]


async def produce_batches(settings: Settings, topic: str, sizes: dict[int, list[int]]) -> None:
    """Per partition, batches of the given sizes (a linger so each group is one batch)."""
    producer = AIOKafkaProducer(**aiokafka_options(settings), acks="all", linger_ms=50)
    await producer.start()
    try:
        for partition, batches in sizes.items():
            for size in batches:
                sent = [
                    await producer.send(topic, b"x%d" % i, partition=partition) for i in range(size)
                ]
                offsets = [(await s).offset for s in sent]
                assert offsets == list(range(offsets[0], offsets[0] + size))
    finally:
        await producer.stop()


async def ends(settings: Settings, topic: str, partitions: int, *, exact: bool) -> dict[int, int]:
    consumer = AIOKafkaConsumer(**aiokafka_options(settings), group_id=None)
    await consumer.start()
    try:
        tps: list[Any] = [TopicPartition(topic, p) for p in range(partitions)]
        consumer.assign(tps)
        found = await end_offsets(consumer, tps, exact_by_fetch=exact, timeout_s=10)
        return {tp.partition: end for tp, end in found.items()}
    finally:
        await consumer.stop()


async def test_fetched_end_counts_every_record_of_the_last_batch(settings: Settings) -> None:
    topic = f"offsets.{settings.app_id}"
    await create_topics(settings, {topic: 3})
    # partition 0: batches of 4 and 6; partition 1: a single record; partition 2: empty
    await produce_batches(settings, topic, {0: [4, 6], 1: [1]})
    assert await ends(settings, topic, 3, exact=True) == {0: 10, 1: 1, 2: 0}
    # why: ListOffsets of the embedded broker stops at the first record of the last batch
    # (if this starts to pass as exact, Tansu fixed it and lever 1's workaround can go)
    assert await ends(settings, topic, 3, exact=False) == {0: 5, 1: 1, 2: 0}

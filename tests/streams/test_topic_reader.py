"""TopicReader on the real embedded broker: a tail starts N records before the true end."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest
from test_offsets import produce_batches

from streams.settings import Settings
from streams.topic_reader import TopicReader
from streams.topics import create_topics

pytestmark = [pytest.mark.integration, pytest.mark.timeout(60)]


async def read(reader: TopicReader, got: list[Any], want: int, quiet_s: float = 1.0) -> None:
    """Run ``reader`` until it has ``want`` records and nothing more arrives for ``quiet_s``."""
    await reader.start()
    try:
        deadline = time.monotonic() + 20
        while len(got) < want and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
        await asyncio.sleep(quiet_s)
    finally:
        await reader.stop()


async def test_tail_counts_from_the_end_of_a_multi_record_batch(settings: Settings) -> None:
    topic = f"reader.{settings.app_id}"
    await create_topics(settings, {topic: 2})
    # partition 0 ends with a batch of 6 records, partition 1 with a batch of 5
    await produce_batches(settings, topic, {0: [4, 6], 1: [5]})
    got: list[Any] = []
    reader = TopicReader(settings, [topic], got.append, tail=3, name="tail")
    await read(reader, got, 6)
    assert sorted((r.partition, r.offset) for r in got) == [
        (0, 7),
        (0, 8),
        (0, 9),
        (1, 2),
        (1, 3),
        (1, 4),
    ]


async def test_no_tail_reads_everything(settings: Settings) -> None:
    topic = f"reader-all.{settings.app_id}"
    await create_topics(settings, {topic: 2})
    await produce_batches(settings, topic, {0: [4, 6], 1: [5]})
    got: list[Any] = []
    await read(TopicReader(settings, [topic], got.append, name="all"), got, 15)
    assert len(got) == 15

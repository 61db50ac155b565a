"""Read whole topics without a consumer group: every partition, from the tail or the start.

The API process uses it to keep read-only copies (recent alerts, the window tables'
changelogs). Without a group there is no rebalance and every API replica sees every partition.
When the broker goes away the reader reconnects by itself; ``assigned`` is False meanwhile.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Sequence
from typing import Any

from streams.kafka import aiokafka_options
from streams.offsets import end_offsets
from streams.settings import Settings

log = logging.getLogger(__name__)

RecordHandler = Callable[[Any], None]


class TopicReader:
    """Feed every record of ``topics`` to ``handler`` until stopped.

    ``tail=None`` reads from the beginning; ``tail=N`` starts N records before the end of each
    partition (found by fetch on the embedded broker, see :mod:`streams.offsets`).
    """

    def __init__(
        self,
        settings: Settings,
        topics: Sequence[str],
        handler: RecordHandler,
        *,
        tail: int | None = None,
        name: str = "reader",
        retry_s: float = 2.0,
    ) -> None:
        self._settings = settings
        self.topics = list(topics)
        self._handler = handler
        self._tail = tail
        self.name = name
        self._retry_s = retry_s
        self._task: asyncio.Task[None] | None = None
        self.assigned = False
        self.records = 0
        self.failures = 0

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=f"topic-reader-{self.name}")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    async def _run(self) -> None:
        while True:
            try:
                await self._consume()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # broker gone or topic missing: retry, the API keeps serving
                self.assigned = False
                self.failures += 1
                # warn once per outage, not on every retry
                level = logging.WARNING if self.failures == 1 else logging.DEBUG
                log.log(level, "%s reader stopped (%s); retrying", self.name, type(exc).__name__)
                await asyncio.sleep(self._retry_s)

    async def _consume(self) -> None:
        from aiokafka import AIOKafkaConsumer, TopicPartition

        consumer = AIOKafkaConsumer(
            client_id=f"{self._settings.app_id}-api-{self.name}",
            group_id=None,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            **aiokafka_options(self._settings),
        )
        await asyncio.wait_for(consumer.start(), 15.0)
        try:
            tps: list[Any] = []
            for topic in self.topics:
                partitions = await _partitions(consumer, topic)
                tps.extend(TopicPartition(topic, p) for p in sorted(partitions))
            consumer.assign(tps)
            if self._tail is None:
                await consumer.seek_to_beginning(*tps)
            else:
                ends = await end_offsets(
                    consumer, tps, exact_by_fetch=self._settings.embedded_broker
                )
                starts = await consumer.beginning_offsets(tps)
                for tp in tps:
                    consumer.seek(tp, max(starts[tp], ends[tp] - self._tail))
            self.assigned = True
            self.failures = 0
            while True:
                batches = await consumer.getmany(timeout_ms=500, max_records=1000)
                for records in batches.values():
                    for record in records:
                        self._handler(record)
                        self.records += 1
        finally:
            self.assigned = False
            with contextlib.suppress(Exception):
                await asyncio.wait_for(consumer.stop(), 5.0)


async def _partitions(consumer: Any, topic: str, timeout_s: float = 15.0) -> set[int]:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while True:
        partitions = consumer.partitions_for_topic(topic)
        if partitions:
            return set(partitions)
        if loop.time() > deadline:
            raise TimeoutError(f"topic {topic} has no partitions")
        await consumer.topics()  # refreshes the cluster metadata
        await asyncio.sleep(0.2)

"""Helpers for pipeline tests: worker processes, a publisher, and a confluent-kafka reader."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from confluent_kafka import OFFSET_BEGINNING, Consumer, TopicPartition

from streams.processes import WorkerProcess
from streams.publish import publish_lines
from streams.settings import Settings
from streams.topics import create_topics

Record = dict[str, Any]


class Reader:
    """Reads a topic from the beginning with confluent-kafka (not the app's own clients)."""

    def __init__(self, settings: Settings, topic: str) -> None:
        self.topic = topic
        self.records: list[Record] = []
        self._consumer = Consumer(
            {
                "bootstrap.servers": settings.bootstrap_servers(),
                "group.id": f"reader-{topic}",
                "enable.auto.commit": False,
                "auto.offset.reset": "earliest",
            }
        )
        # assign, not subscribe: no group join, no waiting for a rebalance
        self._consumer.assign(
            [TopicPartition(topic, p, OFFSET_BEGINNING) for p in range(settings.partitions)]
        )

    def until(
        self,
        done: Callable[[list[Record]], bool],
        timeout_s: float = 60.0,
        worker: WorkerProcess | None = None,
    ) -> list[Record]:
        """Poll until ``done(records)`` holds; fail after ``timeout_s`` or if the worker dies."""
        deadline = time.monotonic() + timeout_s
        while not done(self.records):
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"timeout on {self.topic}: {len(self.records)} records: {self.records[-5:]}"
                    + (f"\nworker log:\n{worker.log_tail()}" if worker else "")
                )
            if worker is not None and not worker.running():
                raise AssertionError(f"worker exited:\n{worker.log_tail()}")
            msg = self._consumer.poll(0.2)
            if msg is None or msg.error():
                continue
            record: Record = orjson.loads(msg.value())
            record["_partition"], record["_offset"] = msg.partition(), msg.offset()
            self.records.append(record)
        return self.records

    def close(self) -> None:
        self._consumer.close()


@pytest.fixture
def pipeline_settings(settings: Settings) -> Settings:
    """Test settings with the topics created and a short commit interval."""
    live = settings.model_copy(
        update={
            "commit_interval_s": 0.5,
            "log_level": "INFO",
            "session_timeout_s": 6.0,
            "rebalance_timeout_s": 6.0,
        }
    )
    asyncio.run(create_topics(live))
    return live


@pytest.fixture
def start_worker(tmp_path: Path) -> Iterator[Callable[[Settings], WorkerProcess]]:
    """Start ``signals worker`` processes; every one is stopped (by PID) at teardown."""
    started: list[WorkerProcess] = []

    def start(settings: Settings) -> WorkerProcess:
        worker = WorkerProcess(settings, log_path=tmp_path / f"worker-{len(started)}.log")
        started.append(worker.start())
        return worker

    yield start
    for worker in started:
        worker.stop()


@pytest.fixture
def reader(pipeline_settings: Settings) -> Iterator[Callable[[str], Reader]]:
    readers: list[Reader] = []

    def make(topic: str) -> Reader:
        readers.append(Reader(pipeline_settings, topic))
        return readers[-1]

    yield make
    for r in readers:
        r.close()


Publish = Callable[..., dict[int, int]]


@pytest.fixture
def publish() -> Publish:
    """``publish(settings, lines, topic=None)``: raw lines to a topic (news.raw by default)."""

    def send(settings: Settings, lines: list[bytes], topic: str | None = None) -> dict[int, int]:
        return asyncio.run(publish_lines(settings, topic or settings.topic_news_raw, lines))

    return send

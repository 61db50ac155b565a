"""Windows expire by event time on the real broker: gone from the tables and tombstoned in the
changelogs, so neither a restarted worker nor the API's replica holds them again."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta

import pytest
from confluent_kafka import OFFSET_BEGINNING, Consumer, TopicPartition
from handmade import funding_signal, send_signals
from prometheus_client import CollectorRegistry

from signals.models import Signal
from streams.app import create_app
from streams.metrics import Metrics
from streams.settings import Settings
from streams.tables import TABLES, table_key
from streams.topics import create_topics
from streams.window_expiry import window_key
from streams.windows_replica import WindowsReplica, changelog_topics

pytestmark = pytest.mark.integration

# a replay: event times years behind the wall clock (faust's own cleanup, by wall clock,
# would drop these windows 30 s after writing them, without a tombstone)
OLD = datetime(2020, 3, 2, 10, 0, tzinfo=UTC)


def _signal(n: int, company: str, when: datetime) -> Signal:
    return funding_signal(n, company, when, source="wire", article="expiry")


async def _send(settings: Settings, signals: list[Signal]) -> None:
    await send_signals(settings, signals)


def _changelogs(settings: Settings, expected: int, timeout_s: float = 30.0) -> list[object]:
    """Every record of the window tables' changelogs (at least ``expected`` of them)."""
    consumer = Consumer(
        {
            "bootstrap.servers": settings.bootstrap_servers(),
            "group.id": f"expiry-{settings.app_id}",
            "enable.auto.commit": False,
        }
    )
    consumer.assign(
        [
            TopicPartition(topic, p, OFFSET_BEGINNING)
            for topic in changelog_topics(settings)
            for p in range(settings.partitions)
        ]
    )
    records: list[object] = []
    deadline = time.monotonic() + timeout_s
    try:
        while len(records) < expected and time.monotonic() < deadline:
            msg = consumer.poll(0.2)
            if msg is not None and not msg.error():
                records.append(msg)
        # a little more, in case there is more than expected
        end = time.monotonic() + 1.0
        while time.monotonic() < end:
            msg = consumer.poll(0.2)
            if msg is not None and not msg.error():
                records.append(msg)
    finally:
        consumer.close()
    return records


@pytest.mark.parametrize("store", ["memory", "rocksdb"])
async def test_windows_expire_by_event_time_with_tombstones(store: str, settings: Settings) -> None:
    settings = settings.model_copy(update={"commit_interval_s": 0.5, "store": store})
    await create_topics(settings)
    registry = CollectorRegistry()
    service = create_app(settings, Metrics.create(registry))
    tables = service.pipeline.tables
    key = table_key("Expiring Robotics", "funding")
    await service.app.start()
    try:
        old = [_signal(1, "Expiring Robotics", OLD), _signal(2, "Expiring Robotics", OLD)]
        await _send(settings, old)
        # 20 days later in event time (one company: one partition, one event-time clock)
        later = _signal(3, "Expiring Robotics", OLD + timedelta(days=20))
        await _send(settings, [later])

        def held() -> dict[str, set[tuple[str, tuple[float, float]]]]:
            """The company's windows in each table (RocksDB gives keys back as JSON lists)."""
            out: dict[str, set[tuple[str, tuple[float, float]]]] = {}
            for name, wrapper in tables.by_name.items():
                found = (window_key(k) for k in wrapper.table.data.keys())
                out[name] = {k for k in found if k is not None and k[0] == key}
            return out

        deadline = time.monotonic() + 60
        while True:
            now = held()
            ends = [span[1] for spans in now.values() for _k, span in spans]
            if ends and min(ends) > OLD.timestamp() + 19 * 86400:
                break
            assert time.monotonic() < deadline, f"windows did not expire: {now}"
            await asyncio.sleep(0.2)
        # only the later signal's window is left: one daily
        assert [len(now[n]) for n in TABLES] == [1]
        await asyncio.sleep(settings.commit_interval_s * 2)  # let the producer flush
    finally:
        await service.app.stop()

    # the changelogs: every window of the old signals was written, then tombstoned
    records = _changelogs(settings, expected=1 + 1 + 1)  # old window, tombstone, later one
    last: dict[tuple[str, tuple[float, float]], bytes | None] = {}
    for msg in records:
        k = window_key(msg.key())  # type: ignore[attr-defined]
        if k is not None and k[0] == key:
            last[k] = msg.value()  # type: ignore[attr-defined]
    old_windows = {k for k in last if k[1][1] <= OLD.timestamp() + 8 * 86400}
    assert len(old_windows) == 1
    assert all(last[k] is None for k in old_windows), "expired windows were not tombstoned"
    # the API's replica, fed the same records, holds only the later windows
    replica = WindowsReplica(changelog_topics(settings))
    for msg in records:
        replica.apply(_Record(msg))
    assert replica.keys() == 1
    assert {w.count for w in replica.figures("Expiring Robotics")["funding"]} == {1}


class _Record:
    """A confluent-kafka message seen as the ConsumerRecord the replica takes."""

    def __init__(self, msg: object) -> None:
        self.topic = msg.topic()  # type: ignore[attr-defined]
        self.key = msg.key()  # type: ignore[attr-defined]
        self.value = msg.value()  # type: ignore[attr-defined]
        self.partition = msg.partition()  # type: ignore[attr-defined]
        self.offset = msg.offset()  # type: ignore[attr-defined]

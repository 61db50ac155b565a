"""The consumer's rebalance guards (streams.transport.Consumer), without a broker.

The races themselves need a rebalance under load; ``tests/integration/test_faults_scale.py``
runs them on the embedded broker. Here: each guard does what it says, and only that.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from faust.transport.drivers import aiokafka as driver
from faust.types import TP
from prometheus_client import CollectorRegistry

from streams.app import create_app
from streams.metrics import Metrics
from streams.settings import Settings
from streams.transport import Consumer, _ReadOffsets, guard_reads

RAW = TP("news.raw", 1)


class Message:
    def __init__(self, offset: int, generation_id: int | None) -> None:
        self.tp = RAW
        self.offset = offset
        self.generation_id = generation_id


def consumer() -> Any:
    settings = Settings(broker="kafka://127.0.0.1:9", embedded_broker=False)
    c = create_app(settings, Metrics.create(CollectorRegistry())).app.consumer  # no I/O
    assert isinstance(c, Consumer)
    return c


def test_the_consumer_uses_both_guards() -> None:
    c = consumer()
    assert isinstance(c._read_offset, _ReadOffsets)
    assert c.callback.__qualname__.startswith("guard_reads.")


def test_read_offsets_drop_only_the_marked_write() -> None:
    reads = _ReadOffsets()
    assert reads[RAW] is None  # faust's default
    reads[RAW] = 868
    reads.stale = (RAW, 912)
    reads[TP("news.raw", 0)] = 912  # another partition: applied
    reads[RAW] = 913  # another offset: applied, the mark stays
    assert reads[RAW] == 913 and reads.stale == (RAW, 912)
    reads[RAW] = 912  # the marked write: dropped, once
    assert reads[RAW] == 913 and reads.stale is None
    reads[RAW] = 912
    assert reads[RAW] == 912
    reads.update({RAW: 500})  # faust's seek to committed offsets: always applied
    assert reads[RAW] == 500


async def test_a_hand_over_spanning_a_seek_or_a_generation_does_not_move_the_read_offset() -> None:
    handed: list[int] = []
    state = {"generation": 2, "seeks": 1}

    async def streams(message: Any) -> None:
        handed.append(message.offset)
        if message.offset == 913:  # the hand-over waits while the consumer is sought
            state["seeks"] += 1
            reads.update({RAW: 868})  # faust's seek to the committed offset

    reads = _ReadOffsets()
    hand_over = guard_reads(streams, reads, lambda: (state["generation"], state["seeks"]))

    async def fetch_loop(message: Message) -> None:  # what faust's fetch loop does per message
        await hand_over(message)
        reads[message.tp] = message.offset

    reads[RAW] = 868  # faust sought the partition back to its committed offset
    await fetch_loop(Message(912, generation_id=1))  # fetched before the rebalance, late
    assert reads[RAW] == 868, "the records from 868 on would be dropped as already read"
    await fetch_loop(Message(868, generation_id=2))
    await fetch_loop(Message(869, generation_id=None))  # no generation known: trusted
    assert reads[RAW] == 869
    await fetch_loop(Message(913, generation_id=2))  # same generation, but sought meanwhile
    assert reads[RAW] == 868
    await fetch_loop(Message(868, generation_id=2))
    await fetch_loop(Message(869, generation_id=2))
    assert reads[RAW] == 869
    assert handed == [912, 868, 869, 913, 868, 869]


async def test_no_record_fetched_before_a_seek_is_handed_over_after_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    c = consumer()

    async def fetched(self: Any, timeout: float) -> AsyncIterator[tuple[TP, Any]]:
        for offset in (10, 11, 12):
            yield RAW, Message(offset, generation_id=1)

    async def seek(self: Any) -> None:
        return None

    monkeypatch.setattr(driver.Consumer, "getmany", fetched)
    monkeypatch.setattr(driver.Consumer, "perform_seek", seek)
    handed = [message.offset async for _, message in c.getmany(1.0)]
    assert handed == [10, 11, 12]
    handed = []
    async for _, message in c.getmany(1.0):
        handed.append(message.offset)
        await c.perform_seek()  # a rebalance's seek back to the committed offsets
    assert handed == [10]


@pytest.mark.parametrize("stops", [True, False])
async def test_records_of_a_fetch_the_flow_stopped_during_are_left_unread(
    monkeypatch: pytest.MonkeyPatch, stops: bool
) -> None:
    c = consumer()
    c.flow_active = True
    records = {RAW: ["record"]}

    async def fetch(self: Any, timeout: float) -> tuple[Any, Any]:
        if stops:
            self.flow_active = False  # a rebalance began while the fetch was in flight
        return records, {RAW}

    monkeypatch.setattr(driver.Consumer, "_wait_next_records", fetch)
    got, active = await c._wait_next_records(1.0)
    assert active == {RAW}
    assert got == (None if stops else records)

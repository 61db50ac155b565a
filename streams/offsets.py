"""The end of each partition (the offset the next record will get), exact on both brokers.

Apache Kafka's ListOffsets(latest) is exact. The embedded broker's (Tansu) answers the base
offset of the partition's last batch plus one, ignoring the batch's other records, so a reader
that stops there misses up to a batch of the newest records (docs/PERFORMANCE.md, lever 1).
The high watermark in its Fetch responses is exact, so on the embedded broker the end is read
by fetching each partition's last batch: the largest of the fetch's high watermark and the last
record's offset plus one. Which path runs is chosen by ``settings.embedded_broker`` alone.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping
from typing import Any

from streams.errors import BrokerError


async def end_offsets(
    consumer: Any, partitions: Iterable[Any], *, exact_by_fetch: bool, timeout_s: float = 10.0
) -> dict[Any, int]:
    """Partition -> end offset; ``exact_by_fetch`` for the embedded broker (see the module).

    ``consumer`` is a started aiokafka consumer without a group. With ``exact_by_fetch`` it
    must have ``partitions`` assigned; their positions are moved (seek again afterwards).
    """
    tps = list(partitions)
    listed: Mapping[Any, int] = await consumer.end_offsets(tps)
    if not exact_by_fetch:
        return dict(listed)
    return await _fetched_ends(consumer, listed, timeout_s)


async def _fetched_ends(
    consumer: Any, listed: Mapping[Any, int], timeout_s: float
) -> dict[Any, int]:
    ends = dict(listed)
    # an end of 0 is an empty partition: nothing to fetch, and a fetch would only wait
    pending = {tp for tp, end in listed.items() if end > 0}
    for tp in pending:
        consumer.seek(tp, listed[tp] - 1)  # the base offset of the last batch
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while pending:
        left = deadline - loop.time()
        if left <= 0:
            raise BrokerError(f"no fetch answer in {timeout_s} s for {sorted(map(str, pending))}")
        batches = await consumer.getmany(*pending, timeout_ms=int(min(left, 1.0) * 1000) + 1)
        for tp, records in batches.items():
            if records:
                ends[tp] = max(ends[tp], records[-1].offset + 1)
        for tp in list(pending):
            high = consumer.highwater(tp)
            if high is not None and tp in batches:
                ends[tp] = max(ends[tp], int(high))
                pending.discard(tp)
    return ends

"""faust's aiokafka transport with our fetch wait and, on the embedded broker, exact end offsets.

faust builds its worker consumer with ``fetch_max_wait_ms=1500`` written into the code. Apache
Kafka answers a fetch as soon as ``fetch_min_bytes`` (1 byte) is there, so the wait only paces
the polls of an idle consumer; the embedded broker (Tansu) answers a pending fetch only when the
wait runs out, so each hop of the pipeline took up to 1.5 s there. The wait is
``SIGNALS_FETCH_MAX_WAIT_MS`` instead.

Table recovery reads each changelog partition up to the end offsets faust asks for
(``Consumer.highwaters``). On the embedded broker those come from :mod:`streams.offsets`,
which fetches the last batch, because Tansu's ListOffsets misses all but the first record of
it; on Apache Kafka faust's own ListOffsets path runs unchanged.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import Any, ClassVar

import aiokafka
from faust.transport.drivers import aiokafka as driver
from faust.types import TP

from streams.errors import BrokerError
from streams.offsets import end_offsets


class ConsumerThread(driver.AIOKafkaConsumerThread):
    """faust's consumer thread; the worker consumer's fetch wait and end offsets are ours."""

    def _create_worker_consumer(self, transport: driver.Transport) -> Any:
        consumer = super()._create_worker_consumer(transport)
        # faust passes a constant; aiokafka hands this attribute to its fetcher in start()
        if not hasattr(consumer, "_fetch_max_wait_ms"):
            raise BrokerError("aiokafka consumer has no _fetch_max_wait_ms: cannot set the wait")
        consumer._fetch_max_wait_ms = _ours(transport).fetch_max_wait_ms
        return consumer

    async def _highwaters(self, partitions: list[TP]) -> Mapping[TP, int]:
        transport = _ours(self.transport)
        if not transport.exact_end_offsets or self.consumer.in_transaction:
            return await super()._highwaters(partitions)
        if not partitions:
            return {}
        probe = self._create_probe_consumer(transport)
        await probe.start()
        try:
            probe.assign(list(driver.ensure_aiokafka_TPset(partitions)))
            ends = await end_offsets(
                probe,
                probe.assignment(),
                exact_by_fetch=True,
                timeout_s=self.app.conf.broker_request_timeout,
            )
        finally:
            await probe.stop()
        return {TP(tp.topic, tp.partition): end for tp, end in ends.items()}

    def _create_probe_consumer(self, transport: Transport) -> Any:
        """A consumer without a group, to fetch last batches without moving the worker's."""
        conf = self.app.conf
        return aiokafka.AIOKafkaConsumer(
            client_id=f"{conf.broker_client_id}-end-offsets",
            bootstrap_servers=driver.server_list(transport.url, transport.default_port),
            group_id=None,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            fetch_max_wait_ms=transport.fetch_max_wait_ms,
            request_timeout_ms=int(conf.broker_request_timeout * 1000.0),
            **driver.credentials_to_aiokafka_auth(conf.broker_credentials, conf.ssl_context),
        )


class _ReadOffsets(defaultdict[Any, Any]):
    """faust's read offsets (the last offset handed to the streams, per partition), which
    drop the one write marked ``stale``."""

    def __init__(self) -> None:
        super().__init__(_none)
        self.stale: tuple[Any, int] | None = None

    def __setitem__(self, tp: Any, offset: Any) -> None:
        if self.stale is not None and self.stale == (tp, offset):
            self.stale = None
            return
        super().__setitem__(tp, offset)


def _none() -> None:
    return None


def guard_reads(
    handler: Callable[[Any], Awaitable[None]],
    reads: _ReadOffsets,
    now: Callable[[], tuple[int | None, int]],
) -> Callable[[Any], Awaitable[None]]:
    """``handler`` (faust's hand-over of a message to the streams), marking the read-offset
    write that follows it when, by the time it returns, the consumer was sought since (the
    seek count of ``now()`` moved) or the message is of an earlier consumer generation."""

    async def hand_over(message: Any) -> None:
        seeks = now()[1]
        await handler(message)
        generation, seeks_after = now()
        fetched_in = message.generation_id
        if seeks_after != seeks or (fetched_in is not None and fetched_in != generation):
            reads.stale = (message.tp, message.offset)

    return hand_over


class Consumer(driver.Consumer):
    """faust's aiokafka consumer running :class:`ConsumerThread`, with rebalance guards.

    faust's fetch loop (``Consumer._drain_messages``) hands each message to the streams, then
    records its offset as read; a message whose offset is below the read offset is dropped.
    After a rebalance faust seeks the partitions back to their committed offsets
    (``perform_seek``) and sets their read offsets there. Races seen on the embedded broker
    (``test_faults_scale``), each losing records or stalling the pipeline:

    - A message fetched before the seek, handed over (or still in its hand-over) after it,
      wrote its offset last: the loop then dropped the records between the committed offset
      and it as read. They were never processed again, and the partition's commit stopped
      there for good (faust commits only from the committed offset up). Now the records of a
      fetch made before the latest seek are not handed over any more, and the read-offset
      write that follows a hand-over that spans a seek, or a message of an earlier
      generation, is dropped. The records are fetched again from the committed offset.
    - When the flow stopped while a fetch was in flight, faust sought every partition to its
      committed offset right away, in the middle of the rebalance; that call could wait for
      ever, and with it every fetch, the changelog reads of table recovery included. Such a
      fetch's records are now left unread instead: after the rebalance the consumer starts
      from the committed offsets (fresh partition states), and faust seeks them again.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._seeks = 0
        self._fetched_at = 0
        reads = self._read_offset = _ReadOffsets()
        self.callback = guard_reads(
            self.callback, reads, lambda: (self.app.consumer_generation_id, self._seeks)
        )

    async def perform_seek(self) -> None:
        await super().perform_seek()
        self._seeks += 1  # the positions and read offsets are the committed ones from here

    async def getmany(self, timeout: float) -> AsyncIterator[tuple[TP, Any]]:
        async for tp, message in super().getmany(timeout):
            if self._seeks != self._fetched_at:  # fetched before the latest seek completed:
                break  # the seek put the positions back, so these come again
            yield tp, message

    async def _wait_next_records(self, timeout: float) -> tuple[Any, Any]:
        records, active = await super()._wait_next_records(timeout)
        self._fetched_at = self._seeks
        if not self.flow_active:  # the flow stopped meanwhile: a rebalance or a stop began
            return None, active
        return records, active

    def _new_consumer_thread(self) -> ConsumerThread:
        return ConsumerThread(self, loop=self.loop, beacon=self.beacon)


class Transport(driver.Transport):
    """faust's aiokafka transport; set on the app with ``app.transport = Transport(...)``."""

    Consumer: ClassVar[Any] = Consumer

    def __init__(
        self, url: Any, app: Any, *, fetch_max_wait_ms: int, exact_end_offsets: bool
    ) -> None:
        super().__init__(url, app)
        self.fetch_max_wait_ms = fetch_max_wait_ms
        self.exact_end_offsets = exact_end_offsets


def _ours(transport: Any) -> Transport:
    if not isinstance(transport, Transport):
        raise BrokerError(f"expected streams.transport.Transport, got {type(transport).__name__}")
    return transport

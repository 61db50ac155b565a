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

from collections.abc import Mapping
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


class Consumer(driver.Consumer):
    """faust's aiokafka consumer running :class:`ConsumerThread`."""

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

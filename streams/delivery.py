"""The webhook delivery stage on Kafka: ``signals.alerts`` in, signed POSTs out.

Why a plain aiokafka consumer group (``{app_id}-webhooks``) rather than a faust agent: delivery
waits on receivers for seconds and on retries for minutes, and its progress must be committed
only once each delivery is done or durably handed on. Here every alert record commits only
after each of its deliveries was delivered, dead-lettered (``webhooks.dead``) or written to
``webhooks.retry`` with its attempt count and due time (acks=all); retry records are consumed
by the same group, held until due, and committed the same way. A crash therefore loses
nothing: uncommitted records are read again, and a redelivery carries the same
``webhook-id``. A slow receiver cannot add lag to detection either, since it never holds a
pipeline partition. Disabled subscriptions (410) are kept on ``webhooks.state``.

The stage runs inside ``signals worker`` (:func:`attach_delivery`) and standalone
(``python -m streams.delivery``); several instances split the partitions.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import random
import signal
import time
from collections import deque
from datetime import UTC, datetime
from typing import Any

import httpx
from pydantic import ValidationError

from signals.models import SCHEMA_VERSION, Alert, DeadWebhook
from streams.dispatcher import Dispatcher
from streams.kafka import aiokafka_options
from streams.metrics import Metrics
from streams.settings import Settings
from streams.subscriptions import SubscriptionsConfig, load_subscriptions
from streams.topics import create_topics
from streams.webhooks import Clock, PendingWebhook, RetryPolicy, WebhookSender

log = logging.getLogger(__name__)

_PRODUCE_BACKOFF_MAX_S = 5.0


def delivery_topics(settings: Settings) -> dict[str, int]:
    """Topics the stage reads and writes, with their partition counts."""
    n = settings.partitions
    return {
        settings.topic_signals_alerts: n,
        settings.topic_webhooks_retry: n,
        settings.topic_webhooks_dead: n,
        settings.topic_webhooks_state: 1,
    }


class KafkaSink:
    """Retries, dead letters and disables as Kafka records; a send is retried until acked."""

    def __init__(self, producer: Any, settings: Settings) -> None:
        self._producer = producer
        self._settings = settings

    async def _send(self, topic: str, key: str, value: bytes) -> None:
        delay = 0.1
        while True:
            try:
                await self._producer.send_and_wait(topic, value=value, key=key.encode())
                return
            except Exception as exc:  # broker away: keep the record, try again
                log.warning("send to %s failed (%s), retrying", topic, type(exc).__name__)
                await asyncio.sleep(delay)
                delay = min(_PRODUCE_BACKOFF_MAX_S, delay * 2)

    async def retry(self, pending: PendingWebhook) -> None:
        await self._send(
            self._settings.topic_webhooks_retry,
            pending.webhook_id,
            pending.model_dump_json().encode(),
        )

    async def dead(self, dead: DeadWebhook) -> None:
        await self._send(
            self._settings.topic_webhooks_dead, dead.webhook_id, dead.model_dump_json().encode()
        )

    async def disable(self, key: str, subscription_id: str, reason: str) -> None:
        record = {
            "schema_version": SCHEMA_VERSION,
            "key": key,
            "subscription_id": subscription_id,
            "disabled": True,
            "reason": reason,
            "at": datetime.now(UTC).isoformat(),
        }
        await self._send(self._settings.topic_webhooks_state, key, json.dumps(record).encode())


class Offsets:
    """Records in flight per partition; a partition commits up to its first unfinished one."""

    def __init__(self) -> None:
        self._order: dict[Any, deque[int]] = {}
        self._done: dict[Any, set[int]] = {}

    def add(self, tp: Any, offset: int) -> None:
        self._order.setdefault(tp, deque()).append(offset)
        self._done.setdefault(tp, set())

    def done(self, tp: Any, offset: int) -> None:
        if tp in self._done:
            self._done[tp].add(offset)

    def committable(self, tps: Any = None) -> dict[Any, int]:
        """Positions to commit (next offset to read) for partitions that moved forward."""
        positions: dict[Any, int] = {}
        for tp in list(self._order) if tps is None else [t for t in tps if t in self._order]:
            order, done = self._order[tp], self._done[tp]
            last = None
            while order and order[0] in done:
                last = order.popleft()
                done.discard(last)
            if last is not None:
                positions[tp] = last + 1
        return positions

    def drop(self, tps: Any) -> None:
        for tp in tps:
            self._order.pop(tp, None)
            self._done.pop(tp, None)

    def in_flight(self) -> int:
        return sum(len(o) for o in self._order.values())


class DeliveryWorker:
    """One member of the delivery consumer group. :meth:`run` until ``stop`` is set."""

    def __init__(
        self,
        settings: Settings,
        config: SubscriptionsConfig,
        *,
        metrics: Metrics | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Clock = time.time,
        rng: random.Random | None = None,
        group_id: str | None = None,
        max_in_flight: int = 1000,
    ) -> None:
        self.settings = settings
        self.config = config
        self.metrics = metrics
        self.group_id = group_id or f"{settings.app_id}-webhooks"
        self._transport = transport
        self._clock = clock
        self._rng = rng
        self._max_in_flight = max_in_flight
        self._offsets = Offsets()
        self._tasks: dict[Any, set[asyncio.Task[None]]] = {}
        self._sem = asyncio.Semaphore(settings.webhook_concurrency)
        self._consumer: Any = None
        self.dispatcher: Dispatcher | None = None
        self.assigned = asyncio.Event()

    async def run(self, stop: asyncio.Event) -> None:
        from aiokafka import AIOKafkaProducer

        await create_topics(self.settings, delivery_topics(self.settings))
        producer = AIOKafkaProducer(**aiokafka_options(self.settings), acks="all")
        await producer.start()
        client = httpx.AsyncClient(transport=self._transport, follow_redirects=False)
        state_task: asyncio.Task[None] | None = None
        try:
            sender = WebhookSender(
                client,
                timeout_s=self.settings.webhook_timeout_s,
                allow_private=self.config.allow_private_targets,
                clock=self._clock,
            )
            self.dispatcher = Dispatcher(
                self.config,
                sender,
                KafkaSink(producer, self.settings),
                policy=RetryPolicy.from_settings(self.settings),
                metrics=self.metrics,
                clock=self._clock,
                rng=self._rng,
            )
            caught_up = asyncio.Event()
            state_task = asyncio.create_task(self._follow_state(self.dispatcher, caught_up))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(caught_up.wait(), 10.0)
            await self._consume(stop)
        finally:
            if state_task is not None:
                state_task.cancel()
                await asyncio.gather(state_task, return_exceptions=True)
            await client.aclose()
            await producer.stop()

    async def _consume(self, stop: asyncio.Event) -> None:
        from aiokafka import AIOKafkaConsumer, ConsumerRebalanceListener

        worker = self

        class Listener(ConsumerRebalanceListener):  # type: ignore[misc]
            async def on_partitions_revoked(self, revoked: Any) -> None:
                await worker._release(list(revoked))

            async def on_partitions_assigned(self, assigned: Any) -> None:
                log.info("delivery partitions assigned: %s", sorted(map(str, assigned)))
                worker.assigned.set()

        s = self.settings
        consumer = AIOKafkaConsumer(
            **aiokafka_options(s),
            group_id=self.group_id,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            session_timeout_ms=int(s.session_timeout_s * 1000),
            heartbeat_interval_ms=int(s.heartbeat_interval_s * 1000),
            rebalance_timeout_ms=int(s.rebalance_timeout_s * 1000),
        )
        consumer.subscribe([s.topic_signals_alerts, s.topic_webhooks_retry], listener=Listener())
        await consumer.start()
        self._consumer = consumer
        paused = False
        try:
            while not stop.is_set():
                batch = await consumer.getmany(timeout_ms=200, max_records=200)
                for tp, records in batch.items():
                    for record in records:
                        self._spawn(tp, record)
                await self._commit()
                full = self._offsets.in_flight() >= self._max_in_flight
                if full != paused:  # too much held in memory: let Kafka keep the rest
                    parts = consumer.assignment()
                    if full:
                        consumer.pause(*parts)
                    else:
                        consumer.resume(*parts)
                    paused = full
        finally:
            await self._release(list(self._tasks))
            self._consumer = None
            await consumer.stop()

    def _spawn(self, tp: Any, record: Any) -> None:
        self._offsets.add(tp, record.offset)
        task = asyncio.create_task(self._process(tp, record))
        tasks = self._tasks.setdefault(tp, set())
        tasks.add(task)
        task.add_done_callback(tasks.discard)

    async def _process(self, tp: Any, record: Any) -> None:
        dispatcher = self.dispatcher
        assert dispatcher is not None
        where = f"{record.topic}[{record.partition}]@{record.offset}"
        try:
            if record.topic == self.settings.topic_signals_alerts:
                alert = Alert.model_validate_json(record.value)
                pendings = dispatcher.fan_out(alert)
            else:
                pending = PendingWebhook.model_validate_json(record.value)
                await asyncio.sleep(max(0.0, pending.due_at - self._clock()))
                pendings = [pending]
            await asyncio.gather(*(self._deliver(dispatcher, p) for p in pendings))
        except (ValidationError, ValueError, TypeError) as exc:
            # not ours to deliver: skip it rather than block the partition
            log.error("undeliverable record %s skipped: %s", where, type(exc).__name__)
        except asyncio.CancelledError:
            raise
        except Exception:
            # left unfinished on purpose: the partition stops committing and a restart retries
            log.exception("delivery of %s failed unexpectedly", where)
            return
        self._offsets.done(tp, record.offset)

    async def _deliver(self, dispatcher: Dispatcher, pending: PendingWebhook) -> None:
        async with self._sem:
            await dispatcher.handle(pending)

    async def _commit(self, tps: Any = None) -> None:
        positions = self._offsets.committable(tps)
        if not positions or self._consumer is None:
            return
        try:
            await self._consumer.commit(positions)
        except Exception as exc:  # a rebalance in progress: the next commit catches up
            log.warning("commit failed (%s)", type(exc).__name__)

    async def _release(self, tps: list[Any]) -> None:
        """Stop working on ``tps``: commit what is done, cancel the rest (it will be re-read)."""
        await self._commit(tps)
        tasks = [t for tp in tps for t in self._tasks.pop(tp, set())]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._offsets.drop(tps)

    async def _follow_state(self, dispatcher: Dispatcher, caught_up: asyncio.Event) -> None:
        """Read ``webhooks.state`` from the start and keep following it (410s seen elsewhere)."""
        from aiokafka import AIOKafkaConsumer, TopicPartition

        topic = self.settings.topic_webhooks_state
        consumer = AIOKafkaConsumer(**aiokafka_options(self.settings), enable_auto_commit=False)
        await consumer.start()
        try:
            partitions = consumer.partitions_for_topic(topic) or {0}
            consumer.assign([TopicPartition(topic, p) for p in partitions])
            await consumer.seek_to_beginning()
            while True:
                batch = await consumer.getmany(timeout_ms=300)
                for records in batch.values():
                    for record in records:
                        _apply_state(dispatcher, record.value)
                if not batch:
                    caught_up.set()
        finally:
            await consumer.stop()


def _apply_state(dispatcher: Dispatcher, value: bytes) -> None:
    try:
        state = json.loads(value)
        if state.get("disabled"):
            dispatcher.disabled.add(str(state["key"]))
        else:
            dispatcher.disabled.discard(str(state["key"]))
    except (ValueError, KeyError, AttributeError):
        log.error("bad record on the webhook state topic skipped")


def attach_delivery(app: Any, settings: Settings, metrics: Metrics) -> None:
    """Run the delivery stage inside a faust worker when subscriptions are configured."""
    if settings.webhooks_config is None:
        return
    config = load_subscriptions(settings.webhooks_config)  # fail at start-up, not later

    @app.task  # type: ignore[untyped-decorator]
    async def deliver_alerts() -> None:
        # runs until the app stops and cancels it; offsets of finished work are committed
        await DeliveryWorker(settings, config, metrics=metrics).run(asyncio.Event())


async def serve(settings: Settings, metrics: Metrics, stop: asyncio.Event) -> None:
    """Run one delivery worker until ``stop`` is set."""
    config = load_subscriptions(settings.webhooks_config)
    log.info("delivering to %d subscription(s)", len(config.subscriptions))
    await DeliveryWorker(settings, config, metrics=metrics).run(stop)


def main() -> None:
    """``python -m streams.delivery``: run the stage alone until SIGTERM or Ctrl-C."""
    from prometheus_client import CollectorRegistry

    settings = Settings()
    logging.basicConfig(
        level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )

    async def run() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        await serve(settings, Metrics.create(CollectorRegistry()), stop)

    asyncio.run(run())


if __name__ == "__main__":
    main()

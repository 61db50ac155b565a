"""Webhook delivery on the real broker, to a real loopback receiver verifying every request.

Covers: pending retries surviving a kill -9 of the delivery worker (same webhook-id after the
restart), a receiver down for 30 s (every alert delivered, one id per alert), 400 (dead-lettered
after one attempt, no retry storm) and 410 (subscription disabled, kept across a restart).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from prometheus_client import CollectorRegistry
from webhook_receiver import Receiver, always, make_alert, new_secret

from signals.models import Alert, DeadWebhook
from streams.delivery import DeliveryWorker, delivery_topics
from streams.metrics import Metrics
from streams.settings import Settings
from streams.subscriptions import parse_subscriptions
from streams.topics import create_topics
from streams.webhooks import webhook_id

pytestmark = [pytest.mark.integration, pytest.mark.timeout(240)]

REPO = Path(__file__).resolve().parents[2]
SECRET = new_secret(11)


@pytest.fixture
def wh_settings(settings: Settings) -> Settings:
    tag = settings.app_id.removeprefix("test-")
    return settings.model_copy(
        update={
            "topic_webhooks_retry": f"webhooks.retry.{tag}",
            "topic_webhooks_state": f"webhooks.state.{tag}",
            "webhook_timeout_s": 2.0,
            "webhook_backoff_initial_s": 1.0,
            "webhook_backoff_max_s": 4.0,
            "webhook_max_attempts": 30,
        }
    )


def config_for(receiver: Receiver) -> dict[str, Any]:
    return {
        "allow_private_targets": True,  # the receiver is on loopback: allowed explicitly
        "subscriptions": [{"id": "desk", "url": receiver.url, "secret": SECRET}],
    }


async def publish(settings: Settings, alerts: list[Alert]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=settings.bootstrap_servers(), acks="all")
    await producer.start()
    try:
        for alert in alerts:
            await producer.send_and_wait(
                settings.topic_signals_alerts,
                value=alert.model_dump_json().encode(),
                key=alert.alert_id.encode(),
            )
    finally:
        await producer.stop()


async def read_all(settings: Settings, topic: str, idle_s: float = 1.0) -> list[bytes]:
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=settings.bootstrap_servers(), auto_offset_reset="earliest"
    )
    await consumer.start()
    values: list[bytes] = []
    try:
        while True:
            batch = await consumer.getmany(timeout_ms=int(idle_s * 1000))
            if not batch:
                return values
            values.extend(r.value for records in batch.values() for r in records)
    finally:
        await consumer.stop()


async def until(predicate: Callable[[], bool], timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while not predicate():
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.1)
    return True


@contextlib.asynccontextmanager
async def running(
    settings: Settings, config: dict[str, Any], metrics: Metrics | None = None
) -> AsyncIterator[DeliveryWorker]:
    worker = DeliveryWorker(settings, parse_subscriptions(config), metrics=metrics)
    stop = asyncio.Event()
    task = asyncio.create_task(worker.run(stop))
    try:
        await asyncio.wait_for(worker.assigned.wait(), 60)
        yield worker
    finally:
        stop.set()
        await asyncio.wait_for(task, 30)


def alerts(n: int, prefix: str) -> list[Alert]:
    return [make_alert(i, alert_id=f"{prefix}-{i}") for i in range(n)]


async def committed(settings: Settings, group: str, topic: str) -> int:
    consumer = AIOKafkaConsumer(bootstrap_servers=settings.bootstrap_servers(), group_id=group)
    await consumer.start()
    try:
        total = 0
        for p in range(settings.partitions):
            total += await consumer.committed(TopicPartition(topic, p)) or 0
        return total
    finally:
        await consumer.stop()


def start_process(settings: Settings, config_path: Path) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SIGNALS_")}
    for name, value in settings.model_dump(mode="json").items():
        if value is not None and not isinstance(value, dict | list):
            env[f"SIGNALS_{name.upper()}"] = str(value)
    env["SIGNALS_WEBHOOKS_CONFIG"] = str(config_path)
    env["SIGNALS_LOG_LEVEL"] = "INFO"
    return subprocess.Popen(
        [sys.executable, "-m", "streams.delivery"],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def stop_process(proc: subprocess.Popen[bytes], sig: int = signal.SIGTERM) -> bytes:
    if proc.poll() is None:
        os.kill(proc.pid, sig)
    try:
        _, err = proc.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        os.kill(proc.pid, signal.SIGKILL)
        _, err = proc.communicate(timeout=10)
    return err


async def test_pending_retries_survive_a_kill_9_with_the_same_webhook_id(
    wh_settings: Settings, tmp_path: Path
) -> None:
    s = wh_settings
    await create_topics(s, delivery_topics(s))
    healthy = False
    script = lambda n, wid: (200, 0.0, {}) if healthy else (503, 0.0, {})  # noqa: E731
    batch = alerts(5, "restart")
    expected = {webhook_id(a.alert_id, "desk") for a in batch}
    with Receiver(SECRET, script) as receiver:
        config_path = tmp_path / "hooks.json"
        config_path.write_text(json.dumps(config_for(receiver)))
        await publish(s, batch)
        first = start_process(s, config_path)
        try:
            # every alert failed at least once and its retry is on webhooks.retry
            assert await until(lambda: {r.webhook_id for r in receiver.snapshot()} >= expected, 90)
            group = f"{s.app_id}-webhooks"
            deadline = time.monotonic() + 30
            while await committed(s, group, s.topic_signals_alerts) < len(batch):
                assert time.monotonic() < deadline, "alert offsets never committed"
                await asyncio.sleep(0.2)
        finally:
            logs = stop_process(first, signal.SIGKILL)
        failed_before = receiver.snapshot()
        assert failed_before and all(r.status == 503 for r in failed_before)
        healthy = True
        second = start_process(s, config_path)
        try:
            ok = await until(lambda: set(receiver.delivered_ids()) >= expected, 120)
            logs += stop_process(second)
            assert ok, logs.decode(errors="replace")[-3000:]
        finally:
            stop_process(second)
    got = receiver.snapshot()
    assert all(r.verified for r in got)
    # the alerts were not read again (their offsets were committed): the deliveries came from
    # the retry topic, with the ids the receiver saw before the crash
    assert {r.webhook_id for r in got} == expected
    assert {r.webhook_id for r in failed_before} == expected
    assert await read_all(s, s.topic_webhooks_dead) == []
    # the workers logged at INFO (deliveries, retries), never the secret
    assert b"webhook" in logs
    assert SECRET.encode() not in logs and SECRET.removeprefix("whsec_").encode() not in logs


@pytest.mark.slow
async def test_receiver_down_30s_then_up_every_alert_delivered_once_per_id(
    wh_settings: Settings,
) -> None:
    s = wh_settings.model_copy(update={"webhook_backoff_max_s": 8.0})
    await create_topics(s, delivery_topics(s))
    receiver = Receiver(SECRET).start()
    receiver.stop()  # keep its port: the receiver is down, connections are refused
    batch = alerts(20, "outage")
    metrics = Metrics.create(CollectorRegistry())
    try:
        async with running(s, config_for(receiver), metrics):
            await publish(s, batch)
            await asyncio.sleep(30)
            receiver.start()
            expected = {webhook_id(a.alert_id, "desk"): a.alert_id for a in batch}
            assert await until(lambda: set(receiver.delivered_ids()) >= set(expected), 60)
            await asyncio.sleep(1.0)
    finally:
        receiver.stop()
    got = receiver.snapshot()
    assert all(r.verified for r in got)
    by_alert: dict[str, set[str]] = {}
    for r in got:
        by_alert.setdefault(r.body["data"]["alert_id"], set()).add(r.webhook_id)
    assert set(by_alert) == {a.alert_id for a in batch}
    assert all(len(ids) == 1 for ids in by_alert.values())  # never twice with different ids
    assert {next(iter(ids)) for ids in by_alert.values()} == set(expected)
    assert await read_all(s, s.topic_webhooks_dead) == []
    retries = metrics.webhook_deliveries.labels(outcome="retrying")._value.get()
    assert retries >= len(batch)  # they really were retried while the receiver was down


async def test_400_is_dead_lettered_once_without_a_retry_storm(wh_settings: Settings) -> None:
    s = wh_settings
    await create_topics(s, delivery_topics(s))
    batch = alerts(10, "bad")
    with Receiver(SECRET, always(400)) as receiver:
        async with running(s, config_for(receiver)):
            await publish(s, batch)
            assert await until(lambda: len(receiver.snapshot()) >= len(batch), 30)
            await asyncio.sleep(3.0)  # any retry would be due by now (initial backoff 1 s)
        assert len(receiver.snapshot()) == len(batch)
    dead = [DeadWebhook.model_validate_json(v) for v in await read_all(s, s.topic_webhooks_dead)]
    assert sorted(d.alert.alert_id for d in dead) == sorted(a.alert_id for a in batch)
    assert {(d.reason, d.attempts, d.status_code) for d in dead} == {("client_error", 1, 400)}
    assert all(SECRET not in d.model_dump_json() for d in dead)


async def test_410_disables_the_subscription_across_restarts(wh_settings: Settings) -> None:
    s = wh_settings
    await create_topics(s, delivery_topics(s))
    with Receiver(SECRET, always(410)) as receiver:
        async with running(s, config_for(receiver)) as worker:
            await publish(s, alerts(1, "gone"))
            assert await until(lambda: len(receiver.snapshot()) == 1, 30)
            await publish(s, alerts(3, "after"))
            await asyncio.sleep(2.0)
            assert worker.dispatcher is not None and worker.dispatcher.disabled
        assert len(receiver.snapshot()) == 1
        # a new worker reads the disabled state back from webhooks.state
        receiver.script = always(200)
        async with running(s, config_for(receiver)) as worker:
            await publish(s, alerts(2, "later"))
            await asyncio.sleep(2.0)
            assert worker.dispatcher is not None and worker.dispatcher.disabled
        assert len(receiver.snapshot()) == 1
    dead = [DeadWebhook.model_validate_json(v) for v in await read_all(s, s.topic_webhooks_dead)]
    assert [(d.reason, d.status_code) for d in dead] == [("gone", 410)]

"""The delivery stage against a real HTTP receiver on loopback that verifies every request.

Retries go to an in-memory sink here (Kafka's retry topic is exercised in
tests/streams/test_webhooks_kafka.py); the clock is moved to each retry's due time.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from prometheus_client import CollectorRegistry, generate_latest
from webhook_receiver import Receiver, always, make_alert, new_secret

from signals.models import DeadWebhook
from streams.dispatcher import Dispatcher
from streams.metrics import Metrics
from streams.subscriptions import parse_subscriptions
from streams.webhooks import PendingWebhook, RetryPolicy, WebhookSender, pending_for, webhook_id

SECRET = new_secret(5)


class ListSink:
    def __init__(self) -> None:
        self.retries: list[PendingWebhook] = []
        self.deads: list[DeadWebhook] = []
        self.disabled: list[str] = []

    async def retry(self, pending: PendingWebhook) -> None:
        self.retries.append(pending)

    async def dead(self, dead: DeadWebhook) -> None:
        self.deads.append(dead)

    async def disable(self, key: str, subscription_id: str, reason: str) -> None:
        self.disabled.append(subscription_id)


class Clock:
    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver(SECRET) as r:
        yield r


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient() as c:
        yield c


def stage(
    receiver: Receiver, client: httpx.AsyncClient, timeout_s: float = 2.0
) -> tuple[Dispatcher, ListSink, Metrics, Clock]:
    config = parse_subscriptions(
        {
            "allow_private_targets": True,  # loopback receiver: allowed explicitly
            "subscriptions": [{"id": "desk", "url": receiver.url, "secret": SECRET}],
        }
    )
    clock = Clock()
    sender = WebhookSender(client, timeout_s=timeout_s, allow_private=True, clock=clock)
    sink = ListSink()
    metrics = Metrics.create(CollectorRegistry())
    policy = RetryPolicy(max_attempts=4, initial_s=1.0, max_s=8.0)
    dispatcher = Dispatcher(
        config, sender, sink, policy=policy, metrics=metrics, clock=clock, rng=random.Random(2)
    )
    return dispatcher, sink, metrics, clock


async def run(dispatcher: Dispatcher, sink: ListSink, clock: Clock, n_alerts: int = 1) -> None:
    """Deliver alerts 1..n, then every retry at its due time, until nothing is pending."""
    for n in range(1, n_alerts + 1):
        for pending in dispatcher.fan_out(make_alert(n)):
            await dispatcher.handle(pending)
    while sink.retries:
        sink.retries.sort(key=lambda p: p.due_at)
        pending = sink.retries.pop(0)
        clock.now = max(clock.now, pending.due_at)
        await dispatcher.handle(pending)


def outcomes(metrics: Metrics) -> dict[str, float]:
    return {
        s.labels["outcome"]: s.value
        for m in metrics.registry.collect()
        if m.name == "signals_webhook_deliveries"
        for s in m.samples
        if s.name.endswith("_total")
    }


async def test_healthy(receiver: Receiver, client: httpx.AsyncClient) -> None:
    dispatcher, sink, metrics, clock = stage(receiver, client)
    await run(dispatcher, sink, clock, n_alerts=3)
    got = receiver.snapshot()
    assert [r.verified for r in got] == [True, True, True]
    assert [r.webhook_id for r in got] == [webhook_id(f"alert-{n}", "desk") for n in (1, 2, 3)]
    assert got[0].body["type"] == "alert.created"
    assert got[0].body["data"]["alert_id"] == "alert-1"
    assert sink.deads == [] and outcomes(metrics) == {"delivered": 3.0}


async def test_failing_n_times_then_healthy(receiver: Receiver, client: httpx.AsyncClient) -> None:
    receiver.script = lambda n, wid: (503, 0.0, {}) if n < 3 else (200, 0.0, {})
    dispatcher, sink, metrics, clock = stage(receiver, client)
    start = clock.now
    await run(dispatcher, sink, clock)
    got = receiver.snapshot()
    assert [r.status for r in got] == [503, 503, 503, 200]
    assert all(r.verified for r in got)
    assert len({r.webhook_id for r in got}) == 1  # one idempotency key for every attempt
    assert len({r.body["timestamp"] for r in got}) == 1
    assert sink.deads == []
    assert outcomes(metrics) == {"retrying": 3.0, "delivered": 1.0}
    # backoff: 1, 2, 4 s ceilings with jitter in [d/2, d]
    assert 3.5 <= clock.now - start <= 7.0


async def test_retry_after_is_honoured(receiver: Receiver, client: httpx.AsyncClient) -> None:
    receiver.script = lambda n, wid: (429, 0.0, {"Retry-After": "5"}) if n == 0 else (200, 0, {})
    dispatcher, sink, metrics, clock = stage(receiver, client)
    start = clock.now
    await run(dispatcher, sink, clock)
    assert [r.status for r in receiver.snapshot()] == [429, 200]
    assert clock.now - start == pytest.approx(5.0, abs=0.5)


async def test_slow_receiver_times_out_then_succeeds(
    receiver: Receiver, client: httpx.AsyncClient
) -> None:
    receiver.script = lambda n, wid: (200, 1.5, {}) if n == 0 else (200, 0.0, {})
    dispatcher, sink, metrics, clock = stage(receiver, client, timeout_s=0.3)
    t0 = time.monotonic()
    await run(dispatcher, sink, clock)
    got = receiver.snapshot()
    assert len(got) == 2 and all(r.verified for r in got)
    assert got[0].webhook_id == got[1].webhook_id
    assert outcomes(metrics) == {"retrying": 1.0, "delivered": 1.0}
    assert time.monotonic() - t0 < 1.4  # the attempt was cut at its timeout


async def test_exhausted_retries_are_dead_lettered(
    receiver: Receiver, client: httpx.AsyncClient
) -> None:
    receiver.script = always(500)
    dispatcher, sink, metrics, clock = stage(receiver, client)
    await run(dispatcher, sink, clock)
    assert len(receiver.snapshot()) == 4
    (dead,) = sink.deads
    assert (dead.reason, dead.attempts, dead.status_code) == ("retries_exhausted", 4, 500)
    assert dead.webhook_id == webhook_id("alert-1", "desk")


async def test_400_is_dead_lettered_after_one_attempt(
    receiver: Receiver, client: httpx.AsyncClient
) -> None:
    receiver.script = always(400)
    dispatcher, sink, metrics, clock = stage(receiver, client)
    await run(dispatcher, sink, clock, n_alerts=2)
    assert len(receiver.snapshot()) == 2  # one attempt per alert, no retry
    assert [(d.reason, d.attempts, d.status_code) for d in sink.deads] == [
        ("client_error", 1, 400),
        ("client_error", 1, 400),
    ]
    assert SECRET not in sink.deads[0].model_dump_json()
    assert outcomes(metrics) == {"dead_lettered": 2.0}


async def test_410_disables_the_subscription(receiver: Receiver, client: httpx.AsyncClient) -> None:
    receiver.script = always(410)
    dispatcher, sink, metrics, clock = stage(receiver, client)
    await run(dispatcher, sink, clock, n_alerts=3)
    assert len(receiver.snapshot()) == 1  # alerts 2 and 3 were not sent
    assert sink.disabled == ["desk"]
    assert [d.reason for d in sink.deads] == ["gone"]
    assert outcomes(metrics) == {"disabled": 1.0}
    # a retry already pending for the disabled subscription is dead-lettered, not sent
    (sub,) = dispatcher.config.subscriptions
    assert not dispatcher.enabled(sub)
    late = pending_for(make_alert(9), sub, clock.now)
    decision = await dispatcher.handle(late)
    assert (decision.action, decision.reason) == ("dead", "subscription_disabled")
    assert len(receiver.snapshot()) == 1


async def test_secrets_stay_out_of_logs_metrics_and_dead_letters(
    receiver: Receiver, client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    receiver.script = lambda n, wid: [(503, 0.0, {}), (400, 0.0, {}), (410, 0.0, {})][min(n, 2)]
    dispatcher, sink, metrics, clock = stage(receiver, client)
    await run(dispatcher, sink, clock, n_alerts=3)
    exposition = generate_latest(metrics.registry).decode()
    dumped = " ".join(d.model_dump_json() for d in sink.deads)
    key = SECRET.removeprefix("whsec_")
    for text in (caplog.text, exposition, dumped, repr(dispatcher.config)):
        assert SECRET not in text and key not in text
    assert "webhook" in caplog.text  # the logs did say something

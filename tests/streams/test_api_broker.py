"""The API over real loopback HTTP against the real broker: 202 only for acknowledged events.

Outage: a broker this test starts itself is paused with SIGSTOP (the embedded broker keeps
its data in memory, so a restart would be a wipe, not an outage), then resumed with SIGCONT.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import os
import signal
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from prometheus_client import CollectorRegistry
from test_api import make_alert

from streams.api_server import ApiParts, serving
from streams.broker import EmbeddedBroker, free_port
from streams.dispatcher import disable_key
from streams.metrics import Metrics
from streams.settings import Settings
from streams.subscriptions import load_subscriptions
from streams.topics import create_topics

pytestmark = [pytest.mark.integration, pytest.mark.timeout(180)]


@contextlib.asynccontextmanager
async def api_on(settings: Settings) -> AsyncIterator[tuple[httpx.AsyncClient, ApiParts]]:
    port = free_port()
    async with serving(settings, Metrics.create(CollectorRegistry()), port=port) as parts:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
            yield client, parts


async def read_topic(settings: Settings, topic: str, want: int, timeout_s: float = 20) -> list[Any]:
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=settings.bootstrap_servers(),
        group_id=None,
        auto_offset_reset="earliest",
    )
    await consumer.start()
    records: list[Any] = []
    try:
        deadline = time.monotonic() + timeout_s
        while len(records) < want and time.monotonic() < deadline:
            batches = await consumer.getmany(timeout_ms=500)
            for batch in batches.values():
                records.extend(batch)
    finally:
        await consumer.stop()
    return records


async def until(predicate: Any, timeout_s: float = 30.0, every_s: float = 0.2) -> Any:
    deadline = time.monotonic() + timeout_s
    while True:
        value = await predicate()
        if value or time.monotonic() > deadline:
            return value
        await asyncio.sleep(every_s)


def news(i: int) -> dict[str, Any]:
    return {"id": f"api-{i}", "title": f"Item {i}", "body": "Nothing to see here.", "source": "t"}


async def test_202_only_after_the_broker_acknowledged(settings: Settings) -> None:
    await create_topics(settings)
    async with api_on(settings) as (client, _):
        r = await client.post("/v1/news", json=[news(1), news(2), news(3)])
        assert r.status_code == 202, r.text
        assert r.json()["ids"] == ["api-1", "api-2", "api-3"]
        single = await client.post("/v1/news", json=news(4))
        assert single.status_code == 202
        records = await read_topic(settings, settings.topic_news_raw, 4)
        assert sorted(r.key.decode() for r in records) == ["api-1", "api-2", "api-3", "api-4"]
        assert {r.value and b'"id":"api-4"' in r.value for r in records} == {True, False}


async def test_alerts_on_the_topic_are_served_with_their_article_id(settings: Settings) -> None:
    await create_topics(settings)
    producer = AIOKafkaProducer(bootstrap_servers=settings.bootstrap_servers(), acks="all")
    await producer.start()
    try:
        for i, kind in enumerate(["funding", "gpu_procurement", "funding"]):
            alert = make_alert(f"al-{i}", kind=kind, article_id=f"art-{i}")
            await producer.send_and_wait(
                settings.topic_signals_alerts, alert.model_dump_json().encode(), key=b"k"
            )
        # the same alert again (a redelivery after a crash): listed once
        again = make_alert("al-0", kind="funding", article_id="art-0")
        await producer.send_and_wait(
            settings.topic_signals_alerts, again.model_dump_json().encode()
        )
    finally:
        await producer.stop()
    async with api_on(settings) as (client, _):

        async def listed() -> list[dict[str, Any]]:
            alerts: list[dict[str, Any]] = (await client.get("/v1/alerts")).json()["alerts"]
            return alerts if len(alerts) >= 3 else []

        alerts = await until(listed)
        assert sorted(a["alert_id"] for a in alerts) == ["al-0", "al-1", "al-2"]
        assert {a["alert_id"]: a["article_id"] for a in alerts}["al-1"] == "art-1"
        funding = (await client.get("/v1/alerts", params={"kind": "funding"})).json()["alerts"]
        assert sorted(a["alert_id"] for a in funding) == ["al-0", "al-2"]
        ready = await client.get("/readyz")
        assert ready.status_code == 200, ready.text


async def test_unreachable_broker_answers_503_and_readyz_is_red(settings: Settings) -> None:
    closed = free_port()  # nothing listens there
    down = settings.model_copy(
        update={"broker": f"kafka://127.0.0.1:{closed}", "api_send_timeout_s": 2.0}
    )
    async with api_on(down) as (client, _):
        started = time.monotonic()
        r = await client.post("/v1/news", json=news(1))
        assert r.status_code == 503
        assert r.json()["error"] == "broker_unavailable"
        assert time.monotonic() - started < 10
        ready = await client.get("/readyz")
        assert ready.status_code == 503
        assert ready.json()["checks"]["broker"] is False
        assert (await client.get("/healthz")).status_code == 200


async def test_paused_broker_gives_503_then_recovers_with_nothing_lost(tmp_path: Any) -> None:
    with EmbeddedBroker(log_path=tmp_path / "tansu.log") as broker:
        settings = Settings(
            broker=broker.url,
            embedded_broker=True,
            app_id="outage",
            partitions=2,
            api_send_timeout_s=2.0,
        )
        await create_topics(settings)
        accepted: list[str] = []
        async with api_on(settings) as (client, _):
            r = await client.post("/v1/news", json=[news(1), news(2)])
            assert r.status_code == 202
            accepted += r.json()["ids"]
            assert broker.pid is not None
            os.kill(broker.pid, signal.SIGSTOP)
            stopped = time.monotonic()
            try:
                paused = await client.post("/v1/news", json=[news(3), news(4)])
                assert paused.status_code == 503, paused.text
                # answered within the send timeout (2 s), not left hanging
                assert time.monotonic() - stopped < 6
                accepted += paused.json()["detail"]["acknowledged"]  # none expected
                assert paused.json()["detail"]["acknowledged"] == []

                async def red() -> bool:
                    return (await client.get("/readyz")).status_code == 503

                assert await until(red, timeout_s=15)
                # an outage of ~10 s: every attempt in it is refused, none accepted
                while time.monotonic() - stopped < 10:
                    late = await client.post("/v1/news", json=news(5))
                    assert late.status_code == 503
                    assert (await client.get("/readyz")).status_code == 503
            finally:
                os.kill(broker.pid, signal.SIGCONT)

            async def resent() -> bool:
                again = await client.post("/v1/news", json=[news(3), news(4)])
                if again.status_code == 202:
                    accepted.extend(again.json()["ids"])
                    return True
                return False

            assert await until(resent, timeout_s=60, every_s=1.0)

            async def green() -> bool:
                return (await client.get("/readyz")).status_code == 200

            assert await until(green, timeout_s=30)
        records = await read_topic(settings, settings.topic_news_raw, 4)
        on_topic = {r.key.decode() for r in records}
        assert set(accepted) == {"api-1", "api-2", "api-3", "api-4"}
        assert set(accepted) <= on_topic  # every 202 is on the topic


async def test_subscriptions_disabled_by_a_410_are_listed_as_disabled(
    settings: Settings, tmp_path: Any
) -> None:
    secret = "whsec_" + base64.b64encode(b"s" * 32).decode()
    path = tmp_path / "webhooks.json"
    path.write_text(
        json.dumps(
            {
                "subscriptions": [
                    {"id": "gone-desk", "url": "https://a.example.com/in", "secret": secret},
                    {"id": "live-desk", "url": "https://b.example.com/in", "secret": secret},
                ]
            }
        )
    )
    settings = settings.model_copy(update={"webhooks_config": path})
    await create_topics(settings, {settings.topic_webhooks_state: 1})
    gone = load_subscriptions(path).by_id()["gone-desk"]
    record = {"key": disable_key(gone), "subscription_id": "gone-desk", "disabled": True}
    producer = AIOKafkaProducer(bootstrap_servers=settings.bootstrap_servers(), acks="all")
    await producer.start()
    try:
        await producer.send_and_wait(
            settings.topic_webhooks_state, json.dumps(record).encode(), key=b"k"
        )
    finally:
        await producer.stop()
    async with api_on(settings) as (client, _):

        async def listing() -> dict[str, bool]:
            subs = (await client.get("/v1/subscriptions")).json()["subscriptions"]
            enabled = {s["id"]: s["enabled"] for s in subs}
            return enabled if enabled.get("gone-desk") is False else {}

        assert await until(listing) == {"gone-desk": False, "live-desk": True}
        text = (await client.get("/v1/subscriptions")).text
        assert secret not in text and secret[6:] not in text

"""A plain confluent-kafka consumer group subscribes to the public output topics, as a user
would, and validates every message against its JSON Schema from ``schemas/``.

The pipeline runs as a real worker process on the session broker; the input is the sample
stories of tests/samples.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from confluent_kafka import Consumer
from jsonschema import Draft202012Validator

from streams.processes import WorkerProcess
from streams.publish import publish_lines
from streams.schemas import load
from streams.settings import Settings
from streams.topics import create_topics

pytestmark = [pytest.mark.integration, pytest.mark.timeout(240)]

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "tests" / "samples" / "stories.jsonl"


def validators() -> dict[str, Draft202012Validator]:
    out = {}
    for name in ("signals.alerts", "signals.detected"):
        schema = load(name, REPO / "schemas")
        Draft202012Validator.check_schema(schema)
        out[name] = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    return out


def consume(
    settings: Settings, group: str, want_alerts: int, timeout_s: float, alive: Callable[[], bool]
) -> dict[str, list[Any]]:
    topic_of = {
        settings.topic_signals_alerts: "signals.alerts",
        settings.topic_signals_detected: "signals.detected",
    }
    consumer = Consumer(
        {
            "bootstrap.servers": settings.bootstrap_servers(),
            "group.id": group,
            "auto.offset.reset": "earliest",
            "enable.auto.commit": False,
        }
    )
    consumer.subscribe(list(topic_of))
    got: dict[str, list[Any]] = {"signals.alerts": [], "signals.detected": []}
    deadline = time.monotonic() + timeout_s
    quiet_since = time.monotonic()
    try:
        while time.monotonic() < deadline and alive():
            msg = consumer.poll(0.5)
            if msg is None:
                # enough seen and nothing new for a while: the stream has been drained
                if len(got["signals.alerts"]) >= want_alerts and time.monotonic() - quiet_since > 5:
                    break
                continue
            if msg.error():
                raise AssertionError(f"consumer error: {msg.error()}")
            got[topic_of[msg.topic()]].append(json.loads(msg.value()))
            consumer.commit(message=msg, asynchronous=False)
            quiet_since = time.monotonic()
    finally:
        consumer.close()
    return got


def test_a_consumer_group_validates_every_message_against_its_schema(
    settings: Settings, tmp_path: Path
) -> None:
    lines = [line for line in SAMPLES.read_bytes().splitlines() if line.strip()]
    asyncio.run(create_topics(settings))
    check = validators()
    with WorkerProcess(settings, log_path=tmp_path / "worker.log") as worker:
        asyncio.run(publish_lines(settings, settings.topic_news_raw, lines))
        group = f"subscriber-{settings.app_id}"
        got = consume(settings, group, want_alerts=1, timeout_s=150, alive=worker.running)
        assert worker.running(), worker.log_tail()
    assert got["signals.detected"], "no signal reached signals.detected"
    assert got["signals.alerts"], "no alert reached signals.alerts"
    for name, messages in got.items():
        for message in messages:
            errors = sorted(check[name].iter_errors(message), key=str)
            assert not errors, f"{name}: {errors[0].message} in {message}"
            assert message["schema_version"] == 1
    # the schemas are strict enough to catch a broken message
    broken = dict(got["signals.alerts"][0])
    del broken["alert_id"]
    assert list(check["signals.alerts"].iter_errors(broken))
    bumped = {**got["signals.detected"][0], "schema_version": 2}
    assert list(check["signals.detected"].iter_errors(bumped))

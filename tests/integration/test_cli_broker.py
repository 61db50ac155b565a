"""``signals publish`` and ``signals tail`` against the session broker."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import orjson
import pytest

from streams.settings import Settings
from streams.topics import create_topics, public_topics

pytestmark = pytest.mark.integration


def _env(settings: Settings) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SIGNALS_")}
    assert settings.broker is not None
    env["SIGNALS_BROKER"] = settings.broker
    return env


def test_publish_then_tail(settings: Settings, tmp_path: Path) -> None:
    topic = settings.topic_news_raw
    lines = [orjson.dumps({"id": f"n{i}", "body": f"news {i}"}) for i in range(5)] + [b"not json"]
    path = tmp_path / "news.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n\n")
    cli = [sys.executable, "-m", "streams.cli"]
    pub = subprocess.run(
        [*cli, "publish", str(path), "--topic", topic],
        capture_output=True,
        env=_env(settings),
        timeout=60,
        check=False,
    )
    assert pub.returncode == 0, pub.stderr
    assert f"published 6 messages to {topic}".encode() in pub.stdout
    tail = subprocess.run(
        [*cli, "tail", topic, "--no-follow", "--idle", "1.5"],
        capture_output=True,
        env=_env(settings),
        timeout=60,
        check=False,
    )
    assert tail.returncode == 0, tail.stderr
    assert sorted(tail.stdout.splitlines()) == sorted(line for line in lines)


def test_create_topics_uses_the_partition_count(settings: Settings) -> None:
    created = asyncio.run(create_topics(settings))
    assert set(created) == set(public_topics(settings))
    assert asyncio.run(create_topics(settings)) == []  # idempotent

    async def partitions() -> dict[str, int]:
        from aiokafka import AIOKafkaProducer

        producer = AIOKafkaProducer(bootstrap_servers=settings.bootstrap_servers())
        await producer.start()
        try:
            return {t: len(await producer.partitions_for(t)) for t in created}
        finally:
            await producer.stop()

    assert set(asyncio.run(partitions()).values()) == {settings.partitions}

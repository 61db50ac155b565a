"""Producing to and reading from topics with plain aiokafka clients (publish, tail, demo)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Iterable

import orjson

from streams.kafka import aiokafka_options
from streams.settings import Settings


def event_key(line: bytes) -> bytes | None:
    """The event id of a JSON line, as the message key (None when there is none)."""
    try:
        data = orjson.loads(line)
    except orjson.JSONDecodeError:
        return None
    if isinstance(data, dict) and isinstance(data.get("id"), str) and data["id"]:
        return str(data["id"]).encode("utf-8")
    return None


async def publish_lines(settings: Settings, topic: str, lines: Iterable[bytes]) -> dict[int, int]:
    """Send each non-blank line as one message (acks=all); returns partition -> last offset."""
    from aiokafka import AIOKafkaProducer

    producer = AIOKafkaProducer(acks="all", linger_ms=5, **aiokafka_options(settings))
    await producer.start()
    last: dict[int, int] = {}
    try:
        futures = []
        for line in lines:
            if not line.strip():
                continue
            futures.append(await producer.send(topic, value=line, key=event_key(line)))
        for meta in await asyncio.gather(*futures):
            last[meta.partition] = max(meta.offset, last.get(meta.partition, -1))
    finally:
        await producer.stop()
    return last


async def tail_topic(
    settings: Settings,
    topic: str,
    show: Callable[[bytes], None],
    from_beginning: bool = True,
    idle_s: float | None = None,
) -> int:
    """Print every message of ``topic``; with ``idle_s``, stop after that long without any."""
    from aiokafka import AIOKafkaConsumer

    consumer = AIOKafkaConsumer(
        topic,
        auto_offset_reset="earliest" if from_beginning else "latest",
        enable_auto_commit=False,
        fetch_max_wait_ms=200,
        **aiokafka_options(settings),
    )
    await consumer.start()
    seen = 0
    try:
        loop = asyncio.get_running_loop()
        last = loop.time()
        while idle_s is None or loop.time() - last < idle_s:
            batch = await consumer.getmany(timeout_ms=200)
            for records in batch.values():
                for record in records:
                    show(record.value or b"")
                    seen += 1
                    last = loop.time()
    finally:
        with contextlib.suppress(Exception):
            await consumer.stop()
    return seen

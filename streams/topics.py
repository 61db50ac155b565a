"""The public topics: names and partition counts from Settings, created up front.

Topics are created before any worker starts because a broker may not support adding partitions
later (the embedded broker auto-creates unknown topics with 4 partitions and cannot change that).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from typing import Any

from streams.errors import BrokerError
from streams.kafka import aiokafka_options
from streams.settings import Settings

log = logging.getLogger(__name__)


def public_topics(settings: Settings) -> dict[str, int]:
    """Every public topic of the service and its partition count."""
    names = (
        settings.topic_news_raw,
        settings.topic_news_rejected,
        settings.topic_signals_detected,
        settings.topic_signals_alerts,
        settings.topic_webhooks_dead,
    )
    return {name: settings.partitions for name in names}


async def create_topics(
    settings: Settings, topics: dict[str, int] | None = None, timeout_s: float = 30.0
) -> list[str]:
    """Create the missing topics (default: :func:`public_topics`); returns those created."""
    from aiokafka.admin import AIOKafkaAdminClient, NewTopic

    wanted = public_topics(settings) if topics is None else topics
    admin = AIOKafkaAdminClient(**aiokafka_options(settings))
    try:
        await asyncio.wait_for(admin.start(), timeout_s)
        existing = set(await admin.list_topics())
        missing = [
            NewTopic(name, num_partitions=n, replication_factor=settings.replication_factor)
            for name, n in wanted.items()
            if name not in existing
        ]
        if missing:
            response = await admin.create_topics(missing, timeout_ms=int(timeout_s * 1000))
            _check(response)
        return [t.name for t in missing]
    except BrokerError:
        raise
    except Exception as exc:
        raise BrokerError(f"cannot create topics on {settings.broker}: {exc}") from exc
    finally:
        with contextlib.suppress(Exception):
            await admin.close()


def _check(response: Any) -> None:
    # error 36 = TOPIC_ALREADY_EXISTS: a concurrent creator won the race, which is fine
    for entry in getattr(response, "topic_errors", []):
        name, code = entry[0], entry[1]
        if code not in (0, 36):
            raise BrokerError(f"cannot create topic {name}: error code {code}")


@dataclass(frozen=True)
class Topics:
    """The faust topic objects of one app."""

    news_raw: Any
    news_rejected: Any
    signals_detected: Any
    signals_alerts: Any


def declare_topics(app: Any, settings: Settings) -> Topics:
    """Declare the public topics on a faust app (raw bytes in and out: codecs are ours)."""
    n = settings.partitions

    def topic(name: str) -> Any:
        return app.topic(
            name,
            partitions=n,
            key_type=bytes,
            value_type=bytes,
            value_serializer="raw",
            key_serializer="raw",
        )

    return Topics(
        news_raw=topic(settings.topic_news_raw),
        news_rejected=topic(settings.topic_news_rejected),
        signals_detected=topic(settings.topic_signals_detected),
        signals_alerts=topic(settings.topic_signals_alerts),
    )

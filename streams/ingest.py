"""The API's way into ``news.raw``: an aiokafka producer that answers only for acknowledged writes.

``acks='all'``: an event counts as accepted once every in-sync replica has it. When the broker
cannot be reached, or does not acknowledge within ``api_send_timeout_s``,
:class:`BrokerUnavailable` is raised and the HTTP layer answers 503, never 202.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from typing import Any

from signals.models import NewsEvent
from streams.errors import BrokerError
from streams.kafka import aiokafka_options
from streams.settings import Settings

log = logging.getLogger(__name__)


class BrokerUnavailable(BrokerError):
    """The broker did not acknowledge; ``acknowledged`` lists the ids it did acknowledge."""

    def __init__(self, reason: str, acknowledged: Sequence[str] = ()) -> None:
        super().__init__(reason)
        self.reason = reason
        self.acknowledged = list(acknowledged)


def _consume_outcome(fut: asyncio.Future[Any]) -> None:
    if not fut.cancelled():
        fut.exception()


class NewsProducer:
    """Send :class:`NewsEvent`s to ``news.raw`` keyed by their id; start (and restart) lazily.

    The producer is started on first use, so the API can come up while the broker is down and
    answer 503 until it is back.
    """

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._producer: Any = None
        self._lock = asyncio.Lock()

    @property
    def topic(self) -> str:
        return self._settings.topic_news_raw

    def _timeout_s(self) -> float:
        return self._settings.api_send_timeout_s

    async def _started(self) -> Any:
        from aiokafka import AIOKafkaProducer

        async with self._lock:
            if self._producer is not None:
                return self._producer
            timeout_ms = int(self._timeout_s() * 1000)
            producer = AIOKafkaProducer(
                client_id=f"{self._settings.app_id}-api",
                acks="all",
                request_timeout_ms=max(timeout_ms, 1000),
                max_request_size=max(self._settings.max_body_bytes * 2, 1_048_576),
                **aiokafka_options(self._settings),
            )
            try:
                await asyncio.wait_for(producer.start(), self._timeout_s())
            except BaseException as exc:
                with contextlib.suppress(BaseException):
                    await asyncio.wait_for(producer.stop(), 2.0)
                if isinstance(exc, asyncio.CancelledError):
                    raise
                raise BrokerUnavailable(f"broker unreachable: {type(exc).__name__}") from None
            self._producer = producer
            return producer

    async def send(self, events: Sequence[NewsEvent]) -> list[str]:
        """Send every event; return their ids once all are acknowledged (acks=all).

        Raises :class:`BrokerUnavailable` when any is not acknowledged in time.
        """
        producer = await self._started()
        futures: list[tuple[str, asyncio.Future[Any]]] = []
        acknowledged: list[str] = []
        try:
            async with asyncio.timeout(self._timeout_s()):
                for event in events:
                    fut = await producer.send(
                        self.topic,
                        value=event.model_dump_json(exclude_none=True).encode("utf-8"),
                        key=event.id.encode("utf-8"),
                    )
                    futures.append((event.id, fut))
                for event_id, fut in futures:
                    await fut
                    acknowledged.append(event_id)
        except TimeoutError:
            raise BrokerUnavailable("broker did not acknowledge in time", acknowledged) from None
        except Exception as exc:
            log.warning("news.raw send failed: %s", type(exc).__name__)
            raise BrokerUnavailable(f"send failed: {type(exc).__name__}", acknowledged) from None
        finally:
            for _, fut in futures:
                # Too late to answer 202 for these; still retrieve their outcome so no
                # "exception was never retrieved" is logged.
                fut.add_done_callback(_consume_outcome)
        return acknowledged

    async def reachable(self, timeout_s: float = 2.0) -> bool:
        """True when the broker answers a metadata request within ``timeout_s``."""
        try:
            producer = await self._started()
            async with asyncio.timeout(timeout_s):
                await producer.client.fetch_all_metadata()
            return True
        except (BrokerUnavailable, TimeoutError):
            return False
        except Exception:
            return False

    async def stop(self) -> None:
        async with self._lock:
            producer, self._producer = self._producer, None
        if producer is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(producer.stop(), 5.0)

"""Hand-made funding signals written straight to ``signals.detected``, for the table tests."""

from __future__ import annotations

from datetime import datetime

from signals.models import Evidence, Signal
from streams.codec import encode
from streams.kafka import aiokafka_options
from streams.settings import Settings


def funding_signal(n: int, company: str, when: datetime, *, source: str, article: str) -> Signal:
    """The ``n``-th $200M funding signal of ``company``, published at ``when``."""
    sentence = f"{company} raised $200 million ({n})."
    return Signal(
        signal_id=f"{company}-{n}",
        article_id=f"{article}-{n}",
        kind="funding",
        company=company,
        company_mention=company,
        language="en",
        confidence=0.9,
        evidence=Evidence(field="body", start=0, end=len(sentence), sentence=sentence),
        source=source,
        published_at=when,
        amount=200e6,
        currency="USD",
    )


async def send_signals(settings: Settings, signals: list[Signal]) -> None:
    """Each signal to ``signals.detected``, keyed by company, stamped with its event time."""
    from aiokafka import AIOKafkaProducer

    producer = AIOKafkaProducer(acks="all", **aiokafka_options(settings))
    await producer.start()
    try:
        for s in signals:
            assert s.published_at is not None
            await producer.send_and_wait(
                settings.topic_signals_detected,
                key=s.company.encode(),
                value=encode(s),
                timestamp_ms=int(s.published_at.timestamp() * 1000),
            )
    finally:
        await producer.stop()

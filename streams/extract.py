"""The one path from a news event to its signals, shared by the worker, ``extract`` and
``evaluate``: the same event gives the same signals, with the same ``signal_id``, everywhere."""

from __future__ import annotations

from collections.abc import Callable

from signals.models import NewsEvent, Signal

Detector = Callable[[NewsEvent], list[Signal]]


def default_detector() -> Detector:
    from signals.detect import detect

    return detect


def extract(event: NewsEvent, detect: Detector | None = None) -> list[Signal]:
    """Signals of one event, with the event's source and publication time filled in."""
    found = (detect or default_detector())(event)
    out = []
    for signal in found:
        update: dict[str, object] = {}
        if signal.source is None and event.source is not None:
            update["source"] = event.source
        if signal.published_at is None and event.published_at is not None:
            update["published_at"] = event.published_at
        out.append(signal.model_copy(update=update) if update else signal)
    return out

"""Recent alerts for ``GET /v1/alerts``: a bounded ring fed by reading ``signals.alerts`` back.

The API process reads the public alerts topic like any subscriber (a
:class:`~streams.topic_reader.TopicReader`: no consumer group, every partition, starting
``api_recent_alerts`` records before the end) and keeps the newest alerts, deduplicated by
``alert_id`` (a redelivered alert replaces itself).
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError

from signals.models import Alert

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class StoredAlert:
    alert: Alert
    received_at: datetime  # the record's timestamp on signals.alerts

    @property
    def at(self) -> datetime:
        """Event time when the alert has one, else when it was written."""
        return self.alert.occurred_at or self.received_at


class AlertsRing:
    """The newest ``capacity`` alerts, one per ``alert_id``."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._items: OrderedDict[str, StoredAlert] = OrderedDict()

    def __len__(self) -> int:
        return len(self._items)

    def add(self, alert: Alert, received_at: datetime) -> None:
        self._items.pop(alert.alert_id, None)
        self._items[alert.alert_id] = StoredAlert(alert, received_at)
        while len(self._items) > self.capacity:
            self._items.popitem(last=False)

    def recent(
        self,
        *,
        kind: str | None = None,
        company: str | None = None,
        since: datetime | None = None,
        limit: int = 100,
    ) -> list[Alert]:
        """Newest first, filtered by kind, company (case-insensitive) and ``since`` (inclusive)."""
        wanted = company.casefold() if company else None
        out: list[Alert] = []
        for stored in reversed(self._items.values()):
            a = stored.alert
            if kind and a.kind != kind:
                continue
            if wanted and a.company.casefold() != wanted:
                continue
            if since and _aware(stored.at) < since:
                continue
            out.append(a)
            if len(out) >= limit:
                break
        return out


def _aware(ts: datetime) -> datetime:
    return ts if ts.tzinfo is not None else ts.replace(tzinfo=UTC)


def alert_handler(ring: AlertsRing) -> Callable[[Any], None]:
    """A :class:`~streams.topic_reader.TopicReader` callback adding decoded alerts to ``ring``."""

    def add(record: Any) -> None:
        try:
            alert = Alert.model_validate_json(record.value)
        except (ValidationError, ValueError, TypeError):
            log.warning(
                "skipping undecodable alert %s[%s]@%s",
                record.topic,
                record.partition,
                record.offset,
            )
            return
        ring.add(alert, datetime.fromtimestamp(record.timestamp / 1000, tz=UTC))

    return add

"""A read-only copy of the window tables, rebuilt from their changelog topics, for the API.

The workers own the tables (:mod:`streams.tables`); each worker holds only its partitions. The
API reads every partition of the table's changelog (``{app_id}-signal_windows_1d-changelog``),
so any API replica answers for any company. A changelog record is the faust windowed key
``[table_key, [start, end]]`` (JSON) and the window's members (JSON), the last record of a key
winning; windows older than the table's expiry are dropped to bound memory. As the workers do
(:mod:`streams.tables`), the 1 h figures are read from the day's members of the hour, the 7 d
figures from the seven daily windows ending with the reference day.
"""

from __future__ import annotations

import logging
from typing import Any

import orjson

from signals.models import KINDS, WindowFigures
from streams.settings import Settings
from streams.tables import (
    _SEP,
    HOUR_KEPT,
    TABLES,
    WINDOWS,
    Members,
    WindowName,
    figures,
    time_of,
    union,
    within,
)

log = logging.getLogger(__name__)

Window = tuple[float, float]


def changelog_topics(settings: Settings) -> dict[str, WindowName]:
    """Changelog topic -> window name, as faust names them (``{app_id}-{table}-changelog``)."""
    return {f"{settings.app_id}-signal_windows_{name}-changelog": name for name in TABLES}


class WindowsReplica:
    """Window members by window name, table key and window range; fed changelog records."""

    def __init__(self, topics: dict[str, WindowName]) -> None:
        self._topics = topics
        self._data: dict[WindowName, dict[str, dict[Window, Members]]] = {n: {} for n in TABLES}
        self._companies: dict[str, str] = {}  # casefolded -> canonical
        self._newest_end: dict[WindowName, float] = {}
        self._newest_time = float("-inf")  # newest member event time seen
        self._applied = 0

    def keys(self) -> int:
        """Table keys held, all windows included."""
        return sum(len(w) for per_key in self._data.values() for w in per_key.values())

    def apply(self, record: Any) -> None:
        """Apply one changelog record (a ConsumerRecord with topic, key, value)."""
        name = self._topics.get(record.topic)
        if name is None:
            return
        try:
            raw_key = orjson.loads(record.key)
            key, (start, end) = str(raw_key[0]), (float(raw_key[1][0]), float(raw_key[1][1]))
            value = orjson.loads(record.value) if record.value is not None else None
        except (orjson.JSONDecodeError, TypeError, ValueError, IndexError):
            log.warning(
                "skipping changelog record %s[%s]@%s", record.topic, record.partition, record.offset
            )
            return
        windows = self._data[name].setdefault(key, {})
        if not value:
            windows.pop((start, end), None)
        else:
            windows[(start, end)] = value
            for member in value.values():
                t = time_of(member) if isinstance(member, list) else None
                if t is not None and t > self._newest_time:
                    self._newest_time = t
        company = key.split(_SEP, 1)[0]
        self._companies.setdefault(company.casefold(), company)
        if end > self._newest_end.get(name, 0.0):
            self._newest_end[name] = end
        self._applied += 1
        if self._applied % 1000 == 0:
            self.prune()

    def prune(self) -> None:
        """Drop windows past their table's expiry, measured from the newest window seen."""
        for name, per_key in self._data.items():
            horizon = self._newest_end.get(name, 0.0) - TABLES[name][1]
            for key in list(per_key):
                windows = per_key[key]
                for rng in [r for r in windows if r[1] < horizon]:
                    del windows[rng]
                if not windows:
                    del per_key[key]

    def _current(self, key: str) -> list[WindowFigures]:
        """Figures of the most recent windows of one table key (1h, 1d, 7d; absent ones left out).

        Reference time: the newest event time among the members of the key's newest daily
        window (its start when no member has one); the 1 h figures are those of the members of
        that hour, left out once the hour ended more than ``HOUR_KEPT`` before the newest event
        time seen; 1 d those of that day; 7 d those of the 7 days ending with that day.
        """
        result = []
        for name, (table, size) in WINDOWS.items():
            windows = self._data[table].get(key, {})
            if not windows:
                continue
            newest = max(windows)
            times = [t for m in windows[newest].values() if (t := time_of(m)) is not None]
            t = max(times) if times else newest[0]
            stored = TABLES[table][0]
            if size < stored:  # part of the stored window: its members of that time
                first = t - t % size  # windows are aligned on the epoch
                if not times or first + size < self._newest_time - HOUR_KEPT:
                    continue
                members = within(windows[newest], first, first + size)
            else:  # the stored windows of that time, and the ones before it
                first = t - t % stored - (size - stored)
                held = sorted(r for r in windows if first <= r[0] <= t)
                members = union(windows[rng] for rng in reversed(held))
            result.append(figures(name, first, members))
        return result

    def figures(self, company: str) -> dict[str, list[WindowFigures]]:
        """Figures by kind of the most recent windows of ``company`` (any case); {} if unknown."""
        canonical = self._companies.get(company.casefold())
        if canonical is None:
            return {}
        out: dict[str, list[WindowFigures]] = {}
        for kind in KINDS:
            current = self._current(f"{canonical}{_SEP}{kind}")
            if current:
                out[kind] = current
        return out

    def top(
        self, window: WindowName, *, kind: str | None = None, limit: int = 10
    ) -> list[dict[str, Any]]:
        """Companies with the most signals in their most recent ``window``, most first."""
        totals: dict[str, dict[str, Any]] = {}
        for key in self._data[WINDOWS[window][0]]:
            company, _, key_kind = key.partition(_SEP)
            if kind is not None and key_kind != kind:
                continue
            for w in self._current(key):
                if w.window != window:
                    continue
                row = totals.setdefault(
                    company,
                    {"company": company, "count": 0, "amount_usd": 0.0, "quantity": 0},
                )
                row["count"] += w.count
                row["amount_usd"] += w.amount_usd
                row["quantity"] += w.quantity
        rows = [r for r in totals.values() if r["count"] > 0]
        rows.sort(key=lambda r: (-r["count"], -r["amount_usd"], r["company"]))
        return rows[:limit]


class ReplicaAggregates:
    """The API's :class:`~streams.api.AggregatesReader` over a :class:`WindowsReplica`."""

    def __init__(self, replica: WindowsReplica) -> None:
        self.replica = replica

    async def figures(self, company: str) -> dict[str, list[WindowFigures]]:
        return self.replica.figures(company)

    async def top(
        self, window: WindowName, *, kind: str | None = None, limit: int = 10
    ) -> list[dict[str, Any]]:
        return self.replica.top(window, kind=kind, limit=limit)

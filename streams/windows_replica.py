"""A read-only copy of the window tables, rebuilt from their changelog topics, for the API.

The workers own the tables (:mod:`streams.tables`); each worker holds only its partitions. The
API reads every partition of each table's changelog (``{app_id}-signal_windows_{1h,1d}-
changelog``), so any API replica answers for any company. A changelog record is the faust
windowed key ``[table_key, [start, end]]`` (JSON) and the window's members (JSON), the last
record of a key winning; windows older than the table's expiry are dropped to bound memory.
The 7 d figures are read from the seven daily windows ending with the reference day, as the
workers do (:mod:`streams.tables`).
"""

from __future__ import annotations

import logging
from typing import Any

import orjson

from signals.models import KINDS, WindowFigures
from streams.settings import Settings
from streams.tables import _SEP, TABLES, WINDOWS, Members, WindowName, figures, union

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

        Reference time: the start of the key's newest 1 h window (else of its newest window);
        for each reported window, the stored windows holding it: the 1 h and 1 d windows of
        that time, and for 7 d the daily windows of the 7 days ending with that day.
        """
        per_table = {name: self._data[name].get(key, {}) for name in TABLES}
        starts = [r[0] for ws in per_table.values() for r in ws]
        if not starts:
            return []
        hourly = [r[0] for r in per_table["1h"]]
        t = max(hourly) if hourly else max(starts)
        result = []
        for name, (table, count) in WINDOWS.items():
            size = TABLES[table][0]
            first = t - t % size - (count - 1) * size  # windows are aligned on the epoch
            held = sorted(r for r in per_table[table] if first <= r[0] <= t)
            if not held:
                continue
            members = union(per_table[table][rng] for rng in reversed(held))
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

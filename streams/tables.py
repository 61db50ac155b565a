"""Windowed aggregates per (company, kind): tumbling 1 h and 1 d, hopping 7 d advancing daily.

A window's value is the set of signals counted in it, ``{signal_id: [source, amount_usd,
quantity]}``. Adding a signal is a dict union, so a signal replayed after a crash (processing
is at-least-once) is counted once; the figures (count, sums, distinct sources) derive from it.
Windows are timed by the message timestamp of ``signals.detected``, which the detect agent sets
to the news event's ``published_at`` (event time), and expire so memory stays bounded.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from signals.models import Signal, WindowFigures
from streams.alerts import usd_amount
from streams.settings import Settings

WindowName = Literal["1h", "1d", "7d"]
HOUR = 3600
DAY = 24 * HOUR
# name -> (size, step, expires) in seconds
WINDOWS: dict[WindowName, tuple[int, int, int]] = {
    "1h": (HOUR, HOUR, 2 * HOUR),
    "1d": (DAY, DAY, 2 * DAY),
    "7d": (7 * DAY, DAY, 8 * DAY),
}
Members = dict[str, list[Any]]  # signal_id -> [source, amount_usd, quantity]
_SEP = "\x1f"


def window_for(seconds: float) -> WindowName:
    """The window whose size is ``seconds`` (for ``SIGNALS_SURGE_WINDOW_S``)."""
    for name, (size, _step, _expires) in WINDOWS.items():
        if size == seconds:
            return name
    sizes = ", ".join(str(size) for size, _, _ in WINDOWS.values())
    raise ValueError(f"surge window must be one of {sizes} seconds, not {seconds}")


def table_key(company: str, kind: str) -> str:
    return f"{company}{_SEP}{kind}"


def contribution(signal: Signal, source: str) -> Members:
    """What one signal adds to a window."""
    return {signal.signal_id: [source, usd_amount(signal) or 0.0, signal.quantity or 0]}


def merge(old: Members | None, new: Members) -> Members:
    """Window update: set union, so applying the same signal twice changes nothing."""
    if not old:
        return dict(new)
    if new.keys() <= old.keys():
        return old
    return {**old, **new}


def figures(window: WindowName, start: float, members: Mapping[str, list[Any]]) -> WindowFigures:
    """The figures of one window from its members."""
    size = WINDOWS[window][0]
    begin = datetime.fromtimestamp(start, UTC)
    return WindowFigures(
        window=window,
        start=begin,
        end=begin + timedelta(seconds=size),
        count=len(members),
        amount_usd=float(sum(float(m[1]) for m in members.values())),
        quantity=int(sum(int(m[2]) for m in members.values())),
        sources=len({m[0] for m in members.values()}),
    )


@dataclass(frozen=True)
class WindowTables:
    """The three windowed tables of one app (faust ``WindowWrapper`` objects)."""

    by_name: dict[WindowName, Any]

    def add(self, key: str, members: Members) -> None:
        """Count ``members`` in every window of every table that holds the current event."""
        for wrapper in self.by_name.values():
            wrapper[key].apply(merge, members)

    def members(self, name: WindowName, key: str, timestamp: float) -> tuple[float, Members]:
        """(window start, members) of the window of ``name`` reported for ``timestamp``.

        For the hopping 7 d table this is the window that ends soonest: the last 7 days.
        """
        table = self.by_name[name].table
        start, _end = table.window.earliest(timestamp)
        return start, dict(table.get((key, (start, _end))) or {})

    def figures(self, key: str, timestamp: float) -> list[WindowFigures]:
        out = []
        for name in WINDOWS:
            start, members = self.members(name, key, timestamp)
            out.append(figures(name, start, members))
        return out

    def sizes(self) -> Iterator[tuple[str, int]]:
        """(table name, keys held) for the table-size gauge."""
        for wrapper in self.by_name.values():
            yield wrapper.table.name, len(wrapper.table.data)


def _empty() -> Members:
    return {}


def create_tables(app: Any, settings: Settings) -> WindowTables:
    """Declare the windowed tables on a faust app."""
    by_name: dict[WindowName, Any] = {}
    for name, (size, step, expires) in WINDOWS.items():
        table = app.Table(
            f"signal_windows_{name}",
            default=_empty,
            partitions=settings.partitions,
            help=f"Signals per company and kind, {name} windows",
        )
        if size == step:
            by_name[name] = table.tumbling(size, expires=timedelta(seconds=expires))
        else:
            by_name[name] = table.hopping(size, step, expires=timedelta(seconds=expires))
    return WindowTables(by_name)

"""WindowBatch: windows read once, running figures, one write per changed window per batch."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from faust.streams import current_event

from streams.tables import WINDOWS, WindowBatch, WindowTables, figures, table_key

HOUR = 3600.0


@dataclass
class FakeWindow:
    size: float
    step: float

    def ranges(self, ts: float) -> list[tuple[float, float]]:
        first = (ts // self.step) * self.step - (self.size - self.step)
        out = []
        start = max(0.0, first)
        while start <= ts:
            out.append((start, start + self.size))
            start += self.step
        return out

    def earliest(self, ts: float) -> tuple[float, float]:
        return self.ranges(ts)[0]


@dataclass
class FakeTable:
    window: FakeWindow
    data: dict[Any, Any] = field(default_factory=dict)
    writes: list[tuple[Any, Any]] = field(default_factory=list)  # (key, current event)

    def get(self, key: Any) -> Any:
        return self.data.get(key)

    def __setitem__(self, key: Any, value: Any) -> None:
        self.data[key] = dict(value)
        self.writes.append((key, current_event()))


@dataclass
class FakeWrapper:
    table: FakeTable


class Event:
    """Stands for a faust event (weak-referenceable)."""

    def __init__(self, partition: int) -> None:
        self.partition = partition


def tables() -> WindowTables:
    by_name: dict[Any, Any] = {
        name: FakeWrapper(FakeTable(FakeWindow(size, step)))
        for name, (size, step, _expires) in WINDOWS.items()
    }
    return WindowTables(by_name)


def test_running_figures_match_figures_from_members_and_writes_once_per_window() -> None:
    t = tables()
    key, other = table_key("Acme", "funding"), table_key("Beta", "funding")
    ts = 30 * 86400 + 5 * HOUR + 10
    # a window already holding one signal, read once from the table
    hour = t.by_name["1h"].table.window.earliest(ts)
    t.by_name["1h"].table.data[(key, hour)] = {"s0": ["wire", 5.0, 1, 0]}
    batch = WindowBatch(t)
    e1, e2, e3 = Event(0), Event(0), Event(1)
    batch.add(key, {"s1": ["paper", 10.0, 2, 1]}, ts, e1)
    batch.add(key, {"s2": ["wire", 20.0, 0, 2]}, ts, e2)
    batch.add(key, {"s1": ["paper", 10.0, 2, 1]}, ts, e2)  # a replay changes nothing
    batch.add(other, {"s3": ["wire", 1.0, 0, 3]}, ts, e3)

    by_window = {f.window: f for f in batch.figures(key, ts)}
    for name in WINDOWS:
        start, members = batch.members(name, key, ts)
        assert by_window[name] == figures(name, start, members)
    assert (by_window["1h"].count, by_window["1h"].sources) == (3, 2)
    assert by_window["1h"].amount_usd == 35.0 and by_window["1h"].quantity == 3
    assert by_window["1d"].count == 2  # s0 was only in the hour table

    assert t.by_name["1h"].table.writes == []  # nothing written before the flush
    written = batch.flush()
    per_key = {name: len(t.by_name[name].table.window.ranges(ts)) for name in WINDOWS}
    assert written == 2 * sum(per_key.values())  # each changed window of both keys, once
    for name in WINDOWS:
        writes = t.by_name[name].table.writes
        assert len(writes) == 2 * per_key[name]
        # each write made with the event that last changed that window as the current one
        for (k, _span), event in writes:
            assert event is (e2 if k == key else e3)
    assert current_event() is None
    assert batch.flush() == 0  # nothing left to write

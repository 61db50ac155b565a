"""WindowBatch: windows read once, running figures, one write per changed window per batch."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from faust.streams import current_event
from faust.windows import TumblingWindow

from streams.tables import TABLES, WINDOWS, WindowBatch, WindowTables, figures, table_key

HOUR = 3600.0
DAY = 24 * HOUR


@dataclass
class FakeTable:
    window: TumblingWindow
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
        name: FakeWrapper(FakeTable(TumblingWindow(size, expires)))
        for name, (size, expires) in TABLES.items()
    }
    return WindowTables(by_name)


def test_running_figures_match_figures_from_members_and_writes_once_per_window() -> None:
    t = tables()
    key, other = table_key("Acme", "funding"), table_key("Beta", "funding")
    ts = 30 * 86400 + 5 * HOUR + 10
    # the day's window already holds a signal of this hour and one of two hours before, read
    # once from the table
    daily = t.by_name["1d"].table
    daily.data[(key, daily.window.earliest(ts))] = {
        "s0": ["wire", 5.0, 1, 0, ts - 5],
        "e0": ["radio", 7.0, 0, 0, ts - 2 * HOUR],
    }
    batch = WindowBatch(t)
    e1, e2, e3 = Event(0), Event(0), Event(1)
    batch.add(key, {"s1": ["paper", 10.0, 2, 1, ts]}, ts, e1)
    batch.add(key, {"s2": ["wire", 20.0, 0, 2, ts]}, ts, e2)
    batch.add(key, {"s1": ["paper", 10.0, 2, 1, ts]}, ts, e2)  # a replay changes nothing
    batch.add(other, {"s3": ["wire", 1.0, 0, 3, ts]}, ts, e3)

    by_window = {f.window: f for f in batch.figures(key, ts)}
    for name in WINDOWS:
        start, members = batch.members(name, key, ts)
        assert by_window[name] == figures(name, start, members)
    assert (by_window["1h"].count, by_window["1h"].sources) == (3, 2)
    assert by_window["1h"].amount_usd == 35.0 and by_window["1h"].quantity == 3
    assert (by_window["1d"].count, by_window["1d"].sources) == (4, 3)  # e0 is of another hour
    assert by_window["7d"].count == 4

    assert daily.writes == []  # nothing written before the flush
    written = batch.flush()
    assert written == 2 * len(TABLES) == 2  # the daily window of both keys, once
    for name in TABLES:
        writes = t.by_name[name].table.writes
        assert len(writes) == 2
        # each write made with the event that last changed that window as the current one
        for (k, _span), event in writes:
            assert event is (e2 if k == key else e3)
    assert current_event() is None
    assert batch.flush() == 0  # nothing left to write


def test_seven_day_figures_are_the_last_seven_daily_windows() -> None:
    t = tables()
    key = table_key("Acme", "funding")
    today = 40 * DAY + 9 * HOUR
    daily = t.by_name["1d"].table
    # stored daily windows: 8, 6 and 2 days ago, and today
    for sid, days, usd in (("old", 8, 1.0), ("d6", 6, 2.0), ("d2", 2, 4.0), ("t0", 0, 8.0)):
        member = ["wire", usd, 1, 0, today - days * DAY]
        daily.data[(key, daily.window.earliest(today - days * DAY))] = {sid: member}
    daily.data[(key, daily.window.earliest(today - 2 * DAY))]["t0"] = ["paper", 8.0, 1, 0, today]
    batch = WindowBatch(t)
    week = {f.window: f for f in batch.figures(key, today)}["7d"]
    assert week.start.timestamp() == 34 * DAY and week.end.timestamp() == 41 * DAY
    # the window 8 days ago is out; a signal in two daily windows is counted once
    assert (week.count, week.amount_usd, week.sources) == (3, 14.0, 2)
    assert week.quantity == 3
    # a signal added today reaches the 7 d figures already read in this batch
    batch.add(key, {"new": ["radio", 16.0, 5, 1, today + HOUR]}, today + HOUR, Event(0))
    week = {f.window: f for f in batch.figures(key, today + HOUR)}["7d"]
    assert (week.count, week.amount_usd, week.quantity, week.sources) == (4, 30.0, 8, 3)
    start, members = batch.members("7d", key, today)
    assert figures("7d", start, members) == week
    # a signal of yesterday is in today's 7 d window, one from 7 days ago is not
    batch.add(key, {"y": ["wire", 0.0, 0, 2, today - DAY]}, today - DAY, Event(0))
    batch.add(key, {"w": ["wire", 0.0, 0, 3, today - 7 * DAY]}, today - 7 * DAY, Event(0))
    assert set(batch.members("7d", key, today)[1]) == {"d6", "d2", "t0", "new", "y"}
    # stored: only daily windows, one per signal
    assert batch.flush() == 3
    assert {w.window for w in batch.figures(key, today)} == set(WINDOWS)


def test_hour_figures_are_the_days_members_of_that_hour() -> None:
    t = tables()
    key = table_key("Acme", "funding")
    ts = 50 * DAY + 7 * HOUR + 30
    daily = t.by_name["1d"].table
    daily.data[(key, daily.window.earliest(ts))] = {
        "now": ["wire", 1.0, 0, 0, ts - 20],
        "before": ["wire", 2.0, 0, 1, ts - HOUR],  # the hour before
        "untimed": ["wire", 4.0, 0, 2],  # written before members carried their time
    }
    batch = WindowBatch(t)
    start, hour = batch.members("1h", key, ts)
    assert start == 50 * DAY + 7 * HOUR and set(hour) == {"now"}
    assert set(batch.members("1d", key, ts)[1]) == {"now", "before", "untimed"}
    # a signal of another hour of the same day does not reach this hour's figures read in the
    # batch; one of this hour does, once even when replayed
    batch.add(key, {"later": ["paper", 8.0, 0, 3, ts + HOUR]}, ts + HOUR, Event(0))
    batch.add(key, {"also": ["paper", 16.0, 0, 4, ts + 1]}, ts + 1, Event(0))
    batch.add(key, {"also": ["paper", 16.0, 0, 4, ts + 1]}, ts + 1, Event(0))
    by_window = {f.window: f for f in batch.figures(key, ts)}
    assert (by_window["1h"].count, by_window["1h"].amount_usd, by_window["1h"].sources) == (
        2,
        17.0,
        2,
    )
    assert by_window["1d"].count == 5
    assert {f.window: f.count for f in batch.figures(key, ts + HOUR)}["1h"] == 1
    # as of an earlier seq (a replay of "now"): only what was counted by then
    assert {f.window: f.count for f in batch.figures(key, ts, upto=0)}["1h"] == 1
    assert batch.flush() == 1

"""Window tables expire by event time, with a changelog tombstone per dropped window."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import faust
import orjson
import pytest

from streams.settings import Settings
from streams.tables import TABLES, WindowBatch, WindowTables, create_tables, table_key
from streams.window_expiry import WindowExpiry, window_key

DAY = 86400.0
T0 = 1_600_000_000.0  # 2020: far behind the wall clock, as in a replay of archives


class Message:
    def __init__(self, partition: int, key: Any = None, value: Any = b"{}") -> None:
        self.topic = "signals.detected"
        self.partition = partition
        self.key = key
        self.value = value


class Event:
    """Stands for a faust event (weak-referenceable, with a message)."""

    def __init__(self, partition: int, key: Any = None, value: Any = b"{}") -> None:
        self.message = Message(partition, key, value)


@pytest.fixture
def tables(tmp_path: Path) -> tuple[WindowTables, list[tuple[int, Any, Any]]]:
    """The real window tables (memory store); changelog sends recorded, not produced."""
    app = faust.App("expiry-test", broker="kafka://127.0.0.1:1", store="memory://")
    settings = Settings(broker="127.0.0.1:1", data_dir=tmp_path)
    t = create_tables(app, settings)
    sent: list[tuple[int, Any, Any]] = []
    for wrapper in t.by_name.values():

        def record(partition: int, key: Any, value: Any, **_: Any) -> Any:
            sent.append((partition, key, value))
            return _Fut(partition)

        wrapper.table.send_changelog = record
    return t, sent


class _Fut:
    def __init__(self, partition: int) -> None:
        self.message = Message(partition)


def keys(t: WindowTables) -> dict[str, set[Any]]:
    return {name: set(w.table.data.keys()) for name, w in t.by_name.items()}


def add(t: WindowTables, company: str, sid: str, when: float, partition: int = 0) -> None:
    batch = WindowBatch(t)
    members = {sid: ["wire", 1.0, 0, 0, when]}
    batch.add(table_key(company, "funding"), members, when, Event(partition))
    batch.flush()


def test_windows_expire_once_event_time_passes_their_expiry(tables: Any) -> None:
    t, sent = tables
    add(t, "Acme", "s1", T0)
    old = keys(t)
    assert [len(old[n]) for n in TABLES] == [1]  # one daily window (1 h figures are part of it)
    # 3 days on: the daily window is kept for the 7 d figures
    add(t, "Beta", "s2", T0 + 3 * DAY)
    now = keys(t)
    assert old["1d"] <= now["1d"]
    # 16 days on: every window holding T0 is gone, from the store and from the changelog
    add(t, "Beta", "s3", T0 + 16 * DAY)
    now = keys(t)
    assert not any(old[n] & now[n] for n in TABLES)
    tombstones = {key for _p, key, value in sent if value is None}
    assert set().union(*old.values()) <= tombstones
    # what is left: only windows ending less than ``expires`` before the newest event time
    for name, (_size, expires) in TABLES.items():
        assert all(span[1] > T0 + 16 * DAY - expires for _key, span in now[name])
    assert [len(now[n]) for n in TABLES] == [2]  # Beta's T0 + 3 d and T0 + 16 d days


def test_expiry_is_per_partition(tables: Any) -> None:
    t, sent = tables
    add(t, "Acme", "s1", T0, partition=0)
    add(t, "Beta", "s2", T0 + 30 * DAY, partition=1)  # partition 0's clock has not moved
    assert (table_key("Acme", "funding"), t.by_name["1d"].table.window.earliest(T0)) in (
        t.by_name["1d"].table.data
    )
    assert all(value is not None for _p, _k, value in sent)


def test_faust_wall_clock_cleanup_keeps_replayed_windows(tables: Any) -> None:
    """Faust's own cleanup compares window ends with time.time(): a replay of 2020 news would
    lose every window 30 s after writing it. It is off; event time decides."""
    t, _sent = tables
    add(t, "Acme", "s1", T0)
    before = keys(t)
    for wrapper in t.by_name.values():
        assert not wrapper.table._should_expire_keys()
        asyncio.run(wrapper.table._del_old_keys())
    assert keys(t) == before


def test_restored_windows_are_indexed_and_expire(tables: Any) -> None:
    t, sent = tables
    table = t.by_name["1d"].table
    span = table.window.earliest(T0)
    raw = orjson.dumps([table_key("Acme", "funding"), list(span)])
    table.data[(table_key("Acme", "funding"), span)] = {"s1": ["wire", 1.0, 0, 0]}
    asyncio.run(table.on_changelog_event(Event(2, raw, b"{}")))
    add(t, "Beta", "s2", T0 + 16 * DAY, partition=2)
    assert (table_key("Acme", "funding"), span) not in table.data
    assert (2, (table_key("Acme", "funding"), span), None) in sent


def test_restored_tombstone_unindexes() -> None:
    expiry = WindowExpiry()
    raw = orjson.dumps(["k", [0.0, 3600.0]])
    expiry.restored("1h", 0, raw, deleted=False)
    assert expiry.indexed() == 1
    expiry.restored("1h", 0, raw, deleted=True)
    assert expiry.indexed() == 0


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b'["Acme\\u001ffunding",[0.0,3600.0]]', ("Acme\x1ffunding", (0.0, 3600.0))),
        (["k", [1, 2]], ("k", (1.0, 2.0))),
        (b"not json", None),
        (b'["k"]', None),
        (b'["k",[1]]', None),
        (b"{}", None),
    ],
)
def test_window_key_parses_stored_keys(raw: Any, expected: Any) -> None:
    assert window_key(raw) == expected


class _DB:
    def __init__(self, keys: list[bytes]) -> None:
        self._keys = keys

    def keys(self) -> list[bytes]:
        return self._keys


class _RocksStore(dict[Any, Any]):
    """Stands for faust's RocksDB store: one DB per partition, an offset key in each."""

    offset_key = b"__faust\x00offset__"

    def __init__(self, dbs: dict[int, _DB]) -> None:
        super().__init__()
        self._dbs = dbs


class _Table:
    def __init__(self, data: Any) -> None:
        self.data = data
        self.sent: list[tuple[int, Any, Any]] = []

    def send_changelog(self, partition: int, key: Any, value: Any, **_: Any) -> None:
        self.sent.append((partition, key, value))


def test_windows_left_in_a_rocksdb_store_by_an_earlier_run_expire() -> None:
    old = orjson.dumps(["k", [0.0, 3599.9]])
    live = orjson.dumps(["k", [10 * DAY, 10 * DAY + 3599.9]])
    store = _RocksStore({0: _DB([_RocksStore.offset_key, old, live]), 1: _DB([old])})
    table = _Table(store)
    expiry = WindowExpiry({"1h": (table, 2 * 3600.0)})
    expiry.observe(0, 10 * DAY + 60)
    assert expiry.expire([0]) == 1
    assert table.sent == [(0, ("k", (0.0, 3599.9)), None)]
    assert expiry.indexed() == 1  # the live window; partition 1 is not processed here

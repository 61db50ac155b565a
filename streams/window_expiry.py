"""Expiry of the window tables by event time, with a changelog tombstone for each window dropped.

Faust expires windowed tables on its own (``Table._del_old_keys``, every
``table_cleanup_interval``), but by the wall clock (``time.time()``), not by event time: when
archives are replayed, every window is dropped 30 s after it is written, however recent the
replayed signals are to one another, so the figures of a replay restart every 30 s; and live
data stamped in the future would never expire. It also deletes from the local store only,
without a tombstone, so the changelog keeps every window ever written and a worker that
restores it (a restart with the memory store, a new host with RocksDB) holds them all again,
with no expiry registered for any of them; and it keeps one entry per table *write* in its
expiry heap, not per window.

:class:`WindowExpiry` replaces it (``EventTimeTable`` turns faust's off): per partition, the
newest event time seen (the ``signals.detected`` message timestamps, the news' publication
times); a window is dropped once that clock is ``expires`` seconds past the window's end. Each
drop is a tombstone in the changelog (compaction then removes the window there too) and a
delete in the store. Windows are indexed when written, when restored from the changelog, and,
with RocksDB, when found in the local store the first time a partition is processed.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import orjson

WindowKey = tuple[str, tuple[float, float]]  # (table key, (window start, window end))


def window_key(raw: Any) -> WindowKey | None:
    """A window table key as faust stores it (JSON ``[key, [start, end]]``), or None."""
    if isinstance(raw, bytes | str):
        try:
            raw = orjson.loads(raw)
        except orjson.JSONDecodeError:
            return None
    if not isinstance(raw, list | tuple) or len(raw) != 2:
        return None
    key, span = raw
    if not isinstance(key, str) or not isinstance(span, list | tuple) or len(span) != 2:
        return None
    return key, (float(span[0]), float(span[1]))


class _Index:
    """The windows of one table in one partition, by window end (a heap of distinct ends)."""

    __slots__ = ("ends", "heap")

    def __init__(self) -> None:
        self.ends: dict[float, set[WindowKey]] = {}
        self.heap: list[float] = []

    def add(self, key: WindowKey) -> None:
        end = key[1][1]
        keys = self.ends.get(end)
        if keys is None:
            keys = self.ends[end] = set()
            heapq.heappush(self.heap, end)
        keys.add(key)

    def discard(self, key: WindowKey) -> None:
        keys = self.ends.get(key[1][1])
        if keys is not None:
            keys.discard(key)

    def pop_ended(self, before: float) -> Iterator[WindowKey]:
        """Remove and yield the windows that ended at or before ``before``."""
        while self.heap and self.heap[0] <= before:
            yield from self.ends.pop(heapq.heappop(self.heap), ())

    def __len__(self) -> int:
        return sum(len(keys) for keys in self.ends.values())


class WindowExpiry:
    """Drops windows whose end is ``expires`` seconds behind their partition's event time.

    ``tables`` maps a name to (faust table, expires in seconds). Single-threaded: called from
    the aggregate agent between its table writes, and from faust's recovery.
    """

    def __init__(self, tables: Mapping[str, tuple[Any, float]] | None = None) -> None:
        self.tables = dict(tables or {})
        self._index: dict[tuple[str, int], _Index] = {}
        self._latest: dict[int, float] = {}  # partition -> newest event time seen
        self._scanned: set[tuple[str, int]] = set()

    def _at(self, name: str, partition: int) -> _Index:
        index = self._index.get((name, partition))
        if index is None:
            index = self._index[(name, partition)] = _Index()
        return index

    def written(self, name: str, partition: int, key: WindowKey) -> None:
        """A window was written to ``partition``'s changelog."""
        self._at(name, partition).add(key)

    def restored(self, name: str, partition: int, raw_key: Any, deleted: bool) -> None:
        """A changelog record was read back during recovery."""
        key = window_key(raw_key)
        if key is None:
            return
        if deleted:
            self._at(name, partition).discard(key)
        else:
            self._at(name, partition).add(key)

    def observe(self, partition: int, event_time: float) -> None:
        """An event of ``partition`` carries ``event_time``: the partition's clock moves on."""
        if event_time > self._latest.get(partition, float("-inf")):
            self._latest[partition] = event_time

    def indexed(self) -> int:
        """Windows indexed (live, or expired and not yet dropped)."""
        return sum(len(index) for index in self._index.values())

    def expire(self, partitions: Iterable[int]) -> int:
        """Drop the expired windows of ``partitions`` (ones this worker is processing now)."""
        dropped = 0
        for partition in partitions:
            latest = self._latest.get(partition)
            if latest is None:
                continue
            for name, (table, expires) in self.tables.items():
                self._scan_store(name, partition, table)
                index = self._index.get((name, partition))
                if index is None:
                    continue
                for key in index.pop_ended(latest - expires):
                    table.send_changelog(partition, key, None, value_serializer="raw")
                    try:
                        del table.data[key]
                    except KeyError:
                        pass
                    dropped += 1
        return dropped

    def _scan_store(self, name: str, partition: int, table: Any) -> None:
        """Index the windows a RocksDB store kept on disk from an earlier run (once).

        Recovery replays the changelog only from the offset the local store had reached, so
        windows written before a restart are in the store but were never seen here.
        """
        if (name, partition) in self._scanned:
            return
        self._scanned.add((name, partition))
        dbs = getattr(table.data, "_dbs", None)  # faust's RocksDB store: one DB per partition
        db = dbs.get(partition) if isinstance(dbs, dict) else None
        if db is None:
            return
        offset_key = getattr(table.data, "offset_key", None)
        index = self._at(name, partition)
        for raw in db.keys():
            if raw != offset_key and (key := window_key(raw)) is not None:
                index.add(key)

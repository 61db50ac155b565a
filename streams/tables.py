"""Windowed aggregates per (company, kind): 1 h, 1 d and 7 d windows, from one stored table.

One tumbling table is stored: daily windows. The 1 h figures are those of the members of the
day's window whose event time falls in the hour (hours divide days, both aligned on the epoch);
the 7 d figures are those of the seven daily windows ending with the day of the timestamp (the
last 7 days), read together. Each signal is written to one window (a hopping 7 d table stepping
daily, plus hourly and daily tables, wrote 9).

A window's value is the set of signals counted in it, ``{signal_id: [source, amount_usd,
quantity, seq, time]}``. Adding a signal is a dict union, so a signal replayed after a crash
(processing is at-least-once) is counted once; the figures (count, sums, distinct sources) derive
from it. ``time`` is the signal's event time (members written before it existed, without it,
count in their day and week but in no hour).
``seq`` is the ``signals.detected`` offset at which the signal was first counted (one company's
signals share a partition, so seqs order them): alert figures are taken *as of* that seq, so a
signal replayed after later ones were counted yields the very same alert, figures included.
Windows are timed by the message timestamp of ``signals.detected``, which the detect agent sets
to the news event's ``published_at`` (event time), and expire by that event time, with a
changelog tombstone, so memory stays bounded (:mod:`streams.window_expiry`).
"""

from __future__ import annotations

import contextlib
import itertools
import weakref
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from signals.models import Signal, WindowFigures
from streams.alerts import usd_amount
from streams.settings import Settings
from streams.window_expiry import WindowExpiry

WindowName = Literal["1h", "1d", "7d"]
Span = tuple[float, float]
HOUR = 3600
DAY = 24 * HOUR
# the stored (tumbling) table: name -> (window size, expires after the window's end) in seconds.
# Daily windows are kept 14 days: the 7 d figures of a signal up to 8 days late still hold all
# of their 7 days.
TABLES: dict[WindowName, tuple[int, int]] = {
    "1d": (DAY, 14 * DAY),
}
# the reported windows: name -> (stored table, size in seconds). Smaller than the table's
# windows: the part of the stored window holding the timestamp (by member event time); larger:
# that many consecutive stored windows, the last one holding the timestamp.
WINDOWS: dict[WindowName, tuple[WindowName, int]] = {
    "1h": ("1d", HOUR),
    "1d": ("1d", DAY),
    "7d": ("1d", 7 * DAY),
}
# the 1 h figures the API reports are those of hours ending at most this long before the newest
# event time seen (as when hourly windows were stored, and expired 2 h after their end)
HOUR_KEPT = 2 * HOUR
Members = dict[str, list[Any]]  # signal_id -> [source, amount_usd, quantity, seq, time]
_SEP = "\x1f"
_MIB = 1024 * 1024
# The window table keeps one RocksDB per partition (4 DBs with 4 partitions). With
# faust's defaults (a 64 MiB memtable, up to 3, and a 2 GiB block cache, per DB) RSS grows with
# every write until each memtable fills: up to 768 MiB before the first flush. The live windows
# are a few MiB (they expire), so small memtables and caches bound RSS soon after start.
ROCKSDB_OPTIONS: dict[str, int] = {
    "write_buffer_size": 1 * _MIB,
    "max_write_buffer_number": 2,
    "block_cache_size": 4 * _MIB,
}


def size_of(window: WindowName) -> int:
    """A reported window's length in seconds."""
    return WINDOWS[window][1]


def window_for(seconds: float) -> WindowName:
    """The window whose size is ``seconds`` (for ``SIGNALS_SURGE_WINDOW_S``)."""
    for name in WINDOWS:
        if size_of(name) == seconds:
            return name
    sizes = ", ".join(str(size_of(name)) for name in WINDOWS)
    raise ValueError(f"surge window must be one of {sizes} seconds, not {seconds}")


def table_key(company: str, kind: str) -> str:
    return f"{company}{_SEP}{kind}"


def contribution(signal: Signal, source: str, seq: int, time: float) -> Members:
    """What one signal, read at offset ``seq`` of ``signals.detected`` with event time ``time``,
    adds to a window."""
    amount = usd_amount(signal) or 0.0
    return {signal.signal_id: [source, amount, signal.quantity or 0, seq, time]}


def seq_of(member: list[Any]) -> int:
    """The seq a member was first counted at (-1 for entries written before seqs existed)."""
    return int(member[3]) if len(member) > 3 else -1


def time_of(member: list[Any]) -> float | None:
    """A member's event time (None for entries written before members carried it)."""
    return float(member[4]) if len(member) > 4 else None


def within(members: Mapping[str, list[Any]], start: float, end: float) -> Members:
    """The members whose event time is in [start, end)."""
    out: Members = {}
    for sid, m in members.items():
        t = time_of(m)
        if t is not None and start <= t < end:
            out[sid] = m
    return out


def as_of(members: Mapping[str, list[Any]], upto: int | None) -> Members:
    """The members counted at or before seq ``upto`` (all of them when ``upto`` is None)."""
    if upto is None:
        return dict(members)
    return {sid: m for sid, m in members.items() if seq_of(m) <= upto}


def union(latest_first: Iterable[Mapping[str, list[Any]]]) -> Members:
    """The members of consecutive windows, given latest first: a signal found in two of them
    keeps the earliest window's entry (as the first write of an idempotent union would)."""
    members: Members = {}
    for window in latest_first:
        members.update(window)
    return members


def figures(window: WindowName, start: float, members: Mapping[str, list[Any]]) -> WindowFigures:
    """The figures of one window from its members."""
    size = size_of(window)
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
    """The stored window tables of one app (faust ``WindowWrapper`` objects, by table name).

    Read and written through a :class:`WindowBatch`.
    """

    by_name: dict[WindowName, Any]
    expiry: WindowExpiry | None = None

    def sizes(self) -> Iterator[tuple[str, int]]:
        """(table name, keys held) for the table-size gauge."""
        for wrapper in self.by_name.values():
            yield wrapper.table.name, len(wrapper.table.data)


@contextlib.contextmanager
def processing(event: Any) -> Iterator[None]:
    """Make ``event`` faust's current event: table writes go to its partition's changelog.

    Inside a batch (``stream.take_events``) faust's current event is the batch's last one.
    """
    from faust.streams import _current_event

    token = _current_event.set(weakref.ref(event))
    try:
        yield
    finally:
        _current_event.reset(token)


class _Window:
    """One window's members as read at the start of a batch, with running figures.

    The figures are counted on first use: most windows a batch reads are only unioned into
    others (the 7 d figures) or searched (the surge rule), and never need their own.
    """

    __slots__ = ("members", "_amount_usd", "_quantity", "_sources", "_max_seq", "_counted")

    def __init__(self, members: Members) -> None:
        self.members = members
        self._counted = False
        self._amount_usd = 0.0
        self._quantity = 0
        self._sources: dict[Any, int] = {}
        self._max_seq = -1

    def _count(self) -> None:
        amount_usd, quantity, max_seq = 0.0, 0, -1
        sources: dict[Any, int] = {}
        for m in self.members.values():  # one pass
            amount_usd += float(m[1])
            quantity += int(m[2])
            sources[m[0]] = sources.get(m[0], 0) + 1
            if len(m) > 3 and int(m[3]) > max_seq:
                max_seq = int(m[3])
        self._amount_usd = amount_usd
        self._quantity = quantity
        self._sources = sources
        self._max_seq = max_seq
        self._counted = True

    @property
    def amount_usd(self) -> float:
        if not self._counted:
            self._count()
        return self._amount_usd

    @property
    def quantity(self) -> int:
        if not self._counted:
            self._count()
        return self._quantity

    @property
    def sources(self) -> dict[Any, int]:
        if not self._counted:
            self._count()
        return self._sources

    @property
    def max_seq(self) -> int:
        if not self._counted:
            self._count()
        return self._max_seq

    def add(self, new: Members) -> Members:
        """Union ``new`` in; returns the members that were not there yet."""
        added: Members = {}
        counted = self._counted
        for sid, m in new.items():
            if sid in self.members:
                continue
            self.members[sid] = added[sid] = m
            if counted:  # else counted with the others on first use
                self._amount_usd += float(m[1])
                self._quantity += int(m[2])
                self._sources[m[0]] = self._sources.get(m[0], 0) + 1
                self._max_seq = max(self._max_seq, seq_of(m))
        return added


class WindowBatch:
    """The window tables seen through one batch of messages: each window read once, each changed
    window written once (one changelog record per key and window per batch, not per signal).

    ``add`` takes the faust event the members come from, whose partition the changelog record
    goes to. Call :meth:`flush` at the end of the batch.
    """

    def __init__(self, tables: WindowTables) -> None:
        self.tables = tables
        self._windows: dict[tuple[WindowName, str, Span], _Window] = {}
        self._dirty: dict[tuple[WindowName, str, Span], Any] = {}
        self._partitions: set[int] = set()
        # windows made of several stored ones (7 d) or of part of one (1 h), kept up to date by
        # ``add``
        self._spans: dict[tuple[WindowName, str, Span], _Window] = {}
        self._spans_of: dict[tuple[WindowName, str], list[tuple[Span, _Window]]] = {}
        # (table, timestamp) -> the stored window holding it: a signal's windows, and the
        # other signals of its article, ask for the same timestamps several times
        self._stored: dict[tuple[WindowName, float], Span] = {}

    def _stored_span(self, table: WindowName, timestamp: float) -> Span:
        """The span of ``table``'s stored window holding ``timestamp`` (faust's bounds)."""
        at = (table, timestamp)
        span = self._stored.get(at)
        if span is None:
            lo, hi = self.tables.by_name[table].table.window.earliest(timestamp)
            span = self._stored[at] = (lo, hi)
        return span

    def _window(self, table: WindowName, key: str, span: Span) -> _Window:
        at = (table, key, span)
        window = self._windows.get(at)
        if window is None:
            # the store itself: ``Table.get`` looks a missing key up twice (``in``, then get)
            stored = self.tables.by_name[table].table.data.get((key, span))
            window = self._windows[at] = _Window(dict(stored or {}))
        return window

    def _reported(self, name: WindowName, key: str, timestamp: float) -> tuple[float, _Window]:
        """(start, window) of the reported window ``name`` of ``key`` at ``timestamp``."""
        table, size = WINDOWS[name]
        lo, hi = self._stored_span(table, timestamp)
        stored = TABLES[table][0]
        if size == stored:
            return lo, self._window(table, key, (lo, hi))
        if size < stored:  # part of the stored window: its members of that time
            start = timestamp - timestamp % size
            span = (start, start + size)
        else:  # several stored windows; exact bounds (faust's ends are 0.1 s short)
            span = (lo - (size // stored - 1) * stored, lo + stored)
        window = self._spans.get((name, key, span))
        if window is None:
            if size < stored:
                members = within(self._window(table, key, (lo, hi)).members, *span)
            else:
                starts = (lo - k * stored for k in range(size // stored))  # the latest first
                members = union(
                    self._window(table, key, self._stored_span(table, t)).members for t in starts
                )
            window = self._spans[(name, key, span)] = _Window(members)
            self._spans_of.setdefault((table, key), []).append((span, window))
        return span[0], window

    def add(self, key: str, members: Members, timestamp: float, event: Any) -> None:
        """Count ``members`` in every window of every table that holds ``timestamp``."""
        if self.tables.expiry is not None:
            partition = event.message.partition
            self.tables.expiry.observe(partition, timestamp)
            self._partitions.add(partition)
        for table, wrapper in self.tables.by_name.items():
            added: Members = {}
            for lo, hi in wrapper.table.window.ranges(timestamp):
                if new := self._window(table, key, (lo, hi)).add(members):
                    self._dirty[(table, key, (lo, hi))] = event
                    added.update(new)
            if not added:  # a replay: the windows made of stored ones already hold it
                continue
            for (lo, hi), window in self._spans_of.get((table, key), ()):
                if lo <= timestamp < hi:
                    window.add(added)

    def members(self, name: WindowName, key: str, timestamp: float) -> tuple[float, Members]:
        """(window start, members) of the window ``name`` of ``key`` reported for ``timestamp``
        (for 7 d: the last 7 days; for 1 h: the day's members of that hour). The mapping is the
        batch's own: do not change it."""
        start, window = self._reported(name, key, timestamp)
        return start, window.members

    def figures(self, key: str, timestamp: float, upto: int | None = None) -> list[WindowFigures]:
        """The figures of ``key``'s windows at ``timestamp``, as of seq ``upto`` if given."""
        out = []
        for name in WINDOWS:
            start, w = self._reported(name, key, timestamp)
            if upto is not None and upto < w.max_seq:  # a replay: count only what came before
                out.append(figures(name, start, as_of(w.members, upto)))
                continue
            begin = datetime.fromtimestamp(start, UTC)
            out.append(
                WindowFigures(
                    window=name,
                    start=begin,
                    end=begin + timedelta(seconds=size_of(name)),
                    count=len(w.members),
                    amount_usd=w.amount_usd,
                    quantity=w.quantity,
                    sources=len(w.sources),
                )
            )
        return out

    def flush(self) -> int:
        """Write every changed window once, then drop the windows the batch's event times have
        expired (in the batch's partitions); returns how many windows were written."""
        expiry = self.tables.expiry
        # a signal's windows follow one another: make its event current once for all of them
        for _, run in itertools.groupby(self._dirty.items(), key=lambda item: id(item[1])):
            group = list(run)
            event = group[0][1]
            with processing(event):
                for (table, key, span), _event in group:
                    window = self._windows[(table, key, span)]
                    self.tables.by_name[table].table[(key, span)] = window.members
                    if expiry is not None:
                        expiry.written(table, event.message.partition, (key, span))
        written = len(self._dirty)
        self._dirty.clear()
        self._windows.clear()
        self._spans.clear()
        self._spans_of.clear()
        self._stored.clear()
        if expiry is not None:
            expiry.expire(sorted(self._partitions))
            self._partitions.clear()
        return written


def _empty() -> Members:
    return {}


def _event_time_table(app: Any) -> type[Any]:
    """faust's ``Table`` without its wall-clock expiry: :class:`WindowExpiry` expires instead.

    The window keeps its ``expires``, which sets the changelog topic's retention as before.
    """
    base: type[Any] = app.conf.Table

    class EventTimeTable(base):  # type: ignore[misc]
        def _should_expire_keys(self) -> bool:
            return False

    return EventTimeTable


def create_tables(app: Any, settings: Settings) -> WindowTables:
    """Declare the windowed tables on a faust app, expired by event time."""
    by_name: dict[WindowName, Any] = {}
    expiry = WindowExpiry()
    table_class = _event_time_table(app)
    for name, (size, expires) in TABLES.items():

        async def restored(event: Any, name: str = name) -> None:
            msg = event.message
            expiry.restored(name, msg.partition, msg.key, msg.value is None)

        table = app.tables.add(
            table_class(
                app,
                name=f"signal_windows_{name}",
                default=_empty,
                beacon=app.tables.beacon,
                partitions=settings.partitions,
                help=f"Signals per company and kind, {name} windows",
                on_changelog_event=restored,
                options=dict(ROCKSDB_OPTIONS),  # the store takes keys out of it
            )
        )
        by_name[name] = table.tumbling(size, expires=timedelta(seconds=expires))
        expiry.tables[name] = (table, float(expires))
    return WindowTables(by_name, expiry)

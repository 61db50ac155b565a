"""Archive replay: every valid line once, paced, resumable after a failure."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pytest

from signals.models import NewsEvent
from streams.replay import (
    Pacer,
    ProgressFile,
    ReplayError,
    default_progress_path,
    parse_line,
    replay,
)


class Broker:
    """Stands in for the acks=all producer; refuses the batch after ``fail_after`` events."""

    def __init__(self, fail_after: int | None = None) -> None:
        self.events: list[NewsEvent] = []
        self.fail_after = fail_after

    async def __call__(self, events: Sequence[NewsEvent]) -> list[str]:
        if self.fail_after is not None and len(self.events) + len(events) > self.fail_after:
            raise ConnectionError("not acknowledged")
        self.events.extend(events)
        return [e.id for e in events]


def write_archive(path: Path, n: int, bad: Sequence[int] = ()) -> Path:
    lines = []
    for i in range(n):
        if i in bad:
            lines.append('{"id": "", "body": "no id"}' if i % 2 else "not json at all")
        else:
            lines.append(json.dumps({"id": f"n{i:04d}", "body": f"Article {i}.", "gold": []}))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


async def test_every_valid_line_is_sent_once_in_order(tmp_path: Path) -> None:
    archive = write_archive(tmp_path / "news.jsonl", 10, bad=(3, 6))
    broker = Broker()
    progress = ProgressFile(tmp_path / "progress.json")
    report = await replay(archive, broker, progress, batch_size=3)
    assert [e.id for e in broker.events] == [f"n{i:04d}" for i in range(10) if i not in (3, 6)]
    assert (report.sent_now, report.invalid_now, report.invalid_lines) == (8, 2, [4, 7])
    saved = progress.load(archive)
    assert (saved.offset, saved.lines, saved.sent) == (archive.stat().st_size, 10, 8)
    # run again: nothing left to send
    again = await replay(archive, broker, progress)
    assert again.sent_now == 0 and len(broker.events) == 8


async def test_a_stopped_replay_resumes_after_the_last_acknowledged_batch(
    tmp_path: Path,
) -> None:
    archive = write_archive(tmp_path / "news.jsonl", 25)
    progress = ProgressFile(tmp_path / "progress.json")
    broker = Broker(fail_after=12)
    with pytest.raises(ConnectionError):
        await replay(archive, broker, progress, batch_size=5)
    assert len(broker.events) == 10  # two batches acknowledged, the third refused
    assert progress.load(archive).sent == 10
    broker.fail_after = None
    report = await replay(archive, broker, progress, batch_size=5)
    assert report.resumed_from > 0 and report.sent_now == 15
    ids = [e.id for e in broker.events]
    assert ids == [f"n{i:04d}" for i in range(25)]  # nothing skipped, nothing twice


async def test_a_different_archive_is_not_resumed(tmp_path: Path) -> None:
    archive = write_archive(tmp_path / "news.jsonl", 5)
    progress = ProgressFile(tmp_path / "progress.json")
    await replay(archive, Broker(), progress)
    archive.write_text(json.dumps({"id": "other", "body": "x"}) + "\n", encoding="utf-8")
    with pytest.raises(ReplayError):
        await replay(archive, Broker(), progress)
    progress.reset()
    report = await replay(archive, Broker(), progress)
    assert report.sent_now == 1


async def test_rate_paces_the_events(tmp_path: Path) -> None:
    archive = write_archive(tmp_path / "news.jsonl", 6)
    now = [0.0]
    sends: list[tuple[float, int]] = []

    async def sleep(seconds: float) -> None:
        now[0] += seconds

    class Timed(Broker):
        async def __call__(self, events: Sequence[NewsEvent]) -> list[str]:
            sends.append((now[0], len(events)))
            return await super().__call__(events)

    pacer = Pacer(rate=2.0, clock=lambda: now[0], sleep=sleep)
    await replay(archive, Timed(), ProgressFile(tmp_path / "p.json"), pacer=pacer)
    assert now[0] == pytest.approx(2.5)  # 6 events at 2 a second: the last leaves at 2.5 s
    sent_by = {round(t, 2): n for t, n in sends}
    assert sum(sent_by.values()) == 6
    assert all(n == 1 for n in sent_by.values())  # each sent at its time, not held back


def test_default_progress_path_is_per_archive(tmp_path: Path) -> None:
    a = default_progress_path(tmp_path, tmp_path / "a" / "news.jsonl")
    b = default_progress_path(tmp_path, tmp_path / "b" / "news.jsonl")
    assert a != b and a.parent == tmp_path / "replay"


@pytest.mark.parametrize(
    "line",
    [b"[]", b"{}", b'{"id": ""}', b"nope", b'{"id": "x", "published_at": "soon"}'],
)
def test_invalid_lines(line: bytes) -> None:
    assert parse_line(line) is None


def test_extra_fields_are_ignored() -> None:
    event = parse_line(b'{"id": "x", "body": "b", "gold": [1], "notes": "n"}')
    assert event is not None and event.id == "x"

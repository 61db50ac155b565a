"""Replay a JSON-lines archive of news into ``news.raw``, paced or flat out, resumable.

Each line is validated as a :class:`NewsEvent` (what the API accepts) and sent keyed by its id,
exactly as the live path sends it, so the worker derives the same signals and alerts from it.
Lines are sent in batches; once the broker acknowledged a batch (``acks='all'``) the byte offset
after its last line is saved to a progress file. A replay that is stopped (Ctrl-C, a crash, the
broker going away) starts again from that offset: at most the unacknowledged batch is sent
twice, with the same ids, and the worker drops those as exact duplicates.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import os
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from signals.models import NewsEvent, stable_id
from streams.errors import StreamsError

log = logging.getLogger(__name__)

Publish = Callable[[Sequence[NewsEvent]], Awaitable[Any]]
HEAD_BYTES = 4096


class ReplayError(StreamsError):
    """The archive cannot be replayed (changed under a saved progress, unreadable)."""


class ReplayProgress(BaseModel):
    """How far one archive has been replayed: the byte offset after the last acknowledged line."""

    archive: str
    head_sha256: str
    offset: int = 0
    lines: int = 0
    sent: int = 0
    invalid: int = 0


def _head_digest(path: Path) -> str:
    with path.open("rb") as fh:
        return hashlib.sha256(fh.read(HEAD_BYTES)).hexdigest()


def default_progress_path(data_dir: Path, archive: Path) -> Path:
    """Where the progress of ``archive`` is kept: one file per archive under ``data_dir``."""
    resolved = archive.resolve()
    return data_dir / "replay" / f"{resolved.stem}-{stable_id(str(resolved), length=12)}.json"


class ProgressFile:
    """The progress of one archive, saved atomically after each acknowledged batch."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def load(self, archive: Path) -> ReplayProgress:
        """The saved progress, or a fresh one; refuses an archive whose start has changed."""
        head = _head_digest(archive)
        try:
            saved = ReplayProgress.model_validate_json(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return ReplayProgress(archive=str(archive.resolve()), head_sha256=head)
        except (OSError, ValueError) as exc:
            raise ReplayError(f"progress file {self.path} is unreadable: {exc}") from exc
        if saved.head_sha256 != head or saved.offset > archive.stat().st_size:
            raise ReplayError(
                f"{archive} is not the archive recorded in {self.path}; use --restart to replay "
                "it from the beginning"
            )
        return saved

    def save(self, progress: ReplayProgress) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(self.path.name + ".tmp")
        with tmp.open("w", encoding="utf-8") as fh:
            fh.write(progress.model_dump_json())
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.path)

    def reset(self) -> None:
        self.path.unlink(missing_ok=True)


@dataclass
class Pacer:
    """Sends at most ``rate`` events a second (None: as fast as the broker acknowledges)."""

    rate: float | None
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    _start: float | None = None
    _count: int = 0

    def delay(self) -> float:
        """Seconds to wait before the next event may go."""
        if self.rate is None:
            return 0.0
        now = self.clock()
        if self._start is None:
            self._start = now
        return max(0.0, self._start + self._count / self.rate - now)

    def count(self) -> None:
        self._count += 1


@dataclass
class ReplayReport:
    progress: ReplayProgress
    sent_now: int = 0
    invalid_now: int = 0
    invalid_lines: list[int] = field(default_factory=list)
    resumed_from: int = 0


def parse_line(line: bytes) -> NewsEvent | None:
    """The event of one archive line; None for a line that is not a valid event."""
    try:
        data = json.loads(line)
        return NewsEvent.model_validate(data) if isinstance(data, dict) else None
    except (ValueError, ValidationError):
        return None


async def replay(
    archive: Path,
    publish: Publish,
    progress_file: ProgressFile,
    *,
    pacer: Pacer | None = None,
    batch_size: int = 500,
    on_progress: Callable[[ReplayProgress], None] | None = None,
) -> ReplayReport:
    """Send the archive from its saved offset to its end; returns what was done."""
    pacer = pacer or Pacer(None)
    progress = progress_file.load(archive)
    report = ReplayReport(progress=progress, resumed_from=progress.offset)
    batch: list[NewsEvent] = []
    offset, lines, invalid = progress.offset, progress.lines, 0

    async def flush() -> None:
        nonlocal invalid
        if batch:
            await publish(list(batch))
        progress.sent += len(batch)
        progress.invalid += invalid
        progress.offset, progress.lines = offset, lines
        report.sent_now += len(batch)
        report.invalid_now += invalid
        batch.clear()
        invalid = 0
        await asyncio.to_thread(progress_file.save, progress.model_copy())
        if on_progress is not None:
            on_progress(progress)

    with archive.open("rb") as fh:
        fh.seek(progress.offset)
        for raw in fh:
            lines += 1
            event = parse_line(raw) if raw.strip() else None
            if event is None:
                offset += len(raw)
                if raw.strip():
                    invalid += 1
                    if len(report.invalid_lines) < 20:
                        report.invalid_lines.append(lines)
                continue
            wait = pacer.delay()
            if wait > 0:
                if wait >= 0.05:
                    await flush()  # what is due goes out before a noticeable pause
                await pacer.sleep(wait)
            batch.append(event)
            pacer.count()
            offset += len(raw)
            if len(batch) >= batch_size:
                await flush()
        await flush()
    return report

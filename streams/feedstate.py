"""The feed list (YAML or JSON) and each feed's durable state (a JSON file in the data dir).

Why a file and not a compacted ``feeds.state`` topic: one poller owns a feed list, the state is a
few kilobytes, and it must be readable before the broker is (the poller starts, loads its ETags and
seen ids, then waits for the broker). ``os.replace`` of an fsynced temporary file makes every
save atomic: a crash leaves the old state or the new one, never half of each. The embedded test
broker keeps topics in memory and never compacts, so a topic would lose the state on its restart.
The state is saved only after the broker acknowledged the items (``acks='all'``): a crash in
between re-sends them (same ids, dropped downstream as exact duplicates), never skips them.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from streams.errors import StreamsError

STATE_FILE = "feeds-state.json"


class FeedConfigError(StreamsError, ValueError):
    """The feed list cannot be read or is invalid."""


class FeedSpec(BaseModel):
    """One feed to poll."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    url: str = Field(pattern=r"^https?://", description="RSS 2.0 or Atom feed URL")
    source: str | None = Field(
        default=None, description="Outlet name on each event (default: the feed's title)"
    )
    interval_s: float = Field(default=300.0, gt=0, alias="interval", description="Seconds")
    language: str | None = Field(default=None, description="'fr' or 'en' (default: the feed's)")
    timeout_s: float = Field(default=10.0, gt=0, alias="timeout")


def load_feeds(path: Path) -> list[FeedSpec]:
    """Read a feed list: a YAML or JSON list of feeds, or a mapping with a ``feeds`` list."""
    try:
        text = path.read_text(encoding="utf-8")
        data: Any = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (OSError, ValueError, yaml.YAMLError) as exc:
        raise FeedConfigError(f"cannot read feed list {path}: {exc}") from exc
    if isinstance(data, dict):
        defaults = data.get("defaults") or {}
        items = data.get("feeds")
    else:
        defaults, items = {}, data
    if not isinstance(items, list) or not items:
        raise FeedConfigError(f"{path}: expected a non-empty list of feeds")
    feeds: list[FeedSpec] = []
    for i, item in enumerate(items):
        entry = {"url": item} if isinstance(item, str) else item
        if not isinstance(entry, dict):
            raise FeedConfigError(f"{path}: feed #{i + 1} is not a mapping")
        try:
            feeds.append(FeedSpec.model_validate({**defaults, **entry}))
        except ValidationError as exc:
            raise FeedConfigError(f"{path}: feed #{i + 1}: {exc.errors()[0]['msg']}") from None
    urls = [f.url for f in feeds]
    if len(set(urls)) != len(urls):
        raise FeedConfigError(f"{path}: a feed is listed twice")
    return feeds


class FeedState(BaseModel):
    """What the poller remembers of one feed between polls and across restarts."""

    model_config = ConfigDict(extra="ignore")

    etag: str | None = None
    last_modified: str | None = None
    seen: list[str] = Field(default_factory=list, description="Ids published, newest last")
    failures: int = 0
    next_poll_at: float = 0.0
    last_outcome: str | None = None


class FeedStateStore:
    """Every feed's state in one JSON file, replaced atomically on each save."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @classmethod
    def in_dir(cls, data_dir: Path) -> FeedStateStore:
        return cls(data_dir / STATE_FILE)

    def load(self) -> dict[str, FeedState]:
        """The saved states by feed URL; empty when there is no file yet."""
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            raise StreamsError(f"feed state {self.path} is unreadable: {exc}") from exc
        feeds = raw.get("feeds", {}) if isinstance(raw, dict) else {}
        return {url: FeedState.model_validate(s) for url, s in feeds.items()}

    def save(self, states: dict[str, FeedState]) -> None:
        """Write every state (fsync, then rename over the old file)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(self.path.name + ".tmp")
        payload = {"version": 1, "feeds": {u: s.model_dump() for u, s in sorted(states.items())}}
        with tmp.open("w", encoding="utf-8") as fh:
            json.dump(payload, fh, ensure_ascii=False, indent=1)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.path)

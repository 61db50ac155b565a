"""`signals ingest feeds FILE --once` into the real broker, run twice: nothing sent twice."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from feed_server import Route, serve_feeds

from streams.feedstate import FeedStateStore
from streams.processes import settings_env
from streams.settings import Settings

pytestmark = pytest.mark.integration

FEEDS = Path(__file__).resolve().parents[1] / "samples" / "feeds"


def ingest(settings: Settings, feed_list: Path) -> str:
    env = {**settings_env(settings), "PATH": os.environ.get("PATH", "/usr/bin:/bin")}
    done = subprocess.run(
        [sys.executable, "-m", "streams.cli", "ingest", "feeds", str(feed_list), "--once"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_feeds_reach_news_raw_once(
    pipeline_settings: Settings, reader: Callable[[str], Any], tmp_path: Path
) -> None:
    settings = pipeline_settings
    routes = {
        "/fr.rss": Route((FEEDS / "outlet-fr.rss").read_bytes(), etag='"a1"'),
        "/en.atom": Route((FEEDS / "outlet-en.atom").read_bytes(), "application/atom+xml"),
        "/broken.xml": Route((FEEDS / "broken.xml").read_bytes(), "text/html"),
    }
    with serve_feeds(routes) as server:
        feed_list = tmp_path / "feeds.yaml"
        feed_list.write_text(
            "feeds:\n"
            f"  - url: {server.url('/fr.rss')}\n    source: Le Quotidien Tech\n"
            f"  - url: {server.url('/en.atom')}\n    interval: 60\n"
            f"  - url: {server.url('/broken.xml')}\n",
            encoding="utf-8",
        )
        first = ingest(settings, feed_list)
        second = ingest(settings, feed_list)  # a restart: the state file is all it has
    assert [line.split()[:2] for line in first.splitlines()] == [
        ["ok", "2"],
        ["ok", "2"],
        ["malformed", "0"],
    ]
    # the RSS feed answers 304 to the saved ETag; the Atom feed has no validator, so its items
    # are recognised by id
    assert [line.split()[:2] for line in second.splitlines()][:2] == [
        ["not_modified", "0"],
        ["ok", "0"],
    ]
    records = reader(settings.topic_news_raw).until(lambda rs: len(rs) >= 4, timeout_s=30)
    assert sorted(r["source"] for r in records) == [
        "Le Quotidien Tech",
        "Le Quotidien Tech",
        "Tech Wire",
        "Tech Wire",
    ]
    assert len({r["id"] for r in records}) == 4
    state = FeedStateStore.in_dir(settings.data_dir).load()
    assert state[server.url("/fr.rss")].etag == '"a1"'
    assert state[server.url("/broken.xml")].failures == 2

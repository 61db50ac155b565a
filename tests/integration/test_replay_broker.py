"""`signals replay` on the real broker: killed half way, run again, nothing skipped."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from streams.processes import settings_env
from streams.replay import ReplayProgress, default_progress_path
from streams.settings import Settings

pytestmark = pytest.mark.integration

EVENTS = 3000
BATCH = 100


def replay_cmd(archive: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "streams.cli", "replay", str(archive), "-q", *args]


def test_a_killed_replay_resumes_without_skipping(
    pipeline_settings: Settings, reader: Callable[[str], Any], tmp_path: Path
) -> None:
    settings = pipeline_settings
    archive = tmp_path / "archive.jsonl"
    with archive.open("w", encoding="utf-8") as fh:
        for i in range(EVENTS):
            fh.write(json.dumps({"id": f"r{i:05d}", "body": f"Archived article number {i}."}))
            fh.write("\n")
    env = {**settings_env(settings), "PATH": os.environ.get("PATH", "/usr/bin:/bin")}
    progress = default_progress_path(settings.data_dir, archive)

    proc = subprocess.Popen(
        replay_cmd(archive, "--rate", "1000", "--batch-size", str(BATCH)),
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        sent = 0
        while sent < 500:
            assert time.monotonic() < deadline, "replay made no progress"
            assert proc.poll() is None, "replay ended before it was stopped"
            time.sleep(0.05)
            if progress.exists():
                sent = ReplayProgress.model_validate_json(progress.read_text()).sent
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    assert sent < EVENTS

    done = subprocess.run(
        replay_cmd(archive, "--as-fast-as-possible", "--batch-size", str(BATCH)),
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "resumed at byte" in done.stdout
    assert f"{EVENTS} sent in all" in done.stdout

    records = reader(settings.topic_news_raw).until(
        lambda rs: len({r["id"] for r in rs}) >= EVENTS, timeout_s=60
    )
    ids = [r["id"] for r in records]
    assert set(ids) == {f"r{i:05d}" for i in range(EVENTS)}
    # only what was sent after the last saved offset can have gone twice
    assert len(ids) - EVENTS <= BATCH

"""``signals demo --once`` from a clean environment: exit 0, alerts printed, nothing left behind."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration


def gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return True
    return state in ("Z", "X")


def test_demo_once_exits_0_and_leaves_no_process(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SIGNALS_", "FAUST_"))}
    env["COLUMNS"] = "160"
    done = subprocess.run(
        [sys.executable, "-m", "streams.cli", "demo", "--once", "--timeout", "150"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,  # no configuration, nothing written in the checkout
        timeout=200,
        check=False,
    )
    out = done.stdout + done.stderr
    assert done.returncode == 0, out
    broker = re.search(r"embedded broker on 127\.0\.0\.1:\d+ \(pid (\d+)\)", out)
    worker = re.search(r"worker pid (\d+)", out)
    assert broker and worker, out
    pids = [int(broker.group(1)), int(worker.group(1))]
    deadline = time.monotonic() + 10
    while not all(map(gone, pids)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert all(map(gone, pids)), f"left behind: {pids}"
    summary = re.search(r"published (\d+) news, rejected (\d+), signals (\d+), alerts (\d+)", out)
    assert summary, out
    published, rejected, signals, alerts = map(int, summary.groups())
    assert published == 21 and rejected == 6  # the bad sample lines, one per malformed kind
    assert signals > 0 and alerts > 0
    assert "signals.alerts" in out  # the table
    assert list(tmp_path.iterdir()) == []

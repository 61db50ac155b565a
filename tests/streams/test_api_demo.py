"""``signals demo --port N`` serves the HTTP API on 127.0.0.1:N while it runs, and only then."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from streams.broker import free_port

pytestmark = [pytest.mark.integration, pytest.mark.timeout(240)]

REPO = Path(__file__).resolve().parents[2]


def poll(check: Any, timeout_s: float, what: str, proc: subprocess.Popen[bytes]) -> Any:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"the demo exited ({proc.returncode}) before {what}"
        try:
            value = check()
        except httpx.HTTPError:
            value = None
        if value:
            return value
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


def test_demo_serves_the_api_while_it_runs(tmp_path: Path) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SIGNALS_", "FAUST_"))}
    log = (tmp_path / "demo.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streams.cli", "demo", "--port", str(port)],
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
        env=env,
        cwd=REPO,
        start_new_session=True,
    )
    try:
        poll(lambda: httpx.get(f"{base}/readyz").status_code == 200, 90, "API ready", proc)
        alerts = poll(
            lambda: httpx.get(f"{base}/v1/alerts").json()["alerts"], 120, "the demo's alerts", proc
        )
        assert all(a["article_id"] for a in alerts)
        posted = httpx.post(f"{base}/v1/news", json={"id": "demo-api-1", "body": "Hello."})
        assert posted.status_code == 202
        assert httpx.get(f"{base}/metrics").status_code == 200
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(10)
        log.close()
    # the API went away with the demo
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            httpx.get(f"{base}/healthz", timeout=1)
        except httpx.HTTPError:
            break
        time.sleep(0.3)
    else:
        raise AssertionError("the API still answers after the demo stopped")

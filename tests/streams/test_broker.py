from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from streams.broker import EmbeddedBroker, answers_metadata, broker_for, free_port
from streams.settings import Settings

pytestmark = pytest.mark.integration


def gone(pid: int) -> bool:
    """True when the process no longer runs (exited, or a zombie nobody reaped yet)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return True
    return state in ("Z", "X")


def wait_until(condition: object, timeout_s: float = 15.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if callable(condition) and condition():
            return True
        time.sleep(0.05)
    return False


def test_session_broker_answers_metadata(broker: str) -> None:
    assert asyncio.run(answers_metadata(broker))


def test_stop_ends_the_process_by_pid() -> None:
    embedded = EmbeddedBroker().start()
    pid = embedded.pid
    assert pid is not None and embedded.running()
    assert asyncio.run(answers_metadata(embedded.bootstrap))
    embedded.stop()
    embedded.stop()  # idempotent
    assert gone(pid)
    assert not asyncio.run(answers_metadata(embedded.bootstrap, timeout_s=0.5))


def test_a_chosen_port_is_used() -> None:
    port = free_port()
    with EmbeddedBroker(port) as embedded:
        assert embedded.bootstrap == f"127.0.0.1:{port}"
        assert embedded.url == f"kafka://127.0.0.1:{port}"
        assert asyncio.run(answers_metadata(embedded.bootstrap))


def test_the_broker_dies_with_its_parent() -> None:
    code = (
        "from streams.broker import EmbeddedBroker\n"
        "import sys, time\n"
        "b = EmbeddedBroker().start()\n"
        "print(b.pid, flush=True)\n"
        "time.sleep(60)\n"
    )
    parent = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert parent.stdout is not None
        child = int(parent.stdout.readline())
        assert not gone(child)
        os.kill(parent.pid, signal.SIGKILL)  # no atexit, no handlers: only the kernel helps
        parent.wait(10)
        assert wait_until(lambda: gone(child)), "tansu outlived its parent"
    finally:
        if parent.poll() is None:
            parent.kill()
            parent.wait(10)


def test_signals_broker_runs_in_the_foreground_until_sigterm() -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SIGNALS_")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "streams.cli", "broker", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        assert f"broker ready on 127.0.0.1:{port}" in first, first
        match = re.search(r"pid (\d+)", first)
        assert match is not None
        tansu = int(match.group(1))
        assert f"SIGNALS_BROKER=kafka://127.0.0.1:{port}" in proc.stdout.readline()
        assert asyncio.run(answers_metadata(f"127.0.0.1:{port}"))
        assert asyncio.run(_topics(f"127.0.0.1:{port}")) >= {"news.raw", "signals.alerts"}
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(15) in (0, 128 + signal.SIGTERM)
        assert wait_until(lambda: gone(tansu))
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)


async def _topics(bootstrap: str) -> set[str]:
    from aiokafka.admin import AIOKafkaAdminClient

    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        return set(await admin.list_topics())
    finally:
        await admin.close()


def test_a_configured_broker_is_used_instead() -> None:
    settings = Settings(broker="kafka://127.0.0.1:1")
    with broker_for(settings) as live:
        assert live is settings
        assert not live.embedded_broker


def test_without_a_broker_an_embedded_one_is_started() -> None:
    with broker_for(Settings(broker=None)) as live:
        assert live.embedded_broker
        assert live.broker is not None
        assert asyncio.run(answers_metadata(live.bootstrap_servers()))

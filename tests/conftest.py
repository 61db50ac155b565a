"""Shared fixtures: one embedded broker per test session, fresh settings and metrics per test."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry

from streams.broker import EmbeddedBroker
from streams.metrics import Metrics
from streams.settings import Settings

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


def pytest_sessionstart(session: pytest.Session) -> None:
    """Which build of ``signals`` the tests run (setup.py, ``make compiled``).

    A compiled module older than its source would run stale code in place of what is being
    tested: refused. ``SIGNALS_EXPECT_COMPILED=1`` (set by test_compiled_build.py for its child
    run) makes sure that the compiled build is really the one imported.
    """
    stale = [
        str(ext.relative_to(REPO))
        for ext in (REPO / "signals").rglob("*.so")
        if (source := ext.with_name(ext.name.split(".")[0] + ".py")).exists()
        and source.stat().st_mtime > ext.stat().st_mtime
    ]
    if stale:
        raise pytest.UsageError(
            f"compiled modules older than their source: {stale}; run `make compiled` or `make pure`"
        )
    if os.environ.get("SIGNALS_EXPECT_COMPILED") == "1":
        import signals

        if signals.build() != "compiled":
            raise pytest.UsageError("expected the compiled build of signals, got the pure one")


@pytest.fixture(scope="session")
def embedded_broker() -> Iterator[EmbeddedBroker]:
    """The session's Tansu broker on a free loopback port (started once, stopped by PID)."""
    with EmbeddedBroker() as broker:
        yield broker


@pytest.fixture(scope="session")
def broker(embedded_broker: EmbeddedBroker) -> str:
    """Bootstrap address (``127.0.0.1:PORT``) of the session's embedded broker."""
    return embedded_broker.bootstrap


@pytest.fixture
def settings(broker: str, tmp_path: Path) -> Settings:
    """Settings for one test: its own app id, topic names and state dir on the session broker.

    Memory store; tests that need RocksDB use ``settings.model_copy(update={"store": ...})``.
    """
    tag = uuid.uuid4().hex[:8]
    return Settings(
        broker=f"kafka://{broker}",
        embedded_broker=True,
        app_id=f"test-{tag}",
        data_dir=tmp_path / "state",
        store="memory",
        partitions=2,
        web_enabled=False,
        topic_news_raw=f"news.raw.{tag}",
        topic_news_rejected=f"news.rejected.{tag}",
        topic_signals_detected=f"signals.detected.{tag}",
        topic_signals_alerts=f"signals.alerts.{tag}",
        topic_webhooks_dead=f"webhooks.dead.{tag}",
    )


@pytest.fixture
def registry() -> CollectorRegistry:
    return CollectorRegistry()


@pytest.fixture
def metrics(registry: CollectorRegistry) -> Metrics:
    return Metrics.create(registry)


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """``../shared`` next to the repository (seed article, labelled dev set, scorer)."""
    return SHARED

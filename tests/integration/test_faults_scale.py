"""Promise 2: two workers in one consumer group split the partitions; when one stops, the other
takes its partitions and its table state over, and nothing is lost. See docs/RELIABILITY.md.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from accounting import (
    Publisher,
    account,
    assigned,
    expected_alert_ids,
    fault_settings,
    tail_for,
    wait_until_settled,
    workload,
)

from streams.alerts import AlertRules
from streams.processes import WorkerProcess
from streams.settings import Settings

pytestmark = [pytest.mark.integration, pytest.mark.timeout(240)]

EVENTS = 5_000
StartWorker = Callable[[Settings], WorkerProcess]


def wait_assigned(
    worker: WorkerProcess, topic: str, want: Callable[[set[int]], bool], timeout_s: float
) -> set[int]:
    """The worker's partitions of ``topic`` once ``want`` holds for them (read from its log)."""
    deadline = time.monotonic() + timeout_s
    while True:
        got = assigned(worker.log_tail(10_000), topic)
        if got is not None and want(got):
            return got
        assert worker.running(), worker.log_tail()
        assert time.monotonic() < deadline, f"{topic}: assigned {got}\n{worker.log_tail()}"
        time.sleep(0.2)


def test_two_workers_split_then_one_takes_over(
    pipeline_settings: Settings, start_worker: StartWorker, tmp_path: Path
) -> None:
    settings = fault_settings(pipeline_settings, tmp_path)
    raw = settings.topic_news_raw
    everything = set(range(settings.partitions))
    work = workload(EVENTS, f"scale-{uuid.uuid4().hex[:6]}")
    alert_ids = expected_alert_ids(work.signals, AlertRules.from_settings(settings), work.hour)
    tail = tail_for(settings)
    try:
        a = start_worker(settings)
        wait_assigned(a, raw, lambda p: p == everything, 60)
        b = start_worker(settings)
        # one group, two members: each holds a share and together they hold everything
        part_b = wait_assigned(b, raw, lambda p: 0 < len(p) < len(everything), 60)
        part_a = wait_assigned(a, raw, lambda p: p == everything - part_b, 30)
        publisher = Publisher(settings, work.lines, rate_per_s=500).start()
        deadline = time.monotonic() + 90
        while len(tail.records[settings.topic_signals_detected]) < len(work.signals) // 4:
            assert time.monotonic() < deadline, f"no progress:\n{a.log_tail()}\n{b.log_tail()}"
            tail.poll(0.2)
        assert b.stop() == 0  # scale down: SIGTERM, a clean leave
        stopped_at = len(publisher.positions)
        wait_assigned(a, raw, lambda p: p == everything, 60)
        publisher.join(60)
        wait_until_settled(
            settings,
            tail,
            work,
            publisher.ends(),
            alert_ids,
            timeout_s=120,
            worker=a,
            role="survivor",
        )
        tail.drain(idle_s=1.0)
        ledger = account(settings, tail, work, publisher.positions)
    finally:
        tail.close()
    ledger.report(
        f"scale_out partitions_a={sorted(part_a)} partitions_b={sorted(part_b)} "
        f"events_sent_before_stop={stopped_at}"
    )
    assert 0 < stopped_at < EVENTS, "the second worker did not stop mid-stream"
    assert ledger.lost == 0, ledger.summary()
    assert ledger.accounted == EVENTS
    assert ledger.signals_missing == 0 and ledger.signals_unexpected == 0
    assert ledger.alerts_missing == 0 and ledger.alerts_unexpected == 0
    assert ledger.window_mismatches == [], ledger.window_mismatches[:5]
    # the survivor's alerts for keys of the stopped worker's partitions counted every signal
    assert ledger.state_mismatches == [], ledger.state_mismatches[:5]

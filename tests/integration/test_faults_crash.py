"""Promise 1: a worker killed with SIGKILL mid-stream loses nothing once it is started again.

5,000 events stream into ``news.raw``; the worker (a real ``signals worker`` process, webhook
delivery included) is killed by PID while it is busy, then started again. Every event must be
accounted for, every expected alert must be on ``signals.alerts`` and at the webhook receiver,
and the window tables must equal a recomputation from the input. See docs/RELIABILITY.md.
"""

from __future__ import annotations

import signal
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from accounting import (
    Publisher,
    account,
    expected_alert_ids,
    fault_settings,
    tail_for,
    wait_until_settled,
    webhook_figures,
    workload,
)

from streams.alerts import AlertRules
from streams.processes import WorkerProcess
from streams.settings import Settings
from streams.webhooks import webhook_id
from tests.streams.webhook_receiver import Receiver, new_secret

pytestmark = [pytest.mark.integration, pytest.mark.timeout(240)]

EVENTS = 5_000
WEBHOOK_SECRET = new_secret(5)
StartWorker = Callable[[Settings], WorkerProcess]


def test_kill_9_mid_stream_loses_nothing(
    pipeline_settings: Settings, start_worker: StartWorker, tmp_path: Path
) -> None:
    with Receiver(WEBHOOK_SECRET) as receiver:
        # RocksDB, the production store: the restarted worker reopens the killed one's files
        settings = fault_settings(
            pipeline_settings.model_copy(update={"store": "rocksdb"}),
            tmp_path,
            webhook=(receiver.url, WEBHOOK_SECRET),
        )
        work = workload(EVENTS, f"crash-{uuid.uuid4().hex[:6]}")
        alert_ids = expected_alert_ids(work.signals, AlertRules.from_settings(settings), work.hour)
        tail = tail_for(settings)
        try:
            first = start_worker(settings)
            publisher = Publisher(settings, work.lines, rate_per_s=400).start()
            # kill while it is busy: once a fifth of the signals are out, the stream still running
            deadline = time.monotonic() + 90
            while len(tail.records[settings.topic_signals_detected]) < len(work.signals) // 5:
                assert time.monotonic() < deadline, f"no progress:\n{first.log_tail()}"
                assert first.running(), first.log_tail()
                tail.poll(0.2)
            assert first.stop(signal.SIGKILL) == -signal.SIGKILL
            killed_at = len(publisher.positions)
            second = start_worker(settings)
            publisher.join(60)
            wait_until_settled(
                settings,
                tail,
                work,
                publisher.ends(),
                alert_ids,
                timeout_s=150,
                worker=second,
                role="restarted worker",
            )
            hooks = {webhook_id(a, "desk") for a in alert_ids}
            assert receiver.wait_for(lambda r: {x.webhook_id for x in r} >= hooks, 60), (
                f"{len(hooks - set(receiver.delivered_ids()))} webhooks missing"
            )
            tail.drain(idle_s=1.0)
            ledger = account(settings, tail, work, publisher.positions)
            webhook_figures(ledger, receiver.snapshot(), hooks)
        finally:
            tail.close()
    ledger.report(f"worker_kill_9 events_sent_before_kill={killed_at}")
    assert 0 < killed_at < EVENTS, "the kill did not happen mid-stream"
    assert ledger.lost == 0, ledger.summary()
    assert ledger.accounted == EVENTS
    assert ledger.signals_missing == 0 and ledger.signals_unexpected == 0
    assert ledger.alerts_missing == 0 and ledger.alerts_unexpected == 0
    assert ledger.window_mismatches == [], ledger.window_mismatches[:5]
    assert ledger.state_mismatches == [], ledger.state_mismatches[:5]
    assert ledger.webhooks_missing == 0
    assert ledger.alerts_with_several_webhook_ids == 0  # never twice with different ids
    assert all(r.verified for r in receiver.snapshot())
    # a redelivered alert has the same id and the same content, window figures included:
    # they are taken as of the seq its signal was first counted at (streams/tables.py)
    assert ledger.redelivered_alerts_differing == 0, ledger.summary()

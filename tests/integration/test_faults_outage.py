"""Promises 3 and 6: a broker outage, with the API and a worker running; no secret leaks.

The test starts its own embedded broker (never the session one: pausing that would stall every
other test), a ``signals worker`` and a ``signals api`` process, and pauses the broker with
SIGSTOP for ~10 s (a restart would wipe its memory: a loss, not an outage), then SIGCONT.
While it is paused, ``POST /v1/news`` answers 503 (never 202: the broker did not acknowledge)
and ``/readyz`` answers 503; afterwards the worker recovers by itself, the events refused
meanwhile are posted again, and every accepted event is accounted for. The logs, /metrics and
error bodies of both processes are then scanned for the secrets they were configured with.
See docs/RELIABILITY.md.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from accounting import (
    Tail,
    account,
    committed,
    expected_alert_ids,
    fault_settings,
    tail_for,
    wait_until_settled,
    webhook_figures,
    workload,
)
from pydantic import SecretStr

from streams.alerts import AlertRules
from streams.api_server import ApiProcess
from streams.broker import EmbeddedBroker, free_port
from streams.processes import WorkerProcess
from streams.settings import Settings
from streams.topics import create_topics
from streams.webhooks import webhook_id
from tests.streams.webhook_receiver import Receiver, new_secret

pytestmark = [pytest.mark.integration, pytest.mark.timeout(240)]

TOKEN = "tok-outage-5c2e9d71a4b8f306"
PASSWORD = "sasl-outage-pw-8e41d2c7"
WEBHOOK_SECRET = new_secret(53)
EVENTS = 1_200
BATCH = 200
PAUSE_S = 10.0
StartWorker = Callable[[Settings], WorkerProcess]


@pytest.fixture
def own_broker(tmp_path: Path) -> Iterator[EmbeddedBroker]:
    """A broker for this test alone, stopped by its PID at teardown."""
    with EmbeddedBroker(log_path=tmp_path / "tansu.log") as broker:
        yield broker
        assert broker.pid is not None
        os.kill(broker.pid, signal.SIGCONT)  # never leave it paused


def test_broker_paused_10_s_answers_503_then_recovers_with_nothing_lost(
    settings: Settings, own_broker: EmbeddedBroker, start_worker: StartWorker, tmp_path: Path
) -> None:
    assert own_broker.pid is not None
    with Receiver(WEBHOOK_SECRET) as receiver:
        live = fault_settings(
            settings.model_copy(
                update={
                    "broker": own_broker.url,
                    "commit_interval_s": 0.5,
                    "log_level": "INFO",
                    "api_token": SecretStr(TOKEN),
                    "sasl_username": "signals",
                    "sasl_password": SecretStr(PASSWORD),  # configured, unused on PLAINTEXT
                    "api_send_timeout_s": 2.0,
                    "api_rate_per_s": 1000.0,
                    "api_rate_burst": 1000,
                    "web_enabled": True,
                    "web_port": free_port(),
                }
            ),
            tmp_path,
            webhook=(receiver.url, WEBHOOK_SECRET),
        )
        asyncio.run(create_topics(live))
        work = workload(EVENTS, f"outage-{uuid.uuid4().hex[:6]}", bad_every=10**9)
        events = [json.loads(line) for line in work.lines]
        batches = [events[i : i + BATCH] for i in range(0, len(events), BATCH)]
        alert_ids = expected_alert_ids(work.signals, AlertRules.from_settings(live), work.hour)
        worker = start_worker(live)
        api = ApiProcess(live, port=free_port(), log_path=tmp_path / "api.log").start()
        seen: list[str] = []  # every response body and header, for the secret scan
        tail = tail_for(live)
        raw = Tail(live, [live.topic_news_raw])
        auth = {"Authorization": f"Bearer {TOKEN}"}
        try:
            with httpx.Client(base_url=api.url, timeout=30) as client:

                def post(batch: list[dict[str, object]]) -> httpx.Response:
                    response = client.post("/v1/news", json=batch, headers=auth)
                    seen.append(response.text)
                    seen.extend(f"{k}: {v}" for k, v in response.headers.items())
                    return response

                def ready() -> int:
                    response = client.get("/readyz")
                    seen.append(response.text)
                    return response.status_code

                assert _until(lambda: ready() == 200, 60), "API never ready"
                # error bodies with the token involved: wrong token, no token
                for headers in ({"Authorization": f"Bearer {TOKEN}x"}, {}):
                    bad = client.post("/v1/news", json=batches[0], headers=headers)
                    assert bad.status_code == 401
                    seen.append(bad.text)
                accepted = [post(b).status_code for b in batches[:2]]
                assert accepted == [202, 202]

                os.kill(own_broker.pid, signal.SIGSTOP)
                paused_at = time.monotonic()
                during: list[int] = []
                readiness: list[int] = []
                refused: list[list[dict[str, object]]] = []
                try:
                    for b in batches[2:4]:
                        code = post(b).status_code
                        during.append(code)
                        if code != 202:
                            refused.append(b)
                        readiness.append(ready())
                    time.sleep(max(0.0, PAUSE_S - (time.monotonic() - paused_at)))
                finally:
                    os.kill(own_broker.pid, signal.SIGCONT)
                paused_for = time.monotonic() - paused_at
                assert during == [503, 503], during
                assert 503 in readiness, readiness

                assert _until(lambda: ready() == 200, 60), "API not ready after the outage"
                retried = 0
                for b in [*refused, *batches[4:]]:
                    deadline = time.monotonic() + 60
                    while (code := post(b).status_code) != 202:  # a client retries a 503
                        assert code == 503 and time.monotonic() < deadline, code
                        retried += 1
                        time.sleep(0.5)
                metrics_api = client.get("/metrics").text
            # every accepted event is on news.raw; where each landed (its first copy)
            ids = {str(e["id"]) for e in events}
            deadline = time.monotonic() + 60
            while not ids <= {r.get("id") for r in raw.records[live.topic_news_raw]}:
                assert time.monotonic() < deadline, "accepted events missing from news.raw"
                raw.poll(0.5)
            raw.drain(idle_s=1.0)
            first_at: dict[str, tuple[int, int]] = {}
            for r in raw.records[live.topic_news_raw]:
                first_at.setdefault(str(r["id"]), (r["_partition"], r["_offset"]))
            positions = [first_at[str(e["id"])] for e in events]
            raw_copies = len(raw.records[live.topic_news_raw])
            wait_until_settled(
                live,
                tail,
                work,
                raw.ends(live.topic_news_raw),
                alert_ids,
                timeout_s=150,
                worker=worker,
            )
            assert all(
                committed(live, live.topic_news_raw).get(p, 0) >= end
                for p, end in raw.ends(live.topic_news_raw).items()
            )
            hooks = {webhook_id(a, "desk") for a in alert_ids}
            assert receiver.wait_for(lambda r: {x.webhook_id for x in r} >= hooks, 60)
            tail.drain(idle_s=1.0)
            ledger = account(live, tail, work, positions)
            webhook_figures(ledger, receiver.snapshot(), hooks)
            metrics_worker = httpx.get(f"http://127.0.0.1:{live.web_port}/metrics").text
            worker_pid = worker.pid
        finally:
            tail.close()
            raw.close()
            api.stop()
        assert worker.running() and worker.pid == worker_pid  # recovered by itself
        worker.stop()
    ledger.report(
        f"broker_pause paused_s={paused_for:.1f} posts_503={during.count(503)} "
        f"retried_posts={retried} extra_news_raw_copies={raw_copies - EVENTS}"
    )
    assert ledger.lost == 0, ledger.summary()
    assert ledger.signals_missing == 0 and ledger.signals_unexpected == 0
    assert ledger.alerts_missing == 0 and ledger.alerts_unexpected == 0
    assert ledger.window_mismatches == [], ledger.window_mismatches[:5]
    assert ledger.webhooks_missing == 0
    assert ledger.alerts_with_several_webhook_ids == 0  # never twice with different ids

    # promise 6: no configured secret in logs, /metrics or error bodies
    logs = [worker.log_tail(10**9), (tmp_path / "api.log").read_text(errors="replace")]
    assert all(logs), "no logs captured"
    everything = "\n".join([*logs, metrics_api, metrics_worker, *seen])
    print(f"RELIABILITY secrets_scan texts={len(seen) + 4} chars={len(everything)}")
    for secret in (TOKEN, PASSWORD, WEBHOOK_SECRET, WEBHOOK_SECRET.removeprefix("whsec_")):
        assert secret not in everything, f"a secret leaked: {secret[:6]}..."


def _until(check: Callable[[], bool], timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.3)
    return False

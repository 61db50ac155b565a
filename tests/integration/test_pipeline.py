"""The pipeline on the real embedded broker, with ``signals worker`` processes."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import pytest
from handmade import funding_signal, send_signals

from signals.models import Signal
from streams.processes import WorkerProcess
from streams.settings import Settings

pytestmark = pytest.mark.integration

Record = dict[str, Any]
StartWorker = Callable[[Settings], WorkerProcess]
MakeReader = Callable[[str], Any]
Publish = Callable[..., dict[int, int]]


def test_malformed_input_is_dead_lettered_and_the_worker_keeps_going(
    pipeline_settings: Settings, start_worker: StartWorker, reader: MakeReader, publish: Publish
) -> None:
    settings = pipeline_settings.model_copy(update={"max_body_bytes": 2000})
    worker = start_worker(settings)
    bad = {
        "not_utf8": b'{"id": "u1", "body": "caf\xe9"}',
        "not_json": b"this is not json",
        "not_object": b'["an", "array"]',
        "invalid_event": b'{"title": "no id here"}',
        "too_large": orjson.dumps({"id": "big", "body": "x" * 3000}),
    }
    publish(settings, list(bad.values()))
    not_a_signal = b'{"signal_id": "only this"}'
    publish(settings, [not_a_signal], topic=settings.topic_signals_detected)

    rejected = reader(settings.topic_news_rejected).until(lambda r: len(r) >= 6, worker=worker)
    by_reason = {r["reason"]: r for r in rejected if r["topic"] == settings.topic_news_raw}
    assert set(by_reason) == set(bad)
    for reason, record in by_reason.items():
        assert base64.b64decode(record["value_b64"]) == bad[reason]
        stage = "validate" if reason in ("invalid_event", "too_large") else "decode"
        assert record["stage"] == stage
        assert record["partition"] in range(settings.partitions)
        assert record["offset"] >= 0
    [from_detected] = [r for r in rejected if r["topic"] == settings.topic_signals_detected]
    assert from_detected["stage"] == "aggregate"
    assert base64.b64decode(from_detected["value_b64"]) == not_a_signal

    # still alive: a good event after the bad ones is processed
    good = {"id": "good-1", "body": "Acme Robotics raised $200 million in a Series B round."}
    publish(settings, [orjson.dumps(good)])
    detected = reader(settings.topic_signals_detected).until(
        lambda r: any(s.get("article_id") == "good-1" for s in r), worker=worker
    )
    assert any(s.get("kind") == "funding" for s in detected if s.get("article_id") == "good-1")
    assert worker.running()


def _named(record: Record, company: str) -> bool:
    return str(record.get("company", "")).casefold() == company.casefold()


def test_seed_article_end_to_end(
    pipeline_settings: Settings,
    start_worker: StartWorker,
    reader: MakeReader,
    publish: Publish,
    shared_dir: Path,
) -> None:
    text = (shared_dir / "seed" / "xai-funding-fr.txt").read_text(encoding="utf-8")
    event = {
        "id": "seed-xai-funding-fr",
        "body": text,
        "source": "seed",
        "published_at": datetime.now(UTC).isoformat(),
    }
    worker = start_worker(pipeline_settings)
    publish(pipeline_settings, [orjson.dumps(event)])

    def funding_xai(a: Record) -> bool:
        s = a["signals"][0]
        return (
            a["rule"] == "funding_threshold"
            and _named(a, "xAI")
            and s["amount"] == pytest.approx(6e9)
            and s["currency"] == "USD"
        )

    def gpu_meta(a: Record) -> bool:
        return (
            a["rule"] == "gpu_threshold"
            and _named(a, "Meta")
            and a["signals"][0]["quantity"] == 350_000
        )

    def x_revenue(s: Record) -> bool:
        return (
            s["kind"] == "revenue"
            and _named(s, "X")
            and s["direction"] == "down"
            and s["change_pct"] == pytest.approx(-50)
        )

    alerts = reader(pipeline_settings.topic_signals_alerts).until(
        lambda r: any(map(funding_xai, r)) and any(map(gpu_meta, r)), timeout_s=90, worker=worker
    )
    assert all(a["article_id"] == event["id"] for a in alerts)
    reader(pipeline_settings.topic_signals_detected).until(
        lambda r: any(map(x_revenue, r)), timeout_s=30, worker=worker
    )


def _signal(n: int, company: str, source: str, when: datetime) -> Signal:
    return funding_signal(n, company, when, source=source, article="restart")


def _send_signals(settings: Settings, signals: list[Signal]) -> None:
    asyncio.run(send_signals(settings, signals))


def _figures(alert: Record) -> dict[str, tuple[int, float, int]]:
    return {w["window"]: (w["count"], w["amount_usd"], w["sources"]) for w in alert["windows"]}


@pytest.mark.parametrize("store", ["memory", "rocksdb"])
def test_window_figures_survive_a_worker_restart(
    store: str, pipeline_settings: Settings, start_worker: StartWorker, reader: MakeReader
) -> None:
    settings = pipeline_settings.model_copy(update={"store": store})
    now = datetime.now(UTC)
    when = now.replace(minute=0, second=0, microsecond=0)  # one 1 h window for every signal
    company = f"Restart {store}"
    s1, s2, s3 = (
        _signal(1, company, "wire", when),
        _signal(2, company, "paper", when),
        _signal(3, company, "wire", when),
    )
    alerts = reader(settings.topic_signals_alerts)

    def alert_for(signal: Signal, nth: int = 1) -> Callable[[list[Record]], bool]:
        def done(records: list[Record]) -> bool:
            hits = [a for a in records if a["signals"][0]["signal_id"] == signal.signal_id]
            return len(hits) >= nth

        return done

    def last_for(signal: Signal) -> Record:
        records: list[Record] = alerts.records
        return [a for a in records if a["signals"][0]["signal_id"] == signal.signal_id][-1]

    first = start_worker(settings)
    _send_signals(settings, [s1, s2])
    alerts.until(alert_for(s2), worker=first)
    assert _figures(last_for(s2)) == {w: (2, 400e6, 2) for w in ("1h", "1d", "7d")}
    first_alert = last_for(s1)
    assert first.stop() == 0

    second = start_worker(settings)
    _send_signals(settings, [s1])  # a replay must not be counted twice
    alerts.until(alert_for(s1, nth=2), timeout_s=90, worker=second)
    # the same alert, figures included: they are taken as of s1's first count
    assert last_for(s1)["alert_id"] == first_alert["alert_id"]
    assert last_for(s1) | {"_offset": 0, "_partition": 0} == first_alert | {
        "_offset": 0,
        "_partition": 0,
    }
    assert _figures(last_for(s1)) == {w: (1, 200e6, 1) for w in ("1h", "1d", "7d")}

    _send_signals(settings, [s3])
    alerts.until(alert_for(s3, nth=2), worker=second)  # threshold and surge
    threshold = [a for a in alerts.records if a["signals"][0]["signal_id"] == s3.signal_id]
    assert {a["rule"] for a in threshold} >= {"funding_threshold", "surge"}
    assert _figures(last_for(s3)) == {w: (3, 600e6, 2) for w in ("1h", "1d", "7d")}
    [surge] = [a for a in threshold if a["rule"] == "surge"]
    assert surge["windows"][0]["count"] == 3 and surge["windows"][0]["sources"] == 2

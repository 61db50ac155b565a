"""One story told by several outlets, through the real worker on the embedded broker.

Five versions of one funding round (French, English, a rewrite, a lightly edited copy, and an
exact copy with only case and punctuation changed) must give one signal group with a sources
count and one alert; the exact copy is dropped and counted.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from confluent_kafka.admin import AdminClient

from streams.processes import WorkerProcess, settings_env
from streams.settings import Settings

pytestmark = pytest.mark.integration

SAMPLES = Path(__file__).resolve().parents[1] / "samples" / "stories.jsonl"
Record = dict[str, Any]
StartWorker = Callable[[Settings], WorkerProcess]
MakeReader = Callable[[str], Any]
Publish = Callable[..., dict[int, int]]
ROUND = ("qt-1001", "tw-77", "md-5521", "jn-88", "rp-3")
OUTLETS = 4  # rp-3 repeats qt-1001 word for word: a copy is not a fifth witness


def samples() -> dict[str, bytes]:
    lines = [line for line in SAMPLES.read_bytes().splitlines() if line.strip()]
    return {orjson.loads(line)["id"]: line for line in lines}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def is_mistral_round(r: Record) -> bool:
    return r.get("kind") == "funding" and r.get("company") == "Mistral AI"


def metric(text: str, name: str, labels: str = "") -> float:
    for line in text.splitlines():
        if line.startswith(f"{name}{labels} ") or (not labels and line.startswith(f"{name} ")):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def test_one_story_from_many_outlets_is_one_signal_and_one_alert(
    pipeline_settings: Settings, start_worker: StartWorker, reader: MakeReader, publish: Publish
) -> None:
    port = free_port()
    settings = pipeline_settings.model_copy(update={"web_enabled": True, "web_port": port})
    worker = start_worker(settings)
    news = samples()
    publish(settings, [news[i] for i in ROUND])

    detected = reader(settings.topic_signals_detected)
    records = detected.until(
        lambda rs: any(is_mistral_round(r) and r["sources"] == OUTLETS for r in rs),
        timeout_s=120,
        worker=worker,
    )
    versions = [r for r in records if is_mistral_round(r)]
    assert len({r["signal_id"] for r in versions}) == 1  # one signal, re-published
    # one grouping partition in the whole group: one instance sees every article
    admin = AdminClient({"bootstrap.servers": settings.bootstrap_servers()})
    topics = admin.list_topics(timeout=10).topics
    assert len(topics[f"{settings.app_id}-stories-grouping"].partitions) == 1
    assert len(topics[f"{settings.app_id}-stories"].partitions) == settings.partitions
    assert len({r["story_id"] for r in versions}) == 1
    assert [r["sources"] for r in versions] == list(range(1, OUTLETS + 1))
    confidences = [r["confidence"] for r in versions]
    assert confidences == sorted(confidences) and confidences[-1] > confidences[0]
    assert versions[0]["corroboration"] == 0.0 < versions[-1]["corroboration"]

    # a later signal of the same company goes through the same aggregate partition, after
    # every version above: once its alert is out, the round's alerts are all out too
    publish(settings, [news["qt-1002"], news["tw-78"]])
    alerts = reader(settings.topic_signals_alerts).until(
        lambda rs: any(a["rule"] == "gpu_threshold" and a["company"] == "Mistral AI" for a in rs),
        timeout_s=60,
        worker=worker,
    )
    rounds = [
        a for a in alerts if a["rule"] == "funding_threshold" and a["company"] == "Mistral AI"
    ]
    assert len(rounds) == 1, rounds
    assert rounds[0]["signals"][0]["sources"] == 1  # fired on the first report, not re-fired

    body = ""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        body = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text
        if metric(body, "signals_story_articles_total", '{outcome="new"}') >= 3:
            break
        time.sleep(0.5)
    assert metric(body, "signals_story_articles_total", '{outcome="duplicate_text"}') == 1
    assert metric(body, "signals_story_articles_total", '{outcome="near_duplicate"}') == 3
    # the round, the GPU plan and the other company's round: three story groups
    assert metric(body, "signals_story_articles_total", '{outcome="new"}') == 3
    assert metric(body, "signals_duplicates_dropped_total", '{stage="story"}') == 1
    assert metric(body, "signals_signals_corroborated_total", '{kind="funding"}') == 3


def test_replay_gives_the_signals_of_the_live_path(
    pipeline_settings: Settings,
    start_worker: StartWorker,
    reader: MakeReader,
    publish: Publish,
    tmp_path: Path,
) -> None:
    """The same archive, live (one message at a time) and replayed, gives the same signals."""
    news = samples()
    singles = [news[i] for i in ("qt-1001", "qt-1002", "tw-78", "md-5530")]  # four stories
    live = pipeline_settings
    worker = start_worker(live)
    publish(live, singles)
    live_records = reader(live.topic_signals_detected).until(
        lambda rs: len({r["article_id"] for r in rs}) >= 3, timeout_s=120, worker=worker
    )
    worker.stop()

    # a second app (its own topics and state) fed by `signals replay`
    tag = "replay"
    again = live.model_copy(
        update={
            "app_id": f"{live.app_id}-{tag}",
            "topic_news_raw": f"{live.topic_news_raw}-{tag}",
            "topic_news_rejected": f"{live.topic_news_rejected}-{tag}",
            "topic_signals_detected": f"{live.topic_signals_detected}-{tag}",
            "topic_signals_alerts": f"{live.topic_signals_alerts}-{tag}",
            "topic_webhooks_dead": f"{live.topic_webhooks_dead}-{tag}",
            "data_dir": tmp_path / "replay-state",
        }
    )
    archive = tmp_path / "archive.jsonl"
    archive.write_bytes(b"\n".join(singles) + b"\n")
    env = {**settings_env(again), "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "streams.cli",
            "replay",
            str(archive),
            "--as-fast-as-possible",
            "-q",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "replayed 4 events" in done.stdout
    worker = start_worker(again)
    replayed = reader(again.topic_signals_detected).until(
        lambda rs: len({r["article_id"] for r in rs}) >= 3, timeout_s=120, worker=worker
    )

    def key(r: Record) -> tuple[str, str, str, int]:
        return (r["signal_id"], r["article_id"], r["story_id"], r["sources"])

    assert sorted(map(key, replayed)) == sorted(map(key, live_records))


def test_stories_survive_a_worker_restart(
    pipeline_settings: Settings, start_worker: StartWorker, reader: MakeReader, publish: Publish
) -> None:
    """The story window and the claims are tables: a new worker continues the same story."""
    news = samples()
    settings = pipeline_settings
    worker = start_worker(settings)
    publish(settings, [news["qt-1001"]])
    detected = reader(settings.topic_signals_detected)
    detected.until(lambda rs: any(is_mistral_round(r) for r in rs), timeout_s=120, worker=worker)
    worker.stop()

    worker = start_worker(settings)  # rebuilds story_index and story_claims from changelogs
    publish(settings, [news["tw-77"], news["qt-1001"]])  # a rewrite, and the first one again
    records = detected.until(
        lambda rs: any(is_mistral_round(r) and r["sources"] == 2 for r in rs),
        timeout_s=120,
        worker=worker,
    )
    versions = [r for r in records if is_mistral_round(r)]
    assert [r["sources"] for r in versions] == [1, 2]
    assert len({r["signal_id"] for r in versions}) == 1

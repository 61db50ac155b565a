"""The story stage's handlers with in-memory tables (the broker path is in tests/integration)."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from prometheus_client import CollectorRegistry

from signals.models import Alert, Evidence, NewsEvent, Signal
from streams.metrics import Metrics
from streams.settings import Settings
from streams.stories import STORY_HEADER, StoryStage, header

SAMPLES = Path(__file__).resolve().parents[1] / "samples" / "stories.jsonl"


class Topic:
    def __init__(self, name: str, sent: list[tuple[str, dict[str, Any]]]) -> None:
        self.name, self.sent = name, sent

    async def send(self, **kw: Any) -> None:
        self.sent.append((self.name, kw))


class Hook:
    def connect(self, fn: Any) -> None:
        self.fn = fn


class App:
    """Just what StoryStage declares on a faust app; tables are plain dicts."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, dict[str, Any]]] = []
        self.on_partitions_revoked = Hook()

    def topic(self, name: str, **kw: Any) -> Topic:
        return Topic(name, self.sent)

    def Table(self, name: str, **kw: Any) -> dict[str, Any]:  # noqa: N802 (faust's name)
        return {}


def lines() -> dict[str, bytes]:
    out = {}
    for line in SAMPLES.read_bytes().splitlines():
        if line.strip():
            out[json.loads(line)["id"]] = line
    return out


def message(value: bytes, offset: int, headers: list[tuple[str, bytes]] | None = None) -> Any:
    return SimpleNamespace(
        message=SimpleNamespace(
            value=value,
            key=None,
            topic="grouping",
            partition=0,
            offset=offset,
            timestamp=1_718_000_000.0,
            headers=headers or [],
        )
    )


async def no_reject(msg: Any, reason: str, stage: str, detail: str) -> None:
    raise AssertionError(f"rejected: {reason} {detail}")


@pytest.fixture
def stage() -> StoryStage:
    settings = Settings(broker="kafka://127.0.0.1:1", app_id="t", partitions=2)
    return StoryStage(App(), settings, Metrics.create(CollectorRegistry()), clock=lambda: 5.0)


def sent_stories(stage: StoryStage) -> list[str]:
    app_sent = stage.stories_topic.sent
    return [
        (header(kw["headers"], STORY_HEADER) or b"").decode()
        for name, kw in app_sent
        if name == "t-stories"
    ]


def outcome(stage: StoryStage, name: str) -> float:
    value = stage.metrics.registry.get_sample_value(
        "signals_story_articles_total", {"outcome": name}
    )
    return value or 0.0


async def test_versions_of_a_story_go_out_under_one_story_id(stage: StoryStage) -> None:
    news = lines()
    for offset, article in enumerate(("qt-1001", "tw-77", "rp-3", "md-5521", "jn-88", "tw-78")):
        await stage.group(message(news[article], offset), no_reject)
    stories = sent_stories(stage)
    assert len(stories) == 5  # rp-3 dropped
    assert len(set(stories[:4])) == 1 and stories[4] != stories[0]
    assert (outcome(stage, "new"), outcome(stage, "near_duplicate")) == (2, 3)
    assert outcome(stage, "duplicate_text") == 1


async def test_a_message_processed_again_is_forwarded_again(stage: StoryStage) -> None:
    news = lines()
    await stage.group(message(news["qt-1001"], 7), no_reject)
    await stage.group(message(news["qt-1001"], 7), no_reject)  # after a crash: same offset
    await stage.group(message(news["qt-1001"], 8), no_reject)  # sent twice: a duplicate
    assert len(sent_stories(stage)) == 2
    assert outcome(stage, "duplicate_id") == 1


async def test_the_index_is_rebuilt_from_its_table(stage: StoryStage) -> None:
    news = lines()
    await stage.group(message(news["qt-1001"], 0), no_reject)
    await stage._on_revoked(None)  # what faust calls when partitions are revoked
    assert stage.index is None
    await stage.group(message(news["tw-77"], 1), no_reject)
    assert stage.index is not None and len(stage.index) == 2
    first, second = sent_stories(stage)
    assert first == second


async def test_route_stamps_the_ingest_time_and_rejects_garbage(stage: StoryStage) -> None:
    rejected: list[str] = []

    async def reject(msg: Any, reason: str, where: str, detail: str) -> None:
        rejected.append(reason)

    await stage.route(message(b"not json", 0), reject)
    await stage.route(message(lines()["tw-77"], 1), reject)
    assert rejected == ["not_json"]
    [(name, kw)] = stage.grouping_topic.sent
    assert name == "t-stories-grouping" and kw["key"] == b"tw-77"
    assert header(kw["headers"], "x-signals-ingested-at") == b"5.0"


def make_signal(article: str, source: str | None, confidence: float = 0.6, **kw: Any) -> Signal:
    data: dict[str, Any] = {
        "signal_id": f"sig-{article}",
        "article_id": article,
        "kind": "funding",
        "company": "Mistral AI",
        "company_mention": "Mistral AI",
        "language": "fr",
        "confidence": confidence,
        "evidence": Evidence(field="title", start=0, end=5, sentence="x"),
        "source": source,
        "amount": 600e6,
        "currency": "EUR",
    }
    data.update(kw)
    return Signal.model_validate(data)


def test_corroboration_counts_outlets_once(stage: StoryStage) -> None:
    story = [(STORY_HEADER, b"story-1")]
    [a] = stage.corroborate([make_signal("a", "Outlet A")], story)
    [b] = stage.corroborate([make_signal("b", "Outlet B", 0.5)], story)
    again = stage.corroborate([make_signal("c", "Outlet B", 0.9)], story)
    [c] = stage.corroborate([make_signal("d", None)], story)
    assert (a.sources, b.sources, c.sources) == (1, 2, 3)
    assert a.signal_id == b.signal_id == c.signal_id == "sig-a"
    assert again == []  # a second article from an outlet already counted
    assert a.confidence < b.confidence < c.confidence
    assert b.story_id == "story-1"
    # the first article processed again (after a crash) gets the current version again
    [replayed] = stage.corroborate([make_signal("a", "Outlet A")], story)
    assert replayed.sources == 3
    # no story header (stage bypassed): signals untouched
    plain = make_signal("z", "Outlet Z")
    assert stage.corroborate([plain], []) == [plain]


def test_a_fact_stated_twice_in_one_article_is_one_signal(stage: StoryStage) -> None:
    twice = [make_signal("a", "A"), make_signal("a", "A", signal_id="sig-a-body")]
    assert len(stage.corroborate(twice, [(STORY_HEADER, b"s")])) == 1


def alert(alert_id: str, rule: str = "funding_threshold") -> Alert:
    return Alert(
        alert_id=alert_id,
        rule=rule,
        severity="warning",
        kind="funding",
        company="Mistral AI",
        article_id="a",
        summary="s",
        signals=[],
    )


def test_alerts_fire_once_per_story(stage: StoryStage) -> None:
    first = make_signal("a", "A", story_id="st")
    assert stage.first_alerts(first, [alert("x1")]) == [alert("x1")]
    assert stage.first_alerts(first, [alert("x1")]) == [alert("x1")]  # same input, same alert
    update = first.model_copy(update={"sources": 2})
    assert stage.first_alerts(update, [alert("x1")]) == []
    other_claim = make_signal("a", "A", story_id="st", amount=650e6, signal_id="s2")
    assert stage.first_alerts(other_claim, [alert("x2"), alert("x3", "surge")]) == [
        alert("x3", "surge")
    ]
    lone = make_signal("b", "B")
    assert stage.first_alerts(lone, [alert("y")]) == [alert("y")]


def test_event_time_prefers_publication() -> None:
    from streams.stories import event_time

    news = NewsEvent(id="x", published_at="2024-06-11T08:00:00Z")
    assert event_time(news, 1.0) == 1718092800.0
    assert event_time(NewsEvent(id="y"), 1.0) == 1.0


async def test_a_grouping_bug_dead_letters_the_message(
    stage: StoryStage, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(stage, "classify", broken)
    rejected: list[tuple[str, str]] = []

    async def reject(msg: Any, reason: str, where: str, detail: str) -> None:
        rejected.append((reason, where))

    await stage.group(message(lines()["tw-77"], 0), reject)
    assert rejected == [("processing_error", "story")]
    assert sent_stories(stage) == []

"""The story stage: drop exact duplicates, group rewrites into stories, corroborate signals.

Where it sits (``pipeline.stories``, see README "Duplicates and corroboration")::

    news.raw (N) --route_news--> <app>-stories-grouping (1 partition) --group_stories-->
    <app>-stories (N, keyed by story id) --detect_signals--> signals.detected --> ...

Near-duplicates land on any partition of ``news.raw``, so one agent instance must see every
article: the grouping topic has one partition, hence one active ``group_stories`` in the whole
consumer group; its window of recent articles is a table (``story_index``, changelogged) from
which a worker that takes the partition over rebuilds the index. Everything after it is keyed by
story id, so every version of a story reaches the same ``detect_signals`` instance, where the
``story_claims`` table turns N outlets' signals of one fact into one signal with ``sources``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC
from typing import Any

from signals.corroboration import claim_key, corroborate, source_of
from signals.models import Alert, NewsEvent, Signal
from signals.stories import ExactKeys, Fingerprint, fingerprint
from signals.storyindex import StoryEntry, StoryIndex, StoryRules, Verdict
from streams.codec import decode_event
from streams.errors import DecodeError
from streams.metrics import Metrics
from streams.settings import Settings
from streams.shutdown import finish

log = logging.getLogger(__name__)

STORY_HEADER = "x-signals-story-id"
INGESTED_HEADER = "x-signals-ingested-at"  # the same header streams.agents reads
Reject = Callable[[Any, str, str, str], Awaitable[None]]
_SEP = "\x1f"


def header(headers: Any, name: str) -> bytes | None:
    """A header's value from a faust message's headers (list of pairs or mapping)."""
    items = headers.items() if isinstance(headers, dict) else (headers or ())
    for key, value in items:
        if key == name:
            return value if isinstance(value, bytes) else str(value).encode("utf-8")
    return None


def entry_to_json(entry: StoryEntry, seq: int, offset: int) -> dict[str, Any]:
    fp = entry.fingerprint
    return {
        "seq": seq,
        "offset": offset,
        "story": entry.story_id,
        "at": entry.at,
        "source": entry.source,
        "keys": [fp.keys.id, fp.keys.url, fp.keys.text],
        "text_sig": list(fp.text_sig),
        "anchors": sorted(fp.anchors),
        "anchor_sig": list(fp.anchor_sig),
    }


def entry_from_json(article_id: str, data: dict[str, Any]) -> StoryEntry:
    keys = data["keys"]
    fp = Fingerprint(
        keys=ExactKeys(id=keys[0], url=keys[1], text=keys[2]),
        text_sig=tuple(data["text_sig"]),
        anchors=frozenset(data["anchors"]),
        anchor_sig=tuple(data["anchor_sig"]),
    )
    return StoryEntry(article_id, data["story"], float(data["at"]), data.get("source"), fp)


def event_time(news: NewsEvent, fallback: float) -> float:
    """Seconds since the epoch of the article: its publication time, else the message's."""
    if news.published_at is None:
        return fallback
    when = news.published_at
    return (when if when.tzinfo else when.replace(tzinfo=UTC)).timestamp()


class StoryStage:
    """Topics, tables and handlers of the story stage on one faust app."""

    def __init__(
        self,
        app: Any,
        settings: Settings,
        metrics: Metrics,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.settings = settings
        self.metrics = metrics
        self.clock = clock
        self.rules = StoryRules(
            window_s=settings.story_window_s, max_articles=settings.story_max_articles
        )

        def topic(name: str, partitions: int) -> Any:
            return app.topic(
                f"{settings.app_id}-{name}",
                partitions=partitions,
                internal=True,
                key_type=bytes,
                value_type=bytes,
                key_serializer="raw",
                value_serializer="raw",
            )

        self.grouping_topic = topic("stories-grouping", 1)
        self.stories_topic = topic("stories", settings.partitions)
        self.index_table = app.Table(
            "story_index",
            default=None,
            partitions=1,
            help="Recent articles of the story window (fingerprints), by article id",
        )
        self.claims_table = app.Table(
            "story_claims",
            default=None,
            partitions=settings.partitions,
            help="First signal and each outlet's confidence, by story and claim",
        )
        self.alerts_table = app.Table(
            "story_alerts",
            default=None,
            partitions=settings.partitions,
            help="The alert each story fired, by story and rule",
        )
        self.index: StoryIndex | None = None
        self._seq = 0
        app.on_partitions_revoked.connect(self._on_revoked)

    async def _on_revoked(self, sender: Any, revoked: Any = None, **kwargs: Any) -> None:
        # another worker may process the grouping partition meanwhile: rebuild from the table
        self.index = None

    # ------------------------------------------------------------------ route: news.raw -> 1

    async def route(self, event: Any, reject: Reject) -> None:
        """A ``news.raw`` message: reject what is not an event, forward the rest to grouping."""
        msg = event.message
        try:
            news = decode_event(msg.value, self.settings.max_body_bytes)
        except DecodeError as exc:
            stage = "validate" if exc.reason in ("invalid_event", "too_large") else "decode"
            await reject(msg, exc.reason, stage, exc.detail)
            return
        headers = _pairs(msg.headers)
        if header(headers, INGESTED_HEADER) is None:  # alert latency counts from here
            headers.append((INGESTED_HEADER, repr(self.clock()).encode("ascii")))
        await self.grouping_topic.send(
            key=news.id.encode("utf-8"), value=msg.value, timestamp=msg.timestamp, headers=headers
        )

    # ------------------------------------------------------------------ group: 1 -> N by story

    def _loaded_index(self) -> StoryIndex:
        if self.index is None:
            index = StoryIndex(self.rules)
            rows = sorted(
                ((k, v) for k, v in self.index_table.items() if isinstance(v, dict)),
                key=lambda kv: kv[1]["seq"],
            )
            for article_id, data in rows:
                index.remember(entry_from_json(article_id, data))
            for stale in index.drain_evicted():
                self.index_table.pop(stale, None)
            self._seq = (rows[-1][1]["seq"] + 1) if rows else 0
            self.index = index
            log.info("story index rebuilt with %d articles", len(index))
        return self.index

    def classify(self, news: NewsEvent, at: float, offset: int) -> Verdict:
        """The verdict for an article, remembered in the table.

        An article that this very message already added (the message is processed again after a
        crash) is forwarded again, not dropped: its verdict is ``new`` with reason ``id``.
        """
        index = self._loaded_index()
        fp = fingerprint(news)
        verdict = index.classify(fp)
        if verdict.outcome == "duplicate" and verdict.reason == "id":
            saved = self.index_table.get(news.id)
            if isinstance(saved, dict) and saved.get("offset") == offset:
                return Verdict("new", saved["story"], news.id, "id", 1.0)
        if verdict.outcome == "duplicate":
            return verdict
        entry = StoryEntry(news.id, verdict.story_id, at, news.source, fp)
        index.remember(entry)
        self.index_table[news.id] = entry_to_json(entry, self._seq, offset)
        self._seq += 1
        for stale in index.drain_evicted():
            self.index_table.pop(stale, None)
        return verdict

    async def group(self, event: Any, reject: Reject) -> None:
        """A grouping message: drop it if a duplicate, else forward it keyed by its story."""
        msg = event.message
        try:
            news = decode_event(msg.value, self.settings.max_body_bytes)
        except DecodeError as exc:
            await reject(msg, exc.reason, "validate", exc.detail)
            return
        try:
            verdict = self.classify(news, event_time(news, msg.timestamp), msg.offset)
        except Exception as exc:  # a bug here must not stop the stream
            log.exception(
                "story grouping failed on %s[%s]@%s", msg.topic, msg.partition, msg.offset
            )
            await reject(msg, "processing_error", "story", f"{type(exc).__name__}: {exc}")
            return
        if verdict.outcome == "duplicate":
            self.metrics.story_articles.labels(f"duplicate_{verdict.reason}").inc()
            self.metrics.duplicates_dropped.labels("story").inc()
            log.debug("%s duplicates %s (%s)", news.id, verdict.matched, verdict.reason)
            return
        if verdict.reason != "id":  # not a message processed again
            self.metrics.story_articles.labels(verdict.outcome).inc()
        if self.index is not None:
            self.metrics.story_index_articles.set(len(self.index))
        headers = [(k, v) for k, v in _pairs(msg.headers) if k != STORY_HEADER]
        headers.append((STORY_HEADER, verdict.story_id.encode("ascii")))
        await self.stories_topic.send(
            key=verdict.story_id.encode("ascii"),
            value=msg.value,
            timestamp=msg.timestamp,
            headers=headers,
        )

    # ------------------------------------------------------------------ detect: corroborate

    def corroborate(self, signals: Sequence[Signal], headers: Any) -> list[Signal]:
        """The signals to publish for one article of a story.

        The first report of a claim is published with ``sources=1``; a report from a new outlet
        re-publishes the first signal (same ``signal_id``) with ``sources`` and a raised
        confidence; another report from an outlet already counted publishes nothing.
        """
        raw = header(headers, STORY_HEADER)
        if raw is None:
            return list(signals)
        story_id = raw.decode("ascii", "replace")
        try:
            return self._corroborate(signals, story_id)
        except Exception:  # a bug here must not stop the stream: publish the signals as read
            log.exception("corroboration failed for story %s", story_id)
            return [s.model_copy(update={"story_id": story_id}) for s in signals]

    def _corroborate(self, signals: Sequence[Signal], story_id: str) -> list[Signal]:
        out: list[Signal] = []
        done: set[str] = set()
        for signal in signals:
            key = f"{story_id}{_SEP}{claim_key(signal)}"
            if key in done:
                continue  # the article states the fact twice (title and body)
            done.add(key)
            saved = self.claims_table.get(key)
            source = source_of(signal)
            if not isinstance(saved, dict):
                first = signal.model_copy(update={"story_id": story_id})
                saved = {"first": first.model_dump(mode="json"), "by": {}}
            first = Signal.model_validate(saved["first"])
            by: dict[str, list[Any]] = saved["by"]
            seen = by.get(source)
            if seen is not None and seen[1] != signal.article_id:
                continue  # one more article from an outlet already counted
            if seen is None:
                by[source] = [signal.confidence, signal.article_id]
                self.claims_table[key] = saved
                if len(by) > 1:
                    self.metrics.signals_corroborated.labels(signal.kind).inc()
            confidences = {s: float(v[0]) for s, v in by.items()}
            out.append(corroborate(first, confidences, story_id))
        return out

    # ------------------------------------------------------------------ alerts: once per story

    def first_alerts(self, signal: Signal, alerts: Sequence[Alert]) -> list[Alert]:
        """The alerts to send: none for a corroboration update, one per story and rule."""
        if signal.story_id is None:
            return list(alerts)
        if signal.sources > 1:
            return []
        out = []
        for alert in alerts:
            key = f"{signal.story_id}{_SEP}{alert.rule}"
            fired = self.alerts_table.get(key)
            if fired is None:
                self.alerts_table[key] = alert.alert_id
            elif fired != alert.alert_id:
                continue  # this story already raised this rule's alert
            out.append(alert)
        return out

    def register(self, app: Any, news_raw: Any, reject: Reject) -> None:
        """Declare ``route_news`` and ``group_stories`` on the app."""

        async def route_news(stream: Any) -> None:
            async for event in stream.events():
                await finish(self.route(event, reject))

        async def group_stories(stream: Any) -> None:
            async for event in stream.events():
                await finish(self.group(event, reject))

        app.agent(news_raw, name="route_news")(route_news)
        app.agent(self.grouping_topic, name="group_stories")(group_stories)


def _pairs(headers: Any) -> list[tuple[str, bytes]]:
    items = headers.items() if isinstance(headers, dict) else (headers or ())
    return [(str(k), v if isinstance(v, bytes) else str(v).encode()) for k, v in items]

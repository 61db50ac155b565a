"""Poll RSS 2.0 and Atom feeds into ``news.raw``.

Each feed is fetched with a conditional GET (``If-None-Match`` / ``If-Modified-Since``) every
``interval_s``; a failure (timeout, HTTP error, malformed feed, broker down) backs off
exponentially, doubling up to ``max_backoff_s``, and honours ``Retry-After``. New items become
:class:`NewsEvent`\\ s with clean text and a stable id from the item's guid (or link), and are
sent with ``acks='all'``; only then is the feed's state (validators, seen ids) saved.
"""

from __future__ import annotations

import asyncio
import calendar
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import feedparser
import httpx

from signals.models import NewsEvent, stable_id
from streams.feedstate import FeedSpec, FeedState, FeedStateStore
from streams.htmltext import html_to_text
from streams.metrics import Metrics

log = logging.getLogger(__name__)

Publish = Callable[[Sequence[NewsEvent]], Awaitable[Any]]
OUTCOMES = ("ok", "not_modified", "timeout", "http_error", "network_error", "malformed",
            "publish_error")  # fmt: skip
MAX_FEED_BYTES = 10_000_000
_EPOCH = datetime.fromtimestamp(0, UTC)
SEEN_MIN = 500  # ids kept per feed at least; more when the feed itself lists more items


@dataclass(frozen=True)
class PollResult:
    """The outcome of one poll of one feed."""

    url: str
    outcome: str
    published: int = 0
    already_seen: int = 0
    skipped: int = 0
    next_poll_at: float = 0.0
    detail: str = ""


def item_key(entry: Any, feed_url: str) -> str | None:
    """What identifies an item: its guid / Atom id, else its link, else None.

    A guid that is not a URL or URN (``"1234"``) is only unique within its feed, so it is
    scoped by the feed's URL.
    """
    guid = str(entry.get("id") or "").strip()
    if guid:
        return guid if ":" in guid else f"{feed_url}#{guid}"
    link = str(entry.get("link") or "").strip()
    return link or None


def event_id(key: str) -> str:
    """The stable ``news.raw`` id of a feed item (same guid, same id, any poller)."""
    return "feed-" + stable_id("feed-item", key)


def _when(entry: Any) -> datetime | None:
    for field in ("published_parsed", "updated_parsed"):
        parsed = entry.get(field)
        if parsed:
            return datetime.fromtimestamp(calendar.timegm(parsed), UTC)
    return None


def _language(code: str | None) -> str | None:
    if not code:
        return None
    short = code.strip().lower()[:2]
    return short if short.isalpha() and len(short) == 2 else None


def entry_event(entry: Any, spec: FeedSpec, feed: Any) -> NewsEvent | None:
    """The :class:`NewsEvent` of one parsed item, or None when it has no id or no text."""
    key = item_key(entry, spec.url)
    if key is None:
        return None
    contents = entry.get("content") or []
    html = contents[0].get("value") if contents else None
    body = html_to_text(html or entry.get("summary") or entry.get("description"))
    title = html_to_text(entry.get("title")) or None
    if not body and not title:
        return None
    link = str(entry.get("link") or "").strip() or None
    return NewsEvent(
        id=event_id(key),
        title=title,
        body=body,
        url=link if link and link.startswith(("http://", "https://")) else None,
        source=spec.source or html_to_text(feed.get("title")) or spec.url,
        language=_language(spec.language) or _language(feed.get("language")),
        published_at=_when(entry),
    )


def _retry_after(response: httpx.Response, now: float) -> float | None:
    value = response.headers.get("retry-after")
    if not value:
        return None
    if value.strip().isdigit():
        return now + float(value)
    try:
        return parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError):
        return None


class FeedPoller:
    """Polls a list of feeds and publishes their new items; the state survives restarts."""

    def __init__(
        self,
        feeds: Sequence[FeedSpec],
        store: FeedStateStore,
        publish: Publish,
        metrics: Metrics,
        client: httpx.AsyncClient,
        *,
        clock: Callable[[], float] = time.time,
        max_backoff_s: float = 3600.0,
        concurrency: int = 8,
    ) -> None:
        self.feeds = list(feeds)
        self.store = store
        self.publish = publish
        self.metrics = metrics
        self.client = client
        self.clock = clock
        self.max_backoff_s = max_backoff_s
        self.states: dict[str, FeedState] = {f.url: FeedState() for f in self.feeds}
        self.states.update({u: s for u, s in store.load().items() if u in self.states})
        self._limit = asyncio.Semaphore(concurrency)
        self._save_lock = asyncio.Lock()

    def due(self) -> list[FeedSpec]:
        now = self.clock()
        return [f for f in self.feeds if self.states[f.url].next_poll_at <= now]

    def next_due_at(self) -> float:
        return min(self.states[f.url].next_poll_at for f in self.feeds)

    async def poll_due(self) -> list[PollResult]:
        """Poll every feed that is due, a few at a time."""
        return list(await asyncio.gather(*(self.poll(f) for f in self.due())))

    async def poll_all(self) -> list[PollResult]:
        """Poll every feed now, whatever its schedule (``--once``)."""
        return list(await asyncio.gather(*(self.poll(f) for f in self.feeds)))

    async def run(self, stop: asyncio.Event) -> None:
        """Poll until ``stop`` is set."""
        while not stop.is_set():
            await self.poll_due()
            delay = max(0.05, self.next_due_at() - self.clock())
            try:
                await asyncio.wait_for(stop.wait(), timeout=min(delay, 60.0))
            except TimeoutError:
                pass

    async def poll(self, spec: FeedSpec) -> PollResult:
        """Fetch one feed, publish its new items and save its state."""
        async with self._limit:
            result = await self._poll(spec)
        self.metrics.feeds_polled.labels(result.outcome).inc()
        if result.published:
            self.metrics.feed_items.labels("published").inc(result.published)
        if result.already_seen:
            self.metrics.feed_items.labels("already_seen").inc(result.already_seen)
        if result.skipped:
            self.metrics.feed_items.labels("invalid").inc(result.skipped)
        if result.outcome not in ("ok", "not_modified"):
            log.warning("feed %s: %s %s", spec.url, result.outcome, result.detail)
        return result

    async def _poll(self, spec: FeedSpec) -> PollResult:
        state = self.states[spec.url]
        headers = {"Accept": "application/rss+xml, application/atom+xml, application/xml;q=0.9"}
        if state.etag:
            headers["If-None-Match"] = state.etag
        if state.last_modified:
            headers["If-Modified-Since"] = state.last_modified
        try:
            response = await self.client.get(spec.url, headers=headers, timeout=spec.timeout_s)
        except httpx.TimeoutException as exc:
            return await self._failed(spec, "timeout", type(exc).__name__)
        except httpx.HTTPError as exc:
            return await self._failed(spec, "network_error", type(exc).__name__)
        if response.status_code == 304:
            return await self._succeeded(spec, "not_modified")
        if response.status_code != 200:
            until = _retry_after(response, self.clock())
            return await self._failed(spec, "http_error", f"HTTP {response.status_code}", until)
        if len(response.content) > MAX_FEED_BYTES:
            return await self._failed(spec, "malformed", f"{len(response.content)} bytes")
        parsed = feedparser.parse(
            response.content,
            response_headers={k.lower(): v for k, v in response.headers.items()},
        )
        if parsed.get("bozo") and not parsed.get("entries"):
            reason = type(parsed.get("bozo_exception")).__name__
            return await self._failed(spec, "malformed", reason)
        if not parsed.get("version") and not parsed.get("entries"):
            return await self._failed(spec, "malformed", "not an RSS or Atom document")
        return await self._publish_new(spec, parsed, response)

    async def _publish_new(
        self, spec: FeedSpec, parsed: Any, response: httpx.Response
    ) -> PollResult:
        state = self.states[spec.url]
        seen = set(state.seen)
        fresh: list[NewsEvent] = []
        already = skipped = 0
        # oldest first, so news.raw holds a feed's items in publication order
        for entry in reversed(parsed.get("entries") or []):
            event = entry_event(entry, spec, parsed.get("feed") or {})
            if event is None:
                skipped += 1
            elif event.id in seen:
                already += 1
            else:
                seen.add(event.id)
                fresh.append(event)
        if all(e.published_at is not None for e in fresh):
            fresh.sort(key=lambda e: e.published_at or _EPOCH)  # stable: ties keep feed order
        if fresh:
            try:
                await self.publish(fresh)
            except Exception as exc:
                # state untouched: the validators are not saved, so the next poll gets a full
                # answer again and retries these items
                return await self._failed(spec, "publish_error", type(exc).__name__)
        keep = max(SEEN_MIN, 2 * len(parsed.get("entries") or []))
        state.seen = (state.seen + [e.id for e in fresh])[-keep:]
        state.etag = response.headers.get("etag") or None
        state.last_modified = response.headers.get("last-modified") or None
        return await self._succeeded(spec, "ok", len(fresh), already, skipped)

    async def _succeeded(
        self, spec: FeedSpec, outcome: str, published: int = 0, already: int = 0, skipped: int = 0
    ) -> PollResult:
        state = self.states[spec.url]
        state.failures = 0
        state.last_outcome = outcome
        state.next_poll_at = self.clock() + spec.interval_s
        await self._save()
        return PollResult(spec.url, outcome, published, already, skipped, state.next_poll_at)

    async def _failed(
        self, spec: FeedSpec, outcome: str, detail: str, until: float | None = None
    ) -> PollResult:
        state = self.states[spec.url]
        state.failures += 1
        state.last_outcome = outcome
        backoff = min(self.max_backoff_s, spec.interval_s * 2**state.failures)
        state.next_poll_at = max(self.clock() + backoff, until or 0.0)
        await self._save()
        return PollResult(spec.url, outcome, next_poll_at=state.next_poll_at, detail=detail)

    async def _save(self) -> None:
        snapshot = {url: state.model_copy(deep=True) for url, state in self.states.items()}
        async with self._save_lock:
            await asyncio.to_thread(self.store.save, snapshot)

"""The feed poller against real RSS 2.0 and Atom files served on loopback."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator, Sequence
from pathlib import Path

import httpx
import pytest
from feed_server import FeedServer, Route, serve_feeds
from prometheus_client import CollectorRegistry

from signals.models import NewsEvent
from streams.feeds import FeedPoller, event_id
from streams.feedstate import FeedConfigError, FeedSpec, FeedStateStore, load_feeds
from streams.htmltext import html_to_text
from streams.metrics import Metrics

FEEDS = Path(__file__).resolve().parents[1] / "samples" / "feeds"
RSS = (FEEDS / "outlet-fr.rss").read_bytes()
ATOM = (FEEDS / "outlet-en.atom").read_bytes()
LAST_MODIFIED = "Tue, 11 Jun 2024 08:07:00 GMT"

EXTRA_ITEM = b"""    <item>
      <title>Un fonds nantais boucle son premier v\xc3\xa9hicule</title>
      <link>https://quotidien-tech.example/2024/06/12/fonds-nantais</link>
      <guid>https://quotidien-tech.example/2024/06/12/fonds-nantais</guid>
      <pubDate>Wed, 12 Jun 2024 08:00:00 +0200</pubDate>
      <description>Le fonds vise des start-up de l'industrie.</description>
    </item>
  </channel>"""


class Collector:
    """Stands in for the broker producer: records what would be sent; can be made to fail."""

    def __init__(self) -> None:
        self.events: list[NewsEvent] = []
        self.fail = False

    async def __call__(self, events: Sequence[NewsEvent]) -> list[str]:
        if self.fail:
            raise ConnectionError("broker down")
        self.events.extend(events)
        return [e.id for e in events]


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def server() -> Iterator[FeedServer]:
    routes = {
        "/fr.rss": Route(RSS, etag='"v1"'),
        "/en.atom": Route(ATOM, "application/atom+xml", last_modified=LAST_MODIFIED),
        "/slow.rss": Route(RSS, delay_s=2.0),
        "/broken.xml": Route((FEEDS / "broken.xml").read_bytes(), "text/html"),
        "/busy.rss": Route(b"try later", "text/plain", status=503, headers={"Retry-After": "900"}),
    }
    with serve_feeds(routes) as s:
        yield s


def poller(
    specs: list[FeedSpec], tmp_path: Path, publish: Collector, clock: Clock, **kw: float
) -> FeedPoller:
    return FeedPoller(
        specs,
        FeedStateStore.in_dir(tmp_path),
        publish,
        Metrics.create(CollectorRegistry()),
        httpx.AsyncClient(),
        clock=clock,
        **kw,  # type: ignore[arg-type]
    )


def count(p: FeedPoller, metric: str, outcome: str) -> float:
    value = p.metrics.registry.get_sample_value(f"signals_{metric}_total", {"outcome": outcome})
    return value or 0.0


async def test_rss_items_become_clean_events(server: FeedServer, tmp_path: Path) -> None:
    sink = Collector()
    p = poller([FeedSpec(url=server.url("/fr.rss"))], tmp_path, sink, Clock())
    [result] = await p.poll_due()
    assert (result.outcome, result.published) == ("ok", 2)
    older, mistral = sink.events  # oldest first
    assert older.title == "Une biotech lyonnaise recrute cent chercheurs"
    assert older.body == "La société prévoit d'ouvrir un deuxième laboratoire d’ici à 2026."
    assert "trackVisit" not in older.body
    assert mistral.id == event_id(f"{server.url('/fr.rss')}#qt-1001")  # bare guid: feed-scoped
    assert mistral.title == "Mistral AI lève 600 millions d'euros"
    assert mistral.body.splitlines() == [
        "La start-up parisienne Mistral AI a bouclé une levée de fonds de 600 millions d'euros.",
        "L'opération est menée par General Catalyst.",
    ]
    assert (mistral.language, mistral.source) == ("fr", "Le Quotidien Tech & Finance")
    assert mistral.published_at is not None and mistral.published_at.isoformat() == (
        "2024-06-11T07:30:00+00:00"
    )
    assert count(p, "feeds_polled", "ok") == 1
    assert count(p, "feed_items", "published") == 2


async def test_atom_entries_become_clean_events(server: FeedServer, tmp_path: Path) -> None:
    sink = Collector()
    spec = FeedSpec(url=server.url("/en.atom"), source="Tech Wire (Atom)")
    await poller([spec], tmp_path, sink, Clock()).poll_due()
    mistral, chips = sink.events  # by publication time
    assert mistral.id == event_id("urn:uuid:6e1c4b8a-8f3d-4a3e-b0b5-2c9d7e1f4a77")
    assert mistral.title == "Mistral AI raises €600 million"
    assert "<" not in mistral.body and "hiring & computing" in mistral.body
    assert mistral.url == "https://techwire.example/news/mistral-ai-raises-600m"
    assert (mistral.language, mistral.source) == ("en", "Tech Wire (Atom)")
    assert chips.id == event_id("https://techwire.example/news/chip-stocks-slip")
    assert chips.published_at is not None  # from <updated> when there is no <published>


@pytest.mark.parametrize(("path", "header"), [("/fr.rss", "if-none-match"), ("/en.atom", "")])
async def test_an_unchanged_feed_answers_304(
    server: FeedServer, tmp_path: Path, path: str, header: str
) -> None:
    sink, clock = Collector(), Clock()
    p = poller([FeedSpec(url=server.url(path), interval_s=60)], tmp_path, sink, clock)
    await p.poll_due()
    assert p.due() == []  # not before its interval
    clock.now += 60
    [result] = await p.poll_due()
    assert result.outcome == "not_modified"
    _, headers = server.requests[-1]
    if header:
        assert headers[header] == '"v1"'
    else:
        assert headers["if-modified-since"] == LAST_MODIFIED
    assert len(sink.events) == 2  # nothing sent again
    assert result.next_poll_at == clock.now + 60
    assert count(p, "feeds_polled", "not_modified") == 1


async def test_a_feed_that_times_out_backs_off(server: FeedServer, tmp_path: Path) -> None:
    sink, clock = Collector(), Clock()
    spec = FeedSpec(url=server.url("/slow.rss"), interval_s=30, timeout_s=0.3)
    p = poller([spec], tmp_path, sink, clock, max_backoff_s=100.0)
    delays = []
    for _ in range(3):
        [result] = await p.poll_due()
        assert result.outcome == "timeout"
        delays.append(result.next_poll_at - clock.now)
        clock.now = result.next_poll_at
    assert delays == [60.0, 100.0, 100.0]  # doubled, then capped
    assert sink.events == []
    assert count(p, "feeds_polled", "timeout") == 3
    # the feed answers again: back to its interval
    server.routes["/slow.rss"].delay_s = 0.0
    [result] = await p.poll_due()
    assert (result.outcome, result.published, result.next_poll_at) == ("ok", 2, clock.now + 30)


async def test_a_malformed_feed_is_counted_and_retried_later(
    server: FeedServer, tmp_path: Path
) -> None:
    sink, clock = Collector(), Clock()
    p = poller([FeedSpec(url=server.url("/broken.xml"), interval_s=10)], tmp_path, sink, clock)
    [result] = await p.poll_due()
    assert result.outcome == "malformed"
    assert result.next_poll_at == clock.now + 20
    assert sink.events == []
    assert count(p, "feeds_polled", "malformed") == 1


async def test_retry_after_is_honoured(server: FeedServer, tmp_path: Path) -> None:
    clock = Clock()
    p = poller([FeedSpec(url=server.url("/busy.rss"), interval_s=10)], tmp_path, Collector(), clock)
    [result] = await p.poll_due()
    assert (result.outcome, result.detail) == ("http_error", "HTTP 503")
    assert result.next_poll_at == clock.now + 900


async def test_a_restart_neither_reingests_nor_skips(server: FeedServer, tmp_path: Path) -> None:
    clock = Clock()
    specs = [FeedSpec(url=server.url("/fr.rss"), interval_s=60)]
    first = Collector()
    await poller(specs, tmp_path, first, clock).poll_due()
    assert len(first.events) == 2
    # while the poller is down, the feed gains an item and stops honouring validators
    route = server.routes["/fr.rss"]
    route.body = RSS.replace(b"  </channel>", EXTRA_ITEM)
    route.etag = None
    clock.now += 3600
    second = Collector()
    restarted = poller(specs, tmp_path, second, clock)  # same state file, new process
    [result] = await restarted.poll_due()
    assert (result.outcome, result.published, result.already_seen) == ("ok", 1, 2)
    assert [e.title for e in second.events] == ["Un fonds nantais boucle son premier véhicule"]
    assert {e.id for e in first.events}.isdisjoint(e.id for e in second.events)


async def test_items_the_broker_refused_are_sent_on_the_next_poll(
    server: FeedServer, tmp_path: Path
) -> None:
    sink, clock = Collector(), Clock()
    p = poller([FeedSpec(url=server.url("/fr.rss"), interval_s=60)], tmp_path, sink, clock)
    sink.fail = True
    [result] = await p.poll_due()
    assert result.outcome == "publish_error"
    assert FeedStateStore.in_dir(tmp_path).load()[server.url("/fr.rss")].etag is None
    sink.fail = False
    clock.now = result.next_poll_at
    [result] = await p.poll_due()
    _, headers = server.requests[-1]
    assert "if-none-match" not in headers  # validators were not kept for unsent items
    assert (result.outcome, result.published) == ("ok", 2)


async def test_one_slow_feed_does_not_hold_up_the_others(
    server: FeedServer, tmp_path: Path
) -> None:
    sink = Collector()
    specs = [
        FeedSpec(url=server.url("/slow.rss"), timeout_s=0.5),
        FeedSpec(url=server.url("/en.atom")),
        FeedSpec(url=server.url("/broken.xml")),
    ]
    results = await poller(specs, tmp_path, sink, Clock()).poll_due()
    assert [r.outcome for r in results] == ["timeout", "ok", "malformed"]
    assert len(sink.events) == 2


def test_feed_list_in_yaml_and_json(tmp_path: Path) -> None:
    yml = tmp_path / "feeds.yaml"
    yml.write_text(
        "defaults: {interval: 120}\n"
        "feeds:\n"
        "  - url: https://a.example/rss\n    source: Outlet A\n    language: fr\n"
        "  - https://b.example/atom\n",
        encoding="utf-8",
    )
    a, b = load_feeds(yml)
    assert (a.source, a.interval_s, a.language, b.url, b.interval_s) == (
        "Outlet A",
        120.0,
        "fr",
        "https://b.example/atom",
        120.0,
    )
    js = tmp_path / "feeds.json"
    js.write_text('[{"url": "https://c.example/rss", "interval": 5, "timeout": 2}]')
    [c] = load_feeds(js)
    assert (c.interval_s, c.timeout_s) == (5.0, 2.0)


@pytest.mark.parametrize(
    "text",
    [
        "feeds: []",
        "feeds:\n  - url: ftp://a.example/rss",
        "feeds:\n  - url: https://a.example/rss\n    every: 5",
        "- https://a.example/rss\n- https://a.example/rss",
        "feeds: [",
    ],
)
def test_bad_feed_lists_are_refused(tmp_path: Path, text: str) -> None:
    path = tmp_path / "feeds.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(FeedConfigError):
        load_feeds(path)


@pytest.mark.parametrize(
    ("html", "text"),
    [
        ("<p>One</p><p>Two &amp; three</p>", "One\nTwo & three"),
        ("plain   text\n\n  here", "plain text\nhere"),
        ("<div>a<br/>b<script>x()</script><style>p{}</style></div>", "a\nb"),
        ("caf&eacute; &#8364;5 &lt;b&gt;", "café €5 <b>"),
        ("<p>unclosed <b>bold", "unclosed bold"),
        (None, ""),
    ],
)
def test_html_to_text(html: str | None, text: str) -> None:
    assert html_to_text(html) == text


async def test_run_polls_until_stopped(server: FeedServer, tmp_path: Path) -> None:
    sink = Collector()
    specs = [FeedSpec(url=server.url("/fr.rss"), interval_s=0.2)]
    p = FeedPoller(
        specs,
        FeedStateStore.in_dir(tmp_path),
        sink,
        Metrics.create(CollectorRegistry()),
        httpx.AsyncClient(),
    )
    stop = asyncio.Event()
    task = asyncio.create_task(p.run(stop))
    async with asyncio.timeout(10):
        while count(p, "feeds_polled", "not_modified") < 2:  # polled again on its interval
            await asyncio.sleep(0.05)
    stop.set()
    await asyncio.wait_for(task, 5)
    assert len(sink.events) == 2

"""The HTTP layer of the API: validation, limits, auth, listings, probes (in-process ASGI).

The broker paths (202 only once acknowledged, 503 when it is not) are in test_api_broker.py
against the real broker; here the ingest side is a recorder, since these requests must be
refused before anything is sent.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from prometheus_client import CollectorRegistry
from pydantic import SecretStr

from signals.models import Alert, NewsEvent, Signal, WindowFigures
from streams.alerts_feed import AlertsRing
from streams.api import create_api
from streams.codec import decode_event
from streams.errors import DecodeError
from streams.ingest import BrokerUnavailable
from streams.metrics import Metrics
from streams.settings import Settings
from streams.windows_replica import ReplicaAggregates, WindowsReplica

TOKEN = "tok-9f3e1c2b7a6d5e4f"


@dataclass
class RecordingIngest:
    sent: list[NewsEvent] = field(default_factory=list)
    fail: BrokerUnavailable | None = None

    async def send(self, events: Sequence[NewsEvent]) -> list[str]:
        if self.fail is not None:
            raise self.fail
        self.sent.extend(events)
        return [e.id for e in events]


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def make_signal(**overrides: Any) -> Signal:
    fields: dict[str, Any] = {
        "signal_id": "sig-1",
        "article_id": "art-1",
        "kind": "funding",
        "company": "Nordwind Labs",
        "company_mention": "Nordwind",
        "language": "en",
        "confidence": 0.9,
        "evidence": {"field": "body", "start": 0, "end": 10, "sentence": "Nordwind raised."},
        "amount": 3e8,
        "currency": "USD",
    }
    fields.update(overrides)
    return Signal.model_validate(fields)


def make_alert(alert_id: str = "a-1", **overrides: Any) -> Alert:
    signal = make_signal(
        kind=overrides.get("kind", "funding"), company=overrides.get("company", "Nordwind Labs")
    )
    fields: dict[str, Any] = {
        "alert_id": alert_id,
        "rule": "funding_threshold",
        "severity": "warning",
        "kind": "funding",
        "company": "Nordwind Labs",
        "article_id": "art-1",
        "summary": "Nordwind Labs raised 300,000,000 USD",
        "signals": [signal],
        "occurred_at": datetime(2026, 3, 2, 9, 0, tzinfo=UTC),
    }
    fields.update(overrides)
    return Alert.model_validate(fields)


@dataclass
class Api:
    client: httpx.AsyncClient
    ingest: RecordingIngest
    ring: AlertsRing
    replica: WindowsReplica
    registry: CollectorRegistry
    clock: FakeClock
    ready: dict[str, bool]


def build(settings: Settings, subscriptions: list[dict[str, Any]] | None = None) -> Api:
    registry = CollectorRegistry()
    ingest = RecordingIngest()
    ring = AlertsRing(50)
    replica = WindowsReplica({"cl-1d": "1d"})
    clock = FakeClock()
    ready = {"broker": True, "alerts_partitions_assigned": True}

    async def readiness() -> dict[str, bool]:
        return dict(ready)

    app = create_api(
        settings,
        ingest=ingest,
        metrics=Metrics.create(registry),
        alerts=ring,
        aggregates=ReplicaAggregates(replica),
        subscriptions=lambda: list(subscriptions or []),
        readiness=readiness,
        clock=clock,
    )
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://api")
    return Api(client, ingest, ring, replica, registry, clock, ready)


@pytest.fixture
def api_settings() -> Settings:
    return Settings(
        broker="kafka://127.0.0.1:1",
        api_max_body_bytes=20_000,
        max_body_bytes=5_000,
        api_max_batch=5,
        api_rate_per_s=1.0,
        api_rate_burst=100,
    )


def event(i: int = 1, **extra: Any) -> dict[str, Any]:
    return {"id": f"n-{i}", "title": "Nordwind Labs raises $300 million", "body": "...", **extra}


async def test_one_event_and_a_batch_are_sent_and_their_ids_returned(
    api_settings: Settings,
) -> None:
    api = build(api_settings)
    one = await api.client.post("/v1/news", json=event(1))
    assert one.status_code == 202
    assert one.json()["ids"] == ["n-1"]
    batch = await api.client.post("/v1/news", json=[event(2), event(3)])
    assert batch.status_code == 202
    assert batch.json() == {"accepted": 2, "ids": ["n-2", "n-3"], "topic": "news.raw"}
    assert [e.id for e in api.ingest.sent] == ["n-1", "n-2", "n-3"]


async def test_invalid_events_answer_422_with_field_errors_and_nothing_is_sent(
    api_settings: Settings,
) -> None:
    api = build(api_settings)
    r = await api.client.post("/v1/news", json=[event(1), {"title": "no id"}, {"id": 5}, "x"])
    assert r.status_code == 422
    body = r.json()
    assert body["error"] == "invalid_event"
    where = {(e["index"], tuple(e["loc"])) for e in body["detail"]}
    assert (1, ("id",)) in where
    assert (2, ("id",)) in where
    assert (3, ()) in where
    assert all("input" not in e for e in body["detail"])
    assert api.ingest.sent == []


@pytest.mark.parametrize(
    ("payload", "status", "code"),
    [
        (b"{not json", 400, "not_json"),
        (b"[]", 422, "invalid_event"),
        (json.dumps([event(i) for i in range(6)]).encode(), 413, "batch_too_large"),
        (json.dumps(event(1, body="x" * 6_000)).encode(), 413, "event_too_large"),
        (json.dumps(event(1, body="x" * 30_000)).encode(), 413, "body_too_large"),
    ],
)
async def test_refused_bodies(
    api_settings: Settings, payload: bytes, status: int, code: str
) -> None:
    api = build(api_settings)
    r = await api.client.post("/v1/news", content=payload)
    assert (r.status_code, r.json()["error"]) == (status, code)
    assert api.ingest.sent == []


async def test_a_chunked_body_over_the_limit_is_refused_without_content_length(
    api_settings: Settings,
) -> None:
    api = build(api_settings)

    async def chunks() -> Any:
        for _ in range(30):
            yield b" " * 1000

    r = await api.client.post("/v1/news", content=chunks())
    assert r.status_code == 413


async def test_unacknowledged_events_answer_503_never_202(api_settings: Settings) -> None:
    api = build(api_settings)
    api.ingest.fail = BrokerUnavailable("broker did not acknowledge in time", ["n-1"])
    r = await api.client.post("/v1/news", json=[event(1), event(2)])
    assert r.status_code == 503
    assert r.json()["detail"]["acknowledged"] == ["n-1"]
    assert r.headers["retry-after"]


async def test_bearer_token_is_required_when_configured(api_settings: Settings) -> None:
    api = build(api_settings.model_copy(update={"api_token": SecretStr(TOKEN)}))
    assert (await api.client.post("/v1/news", json=event())).status_code == 401
    wrong = {"Authorization": "Bearer " + TOKEN[:-1] + "x"}
    assert (await api.client.post("/v1/news", json=event(), headers=wrong)).status_code == 401
    basic = {"Authorization": "Basic " + TOKEN}
    assert (await api.client.post("/v1/news", json=event(), headers=basic)).status_code == 401
    ok = {"Authorization": f"Bearer {TOKEN}"}
    r = await api.client.post("/v1/news", json=event(), headers=ok)
    assert r.status_code == 202
    assert r.headers.get("www-authenticate") is None
    # probes stay open for orchestrators and Prometheus
    assert (await api.client.get("/healthz")).status_code == 200
    assert (await api.client.get("/metrics")).status_code == 200


async def test_each_client_is_rate_limited_with_retry_after(api_settings: Settings) -> None:
    api = build(api_settings.model_copy(update={"api_rate_per_s": 2.0, "api_rate_burst": 3}))
    codes = [(await api.client.get("/v1/alerts")).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    limited = await api.client.get("/v1/alerts")
    assert limited.headers["retry-after"] == "1"
    api.clock.now += 0.5  # one token back at 2/s
    assert (await api.client.get("/v1/alerts")).status_code == 200
    assert (await api.client.get("/healthz")).status_code == 200  # probes are not limited


async def test_alerts_are_filtered_by_kind_company_and_since(api_settings: Settings) -> None:
    api = build(api_settings)
    t = datetime(2026, 3, 1, tzinfo=UTC)
    api.ring.add(make_alert("a-1"), t)
    api.ring.add(
        make_alert("a-2", kind="gpu_procurement", rule="gpu_threshold", company="Halden AI"), t
    )
    api.ring.add(make_alert("a-3", occurred_at=datetime(2026, 3, 5, tzinfo=UTC)), t)
    api.ring.add(make_alert("a-1"), t)  # a redelivery replaces itself
    everything = (await api.client.get("/v1/alerts")).json()["alerts"]
    assert [a["alert_id"] for a in everything] == ["a-1", "a-3", "a-2"]
    assert all(a["article_id"] == "art-1" for a in everything)
    gpu = (await api.client.get("/v1/alerts", params={"kind": "gpu_procurement"})).json()
    assert [a["alert_id"] for a in gpu["alerts"]] == ["a-2"]
    by_company = await api.client.get("/v1/alerts", params={"company": "halden ai"})
    assert [a["alert_id"] for a in by_company.json()["alerts"]] == ["a-2"]
    recent = await api.client.get("/v1/alerts", params={"since": "2026-03-04T00:00:00Z"})
    assert [a["alert_id"] for a in recent.json()["alerts"]] == ["a-3"]
    one = await api.client.get("/v1/alerts", params={"limit": "1"})
    assert len(one.json()["alerts"]) == 1
    for bad in ({"kind": "weather"}, {"since": "yesterday"}, {"limit": "-3"}):
        assert (await api.client.get("/v1/alerts", params=bad)).status_code == 422


@dataclass
class Record:
    topic: str
    key: bytes
    value: bytes | None
    partition: int = 0
    offset: int = 0


def changelog(topic: str, key: str, start: float, end: float, members: Any) -> Record:
    value = None if members is None else json.dumps(members).encode()
    return Record(topic, json.dumps([key, [start, end]]).encode(), value)


async def test_aggregates_come_from_the_changelog_replica(api_settings: Settings) -> None:
    api = build(api_settings)
    key = "Nordwind Labs\x1ffunding"
    h, d = 1_772_438_400.0, 86_400.0  # 2026-03-02T08:00Z
    # today's window: two signals of the 08:00 hour, one of the hour before, and one written
    # before members carried their event time (counted in its day, in no hour)
    members = {
        "s1": ["wire", 3e8, 0, 1, h + 10],
        "s2": ["daily", 1e8, 0, 2, h + 20],
        "s0": ["wire", 5.0, 0, 0, h - 3600 + 5],
        "u": ["wire", 0.0, 0],
    }
    day = h - 8 * 3600
    api.replica.apply(changelog("cl-1d", key, day, day + d, members))
    # the 7 d figures: the daily windows of the last 7 days (6 days ago in, 7 days ago out; a
    # signal in two daily windows counted once)
    api.replica.apply(
        changelog("cl-1d", key, day - 6 * d, day - 5 * d, {"s6": ["b", 2.0, 1, 0, day - 6 * d]})
    )
    api.replica.apply(
        changelog("cl-1d", key, day - 3 * d, day - 2 * d, {"s1": ["wire", 3e8, 0, 1, h - 3 * d]})
    )
    api.replica.apply(
        changelog("cl-1d", key, day - 7 * d, day - 6 * d, {"s7": ["c", 4.0, 0, 0, day - 7 * d]})
    )
    r = await api.client.get("/v1/companies/nordwind labs/aggregates")
    assert r.status_code == 200
    funding = {w["window"]: w for w in r.json()["figures"]["funding"]}
    assert funding["1h"]["count"] == 2
    assert funding["1h"]["amount_usd"] == 4e8
    assert funding["1h"]["sources"] == 2
    assert funding["1h"]["start"].startswith("2026-03-02T08:00:00")
    assert funding["1d"]["count"] == 4
    assert funding["1d"]["start"].startswith("2026-03-02T00:00:00")
    week = funding["7d"]
    assert (week["count"], week["amount_usd"], week["quantity"], week["sources"]) == (
        5,
        4e8 + 7,
        1,
        3,
    )
    assert week["start"].startswith("2026-02-24T00:00:00")
    assert week["end"].startswith("2026-03-03T00:00:00")
    assert WindowFigures.model_validate(funding["7d"]).window == "7d"
    api.replica.apply(changelog("cl-1d", key, day, day + d, None))  # a tombstone
    after = (await api.client.get("/v1/companies/Nordwind Labs/aggregates")).json()
    left = {w["window"]: w for w in after["figures"]["funding"]}
    # now the newest day left, 3 days ago: its hour is past the 2 h the hourly figures are kept
    assert set(left) == {"1d", "7d"}
    assert (left["1d"]["count"], left["7d"]["count"]) == (1, 3)  # with 6 and 7 days before it
    missing = await api.client.get("/v1/companies/Nobody/aggregates")
    assert (missing.status_code, missing.json()["error"]) == (404, "unknown_company")


async def test_top_companies_by_window(api_settings: Settings) -> None:
    api = build(api_settings)
    h = 1_772_438_400.0
    day = h - 8 * 3600
    rows = [
        ("Nordwind Labs", "funding", {"a": ["w", 3e8, 0, 0, h], "b": ["x", 1e8, 0, 1, h + 1]}),
        ("Nordwind Labs", "revenue", {"c": ["w", 0, 0, 0, h]}),
        ("Halden AI", "gpu_procurement", {"d": ["w", 0, 20000, 0, h]}),
        # an older hour of Brume's does not count in its most recent 1 h window
        ("Brume", "funding", {"e": ["w", 5e7, 0, 1, h], "z": ["w", 1, 0, 0, h - 7200]}),
    ]
    for company, kind, members in rows:
        api.replica.apply(changelog("cl-1d", f"{company}\x1f{kind}", day, day + 86400, members))
    top = (await api.client.get("/v1/companies/top", params={"window": "1h"})).json()
    assert [(r["company"], r["count"]) for r in top["companies"]] == [
        ("Nordwind Labs", 3),
        ("Brume", 1),
        ("Halden AI", 1),
    ]
    gpu = await api.client.get(
        "/v1/companies/top", params={"window": "1h", "kind": "gpu_procurement"}
    )
    assert [(r["company"], r["quantity"]) for r in gpu.json()["companies"]] == [
        ("Halden AI", 20000)
    ]
    one = await api.client.get("/v1/companies/top", params={"limit": "1"})
    assert len(one.json()["companies"]) == 1
    assert (await api.client.get("/v1/companies/top", params={"window": "2h"})).status_code == 422
    week = (await api.client.get("/v1/companies/top", params={"window": "7d"})).json()
    assert [(r["company"], r["count"]) for r in week["companies"]] == [
        ("Nordwind Labs", 3),
        ("Brume", 2),
        ("Halden AI", 1),
    ]


async def test_subscriptions_listing_is_served(api_settings: Settings) -> None:
    listing = [{"id": "desk", "target": "https://hooks.example.com/in", "enabled": True}]
    api = build(api_settings, listing)
    r = await api.client.get("/v1/subscriptions")
    assert r.json() == {"subscriptions": listing}


async def test_readyz_is_red_when_a_check_fails(api_settings: Settings) -> None:
    api = build(api_settings)
    assert (await api.client.get("/readyz")).status_code == 200
    api.ready["broker"] = False
    r = await api.client.get("/readyz")
    assert r.status_code == 503
    assert r.json() == {
        "ready": False,
        "checks": {"broker": False, "alerts_partitions_assigned": True},
    }


async def test_metrics_is_a_plain_route_and_counts_requests(api_settings: Settings) -> None:
    api = build(api_settings)
    await api.client.post("/v1/news", json=event(1))
    await api.client.post("/v1/news", json={"title": "no id"})
    r = await api.client.get("/metrics")  # no redirect: a mount would answer 307
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/plain")
    text = r.text
    assert 'signals_api_requests_total{code="202",method="POST",route="/v1/news"} 1.0' in text
    assert 'signals_api_requests_total{code="422",method="POST",route="/v1/news"} 1.0' in text
    assert "signals_api_events_accepted_total 1.0" in text


async def test_openapi_describes_every_route_and_docs_points_to_it(api_settings: Settings) -> None:
    api = build(api_settings)
    spec = (await api.client.get("/openapi.json")).json()
    assert spec["openapi"].startswith("3.1")
    assert set(spec["paths"]) >= {
        "/v1/news",
        "/v1/alerts",
        "/v1/companies/{company}/aggregates",
        "/v1/subscriptions",
        "/healthz",
        "/readyz",
        "/metrics",
    }
    assert {"NewsEvent", "Alert", "WindowFigures"} <= set(spec["components"]["schemas"])
    docs = await api.client.get("/docs")
    assert docs.status_code == 200
    assert "/openapi.json" in docs.text


@pytest.mark.parametrize("body", ["x" * 5_000, "x" * 5_001, "é" * 2_500, "é" * 2_501, "€" * 1_700])
async def test_the_api_refuses_exactly_what_the_worker_would_reject_as_too_large(
    api_settings: Settings, body: str
) -> None:
    api = build(api_settings)
    r = await api.client.post("/v1/news", json=event(1, body=body))
    try:
        decode_event(json.dumps(event(1, body=body)).encode(), api_settings.max_body_bytes)
        worker_rejects = False
    except DecodeError as exc:
        worker_rejects = exc.reason == "too_large"
    assert (r.status_code == 413) == worker_rejects

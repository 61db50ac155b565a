"""Every Prometheus metric of the service, declared in one place.

``Metrics.create(registry, prefix)`` (modelled on faust's ``FaustMetrics.create``) registers them
on the registry it is given, so each test can use a fresh ``CollectorRegistry()``. Labels are
bounded: kind, reason, stage, rule, severity, outcome, topic, table, window. Never a company
name or an id.
"""

from __future__ import annotations

from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

# Seconds from a news event entering the pipeline to an alert leaving it, and webhook latency.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)


@dataclass(frozen=True)
class Metrics:
    """The service's metrics. Build with :meth:`create`; never instantiate globally."""

    registry: CollectorRegistry
    news_ingested: Counter
    news_rejected: Counter
    signals_detected: Counter
    alerts_emitted: Counter
    webhook_deliveries: Counter
    webhook_latency: Histogram
    alert_latency: Histogram
    consumer_lag: Gauge
    table_size: Gauge
    duplicates_dropped: Counter
    feeds_polled: Counter
    feed_items: Counter
    story_articles: Counter
    story_index_articles: Gauge
    signals_corroborated: Counter
    api_requests: Counter
    api_latency: Histogram
    api_events_accepted: Counter

    @classmethod
    def create(cls, registry: CollectorRegistry, prefix: str = "signals") -> Metrics:
        """Register every metric on ``registry`` under ``prefix``."""
        p = prefix
        r = registry
        return cls(
            registry=r,
            news_ingested=Counter(
                f"{p}_news_ingested", "News events read from the input topic", registry=r
            ),
            news_rejected=Counter(
                f"{p}_news_rejected",
                "Messages sent to the dead-letter topic, by reason and stage",
                ["reason", "stage"],
                registry=r,
            ),
            signals_detected=Counter(
                f"{p}_signals_detected", "Signals detected, by kind", ["kind"], registry=r
            ),
            alerts_emitted=Counter(
                f"{p}_alerts_emitted",
                "Alerts sent, by rule and severity",
                ["rule", "severity"],
                registry=r,
            ),
            webhook_deliveries=Counter(
                f"{p}_webhook_deliveries",
                "Webhook delivery attempts, by outcome",
                ["outcome"],
                registry=r,
            ),
            webhook_latency=Histogram(
                f"{p}_webhook_delivery_seconds",
                "Latency of one webhook delivery attempt",
                buckets=LATENCY_BUCKETS,
                registry=r,
            ),
            alert_latency=Histogram(
                f"{p}_alert_latency_seconds",
                "Wall time from a news event being read to its alert being sent",
                buckets=LATENCY_BUCKETS,
                registry=r,
            ),
            consumer_lag=Gauge(
                f"{p}_consumer_lag_messages",
                "Messages not yet processed, by topic",
                ["topic"],
                registry=r,
            ),
            table_size=Gauge(
                f"{p}_table_keys",
                "Keys held in a table, by table",
                ["table"],
                registry=r,
            ),
            duplicates_dropped=Counter(
                f"{p}_duplicates_dropped",
                "Inputs or signals dropped because they were already seen, by stage",
                ["stage"],
                registry=r,
            ),
            feeds_polled=Counter(
                f"{p}_feeds_polled", "Feed polls, by outcome", ["outcome"], registry=r
            ),
            feed_items=Counter(
                f"{p}_feed_items",
                "Feed items read, by outcome: published | already_seen | invalid",
                ["outcome"],
                registry=r,
            ),
            story_articles=Counter(
                f"{p}_story_articles",
                "Articles grouped into stories, by outcome: new (a new story group) |"
                " near_duplicate | duplicate_id | duplicate_url | duplicate_text (dropped)",
                ["outcome"],
                registry=r,
            ),
            story_index_articles=Gauge(
                f"{p}_story_index_articles",
                "Recent articles held by the story index for near-duplicate matching",
                registry=r,
            ),
            signals_corroborated=Counter(
                f"{p}_signals_corroborated",
                "Story signals re-published because another outlet reported them, by kind",
                ["kind"],
                registry=r,
            ),
            api_requests=Counter(
                f"{p}_api_requests",
                "HTTP API requests, by route template, method and status code",
                ["route", "method", "code"],
                registry=r,
            ),
            api_latency=Histogram(
                f"{p}_api_request_seconds",
                "HTTP API request duration, by route template",
                ["route"],
                buckets=LATENCY_BUCKETS,
                registry=r,
            ),
            api_events_accepted=Counter(
                f"{p}_api_events_accepted",
                "News events the broker acknowledged for POST /v1/news (answered 202)",
                registry=r,
            ),
        )

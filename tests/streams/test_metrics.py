from __future__ import annotations

from prometheus_client import CollectorRegistry, generate_latest

from streams.metrics import Metrics


def test_metrics_register_on_the_given_registry_only() -> None:
    one, two = CollectorRegistry(), CollectorRegistry()
    a = Metrics.create(one)
    Metrics.create(two)  # a second registry does not collide
    a.news_rejected.labels("not_json", "decode").inc()
    a.alerts_emitted.labels("surge", "warning").inc(2)
    text = generate_latest(one).decode()
    assert 'signals_news_rejected_total{reason="not_json",stage="decode"} 1.0' in text
    assert 'signals_alerts_emitted_total{rule="surge",severity="warning"} 2.0' in text
    assert "signals_news_rejected_total{" not in generate_latest(two).decode()


def test_prefix_and_base_units() -> None:
    registry = CollectorRegistry()
    m = Metrics.create(registry, prefix="ms")
    m.alert_latency.observe(0.2)
    m.webhook_latency.observe(0.01)
    m.consumer_lag.labels("news.raw").set(3)
    text = generate_latest(registry).decode()
    assert "ms_alert_latency_seconds_bucket" in text
    assert "ms_webhook_delivery_seconds_count 1.0" in text
    assert 'ms_consumer_lag_messages{topic="news.raw"} 3.0' in text

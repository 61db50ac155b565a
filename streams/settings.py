"""The one settings object of the service, read from ``SIGNALS_*`` environment variables."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Every knob of the service. Each field ``foo`` is read from ``SIGNALS_FOO``."""

    model_config = SettingsConfigDict(env_prefix="SIGNALS_", extra="ignore")

    # broker
    broker: str | None = Field(
        default=None,
        description="Kafka bootstrap URL (kafka://host:9092[;host2:9092]); unset: embedded broker",
    )
    embedded_broker: bool = Field(
        default=False,
        description="Set by the CLI when it started the embedded broker (Tansu-friendly settings)",
    )
    security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = "PLAINTEXT"
    sasl_mechanism: Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] | None = None
    sasl_username: str | None = None
    sasl_password: SecretStr | None = None
    ssl_cafile: Path | None = None

    # app and state
    app_id: str = "market-signals"
    data_dir: Path = Field(default=Path("data"), description="Table state (RocksDB) lives here")
    store: Literal["rocksdb", "memory"] = "rocksdb"
    partitions: int = Field(default=4, ge=1, description="Partitions of every topic created")
    replication_factor: int = Field(default=1, ge=1)
    web_host: str = "127.0.0.1"
    web_port: int = Field(default=6066, description="Faust's own web server")
    web_enabled: bool = Field(
        default=False, description="Run faust's own web server on web_host:web_port"
    )
    session_timeout_s: float = 10.0
    heartbeat_interval_s: float = 1.0
    rebalance_timeout_s: float = 10.0
    commit_interval_s: float = Field(default=2.8, gt=0, description="Offset commit interval")
    fetch_max_wait_ms: int = Field(
        default=100,
        ge=1,
        le=30_000,
        description="Longest wait of the worker's fetches for new records (faust hard-codes 1500)",
    )
    producer_linger_ms: float = Field(
        default=5.0, ge=0, description="How long the worker's producer waits to fill a batch"
    )
    producer_batch_bytes: int = Field(
        default=1_000_000, ge=1, description="Largest batch of the worker's producer, in bytes"
    )
    batch_max: int = Field(
        default=1000, ge=1, description="Signals aggregated per batch (one table write per window)"
    )
    batch_within_s: float = Field(
        default=0.05, gt=0, description="Longest wait for a batch to fill (adds to latency)"
    )

    # topics
    topic_news_raw: str = "news.raw"
    topic_news_rejected: str = "news.rejected"
    topic_signals_detected: str = "signals.detected"
    topic_signals_alerts: str = "signals.alerts"
    topic_webhooks_dead: str = "webhooks.dead"
    topic_webhooks_retry: str = Field(
        default="webhooks.retry", description="Pending webhook deliveries (internal)"
    )
    topic_webhooks_state: str = Field(
        default="webhooks.state", description="Disabled subscriptions (internal)"
    )

    # input limits
    max_body_bytes: int = Field(default=1_000_000, ge=1, description="Larger events are rejected")

    # stories: duplicates dropped, rewrites grouped, signals corroborated (streams/stories.py)
    stories_enabled: bool = Field(
        default=True, description="Run the story stage between news.raw and detection"
    )
    story_window_s: float = Field(
        default=48 * 3600.0, gt=0, description="Event-time span of articles a rewrite can match"
    )
    story_max_articles: int = Field(default=20_000, ge=1, description="Articles kept for matching")

    # alert rules
    funding_threshold_usd: float = 100_000_000.0
    gpu_threshold: int = 10_000
    revenue_change_pct: float = 20.0
    surge_min_signals: int = 3
    surge_min_sources: int = 2
    surge_window_s: int = 3600

    # delivery and API
    webhooks_config: Path | None = Field(default=None, description="YAML/JSON subscriptions file")
    webhook_timeout_s: float = Field(default=5.0, gt=0, description="Per delivery attempt")
    webhook_max_attempts: int = Field(default=10, ge=1, description="Then webhooks.dead")
    webhook_backoff_initial_s: float = Field(default=1.0, gt=0)
    webhook_backoff_max_s: float = Field(default=600.0, gt=0)
    webhook_concurrency: int = Field(default=16, ge=1, description="Attempts in flight")
    api_host: str = "127.0.0.1"
    api_port: int = 8080
    api_token: SecretStr | None = Field(default=None, description="Bearer token for POST /v1/news")
    api_max_body_bytes: int = Field(default=5_000_000, ge=1, description="413 above this")
    api_max_batch: int = Field(default=500, ge=1, description="Events per POST /v1/news")
    api_rate_per_s: float = Field(default=20.0, gt=0, description="Requests/s per client")
    api_rate_burst: int = Field(default=40, ge=1, description="Burst of requests per client")
    api_send_timeout_s: float = Field(default=5.0, gt=0, description="503 past this")
    api_recent_alerts: int = Field(default=1000, ge=1, description="Alerts kept for GET")

    log_level: str = "WARNING"

    def bootstrap_servers(self) -> str:
        """``host:port[,host:port]`` for Kafka clients."""
        if not self.broker:
            raise ValueError("no broker configured")
        url = self.broker.split("://", 1)[-1]
        return ",".join(part for part in url.replace(";", ",").split(",") if part)

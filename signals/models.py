"""The contract the topics carry: input events, signals, alerts and dead letters.

Every model here is pydantic v2, JSON-serialisable, and is the payload of a public topic
(``news.raw``, ``signals.detected``, ``signals.alerts``, ``news.rejected``). JSON Schemas in
``schemas/`` are generated from these classes. Every output message carries ``schema_version``.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from signals.ids import stable_id as stable_id  # re-exported: its home before signals.ids

SCHEMA_VERSION = 1

Kind = Literal["funding", "gpu_procurement", "revenue"]
KINDS: tuple[Kind, ...] = ("funding", "gpu_procurement", "revenue")
FundingStatus = Literal["completed", "pending"]
GpuStatus = Literal["acquired", "ordered", "operates", "targets"]
Direction = Literal["up", "down"]
Severity = Literal["info", "warning", "critical"]
SEVERITIES: tuple[Severity, ...] = ("info", "warning", "critical")
_PARTIAL_DATE = re.compile(r"\d{4}(-\d{2})?")


class NewsEvent(BaseModel):
    """One news item on ``news.raw``. Only ``id`` is required."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    id: str = Field(min_length=1, max_length=512, description="Stable id of the article")
    title: str | None = None
    body: str = ""
    language: str | None = Field(
        default=None, description="ISO 639-1 code ('fr', 'en'); detected when absent"
    )
    url: str | None = None
    source: str | None = Field(default=None, description="Outlet or feed the item came from")
    published_at: datetime | None = Field(
        default=None, description="ISO 8601; a bare 'YYYY' or 'YYYY-MM' means its first day"
    )

    @field_validator("published_at", mode="before")
    @classmethod
    def _partial_date(cls, value: object) -> object:
        # news sources often give only a month or a year
        if isinstance(value, str) and _PARTIAL_DATE.fullmatch(value.strip()):
            year, _, month = value.strip().partition("-")
            return f"{year}-{month or '01'}-01"
        return value

    @field_validator("published_at")
    @classmethod
    def _utc_when_naive(cls, value: datetime | None) -> datetime | None:
        return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


class Evidence(BaseModel):
    """Where a signal was read: the sentence, and offsets into the event's title or body."""

    model_config = ConfigDict(frozen=True)

    field: Literal["title", "body"]
    start: int = Field(ge=0, description="Offset of the sentence's first character")
    end: int = Field(ge=0, description="Offset one past the sentence's last character")
    sentence: str
    highlights: list[tuple[int, int]] = Field(
        default_factory=list,
        description="Spans (relative to the sentence) of the company and figures used",
    )


class Signal(BaseModel):
    """One detected market signal: the payload of ``signals.detected``.

    Fields that do not apply to a kind are null. Figures are only set when the text states them.
    """

    model_config = ConfigDict(frozen=True)

    schema_version: int = SCHEMA_VERSION
    signal_id: str = Field(description="Deterministic from article id and signal content")
    article_id: str
    kind: Kind
    company: str = Field(description="Canonical company name")
    company_mention: str = Field(description="The company as written in the text")
    language: str
    confidence: float = Field(ge=0.0, le=1.0)
    hedged: bool = Field(default=False, description="Conditional, 'reportedly', 'selon ...'")
    evidence: Evidence
    source: str | None = None
    published_at: datetime | None = None
    # funding
    amount: float | None = None
    currency: str | None = Field(default=None, description="ISO 4217 code")
    amount_usd: float | None = None
    fx_date: date | None = Field(default=None, description="Date of the rate used for amount_usd")
    round: str | None = None
    valuation: float | None = None
    valuation_currency: str | None = None
    investors: list[str] = Field(default_factory=list)
    status: FundingStatus | GpuStatus | None = None
    # gpu_procurement
    quantity: int | None = None
    vendor: str | None = None
    model: str | None = None
    # revenue
    metric: str | None = None
    direction: Direction | None = None
    change_pct: float | None = None
    period: str | None = None
    # story: the same fact told by several outlets is one signal (see signals/corroboration.py)
    story_id: str | None = Field(
        default=None, description="Story group of the article: its rewrites share it"
    )
    sources: int = Field(default=1, ge=1, description="Distinct outlets reporting this fact")
    corroboration: float = Field(
        default=0.0,
        ge=0.0,
        le=1.0,
        description="Support from the other outlets (noisy-OR of their confidence); 0 alone",
    )


# The service's models below are never used by detect(): ``defer_build`` builds each one's
# validator on its first use, not when a detect process imports signals.


class WindowFigures(BaseModel):
    """Aggregates of one company and kind over one window."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    window: Literal["1h", "1d", "7d"]
    start: datetime
    end: datetime
    count: int = 0
    amount_usd: float = 0.0
    quantity: int = 0
    sources: int = 0


class Alert(BaseModel):
    """One alert: the payload of ``signals.alerts`` and the ``data`` of a webhook."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    schema_version: int = SCHEMA_VERSION
    alert_id: str = Field(description="Deterministic: a replayed input yields the same id")
    rule: str = Field(description="funding_threshold | gpu_threshold | revenue_change | surge")
    severity: Severity
    kind: Kind
    company: str
    article_id: str
    summary: str
    signals: list[Signal]
    windows: list[WindowFigures] = Field(default_factory=list)
    occurred_at: datetime | None = Field(
        default=None, description="Event time of the triggering news (not wall clock)"
    )


class RejectedMessage(BaseModel):
    """A dead letter on ``news.rejected``: the original bytes and why they were refused."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    schema_version: int = SCHEMA_VERSION
    reason: str = Field(
        description="not_json | not_utf8 | invalid_event | too_large | not_object"
        " | processing_error"
    )
    stage: str = Field(description="decode | validate | detect | aggregate | alert")
    detail: str = ""
    topic: str
    partition: int
    offset: int
    key_b64: str | None = None
    value_b64: str = Field(description="The original message value, base64")


class WebhookMessage(BaseModel):
    """The JSON body of a webhook delivery (Standard Webhooks: ``{type, timestamp, data}``)."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    type: Literal["alert.created"] = "alert.created"
    timestamp: datetime = Field(description="When the alert was first handed to delivery")
    data: Alert


class DeadWebhook(BaseModel):
    """A webhook delivery given up on: the payload of ``webhooks.dead``. Never holds a secret."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    schema_version: int = SCHEMA_VERSION
    webhook_id: str = Field(description="The webhook-id header every attempt carried")
    subscription_id: str
    target: str = Field(description="The URL without credentials, query or fragment")
    reason: str = Field(
        description="client_error | gone | retries_exhausted | target_refused | redirect"
        " | subscription_disabled | subscription_removed"
    )
    status_code: int | None = Field(default=None, description="HTTP status of the last attempt")
    attempts: int = Field(ge=0, description="Attempts made")
    detail: str = ""
    first_attempt_at: datetime
    failed_at: datetime
    alert: Alert

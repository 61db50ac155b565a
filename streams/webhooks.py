"""Signed webhook delivery per the Standard Webhooks spec: one attempt, and what to do next.

Every request carries ``webhook-id`` (stable per alert and subscription: the receiver's
idempotency key), ``webhook-timestamp`` (seconds, fresh on each attempt) and
``webhook-signature`` = ``v1,`` + base64 HMAC-SHA256 of ``{id}.{timestamp}.{body}`` keyed with
the base64-decoded ``whsec_`` secret. The body is ``{type, timestamp, data}``
(:class:`~signals.models.WebhookMessage`) and is byte-identical on every attempt.

Retry policy (:func:`decide`): timeouts, connection errors, 5xx, 408 and 429 are retried with
exponential backoff and jitter, or after ``Retry-After`` when the receiver sends one; any other
4xx, a 3xx (redirects are not followed) or an SSRF refusal goes straight to ``webhooks.dead``;
410 Gone disables the subscription. After ``max_attempts`` the delivery is dead-lettered.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import ipaddress
import random
import socket
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Literal
from urllib.parse import urlsplit

import httpx
from pydantic import BaseModel, ConfigDict, Field

from signals.models import SCHEMA_VERSION, Alert, DeadWebhook, WebhookMessage, stable_id
from streams.settings import Settings
from streams.subscriptions import Subscription, TargetRefused, check_resolved, check_url

Clock = Callable[[], float]
Resolver = Callable[[str, int], Awaitable[list[str]]]
Action = Literal["delivered", "retry", "dead", "disable"]
USER_AGENT = "market-signals-webhooks/1"


class PendingWebhook(BaseModel):
    """A delivery not yet done: the payload of the internal ``webhooks.retry`` topic."""

    model_config = ConfigDict(frozen=True)

    schema_version: int = SCHEMA_VERSION
    webhook_id: str
    subscription_id: str
    attempts: int = Field(default=0, ge=0, description="Attempts already made")
    due_at: float = Field(description="Epoch seconds of the next attempt")
    created_at: datetime = Field(description="The body's timestamp, fixed for every attempt")
    first_attempt_at: datetime | None = None
    last_status: int | None = None
    last_error: str = ""
    alert: Alert


def webhook_id(alert_id: str, subscription_id: str) -> str:
    """The ``webhook-id`` of an alert sent to a subscription: same inputs, same id."""
    return "msg_" + stable_id("webhook", alert_id, subscription_id, length=32)


def pending_for(alert: Alert, subscription: Subscription, now: float) -> PendingWebhook:
    """A first delivery, due now. The body timestamp is the alert's event time when known."""
    created = alert.occurred_at or datetime.fromtimestamp(now, UTC)
    return PendingWebhook(
        webhook_id=webhook_id(alert.alert_id, subscription.id),
        subscription_id=subscription.id,
        due_at=now,
        created_at=created,
        alert=alert,
    )


def message_body(pending: PendingWebhook) -> bytes:
    """The JSON body: ``{type, timestamp, data}``, identical on every attempt."""
    message = WebhookMessage(timestamp=pending.created_at, data=pending.alert)
    return message.model_dump_json().encode("utf-8")


def signature(key: bytes, msg_id: str, timestamp: int, body: bytes) -> str:
    """``v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">``."""
    signed = f"{msg_id}.{timestamp}.".encode() + body
    digest = hmac.new(key, signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode("ascii")


def signed_headers(key: bytes, msg_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    """The Standard Webhooks headers of one attempt."""
    return {
        "content-type": "application/json",
        "user-agent": USER_AGENT,
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature(key, msg_id, timestamp, body),
    }


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with jitter: attempt n waits up to ``initial * 2**(n-1)``, capped."""

    max_attempts: int = 10
    initial_s: float = 1.0
    max_s: float = 600.0

    @classmethod
    def from_settings(cls, settings: Settings) -> RetryPolicy:
        return cls(
            max_attempts=settings.webhook_max_attempts,
            initial_s=settings.webhook_backoff_initial_s,
            max_s=settings.webhook_backoff_max_s,
        )

    def backoff(self, attempts: int, rng: random.Random) -> float:
        """Delay after ``attempts`` failed attempts: uniform in [d/2, d] ("equal jitter")."""
        ceiling = min(self.max_s, self.initial_s * 2.0 ** max(0, attempts - 1))
        return ceiling / 2 + rng.random() * ceiling / 2


@dataclass(frozen=True)
class Attempt:
    """What one attempt observed: an HTTP status, or an error kind and detail."""

    status: int | None = None
    error: Literal["timeout", "connect", "refused"] | None = None
    detail: str = ""
    retry_after: str | None = None
    duration_s: float | None = None


@dataclass(frozen=True)
class Decision:
    """What to do after an attempt. ``reason`` is a bounded dead-letter reason."""

    action: Action
    reason: str = ""
    delay_s: float = 0.0


RETRYABLE_STATUS = frozenset({408, 429})


def retry_after_s(value: str | None, now: float) -> float | None:
    """Seconds asked for by a ``Retry-After`` header (delta-seconds or HTTP-date), if valid."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, when.timestamp() - now)


def decide(
    attempt: Attempt, attempts_made: int, policy: RetryPolicy, rng: random.Random, now: float
) -> Decision:
    """The retry policy. ``attempts_made`` counts the attempt just observed."""
    status = attempt.status
    if status is not None and 200 <= status < 300:
        return Decision("delivered")
    if attempt.error == "refused":
        return Decision("dead", "target_refused")
    if status == 410:
        return Decision("disable", "gone")
    retryable = attempt.error is not None or (
        status is not None and (status >= 500 or status in RETRYABLE_STATUS)
    )
    if not retryable:
        redirect = status is not None and status < 400
        return Decision("dead", "redirect" if redirect else "client_error")
    if attempts_made >= policy.max_attempts:
        return Decision("dead", "retries_exhausted")
    asked = retry_after_s(attempt.retry_after, now)
    delay = policy.backoff(attempts_made, rng) if asked is None else min(asked, policy.max_s)
    return Decision("retry", delay_s=delay)


async def resolve(host: str, port: int) -> list[str]:
    """The addresses ``host`` resolves to (the default resolver)."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


class WebhookSender:
    """Makes one signed attempt. The HTTP transport, clock and resolver are injected."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        *,
        timeout_s: float,
        allow_private: bool,
        clock: Clock = time.time,
        resolver: Resolver = resolve,
    ) -> None:
        self._client = client
        self._timeout_s = timeout_s
        self._allow_private = allow_private
        self._clock = clock
        self._resolver = resolver

    async def _check_target(self, url: str) -> None:
        check_url(url, self._allow_private)
        if self._allow_private:
            return
        parts = urlsplit(url)
        host = parts.hostname or ""
        try:
            ipaddress.ip_address(host)
            return  # a literal address was checked by check_url
        except ValueError:
            pass
        port = parts.port or (443 if parts.scheme == "https" else 80)
        check_resolved(await self._resolver(host, port), self._allow_private)

    async def attempt(self, subscription: Subscription, pending: PendingWebhook) -> Attempt:
        """POST the signed body once; never raises for network or HTTP failures."""
        try:
            await self._check_target(subscription.url)
        except TargetRefused as exc:
            return Attempt(error="refused", detail=str(exc))
        except OSError as exc:  # DNS failure: maybe transient
            return Attempt(error="connect", detail=f"resolve: {type(exc).__name__}")
        body = message_body(pending)
        headers = signed_headers(subscription.key(), pending.webhook_id, int(self._clock()), body)
        started = time.perf_counter()
        try:
            async with asyncio.timeout(self._timeout_s):
                async with self._client.stream(
                    "POST",
                    subscription.url,
                    content=body,
                    headers=headers,
                    timeout=self._timeout_s,
                    follow_redirects=False,
                ) as response:
                    # the body is not read: a receiver cannot make us buffer megabytes
                    status = response.status_code
                    retry_after = response.headers.get("retry-after")
        except (TimeoutError, httpx.TimeoutException):
            return Attempt(
                error="timeout",
                detail=f"no answer within {self._timeout_s:g}s",
                duration_s=time.perf_counter() - started,
            )
        except httpx.HTTPError as exc:
            # the exception text may quote the URL (and its credentials): keep the type only
            return Attempt(
                error="connect",
                detail=type(exc).__name__,
                duration_s=time.perf_counter() - started,
            )
        return Attempt(
            status=status, retry_after=retry_after, duration_s=time.perf_counter() - started
        )


def dead_letter(
    pending: PendingWebhook,
    target: str,
    reason: str,
    *,
    now: float,
    attempt: Attempt | None = None,
) -> DeadWebhook:
    """The ``webhooks.dead`` record of a delivery given up on."""
    failed_at = datetime.fromtimestamp(now, UTC)
    status = attempt.status if attempt is not None else pending.last_status
    detail = attempt.detail if attempt is not None else pending.last_error
    if attempt is not None and attempt.status is not None and not detail:
        detail = f"HTTP {attempt.status}"
    return DeadWebhook(
        webhook_id=pending.webhook_id,
        subscription_id=pending.subscription_id,
        target=target,
        reason=reason,
        status_code=status,
        attempts=pending.attempts + (1 if attempt is not None else 0),
        detail=detail,
        first_attempt_at=pending.first_attempt_at or failed_at,
        failed_at=failed_at,
        alert=pending.alert,
    )

"""The delivery stage without Kafka: fan an alert out to subscriptions, run one attempt, act.

What happens after an attempt goes through a :class:`DeliverySink` (Kafka topics in
:mod:`streams.delivery`, a list in tests): a retry is handed back with its attempt count and
due time, a dead letter is published, a 410 disables the subscription.
"""

from __future__ import annotations

import logging
import random
import time
from datetime import UTC, datetime
from typing import Protocol

from signals.models import Alert, DeadWebhook, stable_id
from streams.metrics import Metrics
from streams.subscriptions import Subscription, SubscriptionsConfig, public_target
from streams.webhooks import (
    Attempt,
    Clock,
    Decision,
    PendingWebhook,
    RetryPolicy,
    WebhookSender,
    dead_letter,
    decide,
    pending_for,
)

log = logging.getLogger(__name__)

# outcome label values of signals_webhook_deliveries_total (bounded)
OUTCOMES = ("delivered", "retrying", "dead_lettered", "disabled")


class DeliverySink(Protocol):
    """Where the stage records what must survive a restart."""

    async def retry(self, pending: PendingWebhook) -> None: ...

    async def dead(self, dead: DeadWebhook) -> None: ...

    async def disable(self, key: str, subscription_id: str, reason: str) -> None: ...


def disable_key(subscription: Subscription) -> str:
    """Disabling is per (id, URL): pointing a subscription at a new URL enables it again."""
    return f"{subscription.id}@{stable_id(subscription.url, length=12)}"


class Dispatcher:
    """Decides and performs deliveries; owns no I/O but what it is given."""

    def __init__(
        self,
        config: SubscriptionsConfig,
        sender: WebhookSender,
        sink: DeliverySink,
        *,
        policy: RetryPolicy,
        metrics: Metrics | None = None,
        clock: Clock = time.time,
        rng: random.Random | None = None,
    ) -> None:
        self.config = config
        self._subs = config.by_id()
        self._sender = sender
        self._sink = sink
        self._policy = policy
        self._metrics = metrics
        self._clock = clock
        self._rng = rng or random.Random()
        self.disabled: set[str] = set()

    def enabled(self, subscription: Subscription) -> bool:
        return disable_key(subscription) not in self.disabled

    def fan_out(self, alert: Alert) -> list[PendingWebhook]:
        """One first delivery, due now, per enabled subscription whose filters match."""
        now = self._clock()
        return [
            pending_for(alert, sub, now) for sub in self.config.matching(alert) if self.enabled(sub)
        ]

    def _count(self, outcome: str, attempt: Attempt | None = None) -> None:
        if self._metrics is None:
            return
        self._metrics.webhook_deliveries.labels(outcome=outcome).inc()
        if attempt is not None and attempt.duration_s is not None:
            self._metrics.webhook_latency.observe(attempt.duration_s)

    async def _give_up(
        self, pending: PendingWebhook, target: str, reason: str, attempt: Attempt | None
    ) -> None:
        dead = dead_letter(pending, target, reason, now=self._clock(), attempt=attempt)
        await self._sink.dead(dead)
        log.warning(
            "webhook %s to subscription %s dead-lettered: %s",
            pending.webhook_id,
            pending.subscription_id,
            reason,
        )

    async def handle(self, pending: PendingWebhook) -> Decision:
        """Make one attempt of ``pending`` (or refuse it) and record what follows."""
        sub = self._subs.get(pending.subscription_id)
        if sub is None or not self.enabled(sub):
            reason = "subscription_removed" if sub is None else "subscription_disabled"
            target = "" if sub is None else public_target(sub.url)
            await self._give_up(pending, target, reason, None)
            self._count("dead_lettered")
            return Decision("dead", reason)
        attempt = await self._sender.attempt(sub, pending)
        now = self._clock()
        decision = decide(attempt, pending.attempts + 1, self._policy, self._rng, now)
        first = pending.first_attempt_at or datetime.fromtimestamp(now, UTC)
        pending = pending.model_copy(update={"first_attempt_at": first})
        target = public_target(sub.url)
        if decision.action == "delivered":
            log.info("webhook %s delivered to %s", pending.webhook_id, sub.id)
        elif decision.action == "retry":
            await self._sink.retry(
                pending.model_copy(
                    update={
                        "attempts": pending.attempts + 1,
                        "due_at": now + decision.delay_s,
                        "last_status": attempt.status,
                        "last_error": attempt.detail or f"HTTP {attempt.status}",
                    }
                )
            )
            log.info(
                "webhook %s to %s failed (%s), retry in %.1fs",
                pending.webhook_id,
                sub.id,
                attempt.detail or attempt.status,
                decision.delay_s,
            )
        elif decision.action == "disable":
            key = disable_key(sub)
            self.disabled.add(key)
            await self._sink.disable(key, sub.id, decision.reason)
            await self._give_up(pending, target, decision.reason, attempt)
            log.warning("subscription %s disabled: the receiver answered 410 Gone", sub.id)
        else:
            await self._give_up(pending, target, decision.reason, attempt)
        self._count(_OUTCOME[decision.action], attempt)
        return decision


_OUTCOME = {
    "delivered": "delivered",
    "retry": "retrying",
    "dead": "dead_lettered",
    "disable": "disabled",
}

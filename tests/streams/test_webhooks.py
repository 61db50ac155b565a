"""Signing, the retry policy and single attempts over httpx.MockTransport."""

from __future__ import annotations

import json
import random
import time
from datetime import UTC, datetime
from email.utils import format_datetime

import httpx
import pytest
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError
from webhook_receiver import make_alert, new_secret

from streams.subscriptions import Subscription
from streams.webhooks import (
    Attempt,
    RetryPolicy,
    WebhookSender,
    decide,
    message_body,
    pending_for,
    retry_after_s,
    signature,
    signed_headers,
    webhook_id,
)

NOW = 1_800_000_000.0


def sub(url: str = "https://hooks.example.com/in", secret: str | None = None) -> Subscription:
    return Subscription(id="desk", url=url, secret=secret or new_secret())


def test_signed_request_verifies_with_standardwebhooks() -> None:
    secret = new_secret(7)
    s = sub(secret=secret)
    pending = pending_for(make_alert(), s, NOW)
    body = message_body(pending)
    # verify() checks the timestamp against the wall clock: sign with the real time here
    headers = signed_headers(s.key(), pending.webhook_id, int(time.time()), body)
    assert headers["webhook-signature"].startswith("v1,")
    assert Webhook(secret).verify(body, headers)["data"]["alert_id"] == "alert-1"
    other = sub(secret=new_secret(8)).key()
    wrong = signed_headers(other, pending.webhook_id, int(time.time()), body)
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(body, wrong)


def test_signature_matches_the_spec_vector() -> None:
    # the example from the Standard Webhooks specification
    key = Subscription(
        id="x", url="https://a.example.com", secret="whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    ).key()
    body = b'{"test": 2432232314}'
    sig = signature(key, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body)
    assert sig == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def test_webhook_id_is_stable_per_alert_and_subscription() -> None:
    assert webhook_id("a1", "s1") == webhook_id("a1", "s1")
    assert len({webhook_id("a1", "s1"), webhook_id("a2", "s1"), webhook_id("a1", "s2")}) == 3


def test_body_is_type_timestamp_data_and_identical_across_attempts() -> None:
    s = sub()
    pending = pending_for(make_alert(), s, NOW)
    later = pending.model_copy(update={"attempts": 3, "due_at": NOW + 60})
    assert message_body(pending) == message_body(later)
    doc = json.loads(message_body(pending))
    assert set(doc) == {"type", "timestamp", "data"}
    assert doc["type"] == "alert.created"
    assert doc["data"]["schema_version"] == 1


POLICY = RetryPolicy(max_attempts=5, initial_s=1.0, max_s=30.0)


@pytest.mark.parametrize(
    ("attempt", "made", "action", "reason"),
    [
        (Attempt(status=200), 1, "delivered", ""),
        (Attempt(status=204), 1, "delivered", ""),
        (Attempt(status=500), 1, "retry", ""),
        (Attempt(status=503), 4, "retry", ""),
        (Attempt(status=503), 5, "dead", "retries_exhausted"),
        (Attempt(status=408), 1, "retry", ""),
        (Attempt(status=429), 1, "retry", ""),
        (Attempt(error="timeout"), 1, "retry", ""),
        (Attempt(error="connect"), 2, "retry", ""),
        (Attempt(status=400), 1, "dead", "client_error"),
        (Attempt(status=401), 1, "dead", "client_error"),
        (Attempt(status=404), 1, "dead", "client_error"),
        (Attempt(status=422), 1, "dead", "client_error"),
        (Attempt(status=410), 1, "disable", "gone"),
        (Attempt(status=301), 1, "dead", "redirect"),
        (Attempt(error="refused"), 1, "dead", "target_refused"),
    ],
)
def test_decide(attempt: Attempt, made: int, action: str, reason: str) -> None:
    decision = decide(attempt, made, POLICY, random.Random(1), NOW)
    assert (decision.action, decision.reason) == (action, reason)


def test_backoff_is_exponential_with_jitter_and_capped() -> None:
    rng = random.Random(3)
    for n in range(1, 12):
        ceiling = min(30.0, 2.0 ** (n - 1))
        delays = [POLICY.backoff(n, rng) for _ in range(50)]
        assert all(ceiling / 2 <= d <= ceiling for d in delays)
        assert len(set(delays)) > 1  # jitter


def test_retry_after_is_honoured() -> None:
    rng = random.Random(0)
    d = decide(Attempt(status=429, retry_after="7"), 1, POLICY, rng, NOW)
    assert d.delay_s == 7.0
    date = format_datetime(datetime.fromtimestamp(NOW + 12, UTC), usegmt=True)
    d = decide(Attempt(status=503, retry_after=date), 1, POLICY, rng, NOW)
    assert d.delay_s == pytest.approx(12.0)
    # capped at the policy's maximum
    assert decide(Attempt(status=429, retry_after="99999"), 1, POLICY, rng, NOW).delay_s == 30.0
    assert retry_after_s("soon", NOW) is None


async def _attempt(handler: httpx.MockTransport, s: Subscription) -> Attempt:
    async def resolver(host: str, port: int) -> list[str]:
        return ["93.184.216.34"]  # a public address; MockTransport sends nothing anywhere

    async with httpx.AsyncClient(transport=handler) as client:
        sender = WebhookSender(
            client, timeout_s=1.0, allow_private=False, clock=lambda: NOW, resolver=resolver
        )
        return await sender.attempt(s, pending_for(make_alert(), s, NOW))


async def test_attempt_posts_signed_json() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(202)

    s = sub()
    result = await _attempt(httpx.MockTransport(handler), s)
    assert result.status == 202 and result.duration_s is not None
    (request,) = seen
    assert request.method == "POST"
    assert request.headers["webhook-id"] == webhook_id("alert-1", "desk")
    assert request.headers["webhook-timestamp"] == str(int(NOW))
    expected = signature(s.key(), request.headers["webhook-id"], int(NOW), request.content)
    assert request.headers["webhook-signature"] == expected


async def test_attempt_reports_timeouts_and_connect_errors_without_the_url() -> None:
    def timeout(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=request)

    def refused(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError(f"cannot connect to {request.url}", request=request)

    s = sub(url="https://user:pa55word@hooks.example.com/in?token=t0ken")
    assert (await _attempt(httpx.MockTransport(timeout), s)).error == "timeout"
    result = await _attempt(httpx.MockTransport(refused), s)
    assert result.error == "connect"
    assert "pa55word" not in result.detail and "t0ken" not in result.detail


async def test_attempt_refuses_a_host_resolving_to_a_private_address() -> None:
    async def resolver(host: str, port: int) -> list[str]:
        return ["10.1.2.3"]

    def handler(request: httpx.Request) -> httpx.Response:
        raise AssertionError("no request may be sent")

    s = sub()
    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
        sender = WebhookSender(client, timeout_s=1, allow_private=False, resolver=resolver)
        result = await sender.attempt(s, pending_for(make_alert(), s, NOW))
    assert result.error == "refused"

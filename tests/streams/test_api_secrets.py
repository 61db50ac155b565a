"""Secrets (API token, SASL password, webhook secrets) never show in logs, metrics or bodies.

The API runs over real loopback HTTP with every log record captured at DEBUG, against a
closed loopback port configured for SASL, so the failure paths (401, 422, 503, readiness,
reader retries) all run and are scanned.
"""

from __future__ import annotations

import base64
import json
import logging
from pathlib import Path

import httpx
import pytest
from prometheus_client import CollectorRegistry
from pydantic import SecretStr

from streams.api_server import serving
from streams.broker import free_port
from streams.metrics import Metrics
from streams.settings import Settings

pytestmark = pytest.mark.timeout(120)

TOKEN = "tok-3b7f0c1e9a2d4c6e8f10"
PASSWORD = "sasl-pw-71c4e2b9d0a3"
WEBHOOK_SECRET = "whsec_" + base64.b64encode(b"k" * 8 + b"9Qz!x7#Lm2@pW4$v" + b"r" * 8).decode()


async def test_no_secret_in_logs_metrics_or_error_bodies(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    webhooks = tmp_path / "webhooks.json"
    webhooks.write_text(
        json.dumps(
            {
                "subscriptions": [
                    {
                        "id": "desk",
                        "url": "https://user:pass@hooks.example.com/in?sig=abc",
                        "secret": WEBHOOK_SECRET,
                    }
                ]
            }
        )
    )
    settings = Settings(
        broker=f"kafka://127.0.0.1:{free_port()}",  # nothing listens: every send fails
        security_protocol="SASL_PLAINTEXT",
        sasl_mechanism="PLAIN",
        sasl_username="signals",
        sasl_password=SecretStr(PASSWORD),
        api_token=SecretStr(TOKEN),
        api_send_timeout_s=1.0,
        webhooks_config=webhooks,
    )
    port = free_port()
    seen: list[str] = []
    auth = {"Authorization": f"Bearer {TOKEN}"}
    async with serving(settings, Metrics.create(CollectorRegistry()), port=port):
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
            responses = [
                await client.post("/v1/news", json={"id": "n1"}),
                await client.post(
                    "/v1/news", json={"id": "n1"}, headers={"Authorization": f"Bearer {TOKEN}x"}
                ),
                await client.post("/v1/news", json={"id": "n1", "body": "x"}, headers=auth),
                await client.post("/v1/news", json={"id": 7, "title": TOKEN}, headers=auth),
                await client.post("/v1/news", content=b"{" + TOKEN.encode(), headers=auth),
                await client.get("/v1/subscriptions", headers=auth),
                await client.get("/v1/alerts", headers=auth),
                await client.get("/readyz"),
                await client.get("/openapi.json"),
                await client.get("/metrics"),
            ]
    codes = [r.status_code for r in responses]
    assert codes == [401, 401, 503, 422, 400, 200, 200, 503, 200, 200]
    listing = responses[5].json()["subscriptions"]
    assert listing[0]["target"] == "https://hooks.example.com/in"
    for r in responses:
        seen.append(r.text)
        seen.extend(f"{k}: {v}" for k, v in r.headers.items())
    seen.append(caplog.text)
    seen.extend(repr(record.args) for record in caplog.records)
    everything = "\n".join(seen)
    assert "retrying" in caplog.text or "unreachable" in everything  # failure paths ran
    for secret in (TOKEN, PASSWORD, WEBHOOK_SECRET, WEBHOOK_SECRET[6:], "user:pass", "sig=abc"):
        assert secret not in everything, f"a secret leaked: {secret[:6]}..."

"""The API of the running deployment answers from the worker's real tables and alerts."""

from __future__ import annotations

import httpx
import pytest
from deploy_service import WAVES, Service

pytestmark = [pytest.mark.integration, pytest.mark.timeout(300)]


def test_aggregates_and_top_companies_come_from_the_worker_tables(deployment: Service) -> None:
    api = deployment.api_url
    top = httpx.get(f"{api}/v1/companies/top", params={"window": "7d"}, timeout=10).json()
    assert top["companies"], "no company in the 7 d windows"
    company = top["companies"][0]["company"]
    r = httpx.get(f"{api}/v1/companies/{company}/aggregates", timeout=10)
    assert r.status_code == 200, r.text
    figures = r.json()["figures"]
    windows = {w["window"] for per_kind in figures.values() for w in per_kind}
    assert windows == {"1h", "1d", "7d"}
    assert sum(w["count"] for per_kind in figures.values() for w in per_kind) >= 3


def test_alerts_name_the_articles_that_were_posted(deployment: Service) -> None:
    posted = {event["id"] for wave in WAVES for event in wave}
    alerts = httpx.get(f"{deployment.api_url}/v1/alerts", timeout=10).json()["alerts"]
    assert alerts
    assert {a["article_id"] for a in alerts} <= posted
    funding = httpx.get(
        f"{deployment.api_url}/v1/alerts", params={"kind": "funding"}, timeout=10
    ).json()["alerts"]
    assert funding and all(a["kind"] == "funding" for a in funding)


def test_worker_and_api_are_ready(deployment: Service) -> None:
    worker = httpx.get(f"{deployment.worker_url}/readyz", timeout=10)
    assert worker.status_code == 200 and worker.json()["assigned_partitions"] > 0
    assert httpx.get(f"{deployment.api_url}/readyz", timeout=10).status_code == 200

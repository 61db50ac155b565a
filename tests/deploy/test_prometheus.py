"""Metrics against real components: promtool on live scrapes, every dashboard panel on a real
Prometheus server scraping a worker and the API that processed news."""

from __future__ import annotations

import json
import math
import re
import subprocess
from typing import Any

import httpx
import pytest
from deploy_service import DEPLOY, Service

pytestmark = [pytest.mark.integration, pytest.mark.timeout(300)]

DASHBOARD = DEPLOY / "grafana" / "dashboards" / "market-signals.json"
# What Grafana substitutes before a query reaches Prometheus. The rate window is wide enough
# to span the whole session: the news was posted when the deployment fixture started.
VARIABLES = {"$__rate_interval": "5m", "$__interval": "1s", "$__range": "5m", "$window": "1h"}

WORKER_FAMILIES = [
    "signals_news_ingested_total",
    "signals_news_rejected_total",
    "signals_signals_detected_total",
    "signals_alerts_emitted_total",
    "signals_webhook_deliveries_total",
    "signals_webhook_delivery_seconds_bucket",
    "signals_alert_latency_seconds_bucket",
    "signals_consumer_lag_messages",
    "signals_table_keys",
]


def promtool_check_metrics(text: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["promtool", "check", "metrics"],
        input=text,
        capture_output=True,
        text=True,
        timeout=30,
    )


def test_promtool_check_metrics_passes_on_live_scrapes(deployment: Service) -> None:
    worker = httpx.get(f"{deployment.worker_url}/metrics", timeout=10)
    api = httpx.get(f"{deployment.api_url}/metrics", timeout=10)
    assert worker.status_code == api.status_code == 200  # plain routes: no 307 to /metrics/
    for name in WORKER_FAMILIES:
        assert re.search(rf"^{name}[{{ ]", worker.text, re.M), f"{name} not exposed"
    assert "signals_api_requests_total" in api.text
    for text in (worker.text, api.text):
        result = promtool_check_metrics(text)
        assert result.returncode == 0, result.stdout + result.stderr
        assert result.stdout.strip() == "" and result.stderr.strip() == "", result.stdout


def test_promtool_check_metrics_can_fail() -> None:
    bad = "# TYPE http_requests counter\nhttp_requests 3\n"  # a counter without _total
    assert promtool_check_metrics(bad).returncode != 0


def test_no_company_name_or_id_is_a_label(deployment: Service) -> None:
    text = httpx.get(f"{deployment.worker_url}/metrics", timeout=10).text
    for needle in ("Nordwind", "Halden", "Ostara", "Brume"):
        assert needle not in text
    # the article id, as a whole label value (the random app id "deploy-<hex>" may start with it)
    assert not re.search(r'="deploy-1"', text)


def panel_queries() -> list[tuple[str, str, dict[str, Any]]]:
    """(panel title, refId, target) of every target of every panel."""
    dashboard = json.loads(DASHBOARD.read_text())
    out = []
    for panel in dashboard["panels"]:
        for target in panel["targets"]:
            out.append((panel["title"], target["refId"], target))
    return out


def substitute(text: str) -> str:
    for name, value in VARIABLES.items():
        text = text.replace(name, value)
    assert "$" not in text, f"unsubstituted variable in {text}"
    return text


def test_every_dashboard_panel_parses_and_returns_data(deployment: Service) -> None:
    assert deployment.prometheus is not None
    checked = 0
    problems: list[str] = []
    for title, ref, target in panel_queries():
        uid = target["datasource"]["uid"]
        if uid == "prometheus":
            expr = substitute(target["expr"])
            body = deployment.prometheus.query(expr)
            if body.get("status") != "success":
                problems.append(f"{title}/{ref}: {body.get('error')} in {expr}")
                continue
            result = body["data"]["result"]
            values = [float(sample["value"][1]) for sample in result]
            if not values:
                problems.append(f"{title}/{ref}: no data for {expr}")
            elif not any(math.isfinite(v) for v in values):
                problems.append(f"{title}/{ref}: only NaN/Inf for {expr}")
        elif uid == "signals-api":
            url = deployment.api_url + substitute(target["url"])
            r = httpx.get(url, timeout=10)
            rows = r.json().get(target["root_selector"], []) if r.status_code == 200 else []
            if not rows:
                problems.append(f"{title}/{ref}: {r.status_code} no rows from {url}")
            for column in target["columns"]:
                if rows and column["selector"] not in rows[0]:
                    problems.append(f"{title}/{ref}: no column {column['selector']}")
        else:
            problems.append(f"{title}/{ref}: unknown datasource {uid}")
        checked += 1
    assert checked >= 15
    assert not problems, "\n".join(problems) + "\n" + deployment.log_tail()


def test_recording_rules_evaluate_on_live_data(deployment: Service) -> None:
    assert deployment.prometheus is not None
    for record in ("signals:news_ingested:rate5m", "signals:news_rejected:ratio5m"):
        result = deployment.prometheus.query(record)["data"]["result"]
        assert result, f"{record} has no data"
    ratio = float(
        deployment.prometheus.query("signals:news_rejected:ratio5m")["data"]["result"][0]["value"][
            1
        ]
    )
    assert 0 < ratio < 1  # one malformed message among the news

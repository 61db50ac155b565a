"""The ``deployment`` fixture: a worker, the API and a Prometheus server scraping both.

Started once per session on the session's embedded broker, after which two waves of news are
posted through the API (see :mod:`deploy_service`). Every process binds loopback only and is
stopped by its PID.
"""

from __future__ import annotations

import base64
import contextlib
import json
import secrets
import uuid
from collections.abc import Iterator

import pytest
from deploy_service import (
    WAVES,
    Hook,
    PrometheusServer,
    Service,
    alerts,
    get,
    metric_value,
    post_wave,
    publish_malformed,
    wait_for,
)

from streams.api_server import ApiProcess
from streams.broker import EmbeddedBroker, free_port
from streams.processes import WorkerProcess
from streams.settings import Settings


@pytest.fixture(scope="session")
def deployment(
    embedded_broker: EmbeddedBroker, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Service]:
    """A worker, the API and Prometheus scraping both, after two waves of news."""
    with contextlib.ExitStack() as stack:
        tmp = tmp_path_factory.mktemp("deployment")
        hook = Hook()
        stack.callback(hook.stop)
        hook_url = hook.start()
        secret = "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()
        webhooks = tmp / "webhooks.json"
        webhooks.write_text(
            json.dumps(
                {
                    "allow_private_targets": True,
                    "subscriptions": [{"id": "deploy-test", "url": hook_url, "secret": secret}],
                }
            )
        )
        tag = uuid.uuid4().hex[:8]
        settings = Settings(
            broker=embedded_broker.url,
            embedded_broker=True,
            app_id=f"deploy-{tag}",
            data_dir=tmp / "state",
            store="memory",
            partitions=2,
            web_enabled=True,
            web_host="127.0.0.1",
            web_port=free_port(),
            webhooks_config=webhooks,
            log_level="WARNING",
            topic_news_raw=f"news.raw.{tag}",
            topic_news_rejected=f"news.rejected.{tag}",
            topic_signals_detected=f"signals.detected.{tag}",
            topic_signals_alerts=f"signals.alerts.{tag}",
            topic_webhooks_dead=f"webhooks.dead.{tag}",
        )
        api_port = free_port()
        service = Service(
            settings=settings,
            worker_url=f"http://127.0.0.1:{settings.web_port}",
            api_url=f"http://127.0.0.1:{api_port}",
            hook=hook,
            logs=tmp,
        )
        worker = WorkerProcess(settings, log_path=tmp / "worker.log")
        stack.callback(worker.stop)
        worker.start()
        wait_for(
            lambda: get(f"{service.worker_url}/readyz").status_code == 200,
            90,
            "the worker to be assigned partitions",
            service,
        )
        api = ApiProcess(settings, port=api_port, log_path=tmp / "api.log")
        stack.callback(api.stop)
        api.start()
        wait_for(
            lambda: get(f"{service.api_url}/readyz").status_code == 200, 60, "API ready", service
        )
        prometheus = PrometheusServer(
            tmp, f"127.0.0.1:{settings.web_port}", f"127.0.0.1:{api_port}"
        )
        stack.callback(prometheus.stop)
        service.prometheus = prometheus.start()
        prometheus.wait_scrapes(2)  # the idle service first: rates start from real zeros
        post_wave(service, WAVES[0])
        publish_malformed(service)
        wait_for(lambda: alerts(service) >= 1, 60, "a first alert on the API", service)
        prometheus.wait_scrapes(3)
        post_wave(service, WAVES[1])
        publish_malformed(service)  # the rejected counter grows while scraped: a real rate
        wait_for(lambda: alerts(service) >= 2, 60, "a second alert on the API", service)
        wait_for(
            lambda: (
                metric_value(
                    get(f"{service.worker_url}/metrics").text, "signals_webhook_deliveries_total"
                )
                >= 2
            ),
            60,
            "webhook deliveries",
            service,
        )
        prometheus.wait_scrapes(3)
        yield service

"""Running the faust worker in this process (``signals worker``)."""

from __future__ import annotations

import asyncio
import logging

from prometheus_client import CollectorRegistry

from streams.app import create_app
from streams.delivery import attach_delivery
from streams.metrics import Metrics
from streams.settings import Settings
from streams.topics import create_topics
from streams.worker_http import install_worker_http


def run_worker(settings: Settings, registry: CollectorRegistry | None = None) -> None:
    """Create the topics, then run the pipeline until SIGTERM or Ctrl-C (faust's Worker)."""
    import faust

    asyncio.run(create_topics(settings))
    metrics = Metrics.create(registry or CollectorRegistry())
    service = create_app(settings, metrics)
    # /metrics, /healthz, /readyz on SIGNALS_WEB_HOST:SIGNALS_WEB_PORT when SIGNALS_WEB_ENABLED
    install_worker_http(service.app, metrics, settings)
    # webhook delivery inside the worker when SIGNALS_WEBHOOKS_CONFIG is set (streams.delivery)
    attach_delivery(service.app, settings, metrics)
    level = logging.getLevelName(settings.log_level.upper())
    worker = faust.Worker(service.app, loglevel=level, quiet=True)
    # faust's terminal spinner puts the root logger at DEBUG so that it spins on every record:
    # every debug call of faust and aiokafka then builds a record (~6 % of a busy worker's CPU)
    worker.spinner = None
    worker.execute_from_commandline()

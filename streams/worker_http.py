"""The worker's own HTTP endpoints (``/metrics``, ``/healthz``, ``/readyz``) and its lag gauge.

Served by uvicorn on the worker's event loop through ``faust.contrib.asgi.serve_asgi`` (it
replaces faust's aiohttp web server, obeys ``SIGNALS_WEB_ENABLED`` and binds
``SIGNALS_WEB_HOST:SIGNALS_WEB_PORT``). Prometheus scrapes every worker here.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from streams.metrics import Metrics
from streams.settings import Settings

log = logging.getLogger(__name__)


def consumer_lag(app: Any, topics: tuple[str, ...]) -> dict[str, int]:
    """Messages between the last committed offset and the highwater, summed by topic.

    The highwater comes from the consumer's fetch responses (exact on the embedded broker,
    whose ListOffsets under-reports), the committed offset from faust's own bookkeeping.
    """
    consumer = app.consumer
    lag: dict[str, int] = defaultdict(int)
    for topic in topics:
        lag[topic] += 0
    for tp in consumer.assignment():
        if tp.topic not in topics:
            continue
        highwater = consumer.highwater(tp)
        if highwater is None:
            continue
        committed = consumer._committed_offset.get(tp)
        done = committed + 1 if committed is not None else 0
        lag[tp.topic] += max(0, int(highwater) - done)
    return dict(lag)


def worker_asgi(app: Any, metrics: Metrics) -> Starlette:
    """The worker's ASGI app: /metrics (a plain route, not a mount), /healthz, /readyz."""

    async def metrics_endpoint(request: Request) -> Response:
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)

    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def readyz(request: Request) -> Response:
        try:
            assigned = len(app.consumer.assignment())
        except Exception:  # the consumer is not up yet
            assigned = 0
        rebalancing = bool(getattr(app, "rebalancing", False))
        ready = assigned > 0 and not rebalancing
        body = {"ready": ready, "assigned_partitions": assigned, "rebalancing": rebalancing}
        return JSONResponse(body, status_code=200 if ready else 503)

    return Starlette(
        routes=[
            Route("/metrics", metrics_endpoint),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
        ]
    )


def install_worker_http(app: Any, metrics: Metrics, settings: Settings) -> None:
    """Serve :func:`worker_asgi` from the worker and refresh the lag gauge every 5 s."""
    from faust.contrib.asgi import serve_asgi

    serve_asgi(
        app,
        worker_asgi(app, metrics),
        host=settings.web_host,
        port=settings.web_port,
        log_level="warning",
        access_log=False,
    )
    topics = (settings.topic_news_raw, settings.topic_signals_detected)

    async def update_consumer_lag() -> None:
        try:
            lag = consumer_lag(app, topics)
        except Exception as exc:  # never let a gauge stop the worker
            log.debug("consumer lag unavailable: %s", exc)
            return
        for topic, value in lag.items():
            metrics.consumer_lag.labels(topic).set(value)

    app.timer(5.0, name="update_consumer_lag")(update_consumer_lag)

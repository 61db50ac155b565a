"""The HTTP API (Starlette, served by uvicorn), built by :func:`create_api` from injected parts.

Everything that does I/O is passed in (the producer, the alerts ring, the aggregates reader,
the subscriptions listing, the readiness probe, the metrics), so tests build the API around
real or in-memory parts without globals. Routes:

``POST /v1/news``  one event (object) or a batch (array) -> 202 once the broker acknowledged
``GET /v1/alerts`` ``GET /v1/companies/{company}/aggregates`` ``GET /v1/companies/top``
``GET /v1/subscriptions``
``GET /healthz`` ``GET /readyz`` ``GET /metrics`` ``GET /openapi.json`` ``GET /docs``
"""

from __future__ import annotations

import hmac
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from datetime import UTC, datetime
from typing import Any, Protocol

import orjson
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import ValidationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from signals.models import KINDS, NewsEvent, WindowFigures
from streams.alerts_feed import AlertsRing
from streams.api_docs import DOCS_HTML, openapi_schema
from streams.ingest import BrokerUnavailable
from streams.metrics import Metrics
from streams.ratelimit import RateLimiter
from streams.settings import Settings
from streams.tables import WINDOWS, WindowName

log = logging.getLogger(__name__)

Endpoint = Callable[[Request], Awaitable[Response]]
Lifespan = Callable[[Starlette], AbstractAsyncContextManager[None]]


class Ingest(Protocol):
    async def send(self, events: Sequence[NewsEvent]) -> list[str]: ...


class AggregatesReader(Protocol):
    async def figures(self, company: str) -> dict[str, list[WindowFigures]]: ...

    async def top(
        self, window: WindowName, *, kind: str | None = None, limit: int = 10
    ) -> list[dict[str, Any]]: ...


ReadinessProbe = Callable[[], Awaitable[dict[str, bool]]]
SubscriptionsListing = Callable[[], list[dict[str, Any]]]


class ApiError(Exception):
    """An error answered as ``{"error": code, "detail": ...}``; ``detail`` never holds a secret."""

    def __init__(
        self, status: int, code: str, detail: Any = None, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(code)
        self.status = status
        self.code = code
        self.detail = detail
        self.headers = headers

    def response(self) -> JSONResponse:
        body: dict[str, Any] = {"error": self.code}
        if self.detail is not None:
            body["detail"] = self.detail
        return JSONResponse(body, status_code=self.status, headers=self.headers)


class NoAggregates:
    """An :class:`AggregatesReader` for processes without tables: always empty."""

    async def figures(self, company: str) -> dict[str, list[WindowFigures]]:
        return {}

    async def top(
        self, window: WindowName, *, kind: str | None = None, limit: int = 10
    ) -> list[dict[str, Any]]:
        return []


def create_api(
    settings: Settings,
    *,
    ingest: Ingest,
    metrics: Metrics,
    alerts: AlertsRing,
    aggregates: AggregatesReader | None = None,
    subscriptions: SubscriptionsListing | None = None,
    readiness: ReadinessProbe | None = None,
    lifespan: Lifespan | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> Starlette:
    """Build the ASGI app. ``lifespan`` starts and stops the injected parts (see api_server)."""
    token = settings.api_token.get_secret_value().encode() if settings.api_token else None
    limiter = RateLimiter(settings.api_rate_per_s, settings.api_rate_burst, clock=clock)
    reader = aggregates or NoAggregates()

    def guarded(route: str, handler: Endpoint, *, v1: bool = True) -> Endpoint:
        async def endpoint(request: Request) -> Response:
            start = time.perf_counter()
            try:
                if v1:
                    _rate_limit(limiter, request)
                    _authorize(token, request)
                response = await handler(request)
            except ApiError as exc:
                response = exc.response()
            except Exception:
                log.exception("%s %s failed", request.method, route)
                response = ApiError(500, "internal_error").response()
            metrics.api_requests.labels(route, request.method, str(response.status_code)).inc()
            metrics.api_latency.labels(route).observe(time.perf_counter() - start)
            return response

        return endpoint

    async def post_news(request: Request) -> Response:
        body = await _read_body(request, settings.api_max_body_bytes)
        events = _parse_events(body, settings)
        try:
            ids = await ingest.send(events)
        except BrokerUnavailable as exc:
            raise ApiError(
                503,
                "broker_unavailable",
                {"reason": exc.reason, "acknowledged": exc.acknowledged},
                headers={"Retry-After": "5"},
            ) from None
        metrics.api_events_accepted.inc(len(ids))
        return JSONResponse(
            {"accepted": len(ids), "ids": ids, "topic": settings.topic_news_raw}, status_code=202
        )

    async def get_alerts(request: Request) -> Response:
        q = request.query_params
        kind = q.get("kind") or None
        if kind is not None and kind not in KINDS:
            raise ApiError(422, "invalid_query", [{"loc": ["kind"], "msg": f"one of {KINDS}"}])
        since = _parse_since(q.get("since"))
        limit = _parse_limit(q.get("limit"), alerts.capacity)
        found = alerts.recent(kind=kind, company=q.get("company") or None, since=since, limit=limit)
        return JSONResponse({"alerts": [a.model_dump(mode="json") for a in found]})

    async def get_aggregates(request: Request) -> Response:
        company = request.path_params["company"]
        figures = await reader.figures(company)
        if not figures:
            raise ApiError(404, "unknown_company", {"company": company})
        return JSONResponse(
            {
                "company": company,
                "figures": {
                    kind: [w.model_dump(mode="json") for w in windows]
                    for kind, windows in figures.items()
                },
            }
        )

    async def get_top(request: Request) -> Response:
        q = request.query_params
        window = q.get("window") or "1h"
        if window not in WINDOWS:
            raise ApiError(422, "invalid_query", [{"loc": ["window"], "msg": "1h, 1d or 7d"}])
        kind = q.get("kind") or None
        if kind is not None and kind not in KINDS:
            raise ApiError(422, "invalid_query", [{"loc": ["kind"], "msg": f"one of {KINDS}"}])
        limit = _parse_limit(q.get("limit"), 100)
        rows = await reader.top(window, kind=kind, limit=min(limit, 100))
        return JSONResponse({"window": window, "kind": kind, "companies": rows})

    async def get_subscriptions(request: Request) -> Response:
        listing = subscriptions() if subscriptions is not None else []
        return JSONResponse({"subscriptions": listing})

    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def readyz(request: Request) -> Response:
        checks = await readiness() if readiness is not None else {}
        ready = all(checks.values())
        return JSONResponse({"ready": ready, "checks": checks}, status_code=200 if ready else 503)

    async def metrics_endpoint(request: Request) -> Response:
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)

    async def openapi(request: Request) -> Response:
        return JSONResponse(openapi_schema())

    async def docs(request: Request) -> Response:
        return HTMLResponse(DOCS_HTML)

    routes = [
        Route("/v1/news", guarded("/v1/news", post_news), methods=["POST"]),
        Route("/v1/alerts", guarded("/v1/alerts", get_alerts), methods=["GET"]),
        Route("/v1/companies/top", guarded("/v1/companies/top", get_top), methods=["GET"]),
        Route(
            "/v1/companies/{company}/aggregates",
            guarded("/v1/companies/{company}/aggregates", get_aggregates),
            methods=["GET"],
        ),
        Route("/v1/subscriptions", guarded("/v1/subscriptions", get_subscriptions)),
        Route("/healthz", guarded("/healthz", healthz, v1=False)),
        Route("/readyz", guarded("/readyz", readyz, v1=False)),
        # a plain route, not a mount: a mounted app answers /metrics with a 307 to /metrics/
        Route("/metrics", metrics_endpoint),
        Route("/openapi.json", openapi),
        Route("/docs", docs),
    ]
    return Starlette(routes=routes, lifespan=lifespan)


def _client(request: Request) -> str:
    return request.client.host if request.client is not None else "unknown"


def _rate_limit(limiter: RateLimiter, request: Request) -> None:
    wait = limiter.take(_client(request))
    if wait > 0:
        retry = str(max(1, int(wait + 0.999)))
        raise ApiError(429, "rate_limited", headers={"Retry-After": retry})


def _authorize(token: bytes | None, request: Request) -> None:
    if token is None:
        return
    header = request.headers.get("authorization", "")
    scheme, _, given = header.partition(" ")
    # compare_digest: the time taken does not depend on how many leading bytes match
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), token):
        raise ApiError(401, "unauthorized", headers={"WWW-Authenticate": "Bearer"})


async def _read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise ApiError(413, "body_too_large", {"limit_bytes": limit})
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise ApiError(413, "body_too_large", {"limit_bytes": limit})
        chunks.append(chunk)
    return b"".join(chunks)


def _parse_events(body: bytes, settings: Settings) -> list[NewsEvent]:
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError:
        raise ApiError(400, "not_json", "the body must be a JSON object or array") from None
    items = data if isinstance(data, list) else [data]
    if not items:
        raise ApiError(422, "invalid_event", [{"loc": [], "msg": "empty batch"}])
    if len(items) > settings.api_max_batch:
        raise ApiError(413, "batch_too_large", {"limit_events": settings.api_max_batch})
    events: list[NewsEvent] = []
    errors: list[dict[str, Any]] = []
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            errors.append({"index": index, "loc": [], "msg": "not an object", "type": "type"})
            continue
        try:
            event = NewsEvent.model_validate(item)
        except ValidationError as exc:
            errors.extend(
                # no "input": an error body never echoes what was sent
                {"index": index, "loc": list(e["loc"]), "msg": e["msg"], "type": e["type"]}
                for e in exc.errors(include_url=False)
            )
            continue
        if _too_large(event, settings.max_body_bytes):
            raise ApiError(
                413, "event_too_large", {"index": index, "limit_bytes": settings.max_body_bytes}
            )
        events.append(event)
    if errors:
        raise ApiError(422, "invalid_event", errors)
    return events


def _too_large(event: NewsEvent, limit: int) -> bool:
    """The worker's rule (streams.codec.decode_event): it would reject this event as too_large."""
    if len(event.body.encode("utf-8")) > limit:
        return True
    return len(event.model_dump_json(exclude_none=True).encode("utf-8")) > limit + 64 * 1024


def _parse_since(raw: str | None) -> datetime | None:
    if not raw:
        return None
    try:
        since = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise ApiError(
            422, "invalid_query", [{"loc": ["since"], "msg": "ISO 8601 date-time"}]
        ) from None
    return since if since.tzinfo is not None else since.replace(tzinfo=UTC)


def _parse_limit(raw: str | None, maximum: int) -> int:
    if not raw:
        return min(100, maximum)
    if not raw.isdigit() or int(raw) < 1:
        raise ApiError(422, "invalid_query", [{"loc": ["limit"], "msg": "a positive integer"}])
    return min(int(raw), maximum)

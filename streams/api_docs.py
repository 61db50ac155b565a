"""The OpenAPI 3.1 description of the HTTP API (``/openapi.json``) and its ``/docs`` page.

Request and response schemas come from the pydantic models of :mod:`signals.models`, so the
description cannot drift from what the API validates.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from pydantic.json_schema import models_json_schema

from signals.models import KINDS, Alert, NewsEvent, WindowFigures

DOCS_HTML = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>market-signals API</title>
  <link rel="stylesheet" href="https://cdn.jsdelivr.net/npm/swagger-ui-dist@5/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="https://cdn.jsdelivr.net/npm/swagger-ui-dist@5/swagger-ui-bundle.js"></script>
  <script>SwaggerUIBundle({url: "/openapi.json", dom_id: "#swagger-ui"});</script>
  <noscript>The OpenAPI description is at <a href="/openapi.json">/openapi.json</a>.</noscript>
</body>
</html>
"""


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


_ERROR = {
    "type": "object",
    "properties": {"error": {"type": "string"}, "detail": {}},
    "required": ["error"],
}


@cache
def openapi_schema() -> dict[str, Any]:
    """The OpenAPI document (built once)."""
    _, defs = models_json_schema(
        [(NewsEvent, "validation"), (Alert, "serialization"), (WindowFigures, "serialization")],
        ref_template="#/components/schemas/{model}",
    )
    schemas: dict[str, Any] = dict(defs.get("$defs", {}))
    schemas["Error"] = _ERROR
    error = _json(_ref("Error"), "Error")
    q = "query"
    return {
        "openapi": "3.1.0",
        "info": {"title": "market-signals", "version": "1"},
        "components": {
            "schemas": schemas,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
        "security": [{"bearer": []}],
        "paths": {
            "/v1/news": {
                "post": {
                    "summary": "Ingest one news event or a batch",
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {
                                    "oneOf": [
                                        _ref("NewsEvent"),
                                        {"type": "array", "items": _ref("NewsEvent")},
                                    ]
                                }
                            }
                        },
                    },
                    "responses": {
                        "202": _json(
                            {
                                "type": "object",
                                "properties": {
                                    "accepted": {"type": "integer"},
                                    "ids": {"type": "array", "items": {"type": "string"}},
                                    "topic": {"type": "string"},
                                },
                            },
                            "Every event acknowledged by the broker (acks=all)",
                        ),
                        "400": error,
                        "401": error,
                        "413": error,
                        "422": error,
                        "429": error,
                        "503": error,
                    },
                }
            },
            "/v1/alerts": {
                "get": {
                    "summary": "Recent alerts, newest first",
                    "parameters": [
                        {
                            "name": "kind",
                            "in": q,
                            "schema": {"enum": ["funding", "gpu_procurement", "revenue"]},
                        },
                        {"name": "company", "in": q, "schema": {"type": "string"}},
                        {
                            "name": "since",
                            "in": q,
                            "schema": {"type": "string", "format": "date-time"},
                        },
                        {"name": "limit", "in": q, "schema": {"type": "integer", "minimum": 1}},
                    ],
                    "responses": {
                        "200": _json(
                            {
                                "type": "object",
                                "properties": {"alerts": {"type": "array", "items": _ref("Alert")}},
                            },
                            "Alerts",
                        ),
                        "422": error,
                    },
                }
            },
            "/v1/companies/{company}/aggregates": {
                "get": {
                    "summary": "Window figures of one company, by signal kind",
                    "parameters": [
                        {
                            "name": "company",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string"},
                        }
                    ],
                    "responses": {
                        "200": _json(
                            {
                                "type": "object",
                                "properties": {
                                    "company": {"type": "string"},
                                    "figures": {
                                        "type": "object",
                                        "additionalProperties": {
                                            "type": "array",
                                            "items": _ref("WindowFigures"),
                                        },
                                    },
                                },
                            },
                            "Figures by kind",
                        ),
                        "404": error,
                    },
                }
            },
            "/v1/companies/top": {
                "get": {
                    "summary": "Companies with the most signals in their most recent window",
                    "parameters": [
                        {"name": "window", "in": q, "schema": {"enum": ["1h", "1d", "7d"]}},
                        {"name": "kind", "in": q, "schema": {"enum": list(KINDS)}},
                        {"name": "limit", "in": q, "schema": {"type": "integer", "maximum": 100}},
                    ],
                    "responses": {"200": _json({"type": "object"}, "Companies"), "422": error},
                }
            },
            "/v1/subscriptions": {
                "get": {
                    "summary": "Webhook subscriptions (no secrets)",
                    "responses": {"200": _json({"type": "object"}, "Subscriptions")},
                }
            },
            "/healthz": {
                "get": {
                    "summary": "Liveness",
                    "security": [],
                    "responses": {"200": {"description": "Alive"}},
                }
            },
            "/readyz": {
                "get": {
                    "summary": "Readiness: broker reachable, partitions assigned",
                    "security": [],
                    "responses": {
                        "200": {"description": "Ready"},
                        "503": {"description": "Not ready"},
                    },
                }
            },
            "/metrics": {
                "get": {
                    "summary": "Prometheus exposition",
                    "security": [],
                    "responses": {"200": {"description": "text/plain; version=0.0.4"}},
                }
            },
        },
    }

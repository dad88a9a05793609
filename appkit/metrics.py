"""Prometheus metrics per app, plus the /healthz and /metrics routes.

Each app gets its own ``CollectorRegistry`` (never the global one), so a
test can build many apps in one process without duplicate metric errors.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class HttpMetrics:
    def __init__(self, registry: CollectorRegistry, prefix: str) -> None:
        self.requests = Counter(
            f"{prefix}_http_requests_total",
            "HTTP requests",
            ["method", "route", "status"],
            registry=registry,
        )
        self.latency = Histogram(
            f"{prefix}_http_request_seconds",
            "HTTP request latency",
            ["method", "route"],
            registry=registry,
            buckets=(0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
        )


class MetricsMiddleware:
    def __init__(self, app: ASGIApp, metrics: HttpMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = [500]

        async def send_and_note(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        finally:
            template = route_template(scope)
            method = scope.get("method", "")
            self.metrics.requests.labels(method, template, str(status[0])).inc()
            self.metrics.latency.labels(method, template).observe(time.perf_counter() - started)


def route_template(scope: Scope) -> str:
    """The route's template with every router prefix, e.g. /api/v1/orgs/{org_id}.

    The template, not the path: ids in paths would explode the metric's
    cardinality. FastAPI 0.165 keeps included routers nested, so the route
    in the scope knows only its own part of the path; the prefixes are
    recovered by rendering that part and cutting it off the request path.
    """
    route = scope.get("route")
    inner = getattr(route, "path", None)
    if route is None or inner is None:
        return "unmatched"
    path: str = scope.get("path", "")
    try:
        rendered = str(route.url_path_for(route.name, **scope.get("path_params", {})))
    except Exception:  # noqa: BLE001 - a label is never worth failing a request for
        return str(inner)
    prefix = path[: len(path) - len(rendered)] if path.endswith(rendered) else ""
    return prefix + str(inner)


def add_ops_routes(
    app: FastAPI, registry: CollectorRegistry, health: Callable[[], dict[str, Any]]
) -> None:
    """``/healthz`` (JSON, 503 when a check fails) and ``/metrics`` (Prometheus)."""

    @app.get("/healthz", tags=["ops"], include_in_schema=True)
    def healthz(response: Response) -> dict[str, Any]:
        report = health()
        if report.get("status") != "ok":
            response.status_code = 503
        return report

    @app.get("/metrics", tags=["ops"], include_in_schema=False)
    def metrics() -> Response:
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

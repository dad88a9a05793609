"""Wire the shared runtime into an app: middleware, error handlers, ops routes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from prometheus_client import CollectorRegistry

from appkit.body_limit import BodyLimitMiddleware
from appkit.correlation import CorrelationMiddleware
from appkit.errors import install_error_handlers
from appkit.metrics import HttpMetrics, MetricsMiddleware, add_ops_routes


def wire(
    app: FastAPI,
    *,
    metric_prefix: str,
    registry: CollectorRegistry,
    max_body_bytes: int,
    health: Callable[[], dict[str, Any]],
    upload_limit: Callable[[str], int | None] | None = None,
) -> None:
    install_error_handlers(app)
    add_ops_routes(app, registry, health)
    # Starlette wraps in reverse order of addition: the last added is outermost.
    app.add_middleware(BodyLimitMiddleware, max_bytes=max_body_bytes, upload_limit=upload_limit)
    app.add_middleware(MetricsMiddleware, metrics=HttpMetrics(registry, metric_prefix))
    app.add_middleware(CorrelationMiddleware)

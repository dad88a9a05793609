"""The hub's composition root: ``create_app(settings)`` builds everything.

Nothing is built at import time. Each app gets its own engine and
Prometheus registry, so tests can build many apps in one process. Run it
alone with ``python -m uvicorn --factory hub.app:app_from_env``.
"""

from __future__ import annotations

import functools
import re
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from prometheus_client import CollectorRegistry
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import sessionmaker
from starlette.routing import BaseRoute

from appkit.logs import configure_logging
from appkit.wiring import wire
from hub.api.router import api_router
from hub.console import console_router
from hub.db import code_head, database_revision, make_engine, migrate
from hub.ingest.alerts import IngestAlerts
from hub.ingest.metrics import IngestMetrics
from hub.public import product_page as public_pages
from hub.runtime import HubRuntime
from hub.settings import HubSettings
from setledger import __version__

METRIC_PREFIX = "hub"


def create_app(settings: HubSettings) -> FastAPI:
    engine = make_engine(settings.database_url)
    if settings.migrate_on_start:
        migrate(settings, engine)
    registry = CollectorRegistry()
    registry.register(IngestAlerts(engine, METRIC_PREFIX))
    runtime = HubRuntime(
        settings=settings,
        engine=engine,
        # Services build their responses inside the transaction; not expiring
        # on commit saves a reload if one is read after.
        sessions=sessionmaker(engine, expire_on_commit=False),
        registry=registry,
        ingest_metrics=IngestMetrics(registry, METRIC_PREFIX),
    )

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        try:
            yield
        finally:
            engine.dispose()

    app = FastAPI(
        title="setLedger hub",
        version=__version__,
        lifespan=lifespan,
        openapi_url="/api/v1/openapi.json",
    )
    app.state.hub = runtime
    wire(
        app,
        metric_prefix=METRIC_PREFIX,
        registry=registry,
        max_body_bytes=settings.max_body_bytes,
        health=health_check(engine),
        upload_limit=upload_limit(settings),
    )
    app.router.routes.extend(_routes())
    return app


@functools.cache
def _routes() -> tuple[BaseRoute, ...]:
    """The API, console and public pages' routes, built once per process.

    FastAPI analyses every endpoint's parameters and dependencies as a route
    is added: about a second for the hub's 320 routes, on every app. The
    routes hold nothing of an app (endpoints reach the runtime through
    ``request.app.state``), so every app of the process shares them; tests
    build an app per test.
    """
    template = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)
    template.include_router(api_router())
    template.include_router(console_router())
    template.include_router(public_pages.router)
    return tuple(template.router.routes)


UPLOAD_PATHS = re.compile(r"^(/api/v1/orgs/[^/]+/catalog/imports|/console/products/import)$")
"""Routes that take files, with the larger ``max_upload_bytes``."""


def upload_limit(settings: HubSettings) -> Callable[[str], int | None]:
    def limit(path: str) -> int | None:
        return settings.max_upload_bytes if UPLOAD_PATHS.match(path) else None

    return limit


def health_check(engine: Engine) -> Callable[[], dict[str, Any]]:
    head = code_head()

    def check() -> dict[str, Any]:
        try:
            revision = database_revision(engine)
        except SQLAlchemyError as err:
            return {"status": "unavailable", "database": f"unreachable: {type(err).__name__}"}
        schema = {"revision": revision, "head": head}
        status = "ok" if revision == head else "schema_behind"
        return {"status": status, "database": engine.dialect.name, "schema": schema}

    return check


def app_from_env() -> FastAPI:
    """For ``uvicorn --factory``: settings from the environment, JSON logs."""
    settings = HubSettings.from_env()
    configure_logging("hub", settings.log_level)
    return create_app(settings)

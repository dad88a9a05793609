"""The /api/v1 router: every route behind the one auth dependency."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from hub.api import catalog, registry, sales
from hub.api.deps import require_admin

API_PREFIX = "/api/v1"


def api_router() -> APIRouter:
    router = APIRouter(prefix=API_PREFIX, dependencies=[Depends(require_admin)])
    router.include_router(registry.router)
    router.include_router(catalog.router)
    router.include_router(sales.router)
    return router

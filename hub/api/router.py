"""The /api/v1 router: every route behind an auth dependency.

Everything is for the administrator except what a store box fetches with
its own token (catalog blobs), which has its own dependency.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends

from hub.api import accounts, blobs, catalog, registry, sales, staff
from hub.api.deps import require_admin

API_PREFIX = "/api/v1"


def api_router() -> APIRouter:
    router = APIRouter(prefix=API_PREFIX)
    admin = APIRouter(dependencies=[Depends(require_admin)])
    admin.include_router(registry.router)
    admin.include_router(catalog.router)
    admin.include_router(sales.router)
    router.include_router(admin)
    # Its route declares require_device_or_admin itself.
    router.include_router(blobs.router)
    router.include_router(accounts.router)  # its routes resolve their own callers
    router.include_router(staff.router)  # likewise
    return router

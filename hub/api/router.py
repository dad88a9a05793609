"""The /api/v1 router.

Each route declares who may call it with a dependency of ``hub.api.deps``
(public, the caller's own account, ``allow(permission)`` in an org, or a
store box's token); ``tests/hub/test_tenancy.py`` fails for a route that
declares none.
"""

from __future__ import annotations

from fastapi import APIRouter

from hub.api import (
    accounts,
    bank,
    blobs,
    catalog,
    debit_notes,
    einvoice,
    gst,
    labels,
    ledger,
    purchasing,
    registry,
    sales,
    shifts,
    staff,
    stock,
    stock_exceptions,
    urgent_reorders,
    valuation,
)

API_PREFIX = "/api/v1"


def api_router() -> APIRouter:
    router = APIRouter(prefix=API_PREFIX)
    modules = (accounts, registry, catalog, sales, staff, blobs, labels, ledger, bank, gst)
    for module in (*modules, einvoice, debit_notes, shifts, valuation, stock_exceptions):
        router.include_router(module.router)
    router.include_router(stock.router)  # the stock ledger (hub.stock)
    router.include_router(urgent_reorders.router)  # raised at the boxes (hub.stock.urgent)
    router.include_router(purchasing.router)  # suppliers, POs, bills, reorder rules
    return router

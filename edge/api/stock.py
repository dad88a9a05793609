"""The store's stock at the box, offline: on hand per product and batch, with
expiry warnings. The hub's last stock snapshot plus this box's own later
moves (edge/services/stock.py); ``snapshot`` says which snapshot, or none
yet (then only the box's own moves are counted)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Query
from pydantic import BaseModel

from edge.api.deps import Box, Cashier
from edge.services import stock as service
from setledger import errors
from setledger.fefo import ExpiryWarning, Lot
from setledger.fiscal import business_date
from setledger.money import format_quantity

router = APIRouter(prefix="/api/v1/stock", tags=["stock"])


class WarningOut(BaseModel):
    kind: Literal["expired", "expiring"]
    days_left: int
    batch_no: str | None
    expiry: date | None


class LotOut(BaseModel):
    batch_no: str | None
    expiry: date | None
    qty: int
    """Milli-units; negative after overselling offline."""
    qty_display: str
    warning: WarningOut | None


class ProductStockOut(BaseModel):
    product_id: str
    sku: str
    name: str
    unit: str
    qty: int
    qty_display: str
    lots: list[LotOut]
    fefo_batch_no: str | None
    """The batch FEFO would take one unit from next; None when no batch can be suggested."""


class SnapshotOut(BaseModel):
    version: int
    as_of: str
    applied_at: str


class StockListOut(BaseModel):
    snapshot: SnapshotOut | None
    expiry_warn_days: int
    items: list[ProductStockOut]


def warning_out(warning: ExpiryWarning | None) -> WarningOut | None:
    if warning is None:
        return None
    return WarningOut(
        kind=warning.kind,
        days_left=warning.days_left,
        batch_no=warning.lot.batch_no,
        expiry=warning.lot.expiry,
    )


def _lot_out(lot: Lot, warnings: dict[tuple[str | None, date | None], ExpiryWarning]) -> LotOut:
    return LotOut(
        batch_no=lot.batch_no,
        expiry=lot.expiry,
        qty=lot.qty,
        qty_display=format_quantity(lot.qty),
        warning=warning_out(warnings.get((lot.batch_no, lot.expiry))),
    )


def _product_out(item: service.ProductStock, today: date, soon_days: int) -> ProductStockOut:
    found = service.warnings(item.lots, today, soon_days)
    warnings = {(w.lot.batch_no, w.lot.expiry): w for w in found}
    first = service.suggest(item.lots, 1000, today).first
    return ProductStockOut(
        product_id=item.product_id,
        sku=item.sku,
        name=item.name,
        unit=item.unit,
        qty=item.qty,
        qty_display=format_quantity(item.qty),
        lots=[_lot_out(lot, warnings) for lot in item.lots],
        fefo_batch_no=None if first is None else first.batch_no,
    )


def _snapshot_out(state: service.SnapshotState | None) -> SnapshotOut | None:
    if state is None:
        return None
    return SnapshotOut(version=state.version, as_of=state.as_of, applied_at=state.applied_at)


@router.get("", response_model=StockListOut)
def list_stock(
    box: Box,
    cashier: Cashier,
    q: Annotated[str | None, Query(max_length=100)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> StockListOut:
    """Products this store holds or moved, by name or SKU, on hand per batch."""
    today = business_date(box.now())
    soon = box.settings.expiry_warn_days
    with box.db.reader.connect() as conn:
        items = service.search(conn, q, limit)
        state = service.snapshot_state(conn)
    return StockListOut(
        snapshot=_snapshot_out(state),
        expiry_warn_days=soon,
        items=[_product_out(x, today, soon) for x in items],
    )


@router.get("/{product_id}", response_model=ProductStockOut)
def product_stock(box: Box, cashier: Cashier, product_id: UUID) -> ProductStockOut:
    """One product's on hand per batch, soonest expiry first, with warnings."""
    with box.db.reader.connect() as conn:
        item = service.product_stock(conn, str(product_id))
    if item is None:
        raise errors.PRODUCT_NOT_FOUND.error(code=str(product_id))
    return _product_out(item, business_date(box.now()), box.settings.expiry_warn_days)

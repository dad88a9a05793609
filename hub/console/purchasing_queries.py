"""Read-only queries the purchasing pages need and ``hub.purchasing`` does not offer:
products by SKU (the forms take SKUs, the services product ids), the org's PO numbers
(to pick one when marking an urgent reorder ordered) and the stores' locations."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hub.db.models import Product, PurchaseOrder, StockLocation, SupplierBillLine

NUMBERS_SHOWN = 200
"""The newest PO numbers offered in a pick list (older ones can be typed)."""


def products_by_sku(
    session: Session, org_id: uuid.UUID, skus: Iterable[str]
) -> dict[str, tuple[uuid.UUID, str, str]]:
    """(product id, SKU, name) by the upper-cased SKU asked for; SKUs are matched
    without regard to case, as the stock pages' search does."""
    wanted = {s.strip().upper() for s in skus if s.strip()}
    if not wanted:
        return {}
    rows = session.execute(
        select(Product.product_id, Product.sku, Product.name).where(
            Product.org_id == org_id, func.upper(Product.sku).in_(wanted)
        )
    )
    return {sku.upper(): (product_id, sku, name) for product_id, sku, name in rows}


def billed_receipts(
    session: Session, org_id: uuid.UUID, receipt_ids: Iterable[uuid.UUID]
) -> set[uuid.UUID]:
    """Those of the receipts a supplier bill already covers."""
    wanted = set(receipt_ids)
    if not wanted:
        return set()
    return set(
        session.scalars(
            select(SupplierBillLine.receipt_id).where(
                SupplierBillLine.org_id == org_id, SupplierBillLine.receipt_id.in_(wanted)
            )
        )
    )


def po_numbers(session: Session, org_id: uuid.UUID) -> list[str]:
    """The org's purchase order numbers, newest first."""
    return list(
        session.scalars(
            select(PurchaseOrder.number)
            .where(PurchaseOrder.org_id == org_id)
            .order_by(PurchaseOrder.number.desc())
            .limit(NUMBERS_SHOWN)
        )
    )


def store_locations(session: Session, org_id: uuid.UUID) -> list[StockLocation]:
    """Each store's own location (a store's urgent reorders are listed by store)."""
    return list(
        session.scalars(
            select(StockLocation)
            .where(StockLocation.org_id == org_id, StockLocation.store_id.is_not(None))
            .order_by(StockLocation.code)
        )
    )


def serial_tracked(
    session: Session, org_id: uuid.UUID, product_ids: Iterable[uuid.UUID]
) -> set[uuid.UUID]:
    """Which of these products are received and sold a numbered unit at a time."""
    wanted = list(set(product_ids))
    if not wanted:
        return set()
    return set(
        session.scalars(
            select(Product.product_id).where(
                Product.org_id == org_id,
                Product.product_id.in_(wanted),
                Product.serial_tracked.is_(True),
            )
        )
    )

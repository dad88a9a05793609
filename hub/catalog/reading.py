"""Load products with their barcodes and price points (helpers: never commit)."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.db.models import Org, Product, ProductBarcode, ProductPrice
from setledger import errors


@dataclass
class ProductChildren:
    barcodes: dict[uuid.UUID, list[str]] = field(default_factory=lambda: defaultdict(list))
    prices: dict[uuid.UUID, list[ProductPrice]] = field(default_factory=lambda: defaultdict(list))


def get_product(session: Session, org: Org, product_id: uuid.UUID) -> Product:
    product = session.get(Product, (org.org_id, product_id))
    if product is None:
        raise errors.CATALOG_PRODUCT_NOT_FOUND.error(product_id=str(product_id))
    return product


def load_children(
    session: Session, org: Org, product_ids: Sequence[uuid.UUID] | None
) -> ProductChildren:
    """Barcodes (sorted) and prices (oldest first) of some products, or of all (None)."""
    barcodes = select(ProductBarcode).where(ProductBarcode.org_id == org.org_id)
    prices = select(ProductPrice).where(ProductPrice.org_id == org.org_id)
    if product_ids is not None:
        barcodes = barcodes.where(ProductBarcode.product_id.in_(product_ids))
        prices = prices.where(ProductPrice.product_id.in_(product_ids))
    children = ProductChildren()
    for barcode in session.scalars(barcodes.order_by(ProductBarcode.barcode)):
        children.barcodes[barcode.product_id].append(barcode.barcode)
    for price in session.scalars(prices.order_by(ProductPrice.valid_from)):
        children.prices[price.product_id].append(price)
    return children


def price_at(prices: Sequence[ProductPrice], instant: datetime) -> ProductPrice | None:
    """The price point in effect at ``instant``: the latest one already valid."""
    current = [p for p in prices if p.valid_from <= instant]
    return max(current, key=lambda p: p.valid_from) if current else None

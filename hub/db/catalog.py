"""Tables of the catalog master: products, their barcodes and price points.

The hub is the single writer of the catalog. Prices are effective-dated
and append-only: a new price is a new row with its ``valid_from``, so the
price any past sale should have used can always be looked up.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import (
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from hub.db.base import Base


class Product(Base):
    __tablename__ = "product"
    __table_args__ = (
        UniqueConstraint("org_id", "sku"),
        UniqueConstraint("org_id", "slug"),
        Index(None, "org_id", "variant_group"),
    )

    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("org.org_id"), primary_key=True)
    product_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    sku: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    hsn: Mapped[str | None] = mapped_column(String(8))
    unit: Mapped[str] = mapped_column(String(3))
    fractional_qty: Mapped[bool]
    gst_rate_bp: Mapped[int] = mapped_column(Integer)
    cess_bp: Mapped[int] = mapped_column(Integer)
    price_includes_tax: Mapped[bool]
    category: Mapped[str | None] = mapped_column(String(100))
    active: Mapped[bool]
    variant_group: Mapped[str | None] = mapped_column(String(64))
    """Variants of one item (sizes, colours) share this key; each is a product."""
    variant: Mapped[str | None] = mapped_column(String(100))
    """What tells this variant apart: "1 kg", "Red / XL"."""
    batch_tracked: Mapped[bool] = mapped_column(server_default=false())
    """Stock and labels carry a batch number and an expiry date."""
    serial_tracked: Mapped[bool] = mapped_column(server_default=false())
    """Each unit has a serial number, named on its own sale line; never with batch_tracked."""
    shelf_life_days: Mapped[int | None] = mapped_column(Integer)
    """Days from packing to expiry, to suggest an expiry date on labels."""
    slug: Mapped[str] = mapped_column(String(120))
    """Names the product in its public page's URL, unique in the org; kept
    when the product is renamed, so printed labels stay good."""
    version: Mapped[int]
    """The org's catalog_version at this product's last change (a delta
    from version N to M is every product with N < version <= M)."""
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class ProductBarcode(Base):
    """A barcode names at most one product of an org (the key says so)."""

    __tablename__ = "product_barcode"
    __table_args__ = (
        ForeignKeyConstraint(["org_id", "product_id"], ["product.org_id", "product.product_id"]),
        Index(None, "org_id", "product_id"),
    )

    org_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    barcode: Mapped[str] = mapped_column(String(32), primary_key=True)
    product_id: Mapped[uuid.UUID]


class ProductPrice(Base):
    """One price point, in effect from ``valid_from`` until the next one."""

    __tablename__ = "product_price"
    __table_args__ = (
        ForeignKeyConstraint(["org_id", "product_id"], ["product.org_id", "product.product_id"]),
        UniqueConstraint("org_id", "product_id", "valid_from"),
    )

    org_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    price_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    product_id: Mapped[uuid.UUID]
    valid_from: Mapped[datetime]
    price: Mapped[int]
    mrp: Mapped[int | None]
    version: Mapped[int]
    """The catalog version that added this price point."""
    created_at: Mapped[datetime]

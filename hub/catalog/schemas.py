"""API models of the catalog master (XCreate / XUpdate / XPublic)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import AwareDatetime, Field, StrictBool, StrictInt, StringConstraints

from hub.schemas import Request, Response

# StrictInt: a float price (even 100.0) is a 422, never silently paise.
PaiseIn = Annotated[StrictInt, Field(ge=0, le=10**13)]
RateBpIn = Annotated[StrictInt, Field(ge=0, le=100_000)]
Sku = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$")]
ProductName = Annotated[str, StringConstraints(min_length=1, max_length=200)]
Unit = Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{3}$", to_upper=True)]
Category = Annotated[str, StringConstraints(min_length=1, max_length=100)]
Barcode = Annotated[str, StringConstraints(min_length=1, max_length=64)]
"""Format and check digits are checked by the service (BARCODE_INVALID)."""
HsnIn = Annotated[str, StringConstraints(min_length=1, max_length=16)]
"""Checked by the service (HSN_INVALID), so the answer names the rule."""
VariantGroup = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$")]
Variant = Annotated[str, StringConstraints(min_length=1, max_length=100)]
ShelfLifeDays = Annotated[StrictInt, Field(ge=1, le=3650)]


class ProductCreate(Request):
    sku: Sku
    name: ProductName
    hsn: HsnIn | None = None
    unit: Unit = "PCS"
    fractional_qty: StrictBool = False
    gst_rate_bp: RateBpIn
    cess_bp: RateBpIn = 0
    price_includes_tax: StrictBool = True
    price: PaiseIn
    mrp: PaiseIn | None = None
    barcodes: list[Barcode] = Field(default_factory=list, max_length=32)
    category: Category | None = None
    variant_group: VariantGroup | None = None
    """Variants of one item (sizes, colours) share it; each variant is a product."""
    variant: Variant | None = None
    batch_tracked: StrictBool = False
    serial_tracked: StrictBool = False
    """Each unit is sold on its own line naming its serial number (not with batch_tracked)."""
    shelf_life_days: ShelfLifeDays | None = None


class ProductUpdate(Request):
    """Only the fields sent change; ``hsn`` and ``category`` may be set to null."""

    name: ProductName | None = None
    hsn: HsnIn | None = None
    gst_rate_bp: RateBpIn | None = None
    cess_bp: RateBpIn | None = None
    unit: Unit | None = None
    category: Category | None = None
    active: StrictBool | None = None
    barcodes: list[Barcode] | None = Field(default=None, max_length=32)
    variant_group: VariantGroup | None = None
    variant: Variant | None = None
    batch_tracked: StrictBool | None = None
    serial_tracked: StrictBool | None = None
    shelf_life_days: ShelfLifeDays | None = None


class PriceCreate(Request):
    price: PaiseIn
    mrp: PaiseIn | None = None
    valid_from: AwareDatetime | None = None
    """Default: now. A future instant schedules a price change."""


class PricePublic(Response):
    valid_from: datetime
    price: int
    mrp: int | None
    version: int


class ProductPublic(Response):
    org_id: str
    product_id: uuid.UUID
    sku: str
    name: str
    hsn: str | None
    unit: str
    fractional_qty: bool
    gst_rate_bp: int
    cess_bp: int
    price_includes_tax: bool
    category: str | None
    active: bool
    variant_group: str | None
    variant: str | None
    batch_tracked: bool
    serial_tracked: bool
    shelf_life_days: int | None
    slug: str
    """Its public page is ``/p/<org slug>/<slug>``; kept across renames."""
    version: int
    price: int | None
    """The price in effect now (None if every price point is in the future)."""
    mrp: int | None
    barcodes: list[str]
    prices: list[PricePublic]
    created_at: datetime
    updated_at: datetime


class ProductPage(Response):
    products: list[ProductPublic]
    total: int
    limit: int
    offset: int

"""Catalog downlink: the hub is the single writer of products and prices."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar
from uuid import UUID

from pydantic import AwareDatetime, Field, field_validator

from setledger.contracts.base import (
    Contract,
    Hsn,
    OrgCode,
    Paise,
    RateBp,
    Sha256,
    ShortText,
)
from setledger.gst import GST_RATES_BP


class PricePoint(Contract):
    """A selling price effective from ``valid_from`` until the next one."""

    valid_from: AwareDatetime
    price: Paise = Field(ge=0)
    mrp: Paise | None = Field(default=None, ge=0)


class CatalogProduct(Contract):
    product_id: UUID
    sku: ShortText
    name: ShortText
    hsn: Hsn | None = None
    unit: str = Field(default="PCS", pattern=r"^[A-Z]{3}$")
    """GST unit quantity code (UQC): PCS, KGS, LTR, MTR, BOX..."""
    fractional_qty: bool = False
    """True for loose goods sold by weight or length (quantities like 1.25)."""
    gst_rate_bp: RateBp
    cess_bp: Paise = Field(default=0, ge=0, le=30_000)
    price_includes_tax: bool = True
    prices: list[PricePoint] = Field(min_length=1)
    barcodes: list[str] = Field(default_factory=list)
    category: str | None = None
    active: bool = True
    variant_group: str | None = Field(default=None, max_length=64)
    """Variants of one item (sizes, colours) share it; each variant is a product."""
    variant: str | None = Field(default=None, max_length=100)
    batch_tracked: bool = False
    serial_tracked: bool = Field(default=False, exclude_if=lambda tracked: not tracked)
    """Each unit has a serial number, named on its sale line (one unit per line).
    Left out when false, so a box that predates it reads the catalog as before."""
    shelf_life_days: int | None = Field(default=None, ge=1, le=3650)
    slug: str | None = Field(default=None, max_length=120, pattern=r"^[a-z0-9-]+$")
    """The product's part of its public URL ``/p/<org slug>/<slug>`` (labels print it)."""

    @field_validator("gst_rate_bp")
    @classmethod
    def _notified_rate(cls, value: int) -> int:
        if value not in GST_RATES_BP:
            raise ValueError(f"{value} bp is not a GST rate")
        return value

    def price_at(self, instant: datetime) -> PricePoint | None:
        """The price in effect at ``instant`` (the latest one already valid)."""
        current = [p for p in self.prices if p.valid_from <= instant]
        return max(current, key=lambda p: p.valid_from) if current else None


class CatalogSnapshot(Contract):
    """The whole catalog of an org at one version (fetched over HTTPS)."""

    SCHEMA: ClassVar[str] = "catalog.snapshot"
    VERSION: ClassVar[int] = 1

    org_id: OrgCode
    version: int = Field(strict=True, ge=1)
    generated_at: AwareDatetime
    products: list[CatalogProduct]


class CatalogDelta(Contract):
    """The products that changed from one catalog version to the next.

    Each product is given whole (with all its price points and barcodes):
    applying a delta replaces those products and nothing else.
    """

    SCHEMA: ClassVar[str] = "catalog.delta"
    VERSION: ClassVar[int] = 1

    org_id: OrgCode
    from_version: int = Field(strict=True, ge=1)
    to_version: int = Field(strict=True, ge=2)
    generated_at: AwareDatetime
    products: list[CatalogProduct]


class BlobRef(Contract):
    url: str
    """A path on the hub (``/api/v1/blobs/<sha256>``), fetched with the
    device's token and checked against ``sha256`` before use."""
    sha256: Sha256
    size: int = Field(strict=True, ge=0)


class DeltaRef(BlobRef):
    from_version: int = Field(strict=True, ge=0)
    to_version: int = Field(strict=True, ge=1)


class CatalogManifest(Contract):
    """Retained on ``.../{org}/down/catalog``: what the current catalog is."""

    SCHEMA: ClassVar[str] = "catalog.manifest"
    VERSION: ClassVar[int] = 1

    org_id: OrgCode
    version: int = Field(strict=True, ge=1)
    snapshot: BlobRef
    deltas: list[DeltaRef] = Field(default_factory=list)
    published_at: AwareDatetime

"""Stock at the hub: locations, bins, lots, transfers, counts and the level cache.

The moves themselves are ``stock_move`` (:mod:`hub.db.sales`), extended by
migration 0015 with the location, bin, lot, transfer and unit cost.

- A store's own location has ``location_id == store_id`` (made with the
  store, backfilled by 0015), so a box's moves need no lookup to find it.
- One ``transit`` location per org holds what is shipped and not received.
- ``stock_transfer`` and ``stock_count`` are append-only like the moves.
- ``stock_level`` is a cache, not a record: the sum of the ledger per
  (location, product, lot), kept in the same transaction as the moves and
  counts that change it (:mod:`hub.stock.ledger`) and rebuildable from them.
  ``lot_key`` is the lot id or the nil UUID for untracked stock, so the
  primary key has no NULL in it.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import ForeignKeyConstraint, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hub.db.base import Base

LOCATION_FK = (["org_id", "location_id"], ["stock_location.org_id", "stock_location.location_id"])


class StockLocation(Base):
    __tablename__ = "stock_location"
    __table_args__ = (
        ForeignKeyConstraint(["org_id", "store_id"], ["store.org_id", "store.store_id"]),
        UniqueConstraint("org_id", "code"),
    )

    org_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    location_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    """``store``, ``warehouse`` or ``transit``."""
    store_id: Mapped[uuid.UUID | None]
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime]


class StockBin(Base):
    __tablename__ = "stock_bin"
    __table_args__ = (
        ForeignKeyConstraint(*LOCATION_FK),
        UniqueConstraint("org_id", "location_id", "code"),
    )

    org_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    bin_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    location_id: Mapped[uuid.UUID]
    code: Mapped[str] = mapped_column(String(32))


class StockLot(Base):
    __tablename__ = "stock_lot"
    __table_args__ = (UniqueConstraint("org_id", "product_id", "batch_no"),)

    org_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    lot_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    product_id: Mapped[uuid.UUID]
    batch_no: Mapped[str] = mapped_column(String(64))
    expiry: Mapped[date | None]
    serial: Mapped[bool]
    """A serial number: a lot of exactly one unit."""


class StockTransfer(Base):
    """A shipment from one location to another through the org's transit location."""

    __tablename__ = "stock_transfer"
    __table_args__ = (
        ForeignKeyConstraint(
            ["org_id", "from_location_id"], ["stock_location.org_id", "stock_location.location_id"]
        ),
        ForeignKeyConstraint(
            ["org_id", "to_location_id"], ["stock_location.org_id", "stock_location.location_id"]
        ),
    )

    org_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    transfer_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    from_location_id: Mapped[uuid.UUID]
    to_location_id: Mapped[uuid.UUID]
    shipped_at: Mapped[datetime]
    shipped_by: Mapped[str | None] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(String(500))


class StockCount(Base):
    """A physical count: ``counted_qty`` milli-units at ``counted_at`` (append-only)."""

    __tablename__ = "stock_count"
    __table_args__ = (
        ForeignKeyConstraint(*LOCATION_FK),
        ForeignKeyConstraint(["org_id", "lot_id"], ["stock_lot.org_id", "stock_lot.lot_id"]),
        Index(None, "org_id", "location_id", "product_id"),
    )

    org_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    count_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    location_id: Mapped[uuid.UUID]
    product_id: Mapped[uuid.UUID]
    lot_id: Mapped[uuid.UUID | None]
    counted_qty: Mapped[int]
    counted_at: Mapped[datetime]
    counted_by: Mapped[str | None] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(String(500))
    recorded_at: Mapped[datetime]


class StockLevel(Base):
    """On-hand per (location, product, lot): a cache of the ledger, never the record."""

    __tablename__ = "stock_level"
    __table_args__ = (
        ForeignKeyConstraint(*LOCATION_FK),
        Index(None, "org_id", "product_id"),
    )

    org_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    location_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    product_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    lot_key: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    qty: Mapped[int]
    count_id: Mapped[uuid.UUID | None]
    """The count that holds (the latest by counted_at, then count id); none if never counted."""
    count_at: Mapped[datetime | None]
    count_qty: Mapped[int | None]

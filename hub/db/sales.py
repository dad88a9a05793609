"""Tables written by ingest from ``sale.recorded``: sales, lines, tenders, stock moves.

Append-only (database triggers refuse UPDATE and DELETE, see
:mod:`hub.db.append_only`): a correction is a new entry (a credit note, a
reversing move), never an edit. Every field of the ``SaleRecorded``
contract is kept, plus where and when it arrived.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import ForeignKeyConstraint, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hub.db.base import Base


class Sale(Base):
    __tablename__ = "sale"
    __table_args__ = (
        ForeignKeyConstraint(["org_id", "store_id"], ["store.org_id", "store.store_id"]),
        ForeignKeyConstraint(["org_id", "device_id"], ["device.org_id", "device.device_id"]),
        # Invoice numbers embed the box prefix (unique per org) and the FY,
        # so a repeat inside an org is a box bug or a restore gone wrong.
        UniqueConstraint("org_id", "invoice_no"),
        Index(None, "org_id", "business_date"),
        Index(None, "org_id", "store_id", "business_date"),
    )

    org_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    sale_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    store_id: Mapped[uuid.UUID]
    device_id: Mapped[uuid.UUID]
    epoch: Mapped[str] = mapped_column(String(32))
    stream: Mapped[str] = mapped_column(String(32))
    seq: Mapped[int]
    invoice_no: Mapped[str] = mapped_column(String(16))
    financial_year: Mapped[str] = mapped_column(String(7))
    sold_at: Mapped[datetime]
    business_date: Mapped[date]
    """The Indian calendar date of the sale (what "today's sales" means)."""
    seller_state: Mapped[str] = mapped_column(String(2))
    place_of_supply: Mapped[str] = mapped_column(String(2))
    supply_kind: Mapped[str] = mapped_column(String(8))
    rounding: Mapped[str] = mapped_column(String(8))
    buyer_name: Mapped[str | None] = mapped_column(String(200))
    buyer_phone: Mapped[str | None] = mapped_column(String(16))
    buyer_gstin: Mapped[str | None] = mapped_column(String(15))
    buyer_state: Mapped[str | None] = mapped_column(String(2))
    cashier: Mapped[str | None] = mapped_column(String(200))
    taxable: Mapped[int]
    cgst: Mapped[int]
    sgst: Mapped[int]
    igst: Mapped[int]
    cess: Mapped[int]
    round_off: Mapped[int]
    payable: Mapped[int]
    tendered: Mapped[int]
    change: Mapped[int]
    hlc: Mapped[str] = mapped_column(String(100))
    wall_time: Mapped[datetime]
    """The box's clock when it sent the sale (may be wrong; see received_at)."""
    received_at: Mapped[datetime]
    correlation_id: Mapped[str | None] = mapped_column(String(64))
    payload_sha256: Mapped[str] = mapped_column(String(64))


class SaleLine(Base):
    __tablename__ = "sale_line"
    __table_args__ = (ForeignKeyConstraint(["org_id", "sale_id"], ["sale.org_id", "sale.sale_id"]),)

    org_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    sale_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    line_no: Mapped[int] = mapped_column(Integer, primary_key=True)
    product_id: Mapped[uuid.UUID]
    sku: Mapped[str] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(200))
    hsn: Mapped[str | None] = mapped_column(String(8))
    unit: Mapped[str] = mapped_column(String(16))
    qty: Mapped[int]
    unit_price: Mapped[int]
    price_includes_tax: Mapped[bool]
    discount: Mapped[int]
    rate_bp: Mapped[int] = mapped_column(Integer)
    cess_bp: Mapped[int] = mapped_column(Integer)
    taxable: Mapped[int]
    cgst: Mapped[int]
    sgst: Mapped[int]
    igst: Mapped[int]
    cess: Mapped[int]
    charged: Mapped[int]


class SaleTender(Base):
    __tablename__ = "sale_tender"
    __table_args__ = (ForeignKeyConstraint(["org_id", "sale_id"], ["sale.org_id", "sale.sale_id"]),)

    org_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    sale_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    tender_no: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))
    amount: Mapped[int]
    reference: Mapped[str | None] = mapped_column(String(64))


class StockMove(Base):
    """A signed movement of stock; on-hand is the sum, never a stored number."""

    __tablename__ = "stock_move"
    __table_args__ = (
        ForeignKeyConstraint(["org_id", "store_id"], ["store.org_id", "store.store_id"]),
        ForeignKeyConstraint(["org_id", "sale_id"], ["sale.org_id", "sale.sale_id"]),
        ForeignKeyConstraint(
            ["org_id", "location_id"], ["stock_location.org_id", "stock_location.location_id"]
        ),
        ForeignKeyConstraint(["org_id", "bin_id"], ["stock_bin.org_id", "stock_bin.bin_id"]),
        ForeignKeyConstraint(["org_id", "lot_id"], ["stock_lot.org_id", "stock_lot.lot_id"]),
        ForeignKeyConstraint(
            ["org_id", "transfer_id"], ["stock_transfer.org_id", "stock_transfer.transfer_id"]
        ),
        Index(None, "org_id", "store_id", "product_id"),
        Index(None, "org_id", "sale_id"),
        Index(None, "org_id", "location_id", "product_id", "moved_at"),
        Index(None, "org_id", "transfer_id"),
    )

    org_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    move_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    store_id: Mapped[uuid.UUID | None]
    """The store whose box moved it; none for hub moves at a warehouse or in transit."""
    device_id: Mapped[uuid.UUID | None]
    """The box that moved it; none for moves made at the hub (receipts, adjustments)."""
    product_id: Mapped[uuid.UUID]
    qty: Mapped[int]
    reason: Mapped[str] = mapped_column(String(16))
    sale_id: Mapped[uuid.UUID | None]
    moved_at: Mapped[datetime]
    business_date: Mapped[date]
    received_at: Mapped[datetime]
    # Migration 0015 (hub.db.stock): where, which bin and lot, which transfer, at what cost.
    location_id: Mapped[uuid.UUID | None]
    """The stock location; a store's own location id is its store id. Set on every new move."""
    bin_id: Mapped[uuid.UUID | None]
    lot_id: Mapped[uuid.UUID | None]
    transfer_id: Mapped[uuid.UUID | None]
    unit_cost: Mapped[int | None]
    """Paise per unit (1000 milli-units); receipts carry it (see setledger.stock)."""

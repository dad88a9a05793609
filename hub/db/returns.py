"""Tables written by ingest from ``return.recorded``: credit notes, lines, refunds.

Append-only like the sales (triggers of migration 0012): a credit note is
never edited; a mistake is another document. Every field of the
``ReturnRecorded`` contract is kept, plus where and when it arrived.

The original sale is named by id, invoice number and date but not held by
a foreign key: the box's returns travel on their own stream, so a return
may arrive before its sale (see docs/RETURNS.md), and the hub keeps it.
Restocking moves go to ``stock_move`` (reason ``return``, no sale); each
line names its move.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import ForeignKeyConstraint, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hub.db.base import Base


class SaleReturn(Base):
    __tablename__ = "sale_return"
    __table_args__ = (
        ForeignKeyConstraint(["org_id", "store_id"], ["store.org_id", "store.store_id"]),
        ForeignKeyConstraint(["org_id", "device_id"], ["device.org_id", "device.device_id"]),
        # Credit note numbers embed the box prefix and the FY, like invoices.
        UniqueConstraint("org_id", "note_no"),
        Index(None, "org_id", "business_date"),
        Index(None, "org_id", "sale_id"),
    )

    org_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    return_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    store_id: Mapped[uuid.UUID]
    device_id: Mapped[uuid.UUID]
    epoch: Mapped[str] = mapped_column(String(32))
    stream: Mapped[str] = mapped_column(String(32))
    seq: Mapped[int]
    note_no: Mapped[str] = mapped_column(String(16))
    financial_year: Mapped[str] = mapped_column(String(7))
    returned_at: Mapped[datetime]
    business_date: Mapped[date]
    sale_id: Mapped[uuid.UUID]
    """The original sale (it may not have arrived yet)."""
    original_invoice_no: Mapped[str] = mapped_column(String(16))
    original_date: Mapped[date]
    original_payable: Mapped[int]
    seller_state: Mapped[str] = mapped_column(String(2))
    place_of_supply: Mapped[str] = mapped_column(String(2))
    supply_kind: Mapped[str] = mapped_column(String(8))
    rounding: Mapped[str] = mapped_column(String(8))
    buyer_name: Mapped[str | None] = mapped_column(String(200))
    buyer_phone: Mapped[str | None] = mapped_column(String(16))
    buyer_gstin: Mapped[str | None] = mapped_column(String(15))
    buyer_state: Mapped[str | None] = mapped_column(String(2))
    cashier: Mapped[str | None] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(String(500))
    taxable: Mapped[int]
    cgst: Mapped[int]
    sgst: Mapped[int]
    igst: Mapped[int]
    cess: Mapped[int]
    round_off: Mapped[int]
    payable: Mapped[int]
    hlc: Mapped[str] = mapped_column(String(100))
    wall_time: Mapped[datetime]
    received_at: Mapped[datetime]
    correlation_id: Mapped[str | None] = mapped_column(String(64))
    payload_sha256: Mapped[str] = mapped_column(String(64))


class SaleReturnLine(Base):
    __tablename__ = "sale_return_line"
    __table_args__ = (
        ForeignKeyConstraint(
            ["org_id", "return_id"], ["sale_return.org_id", "sale_return.return_id"]
        ),
    )

    org_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    return_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    line_no: Mapped[int] = mapped_column(Integer, primary_key=True)
    """The original sale's line number."""
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
    move_id: Mapped[uuid.UUID]
    """The restocking stock move of this line."""


class SaleReturnRefund(Base):
    __tablename__ = "sale_return_refund"
    __table_args__ = (
        ForeignKeyConstraint(
            ["org_id", "return_id"], ["sale_return.org_id", "sale_return.return_id"]
        ),
    )

    org_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    return_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    refund_no: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))
    amount: Mapped[int]
    reference: Mapped[str | None] = mapped_column(String(64))

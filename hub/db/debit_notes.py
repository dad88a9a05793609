"""Debit notes issued at the hub, and their lines (tables of migration 0013).

A debit note charges the buyer more on an invoice that under-charged (a
price revised upward after the sale, a short-billed quantity). The
accountant issues it at the hub, against a sale the hub holds (a foreign
key: unlike a box's return, the original is always here first).

Append-only like the sales: a note is never edited; a mistake is another
document. The note keeps what it was made from (the original's parties,
supply kind and rates), so it is filed and printed from its own rows.
Numbers run per org and financial year: ``DN/<FY short>/<6-digit serial>``
(``DN`` is refused as a box prefix, so no box invoice can take one).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import ForeignKeyConstraint, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hub.db.base import Base


class DebitNote(Base):
    __tablename__ = "debit_note"
    __table_args__ = (
        ForeignKeyConstraint(["org_id", "store_id"], ["store.org_id", "store.store_id"]),
        ForeignKeyConstraint(["org_id", "sale_id"], ["sale.org_id", "sale.sale_id"]),
        UniqueConstraint("org_id", "note_no"),
        UniqueConstraint("org_id", "financial_year", "serial"),
        Index(None, "org_id", "business_date"),
        Index(None, "org_id", "sale_id"),
    )

    org_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    debit_note_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    """The client's id: issuing twice with the same body answers the same note."""
    note_no: Mapped[str] = mapped_column(String(16))
    financial_year: Mapped[str] = mapped_column(String(7))
    serial: Mapped[int]
    business_date: Mapped[date]
    issued_at: Mapped[datetime]
    issued_by: Mapped[str] = mapped_column(String(64))
    """The member's user code."""
    store_id: Mapped[uuid.UUID]
    sale_id: Mapped[uuid.UUID]
    original_invoice_no: Mapped[str] = mapped_column(String(16))
    original_date: Mapped[date]
    original_payable: Mapped[int]
    seller_state: Mapped[str] = mapped_column(String(2))
    place_of_supply: Mapped[str] = mapped_column(String(2))
    supply_kind: Mapped[str] = mapped_column(String(8))
    buyer_name: Mapped[str | None] = mapped_column(String(200))
    buyer_phone: Mapped[str | None] = mapped_column(String(16))
    buyer_gstin: Mapped[str | None] = mapped_column(String(15))
    buyer_state: Mapped[str | None] = mapped_column(String(2))
    reason: Mapped[str] = mapped_column(String(500))
    taxable: Mapped[int]
    cgst: Mapped[int]
    sgst: Mapped[int]
    igst: Mapped[int]
    cess: Mapped[int]
    round_off: Mapped[int]
    payable: Mapped[int]
    request_sha256: Mapped[str] = mapped_column(String(64))
    """Of the request that issued it: a retry must send the same."""


class DebitNoteLine(Base):
    __tablename__ = "debit_note_line"
    __table_args__ = (
        ForeignKeyConstraint(
            ["org_id", "debit_note_id"],
            ["debit_note.org_id", "debit_note.debit_note_id"],
        ),
    )

    org_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    debit_note_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    line_no: Mapped[int] = mapped_column(Integer, primary_key=True)
    """The original sale's line number."""
    product_id: Mapped[uuid.UUID]
    sku: Mapped[str] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(200))
    hsn: Mapped[str | None] = mapped_column(String(8))
    unit: Mapped[str] = mapped_column(String(16))
    qty: Mapped[int]
    """The original line's quantity (the note charges more on it, not more of it)."""
    unit_price: Mapped[int]
    """The extra taxable value per unit, rounded (printed; ``taxable`` is exact)."""
    rate_bp: Mapped[int] = mapped_column(Integer)
    cess_bp: Mapped[int] = mapped_column(Integer)
    taxable: Mapped[int]
    cgst: Mapped[int]
    sgst: Mapped[int]
    igst: Mapped[int]
    cess: Mapped[int]

"""Suppliers, purchase orders, supplier bills and reorder rules (migration 0018).

History is append-only: ``purchase_order`` and its ``purchase_order_line``
rows are written once; what happened to an order is ``purchase_order_event``
rows (created, sent, received with the receipt's lines, closed, cancelled),
numbered per order by ``serial`` (unique, so two people acting on one order
at once cannot both write the same step) and its status is their fold
(``setledger.purchasing``). A receipt id is unique in the org: a retried
receipt finds its event. Bills (``supplier_bill``) and what each billed
(``supplier_bill_line``, keyed by receipt and line, so a receipt line is
billed once) are append-only too. So are returns to the supplier (migration
0021): ``supplier_return`` (its debit note's figures, zero when none of the
goods were billed) and ``supplier_return_line`` (each line's move, and how
much of it was billed already). A return before the bill is netted by the
next bill as a ``supplier_bill_line`` keyed by the return id, negative.

Suppliers and reorder rules are settings people change: plain rows.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKeyConstraint, Integer, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from hub.db.base import Base


class Supplier(Base):
    __tablename__ = "supplier"
    __table_args__ = (ForeignKeyConstraint(["org_id"], ["org.org_id"]),)

    org_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    supplier_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    state_code: Mapped[str] = mapped_column(String(2))
    gstin: Mapped[str | None] = mapped_column(String(15))
    phone: Mapped[str | None] = mapped_column(String(20))
    email: Mapped[str | None] = mapped_column(String(200))
    address: Mapped[str | None] = mapped_column(String(500))
    active: Mapped[bool]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class PurchaseOrder(Base):
    __tablename__ = "purchase_order"
    __table_args__ = (
        ForeignKeyConstraint(
            ["org_id", "supplier_id"], ["supplier.org_id", "supplier.supplier_id"]
        ),
        ForeignKeyConstraint(
            ["org_id", "location_id"], ["stock_location.org_id", "stock_location.location_id"]
        ),
        UniqueConstraint("org_id", "number"),
    )

    org_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    po_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(16))
    supplier_id: Mapped[uuid.UUID]
    location_id: Mapped[uuid.UUID]
    """Where the goods are to be delivered (a store or a warehouse)."""
    tolerance_bp: Mapped[int] = mapped_column(Integer)
    """How much over the ordered quantity may be received, basis points (0: none)."""
    note: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(200))


class PurchaseOrderLine(Base):
    __tablename__ = "purchase_order_line"
    __table_args__ = (
        ForeignKeyConstraint(
            ["org_id", "po_id"], ["purchase_order.org_id", "purchase_order.po_id"]
        ),
        ForeignKeyConstraint(["org_id", "product_id"], ["product.org_id", "product.product_id"]),
    )

    org_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    po_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    line_no: Mapped[int] = mapped_column(Integer, primary_key=True)
    product_id: Mapped[uuid.UUID]
    qty: Mapped[int]
    """Ordered, milli-units."""
    unit_cost: Mapped[int]
    """Paise per unit, before GST."""
    rate_bp: Mapped[int] = mapped_column(Integer)


class PurchaseOrderEvent(Base):
    __tablename__ = "purchase_order_event"
    __table_args__ = (
        ForeignKeyConstraint(
            ["org_id", "po_id"], ["purchase_order.org_id", "purchase_order.po_id"]
        ),
        UniqueConstraint("org_id", "po_id", "serial"),
        UniqueConstraint("org_id", "receipt_id"),
    )

    org_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    event_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    po_id: Mapped[uuid.UUID]
    serial: Mapped[int]
    kind: Mapped[str] = mapped_column(String(16))
    """created, sent, received, closed or cancelled."""
    receipt_id: Mapped[uuid.UUID | None]
    lines: Mapped[Any | None] = mapped_column(JSON)
    """A receipt's lines: ``[[line_no, qty, move_id], ...]``."""
    reason: Mapped[str | None] = mapped_column(String(500))
    actor_id: Mapped[uuid.UUID | None]
    actor: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime]


class SupplierBill(Base):
    __tablename__ = "supplier_bill"
    __table_args__ = (
        ForeignKeyConstraint(
            ["org_id", "po_id"], ["purchase_order.org_id", "purchase_order.po_id"]
        ),
        ForeignKeyConstraint(
            ["org_id", "supplier_id"], ["supplier.org_id", "supplier.supplier_id"]
        ),
        UniqueConstraint("org_id", "supplier_id", "bill_no"),
    )

    org_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    bill_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    po_id: Mapped[uuid.UUID]
    supplier_id: Mapped[uuid.UUID]
    bill_no: Mapped[str] = mapped_column(String(64))
    """The supplier's own number."""
    bill_date: Mapped[date]
    received_value: Mapped[int]
    taxable: Mapped[int]
    tax: Mapped[int]
    payable: Mapped[int]
    """What the supplier is owed: taxable + tax + round_off."""
    round_off: Mapped[int] = mapped_column(server_default=text("0"))
    """Paise the supplier's total was rounded by (-99 to 99; 0: none), posted to 4950."""
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(200))


class SupplierBillLine(Base):
    __tablename__ = "supplier_bill_line"
    __table_args__ = (
        ForeignKeyConstraint(
            ["org_id", "bill_id"], ["supplier_bill.org_id", "supplier_bill.bill_id"]
        ),
    )

    org_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    receipt_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    line_no: Mapped[int] = mapped_column(Integer, primary_key=True)
    bill_id: Mapped[uuid.UUID]
    qty: Mapped[int]
    received_cost: Mapped[int]
    billed_cost: Mapped[int]


class SupplierReturn(Base):
    __tablename__ = "supplier_return"
    __table_args__ = (
        ForeignKeyConstraint(
            ["org_id", "po_id"], ["purchase_order.org_id", "purchase_order.po_id"]
        ),
    )

    org_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    return_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    """The client's id: a retry finds it."""
    po_id: Mapped[uuid.UUID]
    reason: Mapped[str] = mapped_column(String(500))
    returned_value: Mapped[int]
    """Every line at the PO's cost (what leaves goods received not invoiced)."""
    billed_value: Mapped[int]
    """The billed part at the PO's cost (the debit note's 2150 credit); 0: no debit note."""
    taxable: Mapped[int]
    tax: Mapped[int]
    payable: Mapped[int]
    """What the supplier owes back (taxable + tax); 0 when nothing returned was billed."""
    returned_on: Mapped[date]
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(200))


class SupplierReturnLine(Base):
    __tablename__ = "supplier_return_line"
    __table_args__ = (
        ForeignKeyConstraint(
            ["org_id", "return_id"], ["supplier_return.org_id", "supplier_return.return_id"]
        ),
    )

    org_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    return_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    line_no: Mapped[int] = mapped_column(Integer)
    """The PO's line."""
    qty: Mapped[int]
    billed_qty: Mapped[int]
    """Of ``qty``, what a bill had covered (on the debit note); the rest the next bill nets."""
    billed_cost: Mapped[int]
    """Paise per unit the debit note takes it back at (the line's last bill's; the PO's)."""
    lot_id: Mapped[uuid.UUID | None]
    move_id: Mapped[uuid.UUID]


class ReorderRule(Base):
    __tablename__ = "reorder_rule"
    __table_args__ = (
        ForeignKeyConstraint(
            ["org_id", "location_id"], ["stock_location.org_id", "stock_location.location_id"]
        ),
        ForeignKeyConstraint(["org_id", "product_id"], ["product.org_id", "product.product_id"]),
    )

    org_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    location_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    product_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    min_qty: Mapped[int]
    max_qty: Mapped[int]
    pack_qty: Mapped[int | None]
    updated_at: Mapped[datetime]
    updated_by: Mapped[str] = mapped_column(String(200))

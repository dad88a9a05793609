"""Sales going up from the box: one message per committed sale."""

from __future__ import annotations

from datetime import date
from typing import Annotated, ClassVar, Literal
from uuid import UUID

from pydantic import AwareDatetime, Field, StringConstraints

from setledger import gst
from setledger.contracts.base import (
    Contract,
    Gstin,
    Hsn,
    InvoiceNumber,
    MilliQty,
    Paise,
    RateBp,
    Reference,
    ShortText,
    StateCode,
)
from setledger.tenders import TenderKind

SerialNo = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^\S(.*\S)?$")]
"""A unit's serial number (IMEI, maker's serial): no leading or trailing spaces."""


def _absent(value: object) -> bool:
    return value is None


class Buyer(Contract):
    name: str | None = Field(default=None, max_length=200)
    phone: str | None = Field(default=None, pattern=r"^\+?[0-9]{6,15}$")
    gstin: Gstin | None = None
    state: StateCode | None = None


class SaleLine(Contract):
    line_no: int = Field(strict=True, ge=1)
    product_id: UUID
    sku: ShortText
    name: ShortText
    hsn: Hsn | None = None
    unit: str
    qty: MilliQty = Field(gt=0)
    unit_price: Paise = Field(ge=0)
    price_includes_tax: bool
    discount: Paise = Field(default=0, ge=0)
    rate_bp: RateBp
    cess_bp: Paise = Field(default=0, ge=0)
    taxable: Paise
    cgst: Paise
    sgst: Paise
    igst: Paise
    cess: Paise
    charged: Paise
    serial_no: SerialNo | None = Field(default=None, exclude_if=_absent)
    """The unit sold, for a serial-tracked product (its line is exactly one unit).
    Left out of the message when absent, so a sale of other goods reads as before."""


class SaleTender(Contract):
    kind: TenderKind
    amount: Paise = Field(gt=0)
    reference: Reference | None = None


class SaleTotals(Contract):
    taxable: Paise
    cgst: Paise
    sgst: Paise
    igst: Paise
    cess: Paise
    round_off: Paise
    payable: Paise
    tendered: Paise
    change: Paise


class StockMove(Contract):
    """A movement of stock; on-hand is the sum of moves, never overwritten."""

    move_id: UUID
    product_id: UUID
    qty: MilliQty
    reason: Literal["sale", "return", "receipt", "transfer_out", "transfer_in", "adjustment"]
    batch_no: str | None = Field(default=None, min_length=1, max_length=64)
    """The batch (lot) taken or put back; None for stock not kept by batch."""
    expiry: date | None = None
    """The batch's expiry date, as the box knew it."""
    serial_no: SerialNo | None = Field(default=None, exclude_if=_absent)
    """The serial number taken or put back (one unit); left out when absent."""


class SaleRecorded(Contract):
    SCHEMA: ClassVar[str] = "sale.recorded"
    VERSION: ClassVar[int] = 1

    sale_id: UUID
    invoice_no: InvoiceNumber
    financial_year: str = Field(pattern=r"^[0-9]{4}-[0-9]{2}$")
    sold_at: AwareDatetime
    business_date: date
    seller_state: StateCode
    place_of_supply: StateCode
    supply_kind: gst.SupplyKind
    rounding: gst.Rounding
    buyer: Buyer | None = None
    cashier: str | None = None
    lines: list[SaleLine] = Field(min_length=1)
    tenders: list[SaleTender]
    totals: SaleTotals
    stock_moves: list[StockMove]


def validate_sale(sale: SaleRecorded) -> list[str]:
    """Recompute the sale's tax and totals from its lines; list every mismatch.

    The receiver runs this before applying a sale, so a box with a bug (or
    a tampered message) cannot put inconsistent amounts into the books.
    """
    problems: list[str] = []
    inputs = [
        gst.TaxableLine(
            unit_price=line.unit_price,
            qty=line.qty,
            rate_bp=line.rate_bp,
            price_includes_tax=line.price_includes_tax,
            cess_bp=line.cess_bp,
            discount=line.discount,
        )
        for line in sale.lines
    ]
    try:
        expected = gst.tax_invoice(inputs, sale.supply_kind, sale.rounding)
    except Exception as err:  # noqa: BLE001 - every failure is reported, not raised
        return [f"cannot recompute tax: {err}"]
    for line, want in zip(sale.lines, expected.lines, strict=True):
        got = (line.taxable, line.cgst, line.sgst, line.igst, line.cess, line.charged)
        exp = (want.taxable, want.cgst, want.sgst, want.igst, want.cess, want.charged)
        if got != exp:
            problems.append(f"line {line.line_no}: amounts {got} != recomputed {exp}")
    totals = sale.totals
    for name in ("taxable", "cgst", "sgst", "igst", "cess", "round_off", "payable"):
        if getattr(totals, name) != getattr(expected, name):
            problems.append(
                f"totals.{name} {getattr(totals, name)} != recomputed {getattr(expected, name)}"
            )
    tendered = sum(t.amount for t in sale.tenders)
    if totals.tendered != tendered:
        problems.append(f"totals.tendered {totals.tendered} != sum of tenders {tendered}")
    if totals.change != tendered - totals.payable or totals.change < 0:
        problems.append(f"totals.change {totals.change} != tendered - payable")
    expected_kind = gst.supply_kind(sale.seller_state, sale.place_of_supply)
    if sale.supply_kind is gst.SupplyKind.INTRA and expected_kind is not gst.SupplyKind.INTRA:
        problems.append("intra-state tax on an inter-state place of supply")
    line_numbers = [line.line_no for line in sale.lines]
    if line_numbers != list(range(1, len(line_numbers) + 1)):
        problems.append("line numbers are not 1..n")
    return problems

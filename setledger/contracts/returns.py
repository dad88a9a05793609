"""Returns going up from the box: one ``return.recorded`` per credit note.

A return gives back part or all of one sale recorded at the same box. The
credit note copies the original's seller state, place of supply, supply
kind and buyer (GST follows the original supply), and names the original
invoice (number and date), as a credit note must.

Amounts are prorated cumulatively, so a line returned in parts adds up
exactly to the line, to the paisa::

    amount_for(q) = line_amount * q // sold_qty
    part          = amount_for(returned_before + qty) - amount_for(returned_before)

for each of discount, taxable value, CGST, SGST, IGST, cess and the amount
charged. A note's payable is its charged amounts rounded as the sale was;
the note that returns the last of a sale refunds exactly what is left of
the sale's payable, so all notes of a sale refund exactly the sale.

Credit notes have their own series per box and financial year,
``<prefix>/<FY 2526>/C<serial>`` (at most 16 characters, R2), apart from
the invoices' ``<prefix>/<FY>/<serial>``: a number is never both.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import ClassVar
from uuid import UUID

from pydantic import AwareDatetime, Field

from setledger import errors, gst
from setledger.contracts.base import (
    Contract,
    Hsn,
    InvoiceNumber,
    MilliQty,
    Paise,
    RateBp,
    Reference,
    ShortText,
    StateCode,
)
from setledger.contracts.sales import Buyer, SaleLine, SaleRecorded, SaleTotals, StockMove
from setledger.fiscal import (
    MAX_INVOICE_NUMBER_LENGTH,
    FinancialYear,
    check_box_prefix,
    financial_year,
)
from setledger.money import Paise as PaiseInt
from setledger.tenders import TenderKind

CREDIT_NOTE_MARK = "C"
"""Starts the serial part of a credit note number: ``B1/2526/C00042``."""
MIN_NOTE_SERIAL_DIGITS = 5

PRORATED = ("discount", "taxable", "cgst", "sgst", "igst", "cess", "charged")
"""The line amounts a return takes its share of."""
HEADS = ("taxable", "cgst", "sgst", "igst", "cess")


class OriginalSale(Contract):
    """The invoice the credit note corrects."""

    sale_id: UUID
    invoice_no: InvoiceNumber
    business_date: date
    payable: Paise = Field(ge=0)
    """The original invoice value: with its date it says whether the invoice
    was B2CL, so the note's GSTR-1 section is known without the original."""


class ReturnLine(Contract):
    line_no: int = Field(strict=True, ge=1)
    """The original sale's line number."""
    product_id: UUID
    sku: ShortText
    name: ShortText
    hsn: Hsn | None = None
    unit: str
    qty: MilliQty = Field(gt=0)
    """Returned now, in thousandths."""
    unit_price: Paise = Field(ge=0)
    price_includes_tax: bool
    discount: Paise = Field(default=0, ge=0)
    rate_bp: RateBp
    cess_bp: Paise = Field(default=0, ge=0)
    taxable: Paise = Field(ge=0)
    cgst: Paise = Field(ge=0)
    sgst: Paise = Field(ge=0)
    igst: Paise = Field(ge=0)
    cess: Paise = Field(ge=0)
    charged: Paise = Field(ge=0)


class ReturnRefund(Contract):
    kind: TenderKind
    amount: Paise = Field(gt=0)
    reference: Reference | None = None


class ReturnTotals(Contract):
    taxable: Paise
    cgst: Paise
    sgst: Paise
    igst: Paise
    cess: Paise
    round_off: Paise
    payable: Paise
    """What the note gives back: the refunds add up to it."""


class ReturnRecorded(Contract):
    SCHEMA: ClassVar[str] = "return.recorded"
    VERSION: ClassVar[int] = 1

    return_id: UUID
    note_no: InvoiceNumber
    financial_year: str = Field(pattern=r"^[0-9]{4}-[0-9]{2}$")
    returned_at: AwareDatetime
    business_date: date
    original: OriginalSale
    seller_state: StateCode
    place_of_supply: StateCode
    supply_kind: gst.SupplyKind
    rounding: gst.Rounding
    buyer: Buyer | None = None
    cashier: str | None = None
    reason: str = Field(min_length=1, max_length=500)
    lines: list[ReturnLine] = Field(min_length=1)
    refunds: list[ReturnRefund]
    totals: ReturnTotals
    stock_moves: list[StockMove]
    """Restocking moves: one per line, in line order, +qty, reason ``return``."""


def credit_note_number(prefix: str, year: FinancialYear, serial: int) -> str:
    """The ``serial``-th credit note (from 1) of a box's series for ``year``."""
    check_box_prefix(prefix)
    if serial < 1:
        raise ValueError("credit note serials start at 1")
    number = f"{prefix}/{year.short}/{CREDIT_NOTE_MARK}{serial:0{MIN_NOTE_SERIAL_DIGITS}d}"
    if len(number) > MAX_INVOICE_NUMBER_LENGTH:
        raise errors.INVOICE_SERIES_EXHAUSTED.error(number=number)
    return number


def parse_credit_note_number(number: str) -> tuple[str, str, int]:
    """(box prefix, FY short form, serial) of a number made by :func:`credit_note_number`."""
    prefix, year, serial = number.split("/")
    if not serial.startswith(CREDIT_NOTE_MARK):
        raise ValueError(f"{number!r} is not a credit note number")
    return prefix, year, int(serial[len(CREDIT_NOTE_MARK) :])


def is_credit_note_of(number: str, prefix: str, year: FinancialYear) -> bool:
    """Is ``number`` in the credit note series of box ``prefix`` for ``year``?"""
    head = f"{prefix}/{year.short}/{CREDIT_NOTE_MARK}"
    return number.startswith(head) and number[len(head) :].isdigit()


def prorated(amount: PaiseInt, sold_qty: int, before: int, qty: int) -> PaiseInt:
    """The share of ``amount`` for ``qty`` more of ``sold_qty``, ``before`` already returned."""
    return amount * (before + qty) // sold_qty - amount * before // sold_qty


def return_line(line: SaleLine, before: int, qty: int) -> ReturnLine:
    """``qty`` more of a sale line whose ``before`` was returned earlier."""
    if qty <= 0 or before < 0 or before + qty > line.qty:
        raise ValueError("returned quantity out of range")
    shares = {name: prorated(getattr(line, name), line.qty, before, qty) for name in PRORATED}
    return ReturnLine(
        line_no=line.line_no,
        product_id=line.product_id,
        sku=line.sku,
        name=line.name,
        hsn=line.hsn,
        unit=line.unit,
        qty=qty,
        unit_price=line.unit_price,
        price_includes_tax=line.price_includes_tax,
        rate_bp=line.rate_bp,
        cess_bp=line.cess_bp,
        **shares,
    )


def return_totals(
    lines: Sequence[ReturnLine], rounding: gst.Rounding, *, rest_of_sale: PaiseInt | None
) -> ReturnTotals:
    """The note's totals. ``rest_of_sale``: the sale's payable less every earlier note's,
    when this note returns the last of the sale (it then refunds exactly that)."""
    sums = {head: sum(getattr(line, head) for line in lines) for head in HEADS}
    total = sum(sums.values())
    if rest_of_sale is None:
        payable = gst.round_payable(sum(line.charged for line in lines), rounding)
    else:
        payable = rest_of_sale
    return ReturnTotals(**sums, round_off=payable - total, payable=payable)


def validate_return(note: ReturnRecorded) -> list[str]:
    """Check the note against itself; list every problem (the hub runs it on arrival)."""
    problems: list[str] = []
    numbers = [line.line_no for line in note.lines]
    if len(set(numbers)) != len(numbers):
        problems.append("a line of the original is returned twice in one note")
    totals = note.totals
    for head in HEADS:
        summed = sum(getattr(line, head) for line in note.lines)
        if getattr(totals, head) != summed:
            problems.append(f"totals.{head} {getattr(totals, head)} != sum of lines {summed}")
    expected_payable = sum(getattr(totals, head) for head in HEADS) + totals.round_off
    if totals.payable != expected_payable:
        problems.append(f"totals.payable {totals.payable} != taxable + tax + round-off")
    refunded = sum(refund.amount for refund in note.refunds)
    if refunded != totals.payable:
        problems.append(f"refunds of {refunded} paise != payable {totals.payable}")
    for line in note.lines:
        if note.supply_kind is gst.SupplyKind.INTRA and line.igst:
            problems.append(f"line {line.line_no}: IGST on an intra-state note")
        if note.supply_kind is gst.SupplyKind.INTER and (line.cgst or line.sgst):
            problems.append(f"line {line.line_no}: CGST/SGST on an inter-state note")
    expected_fy = financial_year(note.business_date).label
    if note.financial_year != expected_fy:
        problems.append(f"financial year {note.financial_year} is not that of {note.business_date}")
    if note.business_date < note.original.business_date:
        problems.append("the note is dated before the original invoice")
    if note.note_no == note.original.invoice_no:
        problems.append("the note carries the original invoice's number")
    moves = [(m.product_id, m.qty, m.reason) for m in note.stock_moves]
    wanted = [(line.product_id, line.qty, "return") for line in note.lines]
    if moves != wanted:
        problems.append("stock moves are not one +qty 'return' move per line, in line order")
    return problems


def as_sale_record(note: ReturnRecorded) -> SaleRecorded:
    """The sale-shaped record of what is returned, for the kernel's credit note
    (:func:`setledger.invoice.invoice_from_sale` with ``DocType.CREDIT_NOTE``)."""
    totals = note.totals
    return SaleRecorded(
        sale_id=note.return_id,
        invoice_no=note.note_no,
        financial_year=note.financial_year,
        sold_at=note.returned_at,
        business_date=note.business_date,
        seller_state=note.seller_state,
        place_of_supply=note.place_of_supply,
        supply_kind=note.supply_kind,
        rounding=note.rounding,
        buyer=note.buyer,
        cashier=note.cashier,
        lines=[
            SaleLine(**line.model_dump(exclude={"line_no"}), line_no=number)
            for number, line in enumerate(note.lines, start=1)
        ],
        tenders=[],
        totals=SaleTotals(
            **{head: getattr(totals, head) for head in HEADS},
            round_off=totals.round_off,
            payable=totals.payable,
            tendered=totals.payable,
            change=0,
        ),
        stock_moves=[],
    )

"""A purchase order as an A4 PDF: buyer, supplier, deliver-to, lines, totals.

Same writer as the invoices (``documents.flow`` over ``labels.pdf_pages``).
Amounts are the order's own integer paise, printed in the kernel's Indian
formatting; equal inputs give equal bytes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from documents.flow import Align, Cell, Flow
from documents.invoice_pdf import money, rate_text
from labels.pdf_pages import pages_pdf
from setledger.money import format_quantity, format_rupees
from setledger.states import state_name
from setledger.words import amount_in_words

WIDTH, HEIGHT, MARGIN = 210.0, 297.0, 12.0
BODY, SMALL, TITLE = 9.0, 8.0, 14.0


@dataclass(frozen=True)
class PoParty:
    name: str
    state: str
    gstin: str | None = None
    address: str | None = None
    phone: str | None = None
    email: str | None = None


@dataclass(frozen=True)
class PoDocumentLine:
    line_no: int
    sku: str
    description: str
    hsn: str | None
    qty: int
    """Milli-units."""
    unit: str
    unit_cost: int
    """Paise per unit, before GST."""
    rate_bp: int
    amount: int
    """Paise, before GST."""


@dataclass(frozen=True)
class PurchaseOrderDocument:
    number: str
    date: date
    buyer: PoParty
    supplier: PoParty
    deliver_to: str
    lines: tuple[PoDocumentLine, ...]
    taxable: int
    tax: int
    """GST the supplier is expected to charge (at each line's rate)."""
    note: str | None = None
    status: str = "sent"


def _state(code: str) -> str:
    try:
        return f"{state_name(code)} ({code})"
    except KeyError:
        return code


def _party(flow: Flow, heading: str, party: PoParty) -> None:
    flow.line(heading, SMALL, bold=True)
    flow.paragraph(party.name, BODY, bold=True)
    if party.address:
        flow.paragraph(party.address, SMALL)
    if party.gstin:
        flow.line(f"GSTIN: {party.gstin}", SMALL)
    flow.line(f"State: {_state(party.state)}", SMALL)
    contact = "  ".join(x for x in (party.phone, party.email) if x)
    if contact:
        flow.line(contact, SMALL)


def render_purchase_order_pdf(po: PurchaseOrderDocument) -> bytes:
    flow = Flow(WIDTH, HEIGHT, MARGIN)
    title = "Purchase Order" if po.status != "draft" else "Purchase Order (draft)"
    flow.line(title, TITLE, bold=True, align="centre")
    flow.space(1)
    _party(flow, "Buyer", po.buyer)
    flow.rule()
    flow.line(f"PO No: {po.number}", BODY, bold=True)
    flow.line(f"Date: {po.date:%d-%b-%Y}", BODY)
    flow.paragraph(f"Deliver to: {po.deliver_to}", BODY)
    flow.space(1)
    _party(flow, "Supplier", po.supplier)
    flow.rule()
    left, right = flow.left, flow.right
    cols = (left, left + 8, left + 34, left + 100, right - 66, right - 40, right - 18, right)
    head = ["#", "SKU", "Description", "HSN", "Qty", "Rate", "Amount", "GST"]
    aligns: list[Align] = ["left", "left", "left", "left", "right", "right", "right", "right"]
    flow.row([Cell(x, t, a, True) for x, t, a in zip(cols, head, aligns, strict=True)], SMALL)
    flow.rule(0.6, 0.3)
    for line in po.lines:
        values = [str(line.line_no), line.sku, line.description, line.hsn or "",
                  f"{format_quantity(line.qty)} {line.unit}", money(line.unit_cost),
                  money(line.amount), rate_text(line.rate_bp)]  # fmt: skip
        widths = {1: 25.0, 2: 64.0}
        flow.row([Cell(x, t, a, width=widths.get(i))
                  for i, (x, t, a) in enumerate(zip(cols, values, aligns, strict=True))],
                 BODY)  # fmt: skip
    flow.rule()
    label_x = right - 70
    for label, amount in (("Value before GST", po.taxable), ("GST (expected)", po.tax)):
        flow.row([Cell(label_x, label), Cell(right, money(amount), "right")], BODY)
    total = po.taxable + po.tax
    flow.row([Cell(label_x, "Order total", bold=True),
              Cell(right, format_rupees(total), "right", True)], BODY + 2)  # fmt: skip
    flow.space(1)
    flow.paragraph(amount_in_words(total), SMALL)
    if po.note:
        flow.rule()
        flow.paragraph(f"Note: {po.note}", SMALL)
    flow.rule()
    flow.paragraph(
        "Please quote the PO number on your delivery challan and bill. Quantities beyond "
        "those ordered will not be accepted.",
        SMALL,
    )
    return pages_pdf(flow.finish())

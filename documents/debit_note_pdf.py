"""A debit note to a supplier as an A4 PDF: goods of a purchase order sent back.

Same writer as the purchase order (``documents.flow`` over ``labels.pdf_pages``).
The billed part is priced at its bill's cost with GST split as the bill split it
(CGST + SGST/UTGST, or IGST); a part no bill had covered yet is listed at the
order's cost without GST ("goods returned, not yet billed": the supplier's next
bill is for less). Amounts are integer paise; equal inputs give equal bytes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from documents.flow import Align, Cell, Flow
from documents.invoice_pdf import money, rate_text
from documents.purchase_order_pdf import BODY, HEIGHT, MARGIN, SMALL, TITLE, WIDTH, PoParty, _party
from labels.pdf_pages import pages_pdf
from setledger.money import format_quantity, format_rupees
from setledger.words import amount_in_words


@dataclass(frozen=True)
class DebitNoteLine:
    line_no: int
    sku: str
    description: str
    hsn: str | None
    qty: int
    """Milli-units."""
    unit: str
    rate: int
    """Paise per unit before GST: the bill's cost (billed goods) or the order's."""
    taxable: int
    """Paise, before GST."""
    rate_bp: int


@dataclass(frozen=True)
class DebitNoteDocument:
    number: str
    date: date
    issuer: PoParty
    """We (the buyer) issue the note."""
    supplier: PoParty
    po_number: str
    bills: tuple[str, ...]
    """The supplier's bills the billed part was on ("B-1 of 24-Nov-2026")."""
    reason: str
    billed: tuple[DebitNoteLine, ...]
    taxes: tuple[tuple[str, int], ...]
    """GST taken back per head, as the bill split it: (("CGST", p), ("SGST", p)) or IGST."""
    unbilled: tuple[DebitNoteLine, ...]
    """Goods no bill had covered: at the order's cost, no GST."""

    @property
    def taxable(self) -> int:
        return sum(x.taxable for x in self.billed)

    @property
    def tax(self) -> int:
        return sum(amount for _, amount in self.taxes)

    @property
    def total(self) -> int:
        """What the supplier owes back; with nothing billed, the goods at the order's cost."""
        if self.billed:
            return self.taxable + self.tax
        return sum(x.taxable for x in self.unbilled)


COLS_HEAD = ["#", "SKU", "Description", "HSN", "Qty", "Rate", "Taxable", "GST"]
ALIGNS: list[Align] = ["left", "left", "left", "left", "right", "right", "right", "right"]


def _table(flow: Flow, lines: tuple[DebitNoteLine, ...]) -> None:
    left, right = flow.left, flow.right
    cols = (left, left + 8, left + 34, left + 100, right - 66, right - 40, right - 18, right)
    flow.row([Cell(x, t, a, True) for x, t, a in zip(cols, COLS_HEAD, ALIGNS, strict=True)], SMALL)
    flow.rule(0.6, 0.3)
    for line in lines:
        values = [str(line.line_no), line.sku, line.description, line.hsn or "",
                  f"{format_quantity(line.qty)} {line.unit}", money(line.rate),
                  money(line.taxable), rate_text(line.rate_bp)]  # fmt: skip
        widths = {1: 25.0, 2: 64.0}
        flow.row([Cell(x, t, a, width=widths.get(i))
                  for i, (x, t, a) in enumerate(zip(cols, values, ALIGNS, strict=True))],
                 BODY)  # fmt: skip
    flow.rule()


def render_debit_note_pdf(note: DebitNoteDocument) -> bytes:
    flow = Flow(WIDTH, HEIGHT, MARGIN)
    flow.line("Debit Note", TITLE, bold=True, align="centre")
    flow.space(1)
    _party(flow, "Issued by", note.issuer)
    flow.rule()
    flow.line(f"Debit Note No: {note.number}", BODY, bold=True)
    flow.line(f"Date: {note.date:%d-%b-%Y}", BODY)
    flow.line(f"Against purchase order: {note.po_number}", BODY)
    if note.bills:
        flow.paragraph(f"Your bill: {', '.join(note.bills)}", BODY)
    flow.paragraph(f"Reason: {note.reason}", BODY)
    flow.space(1)
    _party(flow, "To (supplier)", note.supplier)
    flow.rule()
    right, label_x = flow.right, flow.right - 70
    if note.billed:
        flow.line("Goods returned (billed)", SMALL, bold=True)
        _table(flow, note.billed)
        flow.row([Cell(label_x, "Taxable value"), Cell(right, money(note.taxable), "right")], BODY)
        for head, amount in note.taxes:
            flow.row([Cell(label_x, head), Cell(right, money(amount), "right")], BODY)
    if note.unbilled:
        flow.line("Goods returned, not yet billed (at the order's cost, no GST)", SMALL, bold=True)
        _table(flow, note.unbilled)
        if not note.billed:
            flow.paragraph("Goods returned, not yet billed: please bill only what we kept.", SMALL)
        else:
            flow.paragraph("Please leave these out of your next bill.", SMALL)
    label = "Total you owe us" if note.billed else "Value returned (not billed)"
    flow.row([Cell(label_x, label, bold=True),
              Cell(right, format_rupees(note.total), "right", True)], BODY + 2)  # fmt: skip
    flow.space(1)
    flow.paragraph(amount_in_words(note.total), SMALL)
    flow.rule()
    flow.paragraph("Please quote this debit note number on your credit note or next bill.", SMALL)
    return pages_pdf(flow.finish())

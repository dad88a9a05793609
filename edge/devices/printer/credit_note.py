"""A return's credit note as ESC/POS bytes, for 58 mm and 80 mm rolls.

Pure, like the receipt (:mod:`.layout`, whose seller block, GST summary
and text rules it shares): the recorded return (lines, refunds, reason)
and its kernel credit note (seller, note number, the original invoice,
the GST summary per rate and head, round-off, the refund) go in, bytes
come out. Tests compare them byte for byte
(tests/fixtures/devices/credit_note_*.bin).

The QR: a credit note is never paid, so it carries no UPI link (the PDF
prints none either, :func:`documents.invoice_pdf.payment_qr_text`); the
slip's QR holds the note's number, upper-case so it fits QR alphanumeric
mode, for whoever looks the note up later (the counter's scanner reads it
as typed text).
"""

from __future__ import annotations

from datetime import date

from edge.devices.printer.layout import (
    COLUMNS,
    IST,
    QR_EC_M,
    TENDER_NAMES,
    ReceiptOptions,
    ascii_text,
    dummy,
    items_and_totals,
    rupees,
    slip_head,
    two_columns,
    wrapped,
)
from setledger.contracts.returns import ReturnRecorded
from setledger.invoice import Invoice
from setledger.tenders import TenderKind
from setledger.words import amount_in_words

TITLE = "CREDIT NOTE"


def note_qr_text(note: ReturnRecorded) -> str:
    """What the credit note's QR holds: its number (QR alphanumeric mode)."""
    return note.note_no.upper()


def cash_refunded(note: ReturnRecorded) -> bool:
    return any(refund.kind is TenderKind.CASH for refund in note.refunds)


def credit_note_bytes(note: ReturnRecorded, invoice: Invoice, options: ReceiptOptions) -> bytes:
    """The slip of ``note``; ``invoice`` is its kernel credit note (``DocType.CREDIT_NOTE``)."""
    if options.paper_mm not in COLUMNS:
        raise ValueError(f"paper must be 58 or 80 mm, not {options.paper_mm}")
    if invoice.original is None or invoice.number != note.note_no:
        raise ValueError(f"{invoice.number} is not the credit note {note.note_no}")
    cols = COLUMNS[options.paper_mm]
    p = dummy(options.paper_mm)
    rule = "-" * cols

    def line(text: str = "") -> None:
        p.text(ascii_text(text) + "\n")

    slip_head(p, line, invoice, options, TITLE)
    line(rule)
    line(f"Note: {note.note_no}")
    at = note.returned_at.astimezone(IST)
    line(f"Date: {invoice.date:%d-%m-%Y} {at:%H:%M}")
    line(f"Against invoice: {invoice.original.number}")
    line(f"Invoice date: {_day(invoice.original.date)}")
    if invoice.buyer is not None:
        line(wrapped(f"Buyer: {ascii_text(invoice.buyer.legal_name)}", cols))
        if invoice.buyer.gstin:
            line(f"GSTIN: {invoice.buyer.gstin}")
    line(rule)
    line("Returned")
    items_and_totals(p, line, note.lines, invoice, cols, "REFUND Rs.")
    for refund in note.refunds:
        name = TENDER_NAMES.get(refund.kind, refund.kind)
        line(two_columns(f"Refund by {name}", rupees(refund.amount), cols))
        if refund.reference:
            line(wrapped(f"  Ref: {ascii_text(refund.reference)}", cols))
    line(wrapped(amount_in_words(invoice.payable), cols))
    line(wrapped(f"Reason: {ascii_text(note.reason)}", cols))
    if options.qr_text is not None:
        line(rule)
        p.set(align="center")
        p.qr(options.qr_text, ec=QR_EC_M, size=4 if cols == 32 else 6, native=True, center=False)
        line("Credit note no.")
    p.set(align="center")
    line(wrapped(ascii_text(options.footer), cols))
    p.set(align="left")
    p.cut()
    output: bytes = p.output
    return output


def _day(day: date) -> str:
    return f"{day:%d-%m-%Y}"

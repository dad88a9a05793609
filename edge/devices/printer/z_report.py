"""A shift's Z report as ESC/POS bytes, for 58 mm and 80 mm rolls.

Pure, like the receipt (:mod:`.layout`): the ``shift.closed`` document the
box recorded goes in, bytes come out; tests compare them byte for byte
(tests/fixtures/devices/z_report_*.bin). The slip is what goes in the cash
bag with the drawer's takings: the figures of the shift, the cash expected
against the cash counted, the over/short, and the count note by note.
It opens no drawer and carries no QR.
"""

from __future__ import annotations

from datetime import datetime

from edge.devices.printer.layout import (
    COLUMNS,
    IST,
    ReceiptOptions,
    ascii_text,
    dummy,
    rupees,
    two_columns,
    wrapped,
)
from setledger.contracts.shifts import ShiftClosed

TITLE = "Z REPORT"


def _at(moment: datetime) -> str:
    return f"{moment.astimezone(IST):%d-%m-%Y %H:%M}"


def z_report_bytes(
    z: ShiftClosed, store_name: str, device_name: str, options: ReceiptOptions
) -> bytes:
    if options.paper_mm not in COLUMNS:
        raise ValueError(f"paper must be 58 or 80 mm, not {options.paper_mm}")
    cols = COLUMNS[options.paper_mm]
    p = dummy(options.paper_mm)
    rule = "-" * cols
    report = z.report

    def line(text: str = "") -> None:
        p.text(ascii_text(text) + "\n")

    def amount(label: str, paise: int) -> None:
        line(two_columns(label, rupees(paise), cols))

    p.hw("INIT")
    p.set(align="center", bold=True, double_height=True, double_width=False)
    line(wrapped(ascii_text(store_name), cols))
    p.set(align="center", bold=False, double_height=False)
    line(wrapped(ascii_text(device_name), cols))
    p.set(align="center", bold=True)
    line(f"{TITLE} {z.z_no}")
    if options.duplicate:
        line("*** DUPLICATE ***")
    p.set(align="left", bold=False)
    line(rule)
    line(f"Opened: {_at(z.opened_at)}" if z.opened_at else "Opened: at the previous close")
    if z.opened_by:
        line(wrapped(f"  by {ascii_text(z.opened_by)}", cols))
    line(f"Closed: {_at(z.closed_at)}")
    if z.closed_by:
        line(wrapped(f"  by {ascii_text(z.closed_by)}", cols))
    line(f"Business date: {z.business_date:%d-%m-%Y}")
    line(rule)
    line(two_columns("Bills", str(report.sales_count), cols))
    amount("Gross", report.gross)
    amount("Discounts", report.discounts)
    if report.round_off:
        amount("Round off", report.round_off)
    amount("Net sales", report.net)
    amount("Taxable value", report.taxable)
    amount("GST", report.tax)
    line(rule)
    amount("Cash taken", report.tenders.cash)
    amount("UPI taken", report.tenders.upi)
    amount("Card taken", report.tenders.card)
    amount("Change given", report.change_given)
    line(two_columns("Credit notes", str(report.returns_count), cols))
    for name, paise in (
        ("Cash", report.refunds.cash),
        ("UPI", report.refunds.upi),
        ("Card", report.refunds.card),
    ):
        if paise:
            amount(f"  Refunded by {name}", paise)
    line(rule)
    amount("Opening float", z.float_total)
    amount("Cash expected", z.expected_cash)
    amount("Cash counted", z.counted_total)
    p.set(bold=True, double_height=True)
    verdict = "OVER" if z.over_short > 0 else "SHORT" if z.over_short < 0 else "EXACT"
    amount(verdict, z.over_short)
    p.set(bold=False, double_height=False)
    if z.over_short and z.approved_by is not None:
        line("Approved by a manager's PIN")
    line(rule)
    line("Counted")
    for entry in sorted(z.counted, key=lambda c: -c.denomination):
        label = f"  Rs.{rupees(entry.denomination).removesuffix('.00')} x {entry.pieces}"
        amount(label, entry.denomination * entry.pieces)
    if z.note:
        line(wrapped(f"Note: {ascii_text(z.note)}", cols))
    line()
    line("Counted by: ____________________")
    p.cut()
    output: bytes = p.output
    return output

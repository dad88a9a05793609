"""A sale's receipt as ESC/POS bytes, for 58 mm (32 columns) and 80 mm (48) rolls.

Pure: the recorded sale (what the customer saw: lines, tenders, change),
its kernel invoice (seller, number, the GST summary per rate and head,
round-off, payable) and the options go in, bytes come out. Written through
python-escpos's ``Dummy`` printer with a printer profile (centring and the
native QR need one), so the bytes are what a real printer gets and tests
compare them byte for byte (tests/fixtures/devices/receipt_*.bin).

Text is plain ASCII. The rupee sign (U+20B9) is in none of the code pages
most thermal printers carry (PC437, PC850, PC858, WPC1252): python-escpos
would switch code pages hunting for it and print "?" at best, so receipts
print "Rs." - as the printers' own test pages and most Indian tills do.
Other non-ASCII letters are reduced to their ASCII base ("Cafe"), so the
bytes never depend on the printer's code pages.
"""

from __future__ import annotations

import textwrap
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

from labels.thermal import escpos_printer
from setledger.contracts.sales import SaleRecorded
from setledger.gst import SupplyKind
from setledger.invoice import Invoice
from setledger.money import format_quantity, format_rupees
from setledger.tenders import TenderKind
from setledger.words import amount_in_words

PROFILE = "TM-T20II"
"""An Epson-compatible python-escpos profile: native QR, raster images, a cutter."""
COLUMNS = {58: 32, 80: 48}
"""Font A is 12 dots wide: 384 dots (58 mm) hold 32 characters, 576 (80 mm) 48."""
DOTS = {58: 384, 80: 576}
QR_EC_M = 1
"""python-escpos's QR_ECLEVEL_M."""
IST = timezone(timedelta(hours=5, minutes=30), "IST")
TENDER_NAMES = {TenderKind.CASH: "Cash", TenderKind.UPI: "UPI", TenderKind.CARD: "Card"}
DRAWER_KICK = {2: b"\x1bp\x00\x19\xfa", 5: b"\x1bp\x01\x19\xfa"}
"""ESC p m t1 t2: a 50 ms pulse on pin 2 (m=0) or pin 5 (m=1), python-escpos's CD_KICK_2/5."""


@dataclass(frozen=True)
class ReceiptOptions:
    paper_mm: int = 80
    qr_text: str | None = None
    """The invoice QR's content (see :func:`documents.invoice_pdf.payment_qr_text`)."""
    logo: Path | None = None
    footer: str = "Thank you. Please visit again."
    duplicate: bool = False
    """A reprint: "DUPLICATE" under the title."""
    kick_drawer: bool = False
    drawer_pin: int = 2


def ascii_text(text: str) -> str:
    text = text.replace("\u20b9", "Rs.")
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return "".join(ch if ch.isprintable() or ch == "\n" else " " for ch in plain)


def rupees(paise: int) -> str:
    return format_rupees(paise, symbol=False)


def rate_text(rate_bp: int) -> str:
    whole, frac = divmod(rate_bp, 100)
    return f"{whole}%" if frac == 0 else f"{whole}.{frac:02d}".rstrip("0") + "%"


def half_rate_text(rate_bp: int) -> str:
    """CGST and SGST each charge half the rate: 18% -> "9%", 0.25% -> "0.125%"."""
    text = f"{Decimal(rate_bp) / 200:f}"
    return (text.rstrip("0").rstrip(".") if "." in text else text) + "%"


def two_columns(left: str, right: str, columns: int) -> str:
    """``left`` and ``right`` on one line; a long ``left`` wraps above the amount."""
    room = columns - len(right) - 1
    if len(left) <= room:
        return left + " " * (columns - len(left) - len(right)) + right
    head = textwrap.wrap(left, columns)
    return "\n".join([*head, right.rjust(columns)])


def wrapped(text: str, columns: int) -> str:
    return "\n".join(textwrap.wrap(text, columns)) or ""


def dummy(paper_mm: int) -> Any:
    """A ``Dummy`` printer whose profile has the roll's width (centring uses it)."""
    from escpos.capabilities import get_profile

    printer = escpos_printer().Dummy(profile=PROFILE)
    profile = get_profile(PROFILE)
    data = dict(profile.profile_data)
    dots = DOTS[paper_mm]
    data["media"] = {**data["media"], "width": {"mm": paper_mm - 10, "pixels": dots}}
    profile.profile_data = data  # this instance only: the shared profile stays as it was
    printer.profile = profile
    return printer


def receipt_bytes(sale: SaleRecorded, invoice: Invoice, options: ReceiptOptions) -> bytes:
    if options.paper_mm not in COLUMNS:
        raise ValueError(f"paper must be 58 or 80 mm, not {options.paper_mm}")
    cols = COLUMNS[options.paper_mm]
    p = dummy(options.paper_mm)
    rule = "-" * cols

    def line(text: str = "") -> None:
        p.text(ascii_text(text) + "\n")

    slip_head(p, line, invoice, options, "TAX INVOICE")
    line(rule)
    line(f"Invoice: {invoice.number}")
    sold = sale.sold_at.astimezone(IST)
    line(f"Date: {invoice.date:%d-%m-%Y} {sold:%H:%M}")
    if invoice.buyer is not None:
        line(wrapped(f"Buyer: {ascii_text(invoice.buyer.legal_name)}", cols))
        if invoice.buyer.gstin:
            line(f"GSTIN: {invoice.buyer.gstin}")
    line(rule)
    items_and_totals(p, line, sale.lines, invoice, cols, "TOTAL Rs.")
    for tender in sale.tenders:
        line(two_columns(TENDER_NAMES.get(tender.kind, tender.kind), rupees(tender.amount), cols))
    if sale.totals.change:
        line(two_columns("Change", rupees(sale.totals.change), cols))
    line(wrapped(amount_in_words(invoice.payable), cols))
    if options.qr_text is not None:
        line(rule)
        p.set(align="center")
        p.qr(options.qr_text, ec=QR_EC_M, size=4 if cols == 32 else 6, native=True, center=False)
        line("Scan to pay")
    p.set(align="center")
    line(wrapped(ascii_text(options.footer), cols))
    p.set(align="left")
    p.cut()
    output: bytes = p.output
    return output


def slip_head(p: Any, line: Any, invoice: Invoice, options: ReceiptOptions, title: str) -> None:
    """Drawer kick, logo, the seller block and the slip's title (receipts and credit notes)."""
    cols = COLUMNS[options.paper_mm]
    p.hw("INIT")
    if options.kick_drawer:
        p._raw(DRAWER_KICK[options.drawer_pin])
    if options.logo is not None:
        p.image(str(options.logo), center=True)
    seller = invoice.seller
    p.set(align="center", bold=True, double_height=True, double_width=False)
    line(wrapped(ascii_text(seller.trade_name or seller.legal_name), cols))
    p.set(align="center", bold=False, double_height=False)
    if seller.trade_name and seller.trade_name != seller.legal_name:
        line(wrapped(ascii_text(seller.legal_name), cols))
    place = " ".join(x for x in (seller.location, str(seller.pin) if seller.pin else None) if x)
    address = ", ".join(x for x in (seller.address1, seller.address2, place) if x)
    if address:
        line(wrapped(ascii_text(address), cols))
    if seller.gstin:
        line(f"GSTIN: {seller.gstin}")
    if seller.phone:
        line(f"Phone: {seller.phone}")
    p.set(align="center", bold=True)
    line(title)
    if options.duplicate:
        line("*** DUPLICATE ***")
    p.set(align="left", bold=False)


def items_and_totals(
    p: Any, line: Any, items: Sequence[Any], invoice: Invoice, cols: int, total_label: str
) -> None:
    """The lines (name; qty x price and amount; the unit's serial number; discount), the
    GST summary and the totals down to the bold payable: the same on a receipt and a
    credit note."""
    rule = "-" * cols
    for item in items:
        line(wrapped(ascii_text(item.name), cols))
        qty = f"  {format_quantity(item.qty)} {item.unit} x {rupees(item.unit_price)}"
        line(two_columns(qty, rupees(item.charged), cols))
        serial_no = getattr(item, "serial_no", None)
        if serial_no:
            line(wrapped(f"  S/N {ascii_text(serial_no)}", cols))
        if item.discount:
            line(f"  discount {rupees(item.discount)}")
    line(rule)
    gst_summary(line, invoice, cols)
    line(rule)
    line(two_columns("Taxable value", rupees(invoice.taxable), cols))
    line(two_columns("Total tax", rupees(invoice.tax), cols))
    if invoice.round_off:
        line(two_columns("Round off", rupees(invoice.round_off), cols))
    p.set(bold=True, double_height=True)
    line(two_columns(total_label, rupees(invoice.payable), cols))
    p.set(bold=False, double_height=False)


def gst_summary(line: Any, invoice: Invoice, cols: int) -> None:
    """Per rate: its taxable value, then each head's tax at its share of the rate."""
    line("GST summary")
    intra = invoice.supply_kind is SupplyKind.INTRA
    for r in invoice.by_rate:
        line(two_columns(f"GST {rate_text(r.rate_bp)} on", rupees(r.taxable), cols))
        if intra:
            half = half_rate_text(r.rate_bp)
            line(two_columns(f"  CGST {half}", rupees(r.cgst), cols))
            line(two_columns(f"  {invoice.state_head} {half}", rupees(r.sgst), cols))
        else:
            line(two_columns(f"  IGST {rate_text(r.rate_bp)}", rupees(r.igst), cols))
        if r.cess:
            line(two_columns("  Cess", rupees(r.cess), cols))


def drawer_kick_bytes(pin: int = 2) -> bytes:
    """Open the cash drawer (no sale): the ESC p pulse alone."""
    return DRAWER_KICK[pin]

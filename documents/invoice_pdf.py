"""A tax invoice, credit note or debit note as a PDF, on A4 or an 80 mm roll.

Both sizes print the same facts in the same order (title, seller, number
and date, buyer, place of supply, lines with HSN/SAC, tax breakup per rate
and head, totals with round-off, amount in words, payment QR); only the
column plan differs. An A4 document runs onto more pages when needed; a
roll page is as long as its content.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from documents.flow import Align, Cell, Flow
from labels.pdf_pages import pages_pdf
from setledger.gst import SupplyKind
from setledger.invoice import DocType, Invoice, Party
from setledger.money import format_quantity, format_rupees
from setledger.states import state_name
from setledger.upi import B2CQrContent, payment_link
from setledger.words import amount_in_words

TITLES = {
    DocType.INVOICE: "Tax Invoice",
    DocType.CREDIT_NOTE: "Credit Note",
    DocType.DEBIT_NOTE: "Debit Note",
}


class PaperSize(StrEnum):
    A4 = "a4"
    ROLL_80 = "80mm"


@dataclass(frozen=True)
class InvoicePdfOptions:
    size: PaperSize = PaperSize.A4
    upi_vpa: str | None = None
    """The payee's UPI address; without it no payment QR is printed."""
    payee_name: str | None = None
    """Defaults to the seller's trade name (or legal name)."""
    b2c_dynamic_qr: bool = False
    """The org must print R21's dynamic QR on B2C invoices (AATO above the limit)."""


@dataclass(frozen=True)
class _Plan:
    width: float
    height: float | None
    margin: float
    body_pt: float
    small_pt: float
    title_pt: float
    qr_mm: float


_PLANS = {
    PaperSize.A4: _Plan(210.0, 297.0, 12.0, 9.0, 8.0, 14.0, 34.0),
    PaperSize.ROLL_80: _Plan(80.0, None, 4.0, 7.5, 6.5, 11.0, 44.0),
}


def money(paise: int) -> str:
    return format_rupees(paise, symbol=False)


def rate_text(rate_bp: int) -> str:
    whole, frac = divmod(rate_bp, 100)
    return f"{whole}%" if frac == 0 else f"{whole}.{frac:02d}".rstrip("0") + "%"


def _state(code: str) -> str:
    try:
        return f"{state_name(code)} ({code})"
    except KeyError:
        return code


def _date(invoice_date: object) -> str:
    return f"{invoice_date:%d-%b-%Y}"


def payment_qr_text(invoice: Invoice, options: InvoicePdfOptions) -> str | None:
    """What the payment QR encodes, or None when none is printed.

    B2C invoices of an org configured for R21 carry the dynamic QR (itself
    a UPI link, so it pays too); others a plain UPI link (R22). Notes and
    nothing-to-pay documents carry none.
    """
    if options.upi_vpa is None or invoice.doc_type is DocType.CREDIT_NOTE or invoice.payable <= 0:
        return None
    payee = options.payee_name or invoice.seller.trade_name or invoice.seller.legal_name
    if options.b2c_dynamic_qr and not invoice.supply_type.e_invoiced:
        return B2CQrContent(
            seller_gstin=invoice.seller.gstin or "",
            payee_name=payee,
            vpa=options.upi_vpa,
            invoice_no=invoice.number,
            invoice_date=invoice.date,
            total=invoice.payable,
            cgst=invoice.cgst,
            sgst=invoice.sgst,
            igst=invoice.igst,
            cess=invoice.cess,
        ).text()
    return payment_link(options.upi_vpa, payee, invoice.payable, note=invoice.number)


def render_invoice_pdf(invoice: Invoice, options: InvoicePdfOptions | None = None) -> bytes:
    """The document as PDF bytes; seller and buyer are the invoice's own parties."""
    options = options or InvoicePdfOptions()
    plan = _PLANS[options.size]
    flow = Flow(plan.width, plan.height, plan.margin)
    _header(flow, plan, invoice)
    _lines(flow, plan, invoice, wide=options.size is PaperSize.A4)
    _breakup(flow, plan, invoice)
    _totals(flow, plan, invoice)
    _payment(flow, plan, invoice, payment_qr_text(invoice, options))
    return pages_pdf(flow.finish())


def _party(flow: Flow, plan: _Plan, party: Party, heading: str | None) -> None:
    if heading:
        flow.line(heading, plan.small_pt, bold=True)
    flow.paragraph(party.trade_name or party.legal_name, plan.body_pt, bold=heading is None)
    if party.trade_name and party.trade_name != party.legal_name:
        flow.paragraph(party.legal_name, plan.small_pt)
    place = " ".join(p for p in (party.location, str(party.pin) if party.pin else None) if p)
    address = ", ".join(p for p in (party.address1, party.address2, place) if p)
    if address:
        flow.paragraph(address, plan.small_pt)
    if party.gstin:
        flow.line(f"GSTIN: {party.gstin}", plan.small_pt)
    flow.line(f"State: {_state(party.state)}", plan.small_pt)
    if party.phone:
        flow.line(f"Phone: {party.phone}", plan.small_pt)


def _header(flow: Flow, plan: _Plan, invoice: Invoice) -> None:
    flow.line(TITLES[invoice.doc_type], plan.title_pt, bold=True, align="centre")
    flow.space(1)
    _party(flow, plan, invoice.seller, None)
    flow.rule()
    number_label = "Invoice" if invoice.doc_type is DocType.INVOICE else TITLES[invoice.doc_type]
    flow.line(f"{number_label} No: {invoice.number}", plan.body_pt, bold=True)
    flow.line(f"Date: {_date(invoice.date)}", plan.body_pt)
    if invoice.original is not None:
        flow.paragraph(
            f"Against invoice {invoice.original.number} dated {_date(invoice.original.date)}",
            plan.body_pt,
        )
    if invoice.buyer is not None:
        flow.space(1)
        _party(flow, plan, invoice.buyer, "Bill to")
    flow.line(f"Place of supply: {_state(invoice.place_of_supply)}", plan.body_pt)
    flow.rule()


def _lines(flow: Flow, plan: _Plan, invoice: Invoice, *, wide: bool) -> None:
    size, left, right = plan.small_pt, flow.left, flow.right
    if wide:
        cols = (left, left + 8, left + 86, right - 66, right - 44, right - 16, right)
        head = ["#", "Description", "HSN/SAC", "Qty", "Rate", "Taxable", "GST"]
        aligns: list[Align] = ["left", "left", "left", "right", "right", "right", "right"]
        flow.row([Cell(x, t, a, True) for x, t, a in zip(cols, head, aligns, strict=True)], size)
        flow.rule(0.6, 0.3)
        for line in invoice.lines:
            qty = f"{format_quantity(line.qty)} {line.unit}"
            values = [str(line.sl_no), line.description, line.hsn or "", qty]
            values += [money(line.unit_price), money(line.taxable), rate_text(line.rate_bp)]
            cells = [
                Cell(x, t, a, width=76.0 if i == 1 else None)
                for i, (x, t, a) in enumerate(zip(cols, values, aligns, strict=True))
            ]
            flow.row(cells, plan.body_pt)
    else:
        flow.row([Cell(left, "Item", bold=True), Cell(right, "Taxable", "right", True)], size)
        flow.rule(0.6, 0.3)
        for line in invoice.lines:
            flow.row([Cell(left, f"{line.sl_no}. {line.description}", width=right - left)], size)
            detail = (
                f"HSN {line.hsn or '-'}  {format_quantity(line.qty)} {line.unit} x "
                f"{money(line.unit_price)}  GST {rate_text(line.rate_bp)}"
            )
            flow.row([Cell(left + 3, detail), Cell(right, money(line.taxable), "right")], size)
    flow.rule()


def _heads(invoice: Invoice) -> list[tuple[str, str]]:
    heads = (
        [("CGST", "cgst"), (invoice.state_head, "sgst")]
        if invoice.supply_kind is SupplyKind.INTRA
        else [("IGST", "igst")]
    )
    if invoice.cess:
        heads.append(("Cess", "cess"))
    return heads


def _breakup(flow: Flow, plan: _Plan, invoice: Invoice) -> None:
    size, left, right = plan.small_pt, flow.left, flow.right
    heads = _heads(invoice)
    names = ["Taxable", *(name for name, _ in heads), "Total tax"]
    first = left + (40.0 if plan.height else 26.0)
    step = (right - first) / (len(names) - 1)
    if plan.height:  # A4: columns of a readable width, not spread across the page
        step = min(step, 30.0)
    xs = [first + i * step for i in range(len(names))]
    flow.line("Tax breakup", size, bold=True)
    flow.row(
        [Cell(left, "Rate", bold=True)]
        + [Cell(x, n, "right", True) for x, n in zip(xs, names, strict=True)],
        size,
    )
    rows: list[tuple[str, list[int]]] = []
    for r in invoice.by_rate:
        taxes = [getattr(r, attr) for _, attr in heads]
        rows.append((rate_text(r.rate_bp), [r.taxable, *taxes, sum(taxes)]))
    taxes = [getattr(invoice, attr) for _, attr in heads]
    rows.append(("Total", [invoice.taxable, *taxes, sum(taxes)]))
    for i, (label, amounts) in enumerate(rows):
        total = i == len(rows) - 1
        if total:
            flow.rule(0.4, 0.3)
        cells = [Cell(left, label, bold=total)]
        cells += [Cell(x, money(a), "right", total) for x, a in zip(xs, amounts, strict=True)]
        flow.row(cells, size)
    flow.rule()


def _totals(flow: Flow, plan: _Plan, invoice: Invoice) -> None:
    left, right = flow.left, flow.right
    label_x = right - 70 if plan.height else left
    rows = [("Taxable value", invoice.taxable)]
    rows += [(f"{name} total", getattr(invoice, attr)) for name, attr in _heads(invoice)]
    rows.append(("Round off", invoice.round_off))
    for label, amount in rows:
        flow.row([Cell(label_x, label), Cell(right, money(amount), "right")], plan.body_pt)
    grand = "Amount payable" if invoice.doc_type is not DocType.CREDIT_NOTE else "Credit amount"
    flow.row(
        [
            Cell(label_x, grand, bold=True),
            Cell(right, format_rupees(invoice.payable), "right", True),
        ],
        plan.body_pt + 2,
    )
    flow.space(1)
    flow.paragraph(amount_in_words(invoice.payable), plan.small_pt)


def _payment(flow: Flow, plan: _Plan, invoice: Invoice, qr_text: str | None) -> None:
    if qr_text is None:
        return
    flow.rule()
    size = plan.qr_mm
    label = "Scan to pay"
    amount = format_rupees(invoice.payable)
    if plan.height is not None:  # A4: the code on the left, the words beside it
        flow.need(size)
        top = flow.y
        flow.qr(flow.left, size, qr_text)
        flow.y = top + size / 2 - 4
        flow.row([Cell(flow.left + size + 4, label, bold=True)], plan.body_pt + 2)
        flow.row([Cell(flow.left + size + 4, amount)], plan.body_pt + 2)
        flow.y = top + size
    else:
        flow.line(label, plan.body_pt + 1, bold=True, align="centre")
        flow.qr((flow.width - size) / 2, size, qr_text)
        flow.space(size)
        flow.line(amount, plan.body_pt + 1, bold=True, align="centre")

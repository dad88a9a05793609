"""Invoice PDFs read back: page text, page width and the decoded payment QR."""

from __future__ import annotations

import io
from dataclasses import dataclass, replace
from datetime import date

import pypdfium2 as pdfium
import pytest
import zxingcpp

from documents import InvoicePdfOptions, PaperSize, render_invoice_pdf
from setledger.invoice import DocType, Invoice, OriginalInvoice, invoice_from_sale
from setledger.money import format_rupees
from setledger.upi import B2CQrContent, payment_link
from setledger.words import amount_in_words
from tests.kernel.invoice_cases import buyer, sale, seller

VPA = "sampletraders@okbank"
WIDTHS_MM = {PaperSize.A4: 210.0, PaperSize.ROLL_80: 80.0}
SIZES = list(PaperSize)


@dataclass(frozen=True)
class ReadBack:
    pages: int
    width_mm: float
    text: str
    """Page 1's text with runs of whitespace made single spaces."""
    qr_texts: list[str]


def read_back(pdf: bytes, dpi: int = 200) -> ReadBack:
    document = pdfium.PdfDocument(io.BytesIO(pdf))
    try:
        page = document[0]
        width_pt, _ = page.get_size()
        text = " ".join(page.get_textpage().get_text_range().split())
        image = page.render(scale=dpi / 72, grayscale=True).to_pil()
        found = zxingcpp.read_barcodes(image)  # the page's only barcodes are its QRs
        return ReadBack(len(document), width_pt / 72 * 25.4, text, [f.text for f in found])
    finally:
        document.close()


def b2c_intra() -> Invoice:
    items = [
        ("Aashirvaad Atta 5 kg", "1101", 29_900, 500),
        ("Dove Soap 100 g", "3401", 5_500, 1800),
    ]
    return invoice_from_sale(sale(items, pos="27", number="B1/2627/000101"), seller())


def b2b_inter() -> Invoice:
    items = [
        ("Steel Almirah", "94031090", 1_45_000_00, 1800),
        ("Installation", "998719", 2_500_00, 1800),
    ]
    the_sale = sale(items, pos="29", number="B1/2627/000102", cess_bp=100)
    return invoice_from_sale(the_sale, seller(), buyer("29"))


def credit_note() -> Invoice:
    items = [("Steel Almirah", "94031090", 1_45_000_00, 1800)]
    original = OriginalInvoice("B1/2627/000102", date(2026, 11, 20))
    return invoice_from_sale(
        sale(items, pos="29", number="CN/2627/000007"),
        seller(),
        buyer("29"),
        doc_type=DocType.CREDIT_NOTE,
        original=original,
    )


def money(paise: int) -> str:
    return format_rupees(paise, symbol=False)


def assert_common(invoice: Invoice, got: ReadBack, size: PaperSize) -> None:
    assert abs(got.width_mm - WIDTHS_MM[size]) <= 0.5
    assert invoice.number in got.text
    assert invoice.seller.gstin is not None
    assert invoice.seller.gstin in got.text
    for line in invoice.lines:
        assert line.hsn is not None
        assert line.hsn in got.text
    assert f"Taxable value {money(invoice.taxable)}" in got.text
    assert f"Round off {money(invoice.round_off)}" in got.text
    assert amount_in_words(invoice.payable) in got.text


@pytest.mark.parametrize("size", SIZES)
def test_b2c_intra_state_invoice_with_upi_qr(size: PaperSize) -> None:
    invoice = b2c_intra()
    options = InvoicePdfOptions(size=size, upi_vpa=VPA)
    got = read_back(render_invoice_pdf(invoice, options))
    assert_common(invoice, got, size)
    assert got.text.startswith("Tax Invoice")
    assert "Bill to" not in got.text, "a walk-in B2C sale has no buyer block"
    assert f"CGST total {money(invoice.cgst)}" in got.text
    assert f"SGST total {money(invoice.sgst)}" in got.text
    assert "IGST" not in got.text
    assert "Place of supply: Maharashtra (27)" in got.text
    assert "Scan to pay" in got.text
    expected = payment_link(VPA, "Sample Traders", invoice.payable, note=invoice.number)
    assert got.qr_texts == [expected]


@pytest.mark.parametrize("size", SIZES)
def test_b2c_dynamic_qr_when_the_org_is_configured_for_r21(size: PaperSize) -> None:
    invoice = b2c_intra()
    options = InvoicePdfOptions(size=size, upi_vpa=VPA, b2c_dynamic_qr=True)
    got = read_back(render_invoice_pdf(invoice, options))
    expected = B2CQrContent(
        seller_gstin=seller().party.gstin or "",
        payee_name="Sample Traders",
        vpa=VPA,
        invoice_no=invoice.number,
        invoice_date=invoice.date,
        total=invoice.payable,
        cgst=invoice.cgst,
        sgst=invoice.sgst,
        igst=0,
        cess=0,
    ).text()
    assert got.qr_texts == [expected]


@pytest.mark.parametrize("size", SIZES)
def test_b2b_inter_state_invoice_with_cess_and_lakh_in_words(size: PaperSize) -> None:
    invoice = b2b_inter()
    options = InvoicePdfOptions(size=size, upi_vpa=VPA, b2c_dynamic_qr=True)
    got = read_back(render_invoice_pdf(invoice, options))
    assert_common(invoice, got, size)
    assert invoice.buyer is not None
    assert invoice.buyer.gstin is not None
    assert invoice.buyer.gstin in got.text
    assert "Place of supply: Karnataka (29)" in got.text
    assert f"IGST total {money(invoice.igst)}" in got.text
    assert f"Cess total {money(invoice.cess)}" in got.text
    assert "CGST" not in got.text
    assert "Lakh" in amount_in_words(invoice.payable)
    assert "18% " + money(invoice.taxable) in got.text, "the breakup row of the 18% rate"
    expected = payment_link(VPA, "Sample Traders", invoice.payable, note=invoice.number)
    assert got.qr_texts == [expected], "B2B invoices carry the plain UPI link, not R21's"


@pytest.mark.parametrize("size", SIZES)
def test_credit_note_names_the_original_and_asks_for_no_payment(size: PaperSize) -> None:
    invoice = credit_note()
    got = read_back(render_invoice_pdf(invoice, InvoicePdfOptions(size=size, upi_vpa=VPA)))
    assert_common(invoice, got, size)
    assert got.text.startswith("Credit Note")
    assert "Credit Note No: CN/2627/000007" in got.text
    assert "Against invoice B1/2627/000102 dated 20-Nov-2026" in got.text
    assert f"IGST total {money(invoice.igst)}" in got.text
    assert "Scan to pay" not in got.text
    assert got.qr_texts == []


def test_no_vpa_no_qr_and_equal_inputs_give_equal_bytes() -> None:
    invoice = b2c_intra()
    pdf = render_invoice_pdf(invoice, InvoicePdfOptions(size=PaperSize.ROLL_80))
    assert pdf == render_invoice_pdf(invoice, InvoicePdfOptions(size=PaperSize.ROLL_80))
    got = read_back(pdf)
    assert got.qr_texts == []
    assert "Scan to pay" not in got.text


def test_a_long_a4_invoice_runs_onto_more_pages_and_a_roll_grows() -> None:
    invoice = b2c_intra()
    long_invoice = replace(invoice, lines=invoice.lines * 40)
    assert read_back(render_invoice_pdf(long_invoice)).pages > 1
    roll = InvoicePdfOptions(size=PaperSize.ROLL_80)
    short = pdfium.PdfDocument(render_invoice_pdf(invoice, roll))
    long = pdfium.PdfDocument(render_invoice_pdf(long_invoice, roll))
    assert len(long) == 1
    assert long[0].get_size()[1] > short[0].get_size()[1] + 200

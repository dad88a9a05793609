"""Receipt bytes, byte for byte, and what they print when read back.

The fixtures tests/fixtures/devices/receipt_58.bin and receipt_80.bin are
the receipt of :func:`fixed_sale` (three lines at 5%, 12% and 18%, paid in
cash with change, the seller's UPI "scan to pay" QR). They were generated
once by ``.venv/bin/python -m tests.edge.devices.test_receipt_layout`` and
checked by reading them back through the emulator's decoder (the second
test below does that on every run); regenerate them the same way after a
deliberate layout change, and read the decoded slip before committing.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from documents.invoice_pdf import InvoicePdfOptions, payment_qr_text
from edge.devices.printer.layout import (
    COLUMNS,
    ReceiptOptions,
    half_rate_text,
    rate_text,
    receipt_bytes,
    rupees,
)
from setledger.contracts.sales import SaleRecorded, SaleTender
from setledger.invoice import Invoice, invoice_from_sale
from setledger.tenders import TenderKind
from setledger.words import amount_in_words
from tests.edge.devices.printer_emulator import decode
from tests.kernel.invoice_cases import sale, seller

FIXTURES = Path(__file__).parents[2] / "fixtures" / "devices"
VPA = "sampletraders@okbank"
PAPERS = [58, 80]


def fixed_sale() -> tuple[SaleRecorded, Invoice]:
    items = [
        ("Aashirvaad Atta 5 kg", "1101", 29_900, 500),
        ("Amul Butter 500 g", "0405", 27_500, 1200),
        ("Dove Soap 100 g (pack of three, family value)", "3401", 5_500, 1800),
    ]
    base = sale(items, pos="27", number="C1/2627/000042")
    paid = 70_000
    recorded = base.model_copy(
        update={
            "tenders": [SaleTender(kind=TenderKind.CASH, amount=paid)],
            "totals": base.totals.model_copy(
                update={"tendered": paid, "change": paid - base.totals.payable}
            ),
        }
    )
    return recorded, invoice_from_sale(recorded, seller())


def fixed_options(paper_mm: int, **changes: object) -> ReceiptOptions:
    _, invoice = fixed_sale()
    qr = payment_qr_text(invoice, InvoicePdfOptions(upi_vpa=VPA))
    options = ReceiptOptions(paper_mm=paper_mm, qr_text=qr, kick_drawer=True)
    return ReceiptOptions(**{**options.__dict__, **changes})  # type: ignore[arg-type]


def fixed_receipt(paper_mm: int) -> bytes:
    recorded, invoice = fixed_sale()
    return receipt_bytes(recorded, invoice, fixed_options(paper_mm))


def regenerate() -> None:
    for paper in PAPERS:
        path = FIXTURES / f"receipt_{paper}.bin"
        path.write_bytes(fixed_receipt(paper))
        print(f"{path}: {path.stat().st_size} bytes")
        print(decode(path.read_bytes()).text)


@pytest.mark.parametrize("paper", PAPERS)
def test_receipt_bytes_are_the_frozen_fixture(paper: int) -> None:
    assert fixed_receipt(paper) == (FIXTURES / f"receipt_{paper}.bin").read_bytes()


@pytest.mark.parametrize("paper", PAPERS)
def test_the_fixture_prints_the_sale(paper: int) -> None:
    recorded, invoice = fixed_sale()
    slip = decode((FIXTURES / f"receipt_{paper}.bin").read_bytes())
    columns = COLUMNS[paper]
    assert all(len(line) <= columns for line in slip.lines), slip.text
    lines = slip.lines
    assert lines[0] == "Sample Traders"
    assert "GSTIN: " + (invoice.seller.gstin or "") in lines
    assert "Invoice: C1/2627/000042" in lines
    assert "Date: 24-11-2026 11:30" in lines  # 06:00 UTC is 11:30 in India

    def row(label: str, paise: int) -> str:
        amount = rupees(paise)
        return label + " " * (columns - len(label) - len(amount)) + amount

    for item in recorded.lines:
        # the name (wrapped at the roll's width) then qty x price and the amount charged
        assert item.name.split()[0] in slip.text
        qty = f"  1 NOS x {rupees(item.unit_price)}"
        assert row(qty, item.charged) in lines
    for r in invoice.by_rate:
        assert row(f"GST {rate_text(r.rate_bp)} on", r.taxable) in lines
        assert row(f"  CGST {half_rate_text(r.rate_bp)}", r.cgst) in lines
        assert row(f"  SGST {half_rate_text(r.rate_bp)}", r.sgst) in lines
    assert row("Taxable value", invoice.taxable) in lines
    assert row("Round off", invoice.round_off) in lines
    assert row("TOTAL Rs.", invoice.payable) in lines
    assert row("Cash", 70_000) in lines
    assert row("Change", 70_000 - invoice.payable) in lines
    assert " ".join(amount_in_words(invoice.payable).split()) in " ".join(slip.text.split())
    assert slip.qr == [payment_qr_text(invoice, InvoicePdfOptions(upi_vpa=VPA))]
    assert slip.qr[0].startswith(f"upi://pay?pa={VPA}")
    assert slip.drawer_kicks == [0]
    assert slip.cuts == 1
    assert "DUPLICATE" not in slip.text


def test_a_reprint_says_duplicate_and_leaves_the_drawer_shut() -> None:
    recorded, invoice = fixed_sale()
    options = fixed_options(80, duplicate=True, kick_drawer=False)
    slip = decode(receipt_bytes(recorded, invoice, options))
    assert "*** DUPLICATE ***" in slip.lines
    assert slip.drawer_kicks == []
    assert slip.lines[slip.lines.index("*** DUPLICATE ***") - 1] == "TAX INVOICE"


def test_rupee_signs_and_accents_print_as_ascii() -> None:
    recorded, invoice = fixed_sale()
    line = recorded.lines[0].model_copy(update={"name": "Caf\u00e9 beans \u20b9 offer"})
    odd = recorded.model_copy(update={"lines": [line, *recorded.lines[1:]]})
    data = receipt_bytes(odd, invoice, fixed_options(58))
    assert data.count(b"\x1bt") == 1  # one code page, chosen at the start: no hunting for the sign
    assert "Cafe beans Rs. offer" in decode(data).lines


def test_a_logo_is_a_raster_image_above_the_name(tmp_path: Path) -> None:
    logo = tmp_path / "logo.png"
    Image.new("1", (200, 60), 0).save(logo)
    recorded, invoice = fixed_sale()
    data = receipt_bytes(recorded, invoice, fixed_options(58, logo=logo))
    slip = decode(data)
    assert slip.images == 1
    assert data.index(b"\x1dv0") < data.index(b"Sample Traders")


if __name__ == "__main__":
    regenerate()

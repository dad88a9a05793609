"""Credit note slips, byte for byte, and what they print when read back.

The fixtures tests/fixtures/devices/credit_note_58.bin and credit_note_80.bin
are the credit note of :func:`fixed_note`: lines 1 and 3 of the receipt
fixture's sale (5% and 18%) come back, refunded in cash. Regenerate them
after a deliberate layout change with
``.venv/bin/python -m tests.edge.devices.test_credit_note_layout`` (it prints
the decoded slips: read them before committing).
"""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

import pytest

from edge.devices.printer.credit_note import credit_note_bytes, note_qr_text
from edge.devices.printer.layout import (
    COLUMNS,
    ReceiptOptions,
    half_rate_text,
    rate_text,
    receipt_bytes,
    rupees,
)
from setledger.contracts import StockMove
from setledger.contracts.returns import (
    OriginalSale,
    ReturnRecorded,
    ReturnRefund,
    as_sale_record,
    credit_note_number,
    return_line,
    return_totals,
)
from setledger.fiscal import business_date, financial_year
from setledger.invoice import DocType, Invoice, OriginalInvoice, invoice_from_sale
from setledger.tenders import TenderKind
from setledger.words import amount_in_words
from tests.edge.devices.printer_emulator import decode
from tests.edge.devices.test_receipt_layout import FIXTURES, PAPERS, fixed_options, fixed_sale
from tests.kernel.invoice_cases import seller

RETURNED_AT = datetime(2026, 11, 26, 9, 15, tzinfo=UTC)  # 14:45 in India
REASON = "Soap pack damaged and the atta bag torn; customer brought both back"


def fixed_note(refund: ReturnRefund | None = None) -> tuple[ReturnRecorded, Invoice]:
    sale, _ = fixed_sale()
    lines = [return_line(sale.lines[n], 0, 1000) for n in (0, 2)]
    totals = return_totals(lines, sale.rounding, rest_of_sale=None)
    day = business_date(RETURNED_AT)
    note = ReturnRecorded(
        return_id=UUID("01937a52-0000-7000-8000-000000000007"),
        note_no=credit_note_number("C1", financial_year(day), 7),
        financial_year=financial_year(day).label,
        returned_at=RETURNED_AT,
        business_date=day,
        original=OriginalSale(
            sale_id=sale.sale_id,
            invoice_no=sale.invoice_no,
            business_date=sale.business_date,
            payable=sale.totals.payable,
        ),
        seller_state=sale.seller_state,
        place_of_supply=sale.place_of_supply,
        supply_kind=sale.supply_kind,
        rounding=sale.rounding,
        reason=REASON,
        lines=lines,
        refunds=[refund or ReturnRefund(kind=TenderKind.CASH, amount=totals.payable)],
        totals=totals,
        stock_moves=[
            StockMove(
                move_id=UUID(int=n), product_id=line.product_id, qty=line.qty, reason="return"
            )
            for n, line in enumerate(lines, start=1)
        ],
    )
    invoice = invoice_from_sale(
        as_sale_record(note),
        seller(),
        doc_type=DocType.CREDIT_NOTE,
        original=OriginalInvoice(sale.invoice_no, sale.business_date),
    )
    return note, invoice


def note_options(paper_mm: int, **changes: object) -> ReceiptOptions:
    note, _ = fixed_note()
    options = ReceiptOptions(paper_mm=paper_mm, qr_text=note_qr_text(note), kick_drawer=True)
    return ReceiptOptions(**{**options.__dict__, **changes})  # type: ignore[arg-type]


def fixed_credit_note(paper_mm: int) -> bytes:
    note, invoice = fixed_note()
    return credit_note_bytes(note, invoice, note_options(paper_mm))


def regenerate() -> None:
    for paper in PAPERS:
        path = FIXTURES / f"credit_note_{paper}.bin"
        path.write_bytes(fixed_credit_note(paper))
        print(f"{path}: {path.stat().st_size} bytes")
        print(decode(path.read_bytes()).text)


@pytest.mark.parametrize("paper", PAPERS)
def test_credit_note_bytes_are_the_frozen_fixture(paper: int) -> None:
    assert fixed_credit_note(paper) == (FIXTURES / f"credit_note_{paper}.bin").read_bytes()


@pytest.mark.parametrize("paper", PAPERS)
def test_the_fixture_prints_the_credit_note(paper: int) -> None:
    note, invoice = fixed_note()
    slip = decode((FIXTURES / f"credit_note_{paper}.bin").read_bytes())
    columns = COLUMNS[paper]
    assert all(len(line) <= columns for line in slip.lines), slip.text
    lines = slip.lines

    def row(label: str, paise: int) -> str:
        amount = rupees(paise)
        return label + " " * (columns - len(label) - len(amount)) + amount

    assert lines[0] == "Sample Traders"
    assert "GSTIN: " + (invoice.seller.gstin or "") in lines
    assert lines.index("CREDIT NOTE") < lines.index(f"Note: {note.note_no}")
    assert "TAX INVOICE" not in lines
    assert note.note_no == "C1/2627/C00007"
    assert "Date: 26-11-2026 14:45" in lines
    assert "Against invoice: C1/2627/000042" in lines
    assert "Invoice date: 24-11-2026" in lines
    for item in note.lines:
        assert item.name.split()[0] in slip.text
        assert row(f"  1 NOS x {rupees(item.unit_price)}", item.charged) in lines
    assert "Amul" not in slip.text  # line 2 was not returned
    assert [r.rate_bp for r in invoice.by_rate] == [500, 1800]
    for r in invoice.by_rate:
        assert row(f"GST {rate_text(r.rate_bp)} on", r.taxable) in lines
        assert row(f"  CGST {half_rate_text(r.rate_bp)}", r.cgst) in lines
        assert row(f"  SGST {half_rate_text(r.rate_bp)}", r.sgst) in lines
    assert row("Taxable value", note.totals.taxable) in lines
    assert row("REFUND Rs.", note.totals.payable) in lines
    assert row("Refund by Cash", note.totals.payable) in lines
    words = " ".join(slip.text.split())
    assert " ".join(amount_in_words(note.totals.payable).split()) in words
    assert f"Reason: {REASON}" in words
    assert slip.qr == ["C1/2627/C00007"]
    assert "Credit note no." in lines
    assert slip.drawer_kicks == [0]
    assert slip.cuts == 1
    assert "DUPLICATE" not in slip.text


def test_the_note_and_the_receipt_share_the_seller_block() -> None:
    sale, sale_invoice = fixed_sale()
    note, invoice = fixed_note()
    receipt = decode(receipt_bytes(sale, sale_invoice, fixed_options(80))).lines
    slip = decode(credit_note_bytes(note, invoice, note_options(80))).lines
    head = receipt[: receipt.index("TAX INVOICE")]
    assert len(head) >= 3
    assert slip[: slip.index("CREDIT NOTE")] == head


def test_a_copy_says_duplicate_and_a_upi_refund_names_its_reference() -> None:
    note, invoice = fixed_note()
    upi = ReturnRefund(kind=TenderKind.UPI, amount=note.totals.payable, reference="UPI-REF-91")
    note, invoice = fixed_note(upi)
    options = note_options(58, duplicate=True, kick_drawer=False)
    slip = decode(credit_note_bytes(note, invoice, options))
    assert slip.lines[slip.lines.index("*** DUPLICATE ***") - 1] == "CREDIT NOTE"
    assert slip.drawer_kicks == []
    assert "  Ref: UPI-REF-91" in slip.lines
    assert any(x.startswith("Refund by UPI") for x in slip.lines)


def test_a_note_that_is_not_this_returns_is_refused() -> None:
    note, _ = fixed_note()
    _, sale_invoice = fixed_sale()
    with pytest.raises(ValueError, match="is not the credit note"):
        credit_note_bytes(note, sale_invoice, note_options(58))


if __name__ == "__main__":
    regenerate()

"""The invoice document built from a sale: supply types, heads, HSN, notes."""

from dataclasses import replace
from datetime import date

import pytest

from setledger import errors
from setledger.gst import Rounding, SupplyKind
from setledger.gst_thresholds import CRORE
from setledger.invoice import DocType, OriginalInvoice, SupplyType, invoice_from_sale
from tests.kernel.invoice_cases import buyer, sale, seller

SHIRT = ("Cotton shirt", "611490", 100000, 1800)


def test_b2b_inter_state_invoice_charges_igst() -> None:
    """RULES.md example 2 as a document: 27 -> 29, ₹1000 @18%."""
    inv = invoice_from_sale(sale([SHIRT]), seller(), buyer())
    assert inv.supply_type is SupplyType.B2B
    assert inv.supply_kind is SupplyKind.INTER
    assert (inv.taxable, inv.cgst, inv.sgst, inv.igst, inv.payable) == (
        100000, 0, 0, 18000, 118000,
    )  # fmt: skip
    assert inv.lines[0].total == 118000


def test_b2c_walk_in_may_omit_hsn_up_to_5_crore() -> None:
    """R6 and R14: POS is the seller's state; B2C up to ₹5 crore needs no HSN."""
    inv = invoice_from_sale(sale([("Tea", "", 10000, 500)], pos="27"), seller())
    assert inv.supply_type is SupplyType.B2C
    assert inv.buyer is None
    assert (inv.cgst, inv.sgst) == (250, 250)
    assert inv.state_head == "SGST"


def test_utgst_is_the_state_head_in_a_ut_without_legislature() -> None:
    inv = invoice_from_sale(sale([SHIRT], seller_state="04", pos="04"), seller("04"))
    assert inv.state_head == "UTGST"
    assert inv.cgst == inv.sgst == 9000


def test_rules_example_10_four_digit_hsn_refused_above_5_crore() -> None:
    """RULES.md example 10: AATO ₹12 crore needs 6 digits; the error names invoice and line."""
    big = seller(aato=12 * CRORE)
    with pytest.raises(errors.SetLedgerError) as caught:
        invoice_from_sale(sale([("Shirt", "6114", 100000, 1800)]), big, buyer())
    assert caught.value.code == "INVOICE_INCONSISTENT"
    assert "B1/2627/000042" in caught.value.message
    assert "line 1: HSN/SAC 6114 has 4 digits; at least 6 are required" in caught.value.message
    assert invoice_from_sale(sale([SHIRT]), big, buyer()).lines[0].hsn == "611490"
    assert invoice_from_sale(sale([("Shirt", "6114", 100000, 1800)]), seller(), buyer())


def test_sez_in_the_same_state_is_inter_state_with_igst_on_intra() -> None:
    """R5: supplies to an SEZ unit are inter-state even within one state."""
    inv = invoice_from_sale(sale([SHIRT], pos="27", sez=True), seller(), buyer("27", sez=True))
    assert inv.supply_type is SupplyType.SEZ_WITH_PAYMENT
    assert inv.igst == 18000
    assert inv.igst_on_intra


def test_sez_charged_cgst_and_sgst_is_refused() -> None:
    with pytest.raises(errors.SetLedgerError) as caught:
        invoice_from_sale(sale([SHIRT], pos="27"), seller(), buyer("27", sez=True))
    assert caught.value.code == "INVOICE_INCONSISTENT"
    assert "inter-state (R4, R5)" in caught.value.message


def test_exports_with_and_without_payment() -> None:
    """R5: place of supply 96 is inter-state; without IGST it is under LUT."""
    export_party = buyer("27")
    paid = invoice_from_sale(sale([SHIRT], pos="96"), seller(), export_party)
    assert paid.supply_type is SupplyType.EXPORT_WITH_PAYMENT
    lut = invoice_from_sale(
        sale([("Shirt", "611490", 100000, 0)], pos="96"), seller(), export_party
    )
    assert lut.supply_type is SupplyType.EXPORT_WITHOUT_PAYMENT


def test_notes_and_only_notes_reference_the_original() -> None:
    original = OriginalInvoice("B1/2627/000041", date(2026, 11, 20))
    note = invoice_from_sale(
        sale([SHIRT]), seller(), buyer(), doc_type=DocType.CREDIT_NOTE, original=original
    )
    assert note.doc_type is DocType.CREDIT_NOTE
    assert note.original == original
    with pytest.raises(errors.SetLedgerError, match="name the original invoice"):
        invoice_from_sale(sale([SHIRT]), seller(), buyer(), doc_type=DocType.DEBIT_NOTE)
    with pytest.raises(errors.SetLedgerError, match="name the original invoice"):
        invoice_from_sale(sale([SHIRT]), seller(), buyer(), original=original)


def test_breakup_per_rate_and_round_off() -> None:
    """RULES.md example 5 inside a two-rate invoice: heads per rate, explicit round-off."""
    items = [("Rice", "1006", 99999, 500), SHIRT, ("Socks", "611596", 5000, 500)]
    inv = invoice_from_sale(sale(items, pos="27"), seller())
    assert [(r.rate_bp, r.taxable, r.cgst, r.sgst) for r in inv.by_rate] == [
        (500, 104999, 2625, 2625),
        (1800, 100000, 9000, 9000),
    ]
    assert inv.taxable + inv.tax + inv.round_off == inv.payable
    assert inv.payable % 100 == 0


def test_tax_inclusive_lines_show_the_price_before_tax() -> None:
    """RULES.md example 6: ₹100 inclusive @18% -> 84.75 + 7.63 + 7.63, round-off −0.01."""
    inv = invoice_from_sale(
        sale([("Snack", "2106", 10000, 1800)], pos="27", inclusive=True, rounding=Rounding.PAISA),
        seller(),
    )
    line = inv.lines[0]
    assert (line.unit_price, line.gross, line.taxable, line.cgst, line.sgst) == (
        8475, 8475, 8475, 763, 763,
    )  # fmt: skip
    assert (inv.round_off, inv.payable) == (-1, 10000)


def test_a_bad_buyer_gstin_is_refused() -> None:
    bad = replace(buyer(), gstin="29AABCB1234C1Z0")
    with pytest.raises(errors.SetLedgerError, match="buyer GSTIN"):
        invoice_from_sale(sale([SHIRT]), seller(), bad)

"""The debit-note posting rule: a small book that reads like the entry it checks."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from setledger import chart, gst
from setledger.errors import SetLedgerError
from setledger.postings import (
    DebitNoteDocument,
    TaxedAmounts,
    TrialBalance,
    gst_payable,
    post_debit_note,
)

DAY = date(2026, 11, 24)
STORE = uuid.UUID("0190b6d2-0000-7000-8000-000000000001")


def note(
    lines: tuple[TaxedAmounts, ...], *, ut: bool = False, round_off: int = 0
) -> DebitNoteDocument:
    return DebitNoteDocument(
        debit_note_id=uuid.UUID("0190b6d2-0000-7000-8000-0000000000d1"),
        business_date=DAY,
        note_no="DN/2627/000001",
        original_invoice_no="B1/2627/000042",
        store_id=STORE,
        lines=lines,
        round_off=round_off,
        union_territory=ut,
    )


def test_intra_state_note_debits_receivables_and_credits_sales_and_tax_at_each_rate() -> None:
    # ₹100 more on an 18% line and ₹50 more on a 5% line with 1% cess.
    entry = post_debit_note(
        note(
            (
                TaxedAmounts(1800, 10_000, cgst=900, sgst=900),
                TaxedAmounts(500, 5_000, cgst=125, sgst=125, cess=50),
            )
        )
    )
    assert entry.source_type == "debit_note"
    assert entry.store_id == STORE
    assert "DN/2627/000001" in entry.narration
    assert "B1/2627/000042" in entry.narration
    assert {p.account: p.amount for p in entry.postings} == {
        chart.RECEIVABLES: 17_100,
        "4000-1800": -10_000,
        "2210-1800": -900,
        "2211-1800": -900,
        "4000-0500": -5_000,
        "2210-0500": -125,
        "2211-0500": -125,
        "2214-0500": -50,
    }
    assert all(p.store_id == STORE for p in entry.postings)


def test_inter_state_note_in_a_union_territory_credits_igst_and_never_sgst() -> None:
    entry = post_debit_note(note((TaxedAmounts(1200, 2_500, igst=300),), ut=True))
    assert {p.account: p.amount for p in entry.postings} == {
        chart.RECEIVABLES: 2_800,
        "4000-1200": -2_500,
        "2213-1200": -300,
    }
    ut = post_debit_note(note((TaxedAmounts(1200, 2_500, cgst=150, sgst=150),), ut=True))
    assert {p.account for p in ut.postings} >= {"2212-1200"}
    assert not any(chart.parent_of(p.account) == chart.OUTPUT_SGST for p in ut.postings)


def test_a_note_of_nothing_is_refused() -> None:
    with pytest.raises(SetLedgerError) as raised:
        post_debit_note(note(()))
    assert raised.value.code == "LEDGER_UNBALANCED"


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(sorted(gst.GST_RATES_BP)),
            st.integers(min_value=1, max_value=10**9),
            st.sampled_from([0, 100, 1200]),
            st.sampled_from(list(gst.SupplyKind)),
        ),
        min_size=1,
        max_size=6,
    )
)
def test_every_note_balances_and_raises_gst_payable_by_exactly_its_tax(
    lines: list[tuple[int, int, int, gst.SupplyKind]],
) -> None:
    taxed = []
    for rate, taxable, cess_bp, kind in lines:
        cgst, sgst, igst = gst.head_amounts(taxable, rate, kind)
        cess = gst.tax_line(gst.TaxableLine(taxable, 1000, rate, False, cess_bp), kind).cess
        taxed.append(TaxedAmounts(rate, taxable, cgst, sgst, igst, cess))
    entry = post_debit_note(note(tuple(taxed)))
    books = TrialBalance()
    books.add(entry.postings)
    assert books.total == 0
    tax = sum(t.cgst + t.sgst + t.igst + t.cess for t in taxed)
    assert gst_payable(books.balances) == tax
    assert books.balances[chart.RECEIVABLES] == tax + sum(t.taxable for t in taxed)

"""Posting rules: small books that read like the entries they check, and properties.

The properties: for any sequence of sales, returns of some of them and
payments, every entry balances, the trial balance sums to zero, and GST
payable equals the output tax of the sales minus the tax of the returns,
to the paisa.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from setledger import chart, gst
from setledger.errors import SetLedgerError
from setledger.postings import (
    SETTLEABLE,
    EntryDraft,
    PaymentDocument,
    Posting,
    ReturnDocument,
    SaleDocument,
    ShiftCount,
    TaxedAmounts,
    TrialBalance,
    check_balanced,
    gst_payable,
    post_payment,
    post_return,
    post_sale,
    post_shift_count,
    reverse,
)

DAY = date(2026, 11, 20)
STORE = uuid.UUID("0190b6d2-0000-7000-8000-000000000001")


def sale_of(
    invoice: gst.InvoiceTax, rates: list[int], tenders: tuple[tuple[str, int], ...]
) -> SaleDocument:
    lines = tuple(
        TaxedAmounts(rate, t.taxable, t.cgst, t.sgst, t.igst, t.cess)
        for rate, t in zip(rates, invoice.lines, strict=True)
    )
    tendered = sum(amount for _, amount in tenders)
    return SaleDocument(
        sale_id=uuid.uuid4(),
        business_date=DAY,
        invoice_no="B1/26-27/0001",
        store_id=STORE,
        store_code="S1",
        lines=lines,
        round_off=invoice.round_off,
        tenders=tenders,
        change=tendered - invoice.payable,
    )


def by_account(draft: EntryDraft) -> dict[str, int]:
    return {p.account: p.amount for p in draft.postings}


def test_a_cash_sale_at_5_percent_intra_state() -> None:
    # RULES.md example 5: ₹999.99 @5% intra → CGST 25.00 + SGST 25.00, round-off +0.01.
    invoice = gst.tax_invoice(
        [gst.TaxableLine(99_999, 1000, 500, price_includes_tax=False)], gst.SupplyKind.INTRA
    )
    entry = post_sale(sale_of(invoice, [500], (("cash", 110_000),)))
    assert by_account(entry) == {
        "1100-S1": 105_000,  # ₹1,100 tendered, ₹50 change
        "4000-0500": -99_999,
        "2210-0500": -2_500,  # output CGST, kept per GST rate
        "2211-0500": -2_500,
        chart.ROUND_OFF: -1,
    }


def test_a_split_tender_inter_state_sale() -> None:
    invoice = gst.tax_invoice(
        [gst.TaxableLine(100_000, 1000, 1800, price_includes_tax=False)], gst.SupplyKind.INTER
    )
    entry = post_sale(sale_of(invoice, [1800], (("upi", 100_000), ("card", 18_000))))
    assert by_account(entry) == {
        chart.UPI_CLEARING: 100_000,
        chart.CARD_CLEARING: 18_000,
        "4000-1800": -100_000,
        "2213-1800": -18_000,
    }


def test_a_credit_note_mirrors_the_sale() -> None:
    note = ReturnDocument(
        uuid.uuid4(),
        DAY,
        "CN-1",
        STORE,
        "S1",
        (TaxedAmounts(500, 10_000, 250, 250),),
        0,
        (("cash", 10_500),),
    )
    assert by_account(post_return(note)) == {
        "4100-0500": 10_000,
        "2210-0500": 250,
        "2211-0500": 250,
        "1100-S1": -10_500,
    }


def test_shift_over_and_short() -> None:
    over = post_shift_count(ShiftCount(uuid.uuid4(), DAY, STORE, "S1", 10_000, 10_050))
    short = post_shift_count(ShiftCount(uuid.uuid4(), DAY, STORE, "S1", 10_000, 9_900))
    assert over is not None
    assert short is not None
    assert by_account(over) == {"1100-S1": 50, chart.CASH_OVER: -50}
    assert by_account(short) == {"1100-S1": -100, chart.CASH_SHORT: 100}
    assert post_shift_count(ShiftCount(uuid.uuid4(), DAY, STORE, "S1", 5, 5)) is None


def test_an_unbalanced_entry_is_refused_never_plugged() -> None:
    draft = EntryDraft(
        "manual",
        uuid.uuid4(),
        DAY,
        "off by a paisa",
        (Posting(chart.BANK, 100), Posting(chart.CAPITAL, -99)),
    )
    with pytest.raises(SetLedgerError) as refused:
        check_balanced(draft)
    assert refused.value.code == "LEDGER_UNBALANCED"
    assert refused.value.details["debits"] == 100


def test_a_code_outside_the_chart_is_refused() -> None:
    draft = EntryDraft(
        "manual", uuid.uuid4(), DAY, "x", (Posting("9999", 1), Posting(chart.BANK, -1))
    )
    with pytest.raises(SetLedgerError, match="LEDGER_ACCOUNT_UNKNOWN"):
        check_balanced(draft)


def test_a_reversal_cancels_its_entry() -> None:
    payment = post_payment(PaymentDocument(uuid.uuid4(), DAY, 5_000, chart.UPI_CLEARING))
    undo = reverse(payment.source_id, payment.postings, DAY, "wrong account")
    books = TrialBalance()
    books.add(payment.postings)
    books.add(undo.postings)
    assert set(books.balances.values()) == {0}


RATES = sorted(gst.GST_RATES_BP)

lines = st.lists(
    st.tuples(
        st.integers(1, 500_000),  # unit price, paise
        st.integers(1, 5_000),  # thousandths
        st.sampled_from(RATES),
        st.booleans(),
        st.sampled_from([0, 0, 100, 1200]),
    ),
    min_size=1,
    max_size=5,
)
sale_inputs = st.tuples(
    lines,
    st.sampled_from(list(gst.SupplyKind)),
    st.sampled_from(list(gst.Rounding)),
    st.sampled_from(["cash", "upi", "card", "split"]),
    st.integers(0, 50_000),  # cash over the bill (given back as change)
)
actions = st.lists(
    st.one_of(
        st.tuples(st.just("sale"), sale_inputs),
        st.tuples(st.just("return"), st.integers(0, 1_000)),
        st.tuples(
            st.just("payment"),
            st.sampled_from(sorted(SETTLEABLE)),
            st.integers(1, 10_000_000),
        ),
    ),
    max_size=40,
)


def _tenders(payable: int, how: str, extra: int) -> tuple[tuple[str, int], ...]:
    if payable <= 0:
        return ()
    if how == "split" and payable > 1:
        return (("upi", payable // 2), ("cash", payable - payable // 2 + extra))
    if how == "cash":
        return (("cash", payable + extra),)
    return ((how if how != "split" else "card", payable),)


@settings(max_examples=150, deadline=None)
@given(actions)
def test_any_books_balance_and_gst_payable_is_output_less_reversals(
    steps: list[tuple[Any, ...]],
) -> None:
    books = TrialBalance()
    sold: list[SaleDocument] = []
    output_tax = reversed_tax = 0
    for step in steps:
        kind = step[0]
        if kind == "sale":
            raw, supply, rounding, how, extra = step[1]
            taxable_lines = [gst.TaxableLine(p, q, r, inc, c) for p, q, r, inc, c in raw]
            invoice = gst.tax_invoice(taxable_lines, supply, rounding)
            sale = sale_of(
                invoice, [r for _, _, r, _, _ in raw], _tenders(invoice.payable, how, extra)
            )
            if invoice.payable <= 0:
                continue
            entry = post_sale(sale)
            sold.append(sale)
            output_tax += invoice.tax
        elif kind == "return":
            if not sold:
                continue
            original = sold[int(step[1]) % len(sold)]
            tax = sum(t.cgst + t.sgst + t.igst + t.cess for t in original.lines)
            refund = sum(t.taxable for t in original.lines) + tax + original.round_off
            note = ReturnDocument(
                uuid.uuid4(),
                DAY,
                "CN",
                STORE,
                "S1",
                original.lines,
                original.round_off,
                (("cash", refund),),
            )
            entry = post_return(note)
            reversed_tax += tax
        else:
            _, settles, amount = step
            entry = post_payment(PaymentDocument(uuid.uuid4(), DAY, int(amount), str(settles)))
        assert sum(p.amount for p in entry.postings) == 0
        books.add(entry.postings)
    assert books.total == 0
    assert gst_payable(books.balances) == output_tax - reversed_tax


def test_output_tax_and_returns_are_kept_per_gst_rate() -> None:
    assert chart.rated_account(chart.OUTPUT_CGST, 1800) == "2210-1800"
    assert chart.account("2210-1800").name == f"{chart.account('2210').name} @ 18%"
    assert chart.account("4100-0250").kind is chart.account(chart.SALES_RETURNS).kind
    assert (chart.parent_of("2213-1800"), chart.rate_of("2213-1800")) == ("2213", 1800)
    assert chart.rate_of(chart.BANK) is None
    with pytest.raises(SetLedgerError):
        chart.rated_account(chart.BANK, 500)  # only tax heads and returns are kept per rate

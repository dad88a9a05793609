"""The purchasing kernel: a PO's fold, over-receipt, reorder suggestions, a bill's entry."""

from __future__ import annotations

import contextlib
import uuid
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from setledger import chart
from setledger.errors import SetLedgerError
from setledger.purchasing import (
    BilledMove,
    EventKind,
    PoEvent,
    PoLine,
    PoStatus,
    ReceivedLine,
    ReorderRule,
    Supplier,
    apply_event,
    bill_totals,
    check_lines,
    check_rule,
    check_supplier,
    fold,
    initial_state,
    post_supplier_bill,
    suggested_qty,
)

SALT, DAL = uuid.UUID(int=1), uuid.UUID(int=2)
LINES = [PoLine(1, SALT, 5000, 2000, 500), PoLine(2, DAL, 2500, 9050, 0)]
GSTIN_27 = "27AAPFU0939F1ZV"


def code(call: object) -> str:
    with pytest.raises(SetLedgerError) as caught:
        call()  # type: ignore[operator]
    return caught.value.code


def received(receipt: int, *lines: tuple[int, int]) -> PoEvent:
    return PoEvent(
        EventKind.RECEIVED, tuple(ReceivedLine(n, q) for n, q in lines), uuid.UUID(int=receipt)
    )


SENT = [PoEvent(EventKind.CREATED), PoEvent(EventKind.SENT)]


def test_a_po_received_in_parts_then_complete() -> None:
    state = fold("PO-00001", LINES, [*SENT, received(1, (1, 2000))])
    assert state.status is PoStatus.PARTIALLY_RECEIVED
    assert state.total_outstanding == {1: 3000, 2: 2500}
    state = fold(
        "PO-00001", LINES, [*SENT, received(1, (1, 2000)), received(2, (1, 3000), (2, 2500))]
    )
    assert state.status is PoStatus.RECEIVED
    assert state.total_outstanding == {1: 0, 2: 0}


def test_refusals() -> None:
    draft = initial_state(LINES)
    assert code(lambda: apply_event("PO-1", draft, received(1, (1, 1)))) == "PURCHASE_ORDER_STATE"
    sent = fold("PO-1", LINES, SENT)
    over = received(1, (1, 5001))
    assert code(lambda: apply_event("PO-1", sent, over)) == "PURCHASE_OVER_RECEIVED"
    assert apply_event("PO-1", sent, over, tolerance_bp=2).received[1] == 5001  # 0.02% of 5000 = 1
    part = apply_event("PO-1", sent, received(1, (1, 1000)))
    assert code(lambda: apply_event("PO-1", part, received(1, (1, 1000)))) == (
        "PURCHASE_RECEIPT_ID_REUSED"
    )
    assert code(lambda: apply_event("PO-1", part, PoEvent(EventKind.CANCELLED))) == (
        "PURCHASE_ORDER_STATE"
    )
    assert code(lambda: apply_event("PO-1", part, received(2, (3, 1)))) == "PURCHASE_ORDER_INVALID"
    closed = apply_event("PO-1", part, PoEvent(EventKind.CLOSED, reason="short"))
    assert (closed.status, closed.closed_reason, closed.outstanding(1)) == (
        PoStatus.CLOSED, "short", 0)  # fmt: skip
    assert code(lambda: apply_event("PO-1", closed, received(3, (1, 1)))) == "PURCHASE_ORDER_STATE"
    assert apply_event("PO-1", sent, PoEvent(EventKind.CANCELLED)).status is PoStatus.CANCELLED
    assert code(lambda: check_lines([PoLine(1, SALT, 0, 1, 500)])) == "PURCHASE_ORDER_INVALID"
    assert code(lambda: check_lines([PoLine(2, SALT, 1, 1, 500)])) == "PURCHASE_ORDER_INVALID"
    assert code(lambda: check_lines([PoLine(1, SALT, 1, 1, 700)])) == "GST_RATE_UNKNOWN"


def test_suppliers_are_checked() -> None:
    good = check_supplier(Supplier(" Konkan Traders ", "27", GSTIN_27.lower(), "+91 98200 12345"))
    assert (good.name, good.gstin) == ("Konkan Traders", GSTIN_27)
    for bad in (
        Supplier("X", "27", GSTIN_27[:-1] + "A"),  # check character
        Supplier("X", "29", GSTIN_27),  # state is not the GSTIN's
        Supplier("X", "99"),
        Supplier("", "27"),
        Supplier("X", "27", email="not-an-address"),
    ):
        assert code(lambda bad=bad: check_supplier(bad)) == "SUPPLIER_INVALID"


@settings(max_examples=150, deadline=None)
@given(
    ordered=st.lists(st.integers(1, 50_000), min_size=1, max_size=4),
    tolerance=st.sampled_from([0, 0, 500, 10_000]),
    attempts=st.lists(
        st.tuples(st.integers(1, 4), st.integers(1, 60_000), st.booleans()), max_size=12
    ),
)
def test_received_never_exceeds_ordered_and_outstanding_never_negative(
    ordered: list[int], tolerance: int, attempts: list[tuple[int, int, bool]]
) -> None:
    lines = [PoLine(n, SALT, q, 100, 500) for n, q in enumerate(ordered, start=1)]
    state = fold("PO-1", lines, SENT, tolerance_bp=tolerance)
    for i, (line_no, qty, close) in enumerate(attempts):
        event = PoEvent(EventKind.CLOSED) if close and i % 5 == 4 else received(i, (line_no, qty))
        with contextlib.suppress(SetLedgerError):  # refused: the state is unchanged
            state = apply_event("PO-1", state, event, tolerance_bp=tolerance)
        for n, q in enumerate(ordered, start=1):
            got = state.received.get(n, 0)
            assert got <= q + q * tolerance // 10_000
            if tolerance == 0:
                assert got <= q
            assert 0 <= state.outstanding(n) <= q
        if state.status is PoStatus.RECEIVED:
            assert all(state.received.get(n, 0) >= q for n, q in enumerate(ordered, start=1))


def test_reorder_suggestions() -> None:
    rule = ReorderRule(min_qty=8000, max_qty=20_000)
    assert suggested_qty(rule, 4000, 0, 0) == 16_000
    assert suggested_qty(rule, 4000, 3000, 0) == 13_000  # an open PO's outstanding counts
    assert suggested_qty(rule, 4000, 3000, 1000) == 12_000  # position 8000 = min: still due
    assert suggested_qty(rule, 4000, 3000, 2000) == 0  # above min
    assert suggested_qty(rule, -5000, 0, 0) == 25_000  # oversold: back up to max
    packed = ReorderRule(8000, 20_000, pack_qty=6000)
    assert suggested_qty(packed, 4000, 3000, 0) == 18_000  # 13 rounded up to 3 packs of 6
    assert code(lambda: check_rule(ReorderRule(5, 4))) == "REORDER_RULE_INVALID"
    assert code(lambda: check_rule(ReorderRule(0, 4, pack_qty=0))) == "REORDER_RULE_INVALID"


@given(
    st.integers(0, 10**6), st.integers(1, 10**6), st.integers(-10**6, 10**6),
    st.sampled_from([None, 1000, 6000, 24_000]),
)  # fmt: skip
def test_a_suggestion_reaches_max_in_whole_packs(
    low: int, span: int, position: int, pack: int | None
) -> None:
    rule = ReorderRule(low, low + span, pack)
    qty = suggested_qty(rule, position, 0, 0)
    if position > low:
        assert qty == 0
    else:
        assert position + qty >= rule.max_qty
        if pack:
            assert qty % pack == 0
            assert position + qty - pack < rule.max_qty
        else:
            assert position + qty == rule.max_qty


def test_a_bill_clears_goods_received_and_books_the_difference() -> None:
    moves = [BilledMove(1, 2000, 2000, 2100, 500), BilledMove(1, 3000, 2000, 2100, 500),
             BilledMove(2, 2500, 9050, 9050, 0)]  # fmt: skip
    totals = bill_totals(moves, "27", "27")
    assert (totals.received_value, totals.taxable, totals.difference) == (32_625, 33_125, 500)
    assert totals.taxes == {chart.INPUT_CGST: 263, chart.INPUT_SGST: 263}
    entry = post_supplier_bill(uuid.uuid4(), date(2026, 11, 24), totals, bill_no="KT/1",
                               supplier="Konkan", po_number="PO-00001")  # fmt: skip
    amounts = {p.account: p.amount for p in entry.postings}
    assert amounts == {
        chart.GOODS_RECEIVED_NOT_INVOICED: 32_625, chart.INPUT_CGST: 263, chart.INPUT_SGST: 263,
        chart.COGS: 500, chart.PAYABLES: -33_651,
    }  # fmt: skip
    inter = bill_totals(moves, "29", "27")
    assert inter.taxes == {chart.INPUT_IGST: 525}
    cheaper = bill_totals([BilledMove(1, 1000, 2000, 1900, 0)], "27", "04")  # Chandigarh: UTGST
    entry = post_supplier_bill(uuid.uuid4(), date(2026, 11, 24), cheaper, bill_no="B",
                               supplier="S", po_number="PO-2")  # fmt: skip
    assert {p.account: p.amount for p in entry.postings} == {
        chart.GOODS_RECEIVED_NOT_INVOICED: 2000, chart.COGS: -100, chart.PAYABLES: -1900}  # fmt: skip
    assert bill_totals([BilledMove(1, 1000, 2000, 2000, 1200)], "04", "04").taxes == {
        chart.INPUT_CGST: 120, chart.INPUT_UTGST: 120}  # fmt: skip

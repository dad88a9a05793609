"""Stock valuation: hand-computed books for FIFO and the moving average, and properties.

The tables are written so a reader can check them with a pencil: units and
rupees per unit in, the value of each move (paise) and what stays on hand
out. The properties: no paisa is lost (receipts + adjustments == COGS +
closing value), FIFO and the average agree on COGS when everything is
sold, and stock on hand never has a negative value.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from setledger import chart
from setledger.money import MILLI_PER_UNIT
from setledger.postings import (
    EntryDraft,
    TrialBalance,
    check_balanced,
    post_cost_of_return,
    post_cost_of_sale,
    post_cost_settlement,
    post_goods_received,
    post_goods_returned,
    post_stock_adjustment,
)
from setledger.valuation import (
    Layer,
    Method,
    MoveKind,
    Valuation,
    ValuationMove,
    receipt_value,
    value_moves,
)

R, ISS, RET, ADJ = MoveKind.RECEIPT, MoveKind.ISSUE, MoveKind.RETURN, MoveKind.ADJUSTMENT
SR = MoveKind.SUPPLIER_RETURN
T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
SALES = {name: uuid.UUID(int=0xA000 + n) for n, name in enumerate(("S1", "S2", "S3", "S4"))}


def book(rows: list[tuple[str, MoveKind, int, int | None, str | None]]) -> list[ValuationMove]:
    """(label, kind, qty in units (signed), unit cost in paise or None, sale) -> moves an hour apart."""
    return [
        ValuationMove(
            move_id=uuid.UUID(int=n + 1),
            moved_at=T0 + timedelta(hours=n),
            kind=kind,
            qty=units * MILLI_PER_UNIT,
            unit_cost=cost,
            sale_id=SALES[sale] if sale else None,
        )
        for n, (_, kind, units, cost, sale) in enumerate(rows)
    ]


def values(valuation: Valuation) -> list[tuple[int, int]]:
    return [(c.value, c.settlement) for c in valuation.moves]


# One product, two stores' worth of moves: PO-1 received in two parts, a
# dearer PO-2, sales, a return of part of S1, then an offline oversell that
# the next receipt (PO-3) settles.
MOVES = book(
    [
        ("PO-1 part 1: 10 @ ₹100.00", R, 10, 100_00, None),
        ("PO-1 part 2:  5 @ ₹100.00", R, 5, 100_00, None),
        ("PO-2:        10 @ ₹120.00", R, 10, 120_00, None),
        ("S1 sells 12", ISS, -12, None, "S1"),
        ("S1: 2 come back", RET, 2, None, "S1"),
        ("S2 sells 8", ISS, -8, None, "S2"),
        ("S3 sells 10 (3 more than on hand)", ISS, -10, None, "S3"),
        ("PO-3:         4 @ ₹130.00", R, 4, 130_00, None),
    ]
)

# FIFO, by hand (₹; layers oldest first):
#  PO-1a  +10 @ 100 = 1000.00            layers 10@100
#  PO-1b  + 5 @ 100 =  500.00            layers 10@100, 5@100
#  PO-2   +10 @ 120 = 1200.00            layers 10@100, 5@100, 10@120
#  S1     -12 = 10@100 + 2@100 = 1200.00 layers 3@100, 10@120
#  S1 ret + 2 at S1's cost 1200 x 2/12 = 200.00, a new layer 2@100
#  S2     - 8 = 3@100 + 5@120 = 900.00   layers 5@120, 2@100
#  S3     -10 = 5@120 + 2@100 + 3 short at the last unit's cost (100) = 1100.00
#                                         negative layer -3 = -300.00
#  PO-3   + 4 @ 130 = 520.00: 3 settle the oversold units (390.00 against
#         300.00 charged: +90.00 to COGS), 1 stays        layers 1@130
#  receipts 3220.00 = COGS (1200 - 200 + 900 + 1100 + 90 = 3090.00) + closing 130.00
FIFO_EXPECTED = [
    (100_000, 0),
    (50_000, 0),
    (120_000, 0),
    (-120_000, 0),
    (20_000, 0),
    (-90_000, 0),
    (-110_000, 0),
    (52_000, 9_000),
]

# Moving average, by hand (₹):
#  PO-1a  +10 = 1000.00   pool 10 = 1000.00
#  PO-1b  + 5 =  500.00   pool 15 = 1500.00
#  PO-2   +10 = 1200.00   pool 25 = 2700.00 (108.00 each)
#  S1     -12 = 2700 x 12/25 = 1296.00    pool 13 = 1404.00
#  S1 ret + 2 = 1296 x 2/12 = 216.00      pool 15 = 1620.00
#  S2     - 8 = 1620 x 8/15 = 864.00      pool 7 = 756.00
#  S3     -10 = 756.00 (all 7) + 3 short at the pool's last 108.00 = 1080.00
#                                          pool -3 = -324.00
#  PO-3   + 4 @ 130 = 520.00: 3 settle (390.00 against 324.00: +66.00), pool 1 = 130.00
#  receipts 3220.00 = COGS (1296 - 216 + 864 + 1080 + 66 = 3090.00) + closing 130.00
AVERAGE_EXPECTED = [
    (100_000, 0),
    (50_000, 0),
    (120_000, 0),
    (-129_600, 0),
    (21_600, 0),
    (-86_400, 0),
    (-108_000, 0),
    (52_000, 6_600),
]


@pytest.mark.parametrize(
    ("method", "expected"),
    [(Method.FIFO, FIFO_EXPECTED), (Method.AVERAGE, AVERAGE_EXPECTED)],
)
def test_hand_computed_book(method: Method, expected: list[tuple[int, int]]) -> None:
    valuation = value_moves(method, reversed(MOVES))  # given in any order
    assert values(valuation) == expected
    assert valuation.layers == (Layer(1000, 13_000),)
    assert valuation.cogs == 309_000
    assert valuation.of_kind(R) == 322_000 == valuation.cogs + valuation.closing_value


def test_fifo_layers_before_the_oversell() -> None:
    valuation = value_moves(Method.FIFO, MOVES[:6])
    # 5 left of PO-2 at ₹120, then S1's returned 2 at ₹100: the return is the newest layer.
    assert valuation.layers == (Layer(5000, 60_000), Layer(2000, 20_000))
    oversold = value_moves(Method.FIFO, MOVES[:7])
    assert oversold.layers == (Layer(-3000, -30_000),)
    assert oversold.closing_qty == -3000


def test_average_rounding_carries_the_remainder() -> None:
    # 2 @ ₹3.33 + 1 @ ₹3.34 = ₹10.00 for 3; sold one at a time:
    #   10.00 x 1/3 = 3.333 -> 3.33, pool 2 = 6.67
    #    6.67 x 1/2 = 3.335 -> 3.34, pool 1 = 3.33
    #    3.33 (the last unit takes what is left)          3.33 + 3.34 + 3.33 = 10.00
    moves = book(
        [
            ("2 @ 3.33", R, 2, 333, None),
            ("1 @ 3.34", R, 1, 334, None),
            ("sell 1", ISS, -1, None, "S1"),
            ("sell 1", ISS, -1, None, "S2"),
            ("sell 1", ISS, -1, None, "S3"),
        ]
    )
    valuation = value_moves(Method.AVERAGE, moves)
    assert [c.value for c in valuation.moves] == [666, 334, -333, -334, -333]
    assert valuation.layers == ()
    assert valuation.cogs == 1000


def test_loose_goods_in_milli_units() -> None:
    # 1.250 kg @ ₹80.00/kg = ₹100.00; 0.333 kg @ ₹10.01/kg = 3.333 -> ₹3.33
    assert receipt_value(1250, 80_00) == 100_00
    assert receipt_value(333, 10_01) == 333
    moves = [
        ValuationMove(uuid.UUID(int=1), T0, R, 1250, 80_00),
        ValuationMove(uuid.UUID(int=2), T0 + timedelta(hours=1), ISS, -500, sale_id=SALES["S1"]),
    ]
    # FIFO: 0.500 of 1.250 kg worth 100.00 = 40.00
    valuation = value_moves(Method.FIFO, moves)
    assert [c.value for c in valuation.moves] == [100_00, -40_00]
    assert valuation.layers == (Layer(750, 60_00),)


def test_adjustments_out_at_current_cost_in_at_given_or_average() -> None:
    moves = book(
        [
            ("10 @ ₹10", R, 10, 10_00, None),
            ("10 @ ₹20", R, 10, 20_00, None),
            ("damaged: 4 out", ADJ, -4, None, None),
            ("found: 2 in, no cost", ADJ, 2, None, None),
            ("found: 1 in @ ₹50", ADJ, 1, 50_00, None),
        ]
    )
    fifo = value_moves(Method.FIFO, moves)
    # FIFO: 4 out of the ₹10 layer = -40.00; 2 in at the stock's average
    # (6 @ 10 + 10 @ 20 = 260.00 / 16 = 16.25) = 32.50; 1 in at 50.00.
    assert [c.value for c in fifo.moves] == [100_00, 200_00, -40_00, 32_50, 50_00]
    average = value_moves(Method.AVERAGE, moves)
    # Average 15.00: 4 out = -60.00, 2 in = 30.00, 1 in = 50.00.
    assert [c.value for c in average.moves] == [100_00, 200_00, -60_00, 30_00, 50_00]
    for valuation in (fifo, average):
        assert valuation.cogs == 0  # adjustments are not cost of sales
        assert sum(c.value for c in valuation.moves) == valuation.closing_value


def test_return_before_its_sale_and_beyond_it_come_in_at_current_cost() -> None:
    moves = book(
        [
            ("10 @ ₹10", R, 10, 10_00, None),
            ("S4 returned, its sale never seen", RET, 1, None, "S4"),
            ("S1 sells 2", ISS, -2, None, "S1"),
            ("S1: 3 come back (1 more than sold)", RET, 3, None, "S1"),
        ]
    )
    valuation = value_moves(Method.FIFO, moves)
    # unknown sale: current cost 10.00; S1's own 2 at 20.00, the extra one at
    # the stock's current average (9 @ 10.00) = 10.00
    assert [c.value for c in valuation.moves] == [100_00, 10_00, -20_00, 30_00]


def test_oversold_before_any_receipt_is_settled_in_full() -> None:
    moves = book([("S1 sells 2", ISS, -2, None, "S1"), ("5 @ ₹7", R, 5, 7_00, None)])
    for method in Method:
        valuation = value_moves(method, moves)
        # No known cost: the shortfall is charged 0, the receipt settles 2 x 7.00.
        assert values(valuation) == [(0, 0), (35_00, 14_00)]
        assert valuation.layers == (Layer(3000, 21_00),)


def test_a_receipt_without_a_cost_comes_in_at_the_current_cost() -> None:
    moves = book(
        [
            ("4 @ ₹10", R, 4, 10_00, None),
            ("4 @ ₹20", R, 4, 20_00, None),
            ("2 in, cost not recorded", R, 2, None, None),
        ]
    )
    # the stock's average: 8 for 120.00 = 15.00 each; 2 = 30.00
    assert [c.value for c in value_moves(Method.FIFO, moves).moves] == [40_00, 80_00, 30_00]


def test_bad_moves_are_refused() -> None:
    with pytest.raises(ValueError, match="wrong sign"):
        ValuationMove(uuid.UUID(int=1), T0, ISS, 1000)
    with pytest.raises(ValueError, match="negative unit cost"):
        ValuationMove(uuid.UUID(int=1), T0, ADJ, 1000, -1)


def entries(valuation: Valuation) -> list[EntryDraft]:
    """The journal entries of a product's valued moves, as the hub posts them."""
    drafts: list[EntryDraft | None] = []
    for costed in valuation.moves:
        move, on = costed.move, costed.move.moved_at.date()
        settled = costed.settlement
        if move.kind is R:
            drafts.append(post_goods_received(move.move_id, on, costed.value, settlement=settled))
        elif move.kind is ISS:
            drafts.append(post_cost_of_sale(move.move_id, on, -costed.value))
        elif move.kind is RET:
            drafts.append(post_cost_of_return(move.move_id, on, costed.value, settlement=settled))
        elif move.kind is SR:
            drafts.append(post_goods_returned(move.move_id, on, costed.value, costed.cleared,
                                              settlement=settled))  # fmt: skip
        elif costed.value < 0:
            drafts.append(post_stock_adjustment(move.move_id, on, costed.value, "count"))
        else:  # an adjustment in, settled on its own
            drafts.append(post_stock_adjustment(move.move_id, on, costed.value, "found"))
            drafts.append(post_cost_settlement(move.move_id, on, settled))
    return [check_balanced(draft) for draft in drafts if draft is not None]


def books(valuation: Valuation) -> TrialBalance:
    trial = TrialBalance()
    for draft in entries(valuation):
        trial.add(draft.postings)
    return trial


@pytest.mark.parametrize("method", list(Method))
def test_the_hand_computed_book_in_the_journal(method: Method) -> None:
    trial = books(value_moves(method, MOVES))
    assert trial.total == 0
    assert trial.balances == {
        chart.INVENTORY: 13_000,  # the 1 unit on hand at ₹130.00
        chart.GOODS_RECEIVED_NOT_INVOICED: -322_000,  # four receipts, bills to come
        chart.COGS: 309_000,
    }


def test_stock_entries_read_like_the_books() -> None:
    on, move = T0.date(), uuid.UUID(int=7)
    assert [(p.account, p.amount) for p in post_goods_received(move, on, 500, "PO-9").postings] == [
        (chart.INVENTORY, 500),
        (chart.GOODS_RECEIVED_NOT_INVOICED, -500),
    ]
    assert [(p.account, p.amount) for p in post_cost_of_return(move, on, 200).postings] == [
        (chart.INVENTORY, 200),
        (chart.COGS, -200),
    ]
    lost = post_stock_adjustment(move, on, -300, "damaged")
    assert lost is not None
    assert lost.narration == "Stock adjustment: damaged"
    assert [(p.account, p.amount) for p in lost.postings] == [
        (chart.INVENTORY, -300),
        (chart.STOCK_ADJUSTMENTS, 300),
    ]
    cheaper = post_cost_settlement(move, on, -90)
    assert cheaper is not None
    assert cheaper.source_type == "cost_settlement"
    assert [(p.account, p.amount) for p in cheaper.postings] == [
        (chart.INVENTORY, 90),
        (chart.COGS, -90),
    ]
    assert post_cost_settlement(move, on, 0) is None
    # A receipt that covers oversold units: 5.00 in, of which 1.20 more COGS than charged.
    covering = post_goods_received(move, on, 500, "PO-9", settlement=120)
    assert covering is not None
    assert [(p.account, p.amount) for p in covering.postings] == [
        (chart.INVENTORY, 380),
        (chart.GOODS_RECEIVED_NOT_INVOICED, -500),
        (chart.COGS, 120),
    ]
    assert chart.account(chart.STOCK_ADJUSTMENTS).kind is chart.AccountKind.EXPENSE


# --- properties -------------------------------------------------------------

_step = st.one_of(
    st.tuples(st.just(R), st.integers(1, 9000), st.integers(0, 50_000)),
    st.tuples(st.just(ISS), st.integers(1, 9000), st.just(0)),
    st.tuples(st.just(RET), st.integers(1, 4000), st.integers(0, 30)),
)
_adjustment = st.tuples(st.just(ADJ), st.integers(-5000, 5000), st.integers(-1, 50_000))
_to_supplier = st.tuples(st.just(SR), st.integers(1, 4000), st.integers(-1, 50_000))
"""Goods back to the supplier: out at the stock's cost, clearing 2150 at the order's
cost (-1: none given, so at the stock's cost)."""


def _moves(steps: list[tuple[MoveKind, int, int]]) -> list[ValuationMove]:
    moves: list[ValuationMove] = []
    sales: list[uuid.UUID] = []
    for n, (kind, qty, extra) in enumerate(steps):
        at, move_id = T0 + timedelta(minutes=n), uuid.UUID(int=n + 1)
        if kind is R:
            moves.append(ValuationMove(move_id, at, kind, qty, extra))
        elif kind is ISS:
            sales.append(uuid.UUID(int=0xB000 + n))
            moves.append(ValuationMove(move_id, at, kind, -qty, sale_id=sales[-1]))
        elif kind is RET:
            # A sale seen before (or, past the list, one never seen).
            sale = sales[extra] if extra < len(sales) else uuid.UUID(int=0xC000 + n)
            moves.append(ValuationMove(move_id, at, kind, qty, sale_id=sale))
        elif kind is SR:
            moves.append(ValuationMove(move_id, at, kind, -qty, extra if extra >= 0 else None))
        else:
            moves.append(ValuationMove(move_id, at, kind, qty, extra if extra >= 0 else None))
    return moves


def _check_stock_on_hand(valuation: Valuation) -> None:
    for layer in valuation.layers:
        assert layer.qty != 0
        assert (layer.value >= 0) if layer.qty > 0 else (layer.value <= 0)
    if valuation.closing_qty == 0:
        assert valuation.closing_value == 0


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.one_of(_step, _adjustment, _to_supplier), max_size=40),
    st.sampled_from(list(Method)),
)
def test_no_paisa_is_lost(steps: list[tuple[MoveKind, int, int]], method: Method) -> None:
    valuation = value_moves(method, _moves(steps))
    receipts, adjustments = valuation.of_kind(R), valuation.of_kind(ADJ)
    cleared = sum(c.cleared for c in valuation.moves)  # returns to suppliers, at PO cost
    assert receipts + adjustments == valuation.cogs + valuation.closing_value + cleared
    assert valuation.closing_qty == sum(qty for _, qty, _ in _signed(steps))
    _check_stock_on_hand(valuation)
    trial = books(valuation)  # every entry balances (check_balanced) ...
    assert trial.total == 0
    # ... and the books hold what the valuation says, to the paisa.
    assert trial.of([chart.INVENTORY]) == valuation.closing_value
    assert trial.of([chart.COGS]) == valuation.cogs
    assert trial.of([chart.STOCK_ADJUSTMENTS]) == -adjustments
    assert trial.of([chart.GOODS_RECEIVED_NOT_INVOICED]) == cleared - receipts


def _signed(steps: list[tuple[MoveKind, int, int]]) -> list[tuple[MoveKind, int, int]]:
    return [(k, -q if k in (ISS, SR) else q, e) for k, q, e in steps]


@settings(max_examples=200, deadline=None)
@given(st.lists(_step, max_size=40), st.integers(0, 50_000))
def test_fifo_and_average_agree_when_all_is_sold(
    steps: list[tuple[MoveKind, int, int]], last_cost: int
) -> None:
    left = sum(qty for _, qty, _ in _signed(steps))
    if left > 0:
        steps = [*steps, (ISS, left, 0)]
    elif left < 0:
        steps = [*steps, (R, -left, last_cost)]
    moves = _moves(steps)
    fifo, average = value_moves(Method.FIFO, moves), value_moves(Method.AVERAGE, moves)
    assert fifo.layers == average.layers == ()
    assert fifo.cogs == average.cogs == fifo.of_kind(R)

"""Shifts in the kernel: counts, expected cash, X/Z figures, the shift.closed contract."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from setledger import errors, shifts
from setledger.contracts import ShiftClosed, validate_shift
from setledger.contracts.shifts import as_counts, as_mapping, report_of
from setledger.shifts import ShiftReturn, ShiftSale, read_shift

RUPEE = 100


def test_a_drawer_counted_by_hand() -> None:
    # 3 x ₹500, 4 x ₹100, 7 x ₹10, 9 x ₹1 (and no ₹50s)
    count = {50000: 3, 10000: 4, 1000: 7, 100: 9, 5000: 0}
    assert shifts.count_total(count) == (1500 + 400 + 70 + 9) * RUPEE
    assert list(shifts.check_count(count)) == [50000, 10000, 1000, 100]  # zeros dropped
    # ₹2000 notes are still money, though the grid does not show them.
    assert shifts.count_total({200000: 1}) == 2000 * RUPEE
    assert [d.paise for d in shifts.DENOMINATIONS if not d.shown] == [200000]


@pytest.mark.parametrize(
    "count",
    [{30000: 1}, {50: 2}, {10000: -1}, {10000: 1.0}, {10000: True}, {10000: 100_001}],
)
def test_not_a_count(count: dict[int, object]) -> None:
    with pytest.raises(errors.SetLedgerError) as refused:
        shifts.check_count(count)  # type: ignore[arg-type]
    assert refused.value.code == "SHIFT_COUNT_INVALID"


def test_a_shift_worked_by_hand() -> None:
    float_count = {10000: 10, 1000: 20}  # ₹1,200
    sales = [
        # ₹118 bill paid with ₹200 cash: ₹82 change; a ₹10 discount on it
        ShiftSale(
            payable=11800,
            discount=1000,
            taxable=10000,
            tax=1800,
            round_off=0,
            tenders=(("cash", 20000),),
            change=8200,
        ),
        # ₹52.50 rounded to ₹53, split ₹20 cash + ₹33 UPI
        ShiftSale(
            payable=5300,
            discount=0,
            taxable=5000,
            tax=250,
            round_off=50,
            tenders=(("cash", 2000), ("upi", 3300)),
        ),
        ShiftSale(
            payable=9900, discount=0, taxable=8390, tax=1510, round_off=0, tenders=(("card", 9900),)
        ),
    ]
    returns = [ShiftReturn(payable=5300, refunds=(("cash", 5300),))]
    x = read_shift(float_count, sales, returns)
    totals = x.totals
    assert totals.sales_count == 3
    assert totals.tenders == {"cash": 20000 - 8200 + 2000, "upi": 3300, "card": 9900}
    assert totals.change_given == 8200
    assert (totals.gross, totals.discounts, totals.round_off) == (12800 + 5250 + 9900, 1000, 50)
    assert totals.net == 11800 + 5300 + 9900 == totals.gross - totals.discounts + totals.round_off
    assert (totals.taxable, totals.tax) == (23390, 3560)
    assert (totals.returns_count, totals.refunds) == (1, {"cash": 5300, "upi": 0, "card": 0})
    assert x.float_total == 120000
    assert x.expected == 120000 + 13800 - 5300
    assert x.over_short is None  # an X report counts nothing
    z = read_shift(float_count, sales, returns, counted={50000: 2, 10000: 2, 500: 0})
    assert z.counted == 120000
    assert z.over_short == 120000 - 128500  # ₹85 short


tenders = st.lists(
    st.tuples(st.sampled_from(shifts.TENDER_KINDS), st.integers(1, 10**7)), max_size=3
)


@st.composite
def a_sale(draw: st.DrawFn) -> ShiftSale:
    paid = draw(tenders)
    total = sum(a for _, a in paid)
    cash = sum(a for k, a in paid if k == "cash")
    change = draw(st.integers(0, cash))
    payable = total - change
    round_off = draw(st.integers(-50, 49))
    return ShiftSale(
        payable=payable,
        discount=draw(st.integers(0, 10**5)),
        taxable=draw(st.integers(0, 10**7)),
        tax=draw(st.integers(0, 10**6)),
        round_off=round_off,
        tenders=tuple(paid),
        change=change,
    )


counts = st.dictionaries(st.sampled_from(sorted(shifts.KNOWN)), st.integers(0, 500))


@given(
    float_count=counts,
    sales=st.lists(a_sale(), max_size=20),
    refunds=st.lists(tenders, max_size=5),
    counted=counts,
)
def test_the_drawer_holds_float_plus_cash_taken_less_cash_refunded(
    float_count: dict[int, int],
    sales: list[ShiftSale],
    refunds: list[list[tuple[str, int]]],
    counted: dict[int, int],
) -> None:
    returns = [ShiftReturn(sum(a for _, a in r), tuple(r)) for r in refunds]
    z = read_shift(float_count, sales, returns, counted)
    cash_in = sum(a for s in sales for k, a in s.tenders if k == "cash") - sum(
        s.change for s in sales
    )
    cash_out = sum(a for r in refunds for k, a in r if k == "cash")
    assert z.expected == shifts.count_total(float_count) + cash_in - cash_out
    # Every rupee taken is in one kind, every rupee refunded too.
    assert sum(z.totals.tenders.values()) == sum(s.payable for s in sales)
    assert z.totals.refunded == sum(r.payable for r in returns)
    assert z.totals.net == z.totals.gross - z.totals.discounts + z.totals.round_off
    assert z.over_short == shifts.count_total(counted) - z.expected


def closed(**changes: object) -> ShiftClosed:
    float_count = {10000: 10}
    counted = {50000: 2, 10000: 2}
    z = read_shift(
        float_count,
        [ShiftSale(11800, 0, 10000, 1800, 0, (("cash", 20000),), 8200)],
        [],
        counted,
    )
    document = ShiftClosed(
        shift_id=uuid.uuid4(),
        z_no=shifts.z_number(1),
        store_id=uuid.uuid4(),
        device_id=uuid.uuid4(),
        business_date=date(2026, 11, 24),
        closed_at=datetime(2026, 11, 24, 14, 0, tzinfo=UTC),
        approved_by=uuid.uuid4(),
        float_count=as_counts(float_count),
        float_total=z.float_total,
        counted=as_counts(counted),
        counted_total=z.counted or 0,
        expected_cash=z.expected,
        over_short=z.over_short or 0,
        report=report_of(z.totals),
    )
    return document.model_copy(update=changes)


def test_a_z_report_checks_itself() -> None:
    good = closed()
    assert validate_shift(good) == []
    assert good.over_short == 120000 - (100000 + 11800)
    assert as_mapping(good.counted) == {50000: 2, 10000: 2}
    assert shifts.z_number(42) == "Z00042"
    assert shifts.parse_z_number("Z00042") == 42
    assert "over_short != counted - expected" in validate_shift(closed(over_short=0))
    assert any("expected_cash" in p for p in validate_shift(closed(expected_cash=1)))
    assert any("approval" in p for p in validate_shift(closed(approved_by=None)))
    odd = closed(counted=[*good.counted, *as_counts({5000: 1})], counted_total=125000)
    assert any("over_short" in p for p in validate_shift(odd))
    with pytest.raises(ValueError, match="z_no"):
        ShiftClosed.model_validate({**good.model_dump(), "z_no": "Z1"})

"""FEFO at the counter: soonest expiry first, expired lots never suggested."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from setledger.fefo import Lot, expiry_warnings, fefo_order, is_expired, pick

TODAY = date(2026, 11, 24)


def lot(batch: str | None, expiry: date | None, units: int) -> Lot:
    return Lot(batch, expiry, units * 1000)


def test_the_lot_expiring_first_is_taken_first_and_no_expiry_last() -> None:
    lots = [
        lot("B-NONE", None, 50),
        lot("B-MAR", date(2027, 3, 1), 10),
        lot("B-JAN", date(2027, 1, 1), 4),
    ]
    chosen = pick(lots, 6000, TODAY)
    assert [(t.lot.batch_no, t.qty) for t in chosen.takes] == [("B-JAN", 4000), ("B-MAR", 2000)]
    assert chosen.short == 0
    assert chosen.first == lots[2]
    assert [x.batch_no for x in fefo_order(lots)] == ["B-JAN", "B-MAR", "B-NONE"]


def test_expired_lots_are_reported_never_suggested() -> None:
    lots = [lot("OLD", date(2026, 11, 23), 9), lot("NEW", date(2027, 1, 1), 2)]
    chosen = pick(lots, 5000, TODAY)
    assert [(t.lot.batch_no, t.qty) for t in chosen.takes] == [("NEW", 2000)]
    assert chosen.short == 3000
    assert [x.batch_no for x in chosen.expired] == ["OLD"]


def test_only_expired_stock_left_suggests_nothing() -> None:
    chosen = pick([lot("OLD", date(2026, 1, 1), 9)], 1000, TODAY)
    assert chosen.takes == ()
    assert chosen.first is None
    assert chosen.short == 1000
    assert len(chosen.expired) == 1


def test_the_expiry_date_is_the_last_good_day() -> None:
    assert not is_expired(lot("A", TODAY, 1), TODAY)
    assert is_expired(lot("A", TODAY - timedelta(days=1), 1), TODAY)


def test_empty_and_oversold_lots_are_skipped() -> None:
    lots = [lot("NEG", date(2026, 12, 1), -2), lot("ZERO", date(2026, 12, 2), 0)]
    lots.append(lot("OK", date(2027, 1, 1), 1))
    assert [t.lot.batch_no for t in pick(lots, 1000, TODAY).takes] == ["OK"]


def test_warnings_for_expired_and_expiring_within_the_window() -> None:
    lots = [
        lot("GONE", date(2026, 11, 20), 1),
        lot("TEN", TODAY + timedelta(days=10), 1),
        lot("EDGE", TODAY + timedelta(days=30), 1),
        lot("LATER", TODAY + timedelta(days=31), 1),
        lot("SOLD-OUT", TODAY + timedelta(days=2), 0),
        lot("NONE", None, 1),
    ]
    found = [(w.lot.batch_no, w.kind, w.days_left) for w in expiry_warnings(lots, TODAY, 30)]
    assert found == [("GONE", "expired", -4), ("TEN", "expiring", 10), ("EDGE", "expiring", 30)]


def test_a_negative_quantity_or_window_is_refused() -> None:
    with pytest.raises(ValueError, match="negative quantity"):
        pick([], -1, TODAY)
    with pytest.raises(ValueError, match="soon_days"):
        expiry_warnings([], TODAY, -1)


lots_strategy = st.lists(
    st.builds(
        Lot,
        batch_no=st.one_of(st.none(), st.text("ABC123", min_size=1, max_size=4)),
        expiry=st.one_of(st.none(), st.dates(date(2026, 10, 1), date(2027, 6, 1))),
        qty=st.integers(-5000, 20_000),
    ),
    max_size=8,
)


@settings(max_examples=200, deadline=None)
@given(lots=lots_strategy, qty=st.integers(0, 60_000))
def test_a_pick_is_fefo_conserves_quantity_and_never_takes_expired(
    lots: list[Lot], qty: int
) -> None:
    chosen = pick(lots, qty, TODAY)
    sellable = sum(x.qty for x in lots if x.qty > 0 and not is_expired(x, TODAY))
    taken = sum(t.qty for t in chosen.takes)
    assert taken + chosen.short == qty
    assert taken == min(qty, sellable)
    assert all(0 < t.qty <= t.lot.qty and not is_expired(t.lot, TODAY) for t in chosen.takes)
    # Every lot but the last is emptied, and none left out expires sooner.
    assert all(t.qty == t.lot.qty for t in chosen.takes[:-1])
    if chosen.takes:
        last = chosen.takes[-1].lot.expiry
        untaken = [
            x
            for x in lots
            if x.qty > 0 and not is_expired(x, TODAY) and all(x is not t.lot for t in chosen.takes)
        ]
        if last is None:
            assert all(x.expiry is None for x in untaken)
        else:
            assert all(x.expiry is None or x.expiry >= last for x in untaken)
    # The order does not depend on how the lots were listed.
    again = pick(list(reversed(lots)), qty, TODAY)
    assert [(t.lot, t.qty) for t in again.takes] == [(t.lot, t.qty) for t in chosen.takes]

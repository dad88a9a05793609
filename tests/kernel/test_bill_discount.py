"""A bill discount spread over the lines (setledger.bill_discount)."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from setledger.bill_discount import percent_off, split_discount


def test_parts_follow_the_amounts_and_the_odd_paisa_goes_to_the_largest_remainder() -> None:
    # ₹100 off ₹300 + ₹600 + ₹100: one ninth each way, exactly.
    assert split_discount([30_000, 60_000, 10_000], 10_000) == (3_000, 6_000, 1_000)
    # 100 paise over three equal lines: 33.33 each, the extra paisa to the first.
    assert split_discount([500, 500, 500], 100) == (34, 33, 33)
    # 2 paise over 1 + 2: shares 0.67 and 1.33, the larger remainder gets the paisa.
    assert split_discount([1, 2], 2) == (1, 1)
    # A tie goes to the earlier line.
    assert split_discount([1, 1], 1) == (1, 0)


def test_a_discount_above_the_bill_or_below_zero_is_refused() -> None:
    with pytest.raises(ValueError, match="not within 0-300"):
        split_discount([100, 200], 301)
    with pytest.raises(ValueError, match="not within"):
        split_discount([100], -1)
    with pytest.raises(ValueError, match="never negative"):
        split_discount([-5, 10], 1)


def test_percent_off_rounds_down_to_the_paisa() -> None:
    assert percent_off(99_999, 1_000) == 9_999  # 10% of ₹999.99
    assert percent_off(10_000, 10_000) == 10_000
    with pytest.raises(ValueError, match="0-100%"):
        percent_off(100, 10_001)


@given(
    amounts=st.lists(st.integers(min_value=0, max_value=10**9), min_size=1, max_size=40),
    fraction=st.fractions(min_value=0, max_value=1),
)
def test_parts_sum_exactly_none_negative_none_over_its_line(
    amounts: list[int], fraction: Fraction
) -> None:
    discount = int(sum(amounts) * fraction)
    parts = split_discount(amounts, discount)
    assert len(parts) == len(amounts)
    assert sum(parts) == discount
    assert all(0 <= p <= a for p, a in zip(parts, amounts, strict=True))
    # Proportional: each part is within one paisa of its exact share.
    total = sum(amounts) or 1
    assert all(abs(p * total - discount * a) < total for p, a in zip(parts, amounts, strict=True))

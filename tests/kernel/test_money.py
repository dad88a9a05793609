from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from setledger.money import (
    extend,
    format_quantity,
    format_rupees,
    group_indian,
    parse_quantity,
    parse_rupees,
    round_div,
    rupees_text,
)


@pytest.mark.parametrize(
    ("text", "paise"),
    [
        ("0", 0),
        ("12", 1200),
        ("12.5", 1250),
        ("12.05", 1205),
        ("₹ 1,23,456.78", 12345678),
        ("Rs.10", 1000),
        ("-3.10", -310),
    ],
)
def test_parse_rupees(text: str, paise: int) -> None:
    assert parse_rupees(text) == paise


@pytest.mark.parametrize("text", ["", "1.234", "abc", "1e3", "12.", ".5", "--1"])
def test_parse_rupees_refuses_bad_text(text: str) -> None:
    with pytest.raises(ValueError, match="rupee amount"):
        parse_rupees(text)


def test_money_refuses_floats() -> None:
    with pytest.raises(TypeError):
        parse_rupees(12.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        format_rupees(12.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        parse_quantity(1.5)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("paise", "text"),
    [
        (0, "₹0.00"),
        (5, "₹0.05"),
        (100000, "₹1,000.00"),
        (12345678, "₹1,23,456.78"),
        (1234567890, "₹1,23,45,678.90"),
        (-118000, "-₹1,180.00"),
    ],
)
def test_format_rupees_uses_lakh_grouping(paise: int, text: str) -> None:
    assert format_rupees(paise) == text


@given(st.integers(min_value=0, max_value=10**15))
def test_indian_grouping_keeps_the_digits(whole: int) -> None:
    grouped = group_indian(whole)
    assert grouped.replace(",", "") == str(whole)
    groups = grouped.split(",")
    assert len(groups[-1]) == min(3, len(str(whole)))
    assert all(len(g) == 2 for g in groups[1:-1])


@given(st.integers(min_value=-(10**12), max_value=10**12))
def test_format_then_parse_is_identity(paise: int) -> None:
    assert parse_rupees(format_rupees(paise)) == paise
    assert parse_rupees(rupees_text(paise)) == paise


@given(
    st.integers(min_value=-(10**15), max_value=10**15),
    st.integers(min_value=1, max_value=10**6),
)
def test_round_div_is_half_away_from_zero(numerator: int, denominator: int) -> None:
    expected = (Decimal(numerator) / Decimal(denominator)).quantize(
        Decimal(1), rounding=ROUND_HALF_UP
    )
    assert round_div(numerator, denominator) == int(expected)


@pytest.mark.parametrize(
    ("value", "milli"),
    [("2", 2000), ("1.25", 1250), ("0.005", 5), (3, 3000), (Decimal("0.5"), 500)],
)
def test_parse_quantity(value: object, milli: int) -> None:
    assert parse_quantity(value) == milli  # type: ignore[arg-type]


@pytest.mark.parametrize("value", ["1.2345", "x", Decimal("0.0001"), "", "1,000"])
def test_parse_quantity_refuses_more_than_three_decimals(value: object) -> None:
    with pytest.raises(ValueError, match="quantity"):
        parse_quantity(value)  # type: ignore[arg-type]


@given(st.integers(min_value=-(10**9), max_value=10**9))
def test_quantity_text_round_trips(milli: int) -> None:
    assert parse_quantity(format_quantity(milli)) == milli


def test_extend_rounds_half_up_to_the_paisa() -> None:
    assert extend(4999, 1500) == 7499  # 74.985 -> 74.99
    assert extend(1000, 3000) == 3000
    assert extend(333, 333) == 111  # 110.889 -> 111

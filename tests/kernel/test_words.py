"""Amounts in words, Indian system (issue 6: invoice documents)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from setledger.words import amount_in_words, number_words


@pytest.mark.parametrize(
    ("paise", "words"),
    [
        (
            12345678,
            "Rupees One Lakh Twenty Three Thousand Four Hundred Fifty Six "
            "and Seventy Eight Paise Only",
        ),
        (0, "Rupees Zero Only"),
        (50, "Fifty Paise Only"),
        (1, "One Paise Only"),
        (118000, "Rupees One Thousand One Hundred Eighty Only"),
        (105000, "Rupees One Thousand Fifty Only"),
        (10000000, "Rupees One Lakh Only"),
        (100000000, "Rupees Ten Lakh Only"),
        (1000000000, "Rupees One Crore Only"),
        (
            1234567890_12,
            "Rupees One Hundred Twenty Three Crore Forty Five Lakh Sixty Seven Thousand "
            "Eight Hundred Ninety and Twelve Paise Only",
        ),
        (10**12 * 100, "Rupees One Lakh Crore Only"),
        (-1180_00, "Minus Rupees One Thousand One Hundred Eighty Only"),
        (1999_99, "Rupees One Thousand Nine Hundred Ninety Nine and Ninety Nine Paise Only"),
    ],
)
def test_amount_in_words(paise: int, words: str) -> None:
    assert amount_in_words(paise) == words


def test_floats_are_refused() -> None:
    with pytest.raises(TypeError):
        amount_in_words(1.5)  # type: ignore[arg-type]


_VALUES = {
    "Zero": 0, "One": 1, "Two": 2, "Three": 3, "Four": 4, "Five": 5, "Six": 6, "Seven": 7,
    "Eight": 8, "Nine": 9, "Ten": 10, "Eleven": 11, "Twelve": 12, "Thirteen": 13,
    "Fourteen": 14, "Fifteen": 15, "Sixteen": 16, "Seventeen": 17, "Eighteen": 18,
    "Nineteen": 19, "Twenty": 20, "Thirty": 30, "Forty": 40, "Fifty": 50, "Sixty": 60,
    "Seventy": 70, "Eighty": 80, "Ninety": 90,
}  # fmt: skip
_SCALES = {"Hundred": 100, "Thousand": 1_000, "Lakh": 100_000, "Crore": 10_000_000}


def parse_words(text: str) -> int:
    """An independent reader of the words (a stack of scales), to round-trip."""
    stack: list[tuple[int, int]] = []  # (value, scale of the group it closes)
    current = 0
    for word in text.split():
        if word in _VALUES:
            current += _VALUES[word]
            continue
        scale = _SCALES[word]
        while stack and stack[-1][1] <= scale:  # "Crore Crore": a nested count
            current += stack.pop()[0]
        stack.append((current * scale, scale))
        current = 0
    return sum(value for value, _ in stack) + current


@given(st.integers(min_value=0, max_value=10**15))
def test_words_round_trip(n: int) -> None:
    assert parse_words(number_words(n)) == n

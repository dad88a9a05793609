"""Amounts in words, the Indian way (thousand, lakh, crore), from paise.

Printed on every tax invoice: "Rupees One Lakh Twenty Three Thousand Four
Hundred Fifty Six and Seventy Eight Paise Only". Integer arithmetic only,
so any amount is spelled exactly. Above 99 crore the crore count is itself
spelled in lakh and thousand ("One Lakh Crore"), as Indian banks print it.
"""

from __future__ import annotations

from setledger.money import PAISE_PER_RUPEE, Paise

_ONES = [
    "Zero",
    "One",
    "Two",
    "Three",
    "Four",
    "Five",
    "Six",
    "Seven",
    "Eight",
    "Nine",
    "Ten",
    "Eleven",
    "Twelve",
    "Thirteen",
    "Fourteen",
    "Fifteen",
    "Sixteen",
    "Seventeen",
    "Eighteen",
    "Nineteen",
]
_TENS = ["_", "_", "Twenty", "Thirty", "Forty", "Fifty", "Sixty", "Seventy", "Eighty", "Ninety"]

CRORE = 10_000_000
LAKH = 100_000
THOUSAND = 1_000


def _below_hundred(n: int) -> list[str]:
    if n < 20:
        return [_ONES[n]]
    tens, ones = divmod(n, 10)
    return [_TENS[tens]] + ([_ONES[ones]] if ones else [])


def _below_thousand(n: int) -> list[str]:
    hundreds, rest = divmod(n, 100)
    words = [_ONES[hundreds], "Hundred"] if hundreds else []
    return words + (_below_hundred(rest) if rest else [])


def number_words(n: int) -> str:
    """A whole number in words, Indian grouping: 1234567 -> "Twelve Lakh ..."."""
    if n < 0:
        raise ValueError("number_words takes a non-negative number")
    if n == 0:
        return "Zero"
    words: list[str] = []
    crores, n = divmod(n, CRORE)
    if crores:
        words += [number_words(crores), "Crore"]
    for size, name in ((LAKH, "Lakh"), (THOUSAND, "Thousand")):
        count, n = divmod(n, size)
        if count:
            words += [*_below_hundred(count), name]
    if n:
        words += _below_thousand(n)
    return " ".join(words)


def amount_in_words(paise: Paise) -> str:
    """Paise as an invoice prints them in words.

    ``12345678`` -> "Rupees One Lakh Twenty Three Thousand Four Hundred
    Fifty Six and Seventy Eight Paise Only"; ``0`` -> "Rupees Zero Only";
    ``50`` -> "Fifty Paise Only". A negative amount (a credit) is prefixed
    with "Minus".
    """
    if isinstance(paise, bool) or not isinstance(paise, int):
        raise TypeError("amount_in_words takes integer paise")
    sign = "Minus " if paise < 0 else ""
    rupees, rest = divmod(abs(paise), PAISE_PER_RUPEE)
    if rupees and rest:
        text = f"Rupees {number_words(rupees)} and {number_words(rest)} Paise"
    elif rest:
        text = f"{number_words(rest)} Paise"
    else:
        text = f"Rupees {number_words(rupees)}"
    return f"{sign}{text} Only"

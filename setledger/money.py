"""Money as integer paise, quantities as integer thousandths.

A rupee amount is an ``int`` of paise everywhere in setLedger. Parsing
takes text (never a float) and formatting uses the Indian grouping
(₹1,23,45,678.90). Quantities are integer thousandths ("milli-units") so
loose goods sold by weight (1.250 kg) need no float either.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import TypeAlias

Paise: TypeAlias = int
"""An amount of money in paise (1 rupee = 100 paise)."""

MilliQty: TypeAlias = int
"""A quantity in thousandths of the unit (1 piece = 1000, 1.25 kg = 1250)."""

PAISE_PER_RUPEE = 100
MILLI_PER_UNIT = 1000

_RUPEES_RE = re.compile(r"^(-)?(\d+)(?:\.(\d{1,2}))?$")
_QTY_RE = re.compile(r"^(\d+)(?:\.(\d{1,3}))?$")


def round_div(numerator: int, denominator: int) -> int:
    """Divide and round half away from zero (GST's "half up" for amounts).

    Integer-only, so it is exact for any size. For negative amounts (credit
    notes) it mirrors the positive case: -2.5 paise rounds to -3.
    """
    if denominator <= 0:
        raise ValueError("denominator must be positive")
    sign = -1 if numerator < 0 else 1
    magnitude = abs(numerator)
    return sign * ((2 * magnitude + denominator) // (2 * denominator))


def _refuse_float(value: object) -> None:
    if isinstance(value, float):
        raise TypeError("money and quantities are never floats; pass text or int")


def parse_rupees(text: str) -> Paise:
    """Parse "1,23,456.78", "₹ 12.5" or "-3" into paise. At most 2 decimals."""
    _refuse_float(text)
    if not isinstance(text, str):
        raise TypeError("parse_rupees takes text")
    cleaned = text.strip().replace("₹", "").replace(",", "").replace(" ", "")
    if cleaned.lower().startswith("rs."):
        cleaned = cleaned[3:]
    match = _RUPEES_RE.match(cleaned)
    if match is None:
        raise ValueError(f"not a rupee amount with at most 2 decimals: {text!r}")
    sign, whole, frac = match.groups()
    paise = int(whole) * PAISE_PER_RUPEE + int((frac or "0").ljust(2, "0"))
    return -paise if sign else paise


def rupees_decimal(paise: Paise) -> Decimal:
    """The amount as a two-place Decimal (for documents such as e-invoices)."""
    _refuse_float(paise)
    return (Decimal(paise) / PAISE_PER_RUPEE).quantize(Decimal("0.01"))


def rupees_text(paise: Paise) -> str:
    """Plain "1180.00": no symbol, no grouping (UPI links, JSON exports)."""
    return f"{rupees_decimal(paise):.2f}"


def group_indian(whole: int) -> str:
    """Group digits the Indian way: 1234567 -> "12,34,567"."""
    digits = str(whole)
    if len(digits) <= 3:
        return digits
    head, tail = digits[:-3], digits[-3:]
    pairs: list[str] = []
    while len(head) > 2:
        pairs.insert(0, head[-2:])
        head = head[:-2]
    if head:
        pairs.insert(0, head)
    return ",".join([*pairs, tail])


def format_rupees(paise: Paise, *, symbol: bool = True) -> str:
    """Format paise for people: 12345678 -> "₹1,23,456.78"."""
    _refuse_float(paise)
    sign = "-" if paise < 0 else ""
    whole, frac = divmod(abs(paise), PAISE_PER_RUPEE)
    return f"{sign}{'₹' if symbol else ''}{group_indian(whole)}.{frac:02d}"


def parse_quantity(value: str | int | Decimal) -> MilliQty:
    """Parse "2", "1.25" or Decimal("0.5") into thousandths. At most 3 decimals."""
    _refuse_float(value)
    if isinstance(value, bool):
        raise TypeError("a quantity is not a boolean")
    if isinstance(value, int):
        return value * MILLI_PER_UNIT
    if isinstance(value, Decimal):
        try:
            scaled = value * MILLI_PER_UNIT
        except InvalidOperation as err:
            raise ValueError(f"not a quantity: {value!r}") from err
        if not scaled.is_finite() or scaled != scaled.to_integral_value():
            raise ValueError(f"quantity has more than 3 decimals: {value}")
        return int(scaled)
    text = value.strip()
    negative = text.startswith("-")
    match = _QTY_RE.match(text[1:] if negative else text)
    if match is None:
        raise ValueError(f"not a quantity with at most 3 decimals: {value!r}")
    whole, frac = match.groups()
    milli = int(whole) * MILLI_PER_UNIT + int((frac or "0").ljust(3, "0"))
    return -milli if negative else milli


def format_quantity(milli: MilliQty) -> str:
    """Thousandths back to text without trailing zeros: 1250 -> "1.25"."""
    sign = "-" if milli < 0 else ""
    whole, frac = divmod(abs(milli), MILLI_PER_UNIT)
    if frac == 0:
        return f"{sign}{whole}"
    return f"{sign}{whole}.{frac:03d}".rstrip("0")


def extend(unit_price: Paise, qty: MilliQty) -> Paise:
    """Price of ``qty`` units at ``unit_price``, rounded half up to the paisa."""
    return round_div(unit_price * qty, MILLI_PER_UNIT)

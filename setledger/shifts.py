"""Shifts at a till: the float, the cash count, X and Z reports. Pure, no I/O.

A shift is per box (the till at one counter) and has Z-report semantics:
a close covers everything sold and refunded at the box since the previous
close (or since the box began), so no sale is ever outside a shift, even
when nobody pressed "open". Opening records the float (a denomination
count) and who opened; closing records the cash counted and whoever
approved an over/short.

Money in the drawer::

    expected cash = float + cash taken (cash tendered less change given)
                    - cash refunded
    over/short    = counted - expected        (over > 0, short < 0)

A count is ``{denomination in paise: pieces}`` over Indian currency: notes
of ₹500, 200, 100, 50, 20 and 10, coins of ₹20, 10, 5, 2 and 1. Notes and
coins of ₹20 and ₹10 are the same money, so they share a key. ₹2000 notes
were withdrawn from circulation but remain legal tender: a count may hold
them, the till's grid does not show them by default.

An X report is a reading of the shift so far (not numbered, not kept); a Z
report closes it, numbered per box ``Z00001``, ``Z00002``... and never
changed afterwards.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from setledger import errors
from setledger.money import Paise

RUPEE = 100
TENDER_KINDS = ("cash", "upi", "card")
Z_PREFIX = "Z"
Z_DIGITS = 5
MAX_PIECES = 100_000
"""Per denomination: a typo guard, far above any drawer."""


@dataclass(frozen=True)
class Denomination:
    paise: Paise
    form: Literal["note", "coin", "note+coin"]
    shown: bool = True
    """On the till's counting grid by default (₹2000 is not: withdrawn)."""


DENOMINATIONS: tuple[Denomination, ...] = (
    Denomination(2000 * RUPEE, "note", shown=False),
    Denomination(500 * RUPEE, "note"),
    Denomination(200 * RUPEE, "note"),
    Denomination(100 * RUPEE, "note"),
    Denomination(50 * RUPEE, "note"),
    Denomination(20 * RUPEE, "note+coin"),
    Denomination(10 * RUPEE, "note+coin"),
    Denomination(5 * RUPEE, "coin"),
    Denomination(2 * RUPEE, "coin"),
    Denomination(1 * RUPEE, "coin"),
)
"""Largest first, as a drawer is counted."""

KNOWN = frozenset(d.paise for d in DENOMINATIONS)

Count = Mapping[int, int]
"""Denomination in paise -> pieces."""


def check_count(count: Count) -> dict[int, int]:
    """The count with zero entries dropped, largest denomination first; refused when a
    denomination is not Indian currency or pieces are negative, fractional or absurd."""
    clean: dict[int, int] = {}
    for denomination, pieces in count.items():
        if isinstance(denomination, bool) or not isinstance(denomination, int):
            raise errors.SHIFT_COUNT_INVALID.error(denomination=denomination, pieces=pieces)
        if denomination not in KNOWN:
            raise errors.SHIFT_COUNT_INVALID.error(denomination=denomination, pieces=pieces)
        if isinstance(pieces, bool) or not isinstance(pieces, int):
            raise errors.SHIFT_COUNT_INVALID.error(denomination=denomination, pieces=pieces)
        if not 0 <= pieces <= MAX_PIECES:
            raise errors.SHIFT_COUNT_INVALID.error(denomination=denomination, pieces=pieces)
        if pieces:
            clean[denomination] = pieces
    return dict(sorted(clean.items(), reverse=True))


def count_total(count: Count) -> Paise:
    """What a count is worth, in paise."""
    return sum(denomination * pieces for denomination, pieces in check_count(count).items())


def z_number(serial: int) -> str:
    """The ``serial``-th Z report of a box (from 1): ``Z00001``."""
    if serial < 1:
        raise ValueError("Z report serials start at 1")
    return f"{Z_PREFIX}{serial:0{Z_DIGITS}d}"


def parse_z_number(number: str) -> int:
    if not number.startswith(Z_PREFIX) or not number[1:].isdigit() or len(number) < 1 + Z_DIGITS:
        raise ValueError(f"{number!r} is not a Z report number")
    return int(number[1:])


@dataclass(frozen=True)
class ShiftSale:
    """What a shift needs of one sale."""

    payable: Paise
    discount: Paise
    """The lines' discounts."""
    taxable: Paise
    tax: Paise
    """CGST + SGST/UTGST + IGST + cess."""
    round_off: Paise
    tenders: tuple[tuple[str, Paise], ...]
    change: Paise = 0


@dataclass(frozen=True)
class ShiftReturn:
    """What a shift needs of one credit note."""

    payable: Paise
    refunds: tuple[tuple[str, Paise], ...]


def _by_kind() -> dict[str, int]:
    return dict.fromkeys(TENDER_KINDS, 0)


@dataclass(frozen=True)
class ShiftTotals:
    sales_count: int = 0
    gross: Paise = 0
    """The lines' amounts before discount."""
    discounts: Paise = 0
    round_off: Paise = 0
    net: Paise = 0
    """What the bills came to: gross - discounts + round-off."""
    taxable: Paise = 0
    tax: Paise = 0
    tenders: dict[str, Paise] = field(default_factory=_by_kind)
    """Taken per kind; cash is net of the change given."""
    change_given: Paise = 0
    returns_count: int = 0
    refunds: dict[str, Paise] = field(default_factory=_by_kind)
    """Refunded per kind."""

    @property
    def refunded(self) -> Paise:
        return sum(self.refunds.values())


def _kind(kind: str) -> str:
    if kind not in TENDER_KINDS:
        raise errors.LEDGER_ACCOUNT_UNKNOWN.error(code=f"tender:{kind}")
    return kind


def shift_totals(sales: Iterable[ShiftSale], returns: Iterable[ShiftReturn]) -> ShiftTotals:
    """The report's figures from the sales and credit notes of the shift."""
    count = gross = discounts = round_off = net = taxable = tax = change = 0
    tenders = _by_kind()
    for sale in sales:
        count += 1
        gross += sale.payable - sale.round_off + sale.discount
        discounts += sale.discount
        round_off += sale.round_off
        net += sale.payable
        taxable += sale.taxable
        tax += sale.tax
        change += sale.change
        for kind, amount in sale.tenders:
            tenders[_kind(kind)] += amount
        tenders["cash"] -= sale.change
    returns_count = 0
    refunds = _by_kind()
    for note in returns:
        returns_count += 1
        for kind, amount in note.refunds:
            refunds[_kind(kind)] += amount
    return ShiftTotals(
        sales_count=count,
        gross=gross,
        discounts=discounts,
        round_off=round_off,
        net=net,
        taxable=taxable,
        tax=tax,
        tenders=tenders,
        change_given=change,
        returns_count=returns_count,
        refunds=refunds,
    )


def expected_cash(float_total: Paise, totals: ShiftTotals) -> Paise:
    """What the drawer should hold: the float, plus cash taken, less cash refunded."""
    return float_total + totals.tenders["cash"] - totals.refunds["cash"]


@dataclass(frozen=True)
class Reading:
    """An X report (counted is None) or the figures of a Z report."""

    totals: ShiftTotals
    float_total: Paise
    expected: Paise
    counted: Paise | None = None

    @property
    def over_short(self) -> Paise | None:
        """Counted less expected: over when positive, short when negative."""
        return None if self.counted is None else self.counted - self.expected


def read_shift(
    float_count: Count,
    sales: Sequence[ShiftSale],
    returns: Sequence[ShiftReturn],
    counted: Count | None = None,
) -> Reading:
    """X report (no count) or Z report figures (with the closing count)."""
    totals = shift_totals(sales, returns)
    float_total = count_total(float_count)
    return Reading(
        totals=totals,
        float_total=float_total,
        expected=expected_cash(float_total, totals),
        counted=None if counted is None else count_total(counted),
    )

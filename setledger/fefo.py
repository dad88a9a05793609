"""First-expiry-first-out at the counter, and expiry warnings. Pure, no I/O.

A product kept in batches (lots) is on hand at a store as several lots, each
with a batch number, perhaps an expiry date, and a quantity in milli-units
(1 unit = 1000). FEFO suggests which lots to take so the goods that expire
first leave first:

- lots are taken in order of expiry (soonest first); lots without an expiry
  come last (they cannot go off), ties by batch number so the answer is the
  same on every box;
- an expired lot is never suggested (selling it is the shop's decision,
  recorded with a warning), but it is reported, so the counter can say
  "only expired stock is left";
- lots with nothing on hand (zero or negative, after offline overselling)
  are skipped.

A suggestion is a suggestion: when the lots on hand do not cover the
quantity, the pick says how much is short and the sale still goes ahead
(offline overselling is allowed; the hub shows it as negative stock).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

from setledger.money import MilliQty

WarningKind = Literal["expired", "expiring"]


@dataclass(frozen=True)
class Lot:
    """A lot of one product on hand at one store."""

    batch_no: str | None
    """None: stock not kept by batch (or received before batches were)."""
    expiry: date | None
    qty: MilliQty


@dataclass(frozen=True)
class Take:
    lot: Lot
    qty: MilliQty
    """How much to take from ``lot`` (at most what it holds)."""


@dataclass(frozen=True)
class Pick:
    takes: tuple[Take, ...]
    """Lots to take, in order; their quantities sum to the quantity asked less ``short``."""
    short: MilliQty
    """What the lots that may be sold do not cover (0 when covered)."""
    expired: tuple[Lot, ...]
    """Expired lots with stock, never suggested; the shop may still sell them."""

    @property
    def first(self) -> Lot | None:
        return self.takes[0].lot if self.takes else None


@dataclass(frozen=True)
class ExpiryWarning:
    lot: Lot
    kind: WarningKind
    days_left: int
    """Days from today to the expiry date; negative when already expired."""


def is_expired(lot: Lot, today: date) -> bool:
    """Expired from the day after its expiry date (the date is the last good day)."""
    return lot.expiry is not None and lot.expiry < today


def fefo_order(lots: Iterable[Lot]) -> list[Lot]:
    """Soonest expiry first, no-expiry last; ties by batch number (None last), then quantity."""
    return sorted(
        lots,
        key=lambda x: (
            x.expiry is None,
            x.expiry or date.max,
            x.batch_no is None,
            x.batch_no or "",
            x.qty,
        ),
    )


def pick(lots: Sequence[Lot], qty: MilliQty, today: date) -> Pick:
    """The lots to take ``qty`` from, first expiry first out."""
    if qty < 0:
        raise ValueError(f"cannot pick a negative quantity: {qty}")
    on_hand = [lot for lot in lots if lot.qty > 0]
    expired = tuple(fefo_order(x for x in on_hand if is_expired(x, today)))
    takes: list[Take] = []
    left = qty
    for lot in fefo_order(x for x in on_hand if not is_expired(x, today)):
        if left == 0:
            break
        taken = min(left, lot.qty)
        takes.append(Take(lot, taken))
        left -= taken
    return Pick(takes=tuple(takes), short=left, expired=expired)


def expiry_warning(lot: Lot, today: date, soon_days: int) -> ExpiryWarning | None:
    """A lot's warning: expired, or expiring within ``soon_days`` days (inclusive)."""
    if lot.expiry is None:
        return None
    days_left = (lot.expiry - today).days
    if days_left < 0:
        return ExpiryWarning(lot, "expired", days_left)
    if days_left <= soon_days:
        return ExpiryWarning(lot, "expiring", days_left)
    return None


def expiry_warnings(lots: Iterable[Lot], today: date, soon_days: int) -> list[ExpiryWarning]:
    """Warnings for the lots with stock, soonest expiry first."""
    if soon_days < 0:
        raise ValueError(f"soon_days must not be negative: {soon_days}")
    found = (expiry_warning(lot, today, soon_days) for lot in fefo_order(lots) if lot.qty > 0)
    return [w for w in found if w is not None]

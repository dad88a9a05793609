"""Settling a bill with cash, UPI and card, alone or split.

Only cash can be over-tendered: change is always given in cash, so UPI
and card together may not exceed the bill. UPI and card payments carry
the reference the terminal or the customer's app shows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from setledger import errors
from setledger.money import Paise

MAX_REFERENCE_LENGTH = 64


class TenderKind(StrEnum):
    CASH = "cash"
    UPI = "upi"
    CARD = "card"


@dataclass(frozen=True)
class Tender:
    kind: TenderKind
    amount: Paise
    reference: str | None = None


@dataclass(frozen=True)
class Settlement:
    tendered: Paise
    change: Paise


def settle(payable: Paise, tenders: Sequence[Tender]) -> Settlement:
    """Check the payments against the bill and work out the change."""
    if not tenders and payable > 0:
        raise errors.TENDER_MISSING.error(payable=payable)
    for index, tender in enumerate(tenders, start=1):
        if tender.amount <= 0:
            raise errors.TENDER_NOT_POSITIVE.error(index=index, amount=tender.amount)
        if tender.kind is not TenderKind.CASH and not (tender.reference or "").strip():
            raise errors.TENDER_REFERENCE_MISSING.error(index=index, kind=tender.kind.value)
    noncash = sum(t.amount for t in tenders if t.kind is not TenderKind.CASH)
    if noncash > payable:
        raise errors.TENDER_NONCASH_OVER.error(noncash=noncash, payable=payable)
    tendered = sum(t.amount for t in tenders)
    if tendered < payable:
        raise errors.TENDER_SHORT.error(
            tendered=tendered, payable=payable, short=payable - tendered
        )
    return Settlement(tendered=tendered, change=tendered - payable)

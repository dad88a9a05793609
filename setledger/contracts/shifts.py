"""Shift closes going up from the box: one ``shift.closed`` per Z report (stream ``shifts``).

The Z report of a till (``setledger.shifts``): everything sold and refunded
at the box since its previous close, the float it opened with, the cash
counted by denomination, what the drawer should have held and the
difference. Keyed by the client's shift id (a retry at the box records one
close); numbered per box ``Z00001``... The hub posts the over/short
(``setledger.postings.post_shift_count``).
"""

from __future__ import annotations

from datetime import date
from typing import ClassVar
from uuid import UUID

from pydantic import AwareDatetime, Field

from setledger import shifts
from setledger.contracts.base import Contract, Paise


class DenominationCount(Contract):
    denomination: Paise = Field(gt=0)
    """A note or coin's value in paise (50000 is ₹500)."""
    pieces: int = Field(strict=True, gt=0)


class ShiftTenders(Contract):
    """Per tender kind, in paise."""

    cash: Paise
    upi: Paise
    card: Paise


class ShiftReport(Contract):
    """The Z report's figures (``setledger.shifts.ShiftTotals``)."""

    sales_count: int = Field(strict=True, ge=0)
    gross: Paise
    """The lines' amounts before discount."""
    discounts: Paise
    round_off: Paise
    net: Paise
    """gross - discounts + round-off: what the bills came to."""
    taxable: Paise
    tax: Paise
    tenders: ShiftTenders
    """Taken per kind; cash net of change."""
    change_given: Paise
    returns_count: int = Field(strict=True, ge=0)
    refunds: ShiftTenders


class ShiftClosed(Contract):
    SCHEMA: ClassVar[str] = "shift.closed"
    VERSION: ClassVar[int] = 1

    shift_id: UUID
    z_no: str = Field(pattern=r"^Z[0-9]{5,9}$")
    store_id: UUID
    device_id: UUID
    business_date: date
    """The day of the close (IST): the over/short is booked then."""
    opened_at: AwareDatetime | None = None
    """None when nobody opened the shift: it began at the previous close."""
    opened_by: str | None = Field(default=None, max_length=200)
    closed_at: AwareDatetime
    closed_by: str | None = Field(default=None, max_length=200)
    approved_by: UUID | None = None
    """The manager whose PIN accepted an over/short (None when the count was exact)."""
    float_count: list[DenominationCount]
    float_total: Paise = Field(ge=0)
    counted: list[DenominationCount]
    counted_total: Paise = Field(ge=0)
    expected_cash: Paise
    over_short: Paise
    """Counted less expected: over when positive, short when negative."""
    note: str | None = Field(default=None, max_length=500)
    report: ShiftReport


def as_counts(count: shifts.Count) -> list[DenominationCount]:
    """A checked count as contract entries, largest denomination first."""
    return [
        DenominationCount(denomination=d, pieces=n) for d, n in shifts.check_count(count).items()
    ]


def as_mapping(counts: list[DenominationCount]) -> dict[int, int]:
    return {c.denomination: c.pieces for c in counts}


def report_of(totals: shifts.ShiftTotals) -> ShiftReport:
    return ShiftReport(
        sales_count=totals.sales_count,
        gross=totals.gross,
        discounts=totals.discounts,
        round_off=totals.round_off,
        net=totals.net,
        taxable=totals.taxable,
        tax=totals.tax,
        tenders=ShiftTenders(**totals.tenders),
        change_given=totals.change_given,
        returns_count=totals.returns_count,
        refunds=ShiftTenders(**totals.refunds),
    )


def validate_shift(closed: ShiftClosed) -> list[str]:
    """Check the close against itself; list every problem (the hub runs it on arrival)."""
    problems: list[str] = []
    for name in ("float_count", "counted"):
        entries: list[DenominationCount] = getattr(closed, name)
        denominations = [c.denomination for c in entries]
        if len(set(denominations)) != len(denominations):
            problems.append(f"{name}: a denomination is listed twice")
        unknown = sorted(set(denominations) - shifts.KNOWN)
        if unknown:
            problems.append(f"{name}: {unknown} are not Indian notes or coins (paise)")
    float_total = sum(c.denomination * c.pieces for c in closed.float_count)
    if closed.float_total != float_total:
        problems.append(f"float_total {closed.float_total} != the float's count {float_total}")
    counted = sum(c.denomination * c.pieces for c in closed.counted)
    if closed.counted_total != counted:
        problems.append(f"counted_total {closed.counted_total} != the count {counted}")
    report = closed.report
    if report.net != report.gross - report.discounts + report.round_off:
        problems.append("report.net != gross - discounts + round-off")
    expected = closed.float_total + report.tenders.cash - report.refunds.cash
    if closed.expected_cash != expected:
        problems.append(
            f"expected_cash {closed.expected_cash} != float + cash taken - cash refunded {expected}"
        )
    if closed.over_short != closed.counted_total - closed.expected_cash:
        problems.append("over_short != counted - expected")
    if closed.over_short != 0 and closed.approved_by is None:
        problems.append("an over/short close carries no manager's approval")
    if closed.opened_at is not None and closed.opened_at > closed.closed_at:
        problems.append("the shift closes before it opened")
    return problems

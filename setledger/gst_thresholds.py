"""GST rules that change with dates, as data (not code branches).

Each rule is a tuple of periods, newest last; a period applies from its
``effective_from`` until the next one starts. Changing the law is adding
a row here, and every old document is still judged by the rule of its
own date.

- R14: HSN/SAC digits an invoice must show, by the seller's aggregate
  annual turnover (AATO) in the previous financial year.
- R16: the GSTR-1 B2CL limit (inter-state supply to an unregistered buyer).
- R21: the AATO above which B2C invoices carry a dynamic QR.
- R18: whether the GSTR-1 HSN summary (Table 12) is one list or split
  into B2B and B2C lists, by return period.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal, TypeVar

from setledger.money import Paise

CRORE: Paise = 1_00_00_000_00
LAKH: Paise = 1_00_000_00


@dataclass(frozen=True)
class HsnBand:
    """Sellers with AATO up to ``aato_up_to`` (inclusive; None: no limit)."""

    aato_up_to: Paise | None
    b2b_digits: int
    b2c_digits: int
    """0: the code may be left out (B2C up to ₹5 crore, R14)."""


@dataclass(frozen=True)
class HsnDigitRule:
    effective_from: date
    bands: tuple[HsnBand, ...]
    source: str


HSN_DIGIT_RULES: tuple[HsnDigitRule, ...] = (
    HsnDigitRule(
        date(2017, 7, 1),
        (HsnBand(150 * LAKH, 0, 0), HsnBand(5 * CRORE, 2, 2), HsnBand(None, 4, 4)),
        "Notif. 12/2017-CT (the rule before 1 April 2021)",
    ),
    HsnDigitRule(
        date(2021, 4, 1),
        (HsnBand(5 * CRORE, 4, 0), HsnBand(None, 6, 6)),
        "Notif. 78/2020-CT (RULES.md R14)",
    ),
)


@dataclass(frozen=True)
class AmountLimit:
    effective_from: date
    amount: Paise
    source: str


B2CL_LIMITS: tuple[AmountLimit, ...] = (
    AmountLimit(date(2017, 7, 1), 2_50_000_00, "GSTR-1 B2CL, invoices above ₹2.5 lakh"),
    AmountLimit(
        date(2024, 8, 1), 1_00_000_00, "above ₹1 lakh from 1 Aug 2024 (R16; india-compliance #2413)"
    ),
)

B2C_DYNAMIC_QR_AATO: tuple[AmountLimit, ...] = (
    AmountLimit(date(2020, 12, 1), 500 * CRORE, "Notif. 14/2020-CT via 71/2020-CT (R21)"),
)


@dataclass(frozen=True)
class HsnSummaryLayout:
    """GSTR-1 Table 12 layout for return periods starting on or after ``effective_from``."""

    effective_from: date
    split_b2b_b2c: bool
    """True: ``{"hsn_b2b": [...], "hsn_b2c": [...]}``; False: ``{"data": [...]}``."""
    source: str


HSN_SUMMARY_LAYOUTS: tuple[HsnSummaryLayout, ...] = (
    HsnSummaryLayout(date(2017, 7, 1), False, "GSTR-1 Table 12, one HSN list"),
    HsnSummaryLayout(
        date(2025, 5, 1),
        True,
        "from the May 2025 period, B2B and B2C tabs (R18; india-compliance PR #3222)",
    ),
)

_Dated = TypeVar("_Dated", HsnDigitRule, AmountLimit, HsnSummaryLayout)


def in_force(rules: Sequence[_Dated], day: date) -> _Dated | None:
    """The period of ``rules`` that applies on ``day`` (None before the first)."""
    current = None
    for rule in rules:
        if rule.effective_from <= day:
            current = rule
    return current


def hsn_digits_required(aato: Paise, day: date, *, b2b: bool) -> int:
    """How many HSN/SAC digits an invoice of ``day`` must show (R14)."""
    rule = in_force(HSN_DIGIT_RULES, day)
    if rule is None:
        return 0
    for band in rule.bands:
        if band.aato_up_to is None or aato <= band.aato_up_to:
            return band.b2b_digits if b2b else band.b2c_digits
    raise AssertionError("the last band has no limit")


def hsn_problem(hsn: str | None, aato: Paise, day: date, *, b2b: bool) -> str | None:
    """Why ``hsn`` is not enough for this seller on this date, or None."""
    needed = hsn_digits_required(aato, day, b2b=b2b)
    if not hsn:
        return f"an HSN/SAC code of at least {needed} digits is required" if needed else None
    if not hsn.isdigit():
        return f"HSN/SAC {hsn!r} is not digits"
    if len(hsn) < needed:
        return f"HSN/SAC {hsn} has {len(hsn)} digits; at least {needed} are required"
    return None


def b2c_section(*, inter_state: bool, invoice_value: Paise, day: date) -> Literal["b2cl", "b2cs"]:
    """GSTR-1 section of an invoice to an unregistered buyer (R16).

    B2CL only for an inter-state supply whose invoice value is above the
    limit in force on the invoice date; everything else is B2CS.
    """
    limit = in_force(B2CL_LIMITS, day)
    if inter_state and limit is not None and invoice_value > limit.amount:
        return "b2cl"
    return "b2cs"


def needs_b2c_dynamic_qr(highest_aato_since_2017: Paise, day: date) -> bool:
    """Whether B2C invoices of ``day`` must carry the R21 dynamic QR."""
    limit = in_force(B2C_DYNAMIC_QR_AATO, day)
    return limit is not None and highest_aato_since_2017 > limit.amount


def hsn_summary_split(period_start: date) -> bool:
    """Whether the HSN summary of the return period starting ``period_start``
    is split into ``hsn_b2b`` and ``hsn_b2c`` (R18)."""
    layout = in_force(HSN_SUMMARY_LAYOUTS, period_start)
    return layout is not None and layout.split_b2b_b2c

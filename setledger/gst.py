"""GST on a line and on an invoice, in integer paise.

Rules (see ``reference/gst/RULES.md``):

- Place of supply equal to the seller's state is intra-state: CGST and
  SGST (UTGST in UTs without a legislature) at half the rate each.
  Otherwise, and always for SEZ and exports, inter-state: IGST (R4, R5).
- Each head is computed from the line's taxable value and rounded on its
  own, half up, to the paisa (R9). CGST therefore always equals SGST.
- Tax-inclusive prices are split back to a taxable value first (rounded
  to the paisa); the heads are then computed from that value like any
  other line, so the document satisfies the IRP's checks. The customer
  still pays the shelf price: the paisa the split may gain or lose shows
  up in the invoice's explicit round-off, never in a tax head.
- The invoice round-off is ``payable - (taxable + taxes)``. It is the only
  place a difference may appear, and it must stay within ±99.99 (R10).

Rates are basis points of a percent: 18% is 1800, 0.25% is 25.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from setledger import errors
from setledger.money import MILLI_PER_UNIT, MilliQty, Paise, extend, round_div
from setledger.states import EXPORT_PLACE_OF_SUPPLY, is_state_code

BP_PER_UNIT = 10_000
"""Basis points in 100%."""

GST_RATES_BP: frozenset[int] = frozenset(
    {0, 10, 25, 100, 150, 300, 500, 600, 750, 1200, 1800, 2800, 4000}
)
"""Notified GST rates in basis points (0.1% and 0.25% for gems and rough
diamonds, 3% for gold, 1.5%/6%/7.5% for specific notified goods, 40% from
22 Sep 2025)."""

MAX_CESS_BP = 30_000
MAX_ROUND_OFF: Paise = 9_999


class SupplyKind(StrEnum):
    INTRA = "intra"
    INTER = "inter"


class Rounding(StrEnum):
    """How the amount payable is rounded (the difference is the round-off)."""

    PAISA = "paisa"
    RUPEE = "rupee"


def check_rate(rate_bp: int) -> None:
    if rate_bp not in GST_RATES_BP:
        raise errors.GST_RATE_UNKNOWN.error(rate_bp=rate_bp)


def check_cess(cess_bp: int) -> None:
    if not 0 <= cess_bp <= MAX_CESS_BP:
        raise errors.CESS_RATE_INVALID.error(cess_bp=cess_bp)


def check_state(code: str) -> None:
    if not is_state_code(code):
        raise errors.STATE_CODE_UNKNOWN.error(code=code)


def place_of_supply_for_goods(
    seller_state: str,
    *,
    buyer_state: str | None = None,
    ship_to_state: str | None = None,
    export: bool = False,
) -> str:
    """Where goods are supplied (IGST Act s.10; R6, R7).

    Goods shipped go where delivery ends; otherwise the buyer's state on
    record (a GSTIN's first two digits count); a walk-in buyer with no
    address is supplied at the seller's location.
    """
    if export:
        return EXPORT_PLACE_OF_SUPPLY
    place = ship_to_state or buyer_state or seller_state
    check_state(place)
    return place


def supply_kind(seller_state: str, place_of_supply: str, *, sez: bool = False) -> SupplyKind:
    """Intra-state only when the place of supply is the seller's state (R4, R5)."""
    check_state(seller_state)
    check_state(place_of_supply)
    if sez or place_of_supply != seller_state:
        return SupplyKind.INTER
    return SupplyKind.INTRA


@dataclass(frozen=True)
class TaxableLine:
    """One invoice line as priced: what the tax engine needs and nothing else."""

    unit_price: Paise
    qty: MilliQty
    rate_bp: int
    price_includes_tax: bool
    cess_bp: int = 0
    discount: Paise = 0


@dataclass(frozen=True)
class LineTax:
    gross: Paise
    """Price times quantity less discount, as the price was shown."""
    taxable: Paise
    cgst: Paise
    sgst: Paise
    igst: Paise
    cess: Paise
    charged: Paise
    """What this line asks of the customer: the gross for tax-inclusive
    prices, taxable value plus taxes for tax-exclusive ones."""

    @property
    def tax(self) -> Paise:
        return self.cgst + self.sgst + self.igst + self.cess

    @property
    def total(self) -> Paise:
        return self.taxable + self.tax


def taxable_from_inclusive(gross: Paise, rate_bp: int, cess_bp: int = 0) -> Paise:
    """Split a tax-inclusive amount back to its taxable value, to the paisa."""
    return round_div(gross * BP_PER_UNIT, BP_PER_UNIT + rate_bp + cess_bp)


def head_amounts(taxable: Paise, rate_bp: int, kind: SupplyKind) -> tuple[Paise, Paise, Paise]:
    """(CGST, SGST, IGST) for a taxable value, each head rounded on its own."""
    if kind is SupplyKind.INTRA:
        half = round_div(taxable * rate_bp, 2 * BP_PER_UNIT)
        return half, half, 0
    return 0, 0, round_div(taxable * rate_bp, BP_PER_UNIT)


def tax_line(line: TaxableLine, kind: SupplyKind) -> LineTax:
    check_rate(line.rate_bp)
    check_cess(line.cess_bp)
    gross = extend(line.unit_price, line.qty) - line.discount
    if line.price_includes_tax:
        taxable = taxable_from_inclusive(gross, line.rate_bp, line.cess_bp)
    else:
        taxable = gross
    cgst, sgst, igst = head_amounts(taxable, line.rate_bp, kind)
    cess = round_div(taxable * line.cess_bp, BP_PER_UNIT)
    total = taxable + cgst + sgst + igst + cess
    charged = gross if line.price_includes_tax else total
    return LineTax(gross, taxable, cgst, sgst, igst, cess, charged)


@dataclass(frozen=True)
class RateSummary:
    """Taxable value and taxes of one rate (the invoice's tax breakup)."""

    rate_bp: int
    taxable: Paise
    cgst: Paise
    sgst: Paise
    igst: Paise
    cess: Paise


@dataclass(frozen=True)
class InvoiceTax:
    kind: SupplyKind
    lines: tuple[LineTax, ...]
    taxable: Paise
    cgst: Paise
    sgst: Paise
    igst: Paise
    cess: Paise
    round_off: Paise
    payable: Paise
    by_rate: tuple[RateSummary, ...]

    @property
    def tax(self) -> Paise:
        return self.cgst + self.sgst + self.igst + self.cess

    @property
    def total_before_round_off(self) -> Paise:
        return self.taxable + self.tax


def round_payable(amount: Paise, rounding: Rounding) -> Paise:
    if rounding is Rounding.RUPEE:
        return round_div(amount, 100) * 100
    return amount


def tax_invoice(
    lines: Sequence[TaxableLine], kind: SupplyKind, rounding: Rounding = Rounding.RUPEE
) -> InvoiceTax:
    """Tax every line, sum the heads, and make the round-off explicit."""
    taxed = tuple(tax_line(line, kind) for line in lines)
    payable = round_payable(sum(t.charged for t in taxed), rounding)
    total = sum(t.total for t in taxed)
    round_off = payable - total
    if abs(round_off) > MAX_ROUND_OFF:
        raise errors.ROUND_OFF_OUT_OF_RANGE.error(round_off=round_off)
    return InvoiceTax(
        kind=kind,
        lines=taxed,
        taxable=sum(t.taxable for t in taxed),
        cgst=sum(t.cgst for t in taxed),
        sgst=sum(t.sgst for t in taxed),
        igst=sum(t.igst for t in taxed),
        cess=sum(t.cess for t in taxed),
        round_off=round_off,
        payable=payable,
        by_rate=summarise_by_rate(zip((line.rate_bp for line in lines), taxed, strict=True)),
    )


def summarise_by_rate(rated: Iterable[tuple[int, LineTax]]) -> tuple[RateSummary, ...]:
    sums: dict[int, list[int]] = {}
    for rate_bp, t in rated:
        acc = sums.setdefault(rate_bp, [0, 0, 0, 0, 0])
        for i, amount in enumerate((t.taxable, t.cgst, t.sgst, t.igst, t.cess)):
            acc[i] += amount
    return tuple(RateSummary(rate, *acc) for rate, acc in sorted(sums.items()))


def is_whole(qty: MilliQty) -> bool:
    return qty % MILLI_PER_UNIT == 0

"""GST on lines and invoices: RULES.md worked examples and properties."""

from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from setledger import errors, gst
from setledger.gst import (
    GST_RATES_BP,
    Rounding,
    SupplyKind,
    TaxableLine,
    place_of_supply_for_goods,
    supply_kind,
    tax_invoice,
    tax_line,
)
from setledger.money import parse_rupees
from setledger.states import state_tax_head

INTRA, INTER = SupplyKind.INTRA, SupplyKind.INTER


def line(price: str, rate_pct: str, *, inclusive: bool = False, qty: int = 1000) -> TaxableLine:
    rate_bp = int(Decimal(rate_pct) * 100)
    return TaxableLine(parse_rupees(price), qty, rate_bp, price_includes_tax=inclusive)


# --- Worked examples (RULES.md section 3) -------------------------------------


def test_example_1_intra_state_splits_cgst_and_sgst() -> None:
    kind = supply_kind("27", "27")
    assert kind is INTRA
    inv = tax_invoice([line("1000", "18")], kind)
    assert (inv.cgst, inv.sgst, inv.igst) == (9000, 9000, 0)
    assert inv.payable == 118000
    assert inv.round_off == 0


def test_example_2_inter_state_charges_igst() -> None:
    kind = supply_kind("27", "29")
    assert kind is INTER
    inv = tax_invoice([line("1000", "18")], kind)
    assert (inv.cgst, inv.sgst, inv.igst) == (0, 0, 18000)
    assert inv.payable == 118000


def test_example_3_matches_an_irp_signed_sample() -> None:
    inv = tax_invoice([line("1200", "18")], supply_kind("02", "36"))
    assert inv.igst == 21600
    assert inv.payable == inv.total_before_round_off == 141600
    assert inv.round_off == 0


def test_example_4_rounds_each_head_on_its_own() -> None:
    intra = tax_line(line("10.25", "5"), INTRA)
    assert (intra.cgst, intra.sgst) == (26, 26)
    assert intra.tax == 52
    inter = tax_line(line("10.25", "5"), INTER)
    assert inter.igst == 51


def test_example_5_rounds_the_invoice_to_the_rupee_with_an_explicit_line() -> None:
    inv = tax_invoice([line("999.99", "5")], INTRA, Rounding.RUPEE)
    assert (inv.cgst, inv.sgst) == (2500, 2500)
    assert inv.total_before_round_off == 104999
    assert inv.payable == 105000
    assert inv.round_off == 1


def test_example_6_tax_inclusive_prices_split_back_to_taxable() -> None:
    inv = tax_invoice([line("118", "18", inclusive=True)], INTRA)
    assert (inv.taxable, inv.cgst, inv.sgst) == (10000, 900, 900)
    assert inv.payable == 11800
    assert inv.round_off == 0

    inv = tax_invoice([line("100", "18", inclusive=True)], INTRA, Rounding.PAISA)
    assert (inv.taxable, inv.cgst, inv.sgst) == (8475, 763, 763)
    assert inv.total_before_round_off == 10001
    # The customer pays the shelf price; the paisa shows as round-off.
    assert inv.payable == 10000
    assert inv.round_off == -1


# --- Place of supply ----------------------------------------------------------


def test_walk_in_buyer_is_supplied_at_the_sellers_state() -> None:
    assert place_of_supply_for_goods("27") == "27"


def test_shipping_state_wins_over_the_buyers_state() -> None:
    assert place_of_supply_for_goods("27", buyer_state="29", ship_to_state="33") == "33"


def test_exports_and_sez_are_inter_state() -> None:
    assert place_of_supply_for_goods("27", export=True) == "96"
    assert supply_kind("27", "96") is INTER
    assert supply_kind("27", "27", sez=True) is INTER


def test_unknown_state_code_is_a_structured_error() -> None:
    with pytest.raises(errors.SetLedgerError) as caught:
        supply_kind("27", "99")
    assert caught.value.code == "STATE_CODE_UNKNOWN"


def test_union_territories_without_legislature_collect_utgst() -> None:
    assert state_tax_head("04") == "UTGST"  # Chandigarh
    assert state_tax_head("38") == "UTGST"  # Ladakh
    assert state_tax_head("07") == "SGST"  # Delhi has a legislature
    assert state_tax_head("27") == "SGST"


def test_unknown_rate_is_refused() -> None:
    with pytest.raises(errors.SetLedgerError) as caught:
        tax_line(TaxableLine(100, 1000, 1700, False), INTRA)
    assert caught.value.code == "GST_RATE_UNKNOWN"


# --- Properties ---------------------------------------------------------------

rates = st.sampled_from(sorted(GST_RATES_BP))
prices = st.integers(min_value=0, max_value=10**9)
qtys = st.integers(min_value=1, max_value=100_000)
kinds = st.sampled_from([INTRA, INTER])


@st.composite
def taxable_lines(draw: st.DrawFn) -> TaxableLine:
    price = draw(prices)
    qty = draw(qtys)
    gross = (price * qty + 500) // 1000
    return TaxableLine(
        unit_price=price,
        qty=qty,
        rate_bp=draw(rates),
        price_includes_tax=draw(st.booleans()),
        cess_bp=draw(st.sampled_from([0, 0, 100, 1200])),
        discount=draw(st.integers(min_value=0, max_value=gross)),
    )


def reference_head(taxable: int, rate_bp: int, divisor: int) -> int:
    """Decimal arithmetic, ROUND_HALF_UP: an independent way to the same paise."""
    value = Decimal(taxable) * Decimal(rate_bp) / Decimal(divisor)
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


@given(taxable_lines(), kinds)
def test_heads_match_an_independent_decimal_computation(
    item: TaxableLine, kind: SupplyKind
) -> None:
    taxed = tax_line(item, kind)
    if kind is INTRA:
        assert taxed.cgst == taxed.sgst == reference_head(taxed.taxable, item.rate_bp, 20_000)
        assert taxed.igst == 0
    else:
        assert taxed.igst == reference_head(taxed.taxable, item.rate_bp, 10_000)
        assert taxed.cgst == taxed.sgst == 0
    assert taxed.cess == reference_head(taxed.taxable, item.cess_bp, 10_000)


@given(taxable_lines(), kinds)
def test_inclusive_split_is_within_a_paisa_per_head(item: TaxableLine, kind: SupplyKind) -> None:
    taxed = tax_line(item, kind)
    if item.price_includes_tax:
        heads = 3 if kind is INTRA else 2  # each rounded once, by at most half a paisa
        # The taxable value is rounded once too, and its error is carried by the rate.
        bound_x2 = heads * 10_000 + (10_000 + item.rate_bp + item.cess_bp)
        assert 2 * abs(taxed.total - taxed.gross) * 10_000 <= bound_x2
        assert taxed.charged == taxed.gross
    else:
        assert taxed.taxable == taxed.gross
        assert taxed.charged == taxed.total


@given(taxable_lines())
def test_intra_and_inter_tax_differ_by_at_most_a_paisa(item: TaxableLine) -> None:
    intra, inter = tax_line(item, INTRA), tax_line(item, INTER)
    assert intra.taxable == inter.taxable
    assert abs((intra.cgst + intra.sgst) - inter.igst) <= 1


@given(st.lists(taxable_lines(), min_size=1, max_size=30), kinds, st.sampled_from(list(Rounding)))
def test_invoice_balances_to_the_paisa(
    items: list[TaxableLine], kind: SupplyKind, rounding: Rounding
) -> None:
    inv = tax_invoice(items, kind, rounding)
    # Nothing is hidden: taxable + heads + round-off is exactly what is payable.
    assert inv.taxable + inv.cgst + inv.sgst + inv.igst + inv.cess + inv.round_off == inv.payable
    assert inv.taxable == sum(t.taxable for t in inv.lines)
    assert inv.cgst == sum(t.cgst for t in inv.lines)
    assert sum(r.taxable for r in inv.by_rate) == inv.taxable
    assert sum(r.cgst + r.sgst + r.igst + r.cess for r in inv.by_rate) == inv.tax
    if rounding is Rounding.RUPEE:
        assert inv.payable % 100 == 0
        assert abs(inv.payable - sum(t.charged for t in inv.lines)) <= 50
    else:
        assert inv.payable == sum(t.charged for t in inv.lines)
    assert abs(inv.round_off) <= gst.MAX_ROUND_OFF


@given(taxable_lines(), kinds)
def test_a_credit_mirrors_the_sale(item: TaxableLine, kind: SupplyKind) -> None:
    sale = tax_line(item, kind)
    credit = tax_line(
        TaxableLine(
            -item.unit_price,
            item.qty,
            item.rate_bp,
            item.price_includes_tax,
            item.cess_bp,
            -item.discount,
        ),
        kind,
    )
    assert (credit.taxable, credit.cgst, credit.sgst, credit.igst, credit.cess) == (
        -sale.taxable,
        -sale.cgst,
        -sale.sgst,
        -sale.igst,
        -sale.cess,
    )

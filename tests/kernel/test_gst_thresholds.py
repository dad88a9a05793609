"""Date-effective GST rules: HSN digits (R14), B2CL limit (R16), dynamic QR (R21)."""

from datetime import date

import pytest

from setledger.gst_thresholds import (
    CRORE,
    LAKH,
    b2c_section,
    hsn_digits_required,
    hsn_problem,
    needs_b2c_dynamic_qr,
)

TODAY = date(2026, 11, 24)


def test_rules_example_7_b2cl_limit_depends_on_the_invoice_date() -> None:
    """RULES.md worked example 7."""
    value = 1_50_000_00
    assert b2c_section(inter_state=True, invoice_value=value, day=date(2024, 9, 1)) == "b2cl"
    assert b2c_section(inter_state=True, invoice_value=value, day=date(2024, 7, 15)) == "b2cs"
    assert b2c_section(inter_state=False, invoice_value=5 * LAKH, day=TODAY) == "b2cs"


def test_b2cl_limit_is_above_not_at() -> None:
    assert b2c_section(inter_state=True, invoice_value=1 * LAKH, day=TODAY) == "b2cs"
    assert b2c_section(inter_state=True, invoice_value=1 * LAKH + 1, day=TODAY) == "b2cl"
    assert b2c_section(inter_state=True, invoice_value=1 * LAKH + 1, day=date(2024, 7, 31)) == (
        "b2cs"
    )


def test_rules_example_10_hsn_digits_by_turnover() -> None:
    """RULES.md worked example 10 (the e-invoice 5-digit case is in test_einvoice)."""
    assert hsn_problem("6114", 3 * CRORE, TODAY, b2b=True) is None
    problem = hsn_problem("6114", 12 * CRORE, TODAY, b2b=True)
    assert problem == "HSN/SAC 6114 has 4 digits; at least 6 are required"
    assert hsn_problem("611490", 12 * CRORE, TODAY, b2b=True) is None


@pytest.mark.parametrize(
    ("aato", "b2b", "digits"),
    [
        (5 * CRORE, True, 4),
        (5 * CRORE, False, 0),  # may be omitted on B2C up to ₹5 crore
        (5 * CRORE + 1, True, 6),
        (5 * CRORE + 1, False, 6),
        (0, True, 4),
    ],
)
def test_r14_hsn_digits_from_1_april_2021(aato: int, b2b: bool, digits: int) -> None:
    assert hsn_digits_required(aato, TODAY, b2b=b2b) == digits


def test_r14_is_date_effective() -> None:
    before = date(2021, 3, 31)
    assert hsn_digits_required(1 * CRORE, before, b2b=True) == 0
    assert hsn_digits_required(3 * CRORE, before, b2b=True) == 2
    assert hsn_digits_required(12 * CRORE, before, b2b=True) == 4
    assert hsn_digits_required(12 * CRORE, date(2021, 4, 1), b2b=True) == 6


def test_missing_hsn_is_a_problem_only_when_digits_are_required() -> None:
    assert hsn_problem(None, 3 * CRORE, TODAY, b2b=False) is None
    assert hsn_problem(None, 3 * CRORE, TODAY, b2b=True) == (
        "an HSN/SAC code of at least 4 digits is required"
    )
    assert hsn_problem("61A4", 3 * CRORE, TODAY, b2b=True) == "HSN/SAC '61A4' is not digits"


def test_r21_dynamic_qr_above_500_crore_from_december_2020() -> None:
    assert needs_b2c_dynamic_qr(501 * CRORE, TODAY)
    assert not needs_b2c_dynamic_qr(500 * CRORE, TODAY)
    assert not needs_b2c_dynamic_qr(501 * CRORE, date(2020, 11, 30))

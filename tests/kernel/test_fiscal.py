from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from setledger import errors
from setledger.fiscal import (
    FinancialYear,
    business_date,
    financial_year,
    invoice_number,
    is_valid_invoice_number,
)


def test_financial_year_runs_april_to_march() -> None:
    assert financial_year(date(2025, 3, 31)).label == "2024-25"
    assert financial_year(date(2025, 4, 1)).label == "2025-26"
    assert financial_year(date(2099, 12, 31)).label == "2099-00"
    assert FinancialYear(2025).short == "2526"


def test_business_date_is_the_date_in_india() -> None:
    # 31 March 19:00 UTC is already 1 April in India: a new financial year.
    instant = datetime(2026, 3, 31, 19, 0, tzinfo=UTC)
    assert business_date(instant) == date(2026, 4, 1)
    assert financial_year(business_date(instant)).label == "2026-27"


@pytest.mark.parametrize(
    ("number", "valid"),
    [
        ("INV/24-25/0001", True),
        ("A", True),
        ("0INV1", False),
        ("INV_001", False),
        ("/A1", False),
        ("A" * 17, False),
        ("A" * 16, True),
    ],
)
def test_rules_example_8(number: str, valid: bool) -> None:
    assert is_valid_invoice_number(number) is valid


def test_box_series_format() -> None:
    assert invoice_number("B1", FinancialYear(2025), 42) == "B1/2526/000042"
    assert invoice_number("B1", FinancialYear(2025), 1_234_567) == "B1/2526/1234567"


def test_series_refuses_numbers_longer_than_16() -> None:
    with pytest.raises(errors.SetLedgerError) as caught:
        invoice_number("ABCD", FinancialYear(2025), 1_000_000)
    assert caught.value.code == "INVOICE_SERIES_EXHAUSTED"


@pytest.mark.parametrize("prefix", ["", "0A", "a1", "ABCDE", "A-1"])
def test_bad_prefixes_are_refused(prefix: str) -> None:
    with pytest.raises(errors.SetLedgerError) as caught:
        invoice_number(prefix, FinancialYear(2025), 1)
    assert caught.value.code == "INVOICE_PREFIX_INVALID"


@given(
    st.from_regex(r"^[A-Z1-9][A-Z0-9]{0,3}$", fullmatch=True),
    st.integers(min_value=2017, max_value=2098),
    st.integers(min_value=1, max_value=999_999),
)
def test_every_issued_number_is_irp_valid(prefix: str, year: int, serial: int) -> None:
    number = invoice_number(prefix, FinancialYear(year), serial)
    assert is_valid_invoice_number(number)
    assert len(number) <= 16

"""The rules of serial numbers on one bill (setledger.serials): pure, no database."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from setledger import errors
from setledger.serials import ONE_UNIT, SerialLine, check_bill, check_line, clean


def line(n: int, serial: str | None, *, tracked: bool = True, qty: int = ONE_UNIT) -> SerialLine:
    return SerialLine(n, "p-phone" if tracked else "p-salt", "PH-1" if tracked else "SALT",
                      "Phone" if tracked else "Salt", tracked, qty, serial)  # fmt: skip


def code_of(lines: list[SerialLine]) -> str | None:
    try:
        check_bill(lines)
    except errors.SetLedgerError as err:
        return err.code
    return None


def test_each_rule_refuses_with_its_code_and_names_the_line() -> None:
    assert code_of([line(1, "A"), line(2, "B"), line(3, None, tracked=False)]) is None
    assert code_of([line(1, None)]) == "SERIAL_REQUIRED"
    assert code_of([line(1, "A", qty=2 * ONE_UNIT)]) == "SERIAL_QTY_INVALID"
    assert code_of([line(1, "A", qty=500)]) == "SERIAL_QTY_INVALID"
    assert code_of([line(1, "A", tracked=False)]) == "SERIAL_NOT_TRACKED"
    with pytest.raises(errors.SetLedgerError) as twice:
        check_bill([line(1, "A"), line(2, "B"), line(3, "A")])
    assert twice.value.code == "SERIAL_TWICE_IN_BILL"
    assert (twice.value.details["line"], twice.value.details["again"]) == (1, 3)
    assert "'A'" in twice.value.message
    with pytest.raises(errors.SetLedgerError) as missing:
        check_line(line(4, None))
    assert missing.value.details["line"] == 4
    assert "Phone (PH-1)" in missing.value.message


def test_clean_drops_the_spaces_a_scan_or_a_hand_leaves() -> None:
    assert clean("  IMEI-1 \n") == "IMEI-1"
    assert clean("   ") is None
    assert clean(None) is None


@given(st.lists(st.sampled_from(["A", "B", "C", "D"]), min_size=1, max_size=8))
def test_a_bill_passes_exactly_when_no_unit_is_on_it_twice(serials: list[str]) -> None:
    lines = [line(n, s) for n, s in enumerate(serials, start=1)]
    expected = None if len(set(serials)) == len(serials) else "SERIAL_TWICE_IN_BILL"
    assert code_of(lines) == expected

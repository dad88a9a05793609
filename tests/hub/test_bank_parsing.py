"""Reading bank statement CSVs and ranking matches: the pure kernel (setledger.bank)."""

from __future__ import annotations

import string
import uuid
from datetime import date
from pathlib import Path

import pytest

from setledger import bank, chart, errors
from setledger.errors import SetLedgerError

FIXTURES = Path(__file__).parent.parent / "fixtures" / "bank"
CUSTOM = bank.ColumnMapping.of(
    "Our bank",
    {
        "date": ["When"],
        "description": ["What"],
        "reference": ["UTR"],
        "amount": ["Amount (Rs)"],
        "balance": ["Running"],
    },
)


@pytest.mark.parametrize("preset", ["HDFC", "ICICI", "SBI", "Axis"])
def test_each_preset_is_detected_and_read_exactly(preset: str) -> None:
    content = (FIXTURES / f"{preset.lower()}.csv").read_bytes()
    statement = bank.read_statement(content, bank.PRESETS)
    assert statement.mapping == preset
    got = [(line.txn_date, line.amount, line.balance) for line in statement.lines]
    assert got == [
        (date(2026, 11, 21), 12_345_678, 22_345_678),
        (date(2026, 11, 21), 500_000, 22_845_678),
        (date(2026, 11, 22), -1_770, 22_843_908),
    ]
    assert "632514789012" in statement.lines[0].description + statement.lines[0].reference


def test_a_custom_mapping_reads_one_signed_column() -> None:
    content = (FIXTURES / "custom.csv").read_bytes()
    with pytest.raises(SetLedgerError) as refused:
        bank.read_statement(content, bank.PRESETS)
    assert refused.value.code == "BANK_STATEMENT_UNRECOGNISED"
    statement = bank.read_statement(content, [CUSTOM])
    assert [line.amount for line in statement.lines] == [12_345_678, 500_000, -1_770]
    assert statement.lines[1].reference == "N325261234567890"


def test_every_bad_row_is_named() -> None:
    content = (FIXTURES / "bad.csv").read_bytes()
    with pytest.raises(SetLedgerError) as refused:
        bank.read_statement(content, bank.PRESETS)
    error = refused.value
    assert error.code == "BANK_STATEMENT_INVALID"
    found = {(p["line"], p["column"]) for p in error.details["problems"]}
    assert found == {(3, "Txn Date"), (4, "Debit/Credit"), (5, "Credit"), (6, "Credit")}
    assert error.details["problem_total"] == 4


@pytest.mark.parametrize(
    ("text", "paise"),
    [("1,23,456.78", 12_345_678), ("-12.5", -1_250), ("1,000.00 Dr", -100_000), ("7 Cr", 700)],
)
def test_amounts_are_exact_paise(text: str, paise: int) -> None:
    assert bank.parse_amount(text) == paise


@pytest.mark.parametrize(
    "text", ["21/11/26", "21/11/2026", "21-Nov-2026", "21 Nov 26", "2026-11-21", "21-11-2026"]
)
def test_indian_date_forms(text: str) -> None:
    assert bank.parse_date(text) == date(2026, 11, 21)


def test_a_mapping_needs_amount_columns() -> None:
    with pytest.raises(SetLedgerError) as refused:
        bank.ColumnMapping.of("half", {"date": ["D"], "description": ["N"], "debit": ["Dr"]})
    assert refused.value.code == "BANK_MAPPING_INVALID"


def test_identical_lines_of_a_file_keep_apart_and_reexports_repeat_keys() -> None:
    line = bank.StatementLine(2, date(2026, 11, 21), "UPI", "", 10_000)
    other = bank.StatementLine(3, date(2026, 11, 21), "UPI again", "", 10_000)
    keys = bank.dedupe_keys([line, other])
    assert len(set(keys)) == 2
    assert bank.dedupe_keys([line]) == keys[:1]


def candidate(account: str, day: int, amount: int, *refs: str) -> bank.Candidate:
    return bank.Candidate(uuid.uuid4(), 1, account, date(2026, 11, day), amount, frozenset(refs))


def test_suggestions_rank_amount_date_and_reference() -> None:
    line = bank.StatementLine(2, date(2026, 11, 21), "UPI SETTLEMENT 632514789012", "", 30_000)
    upi_a = candidate(chart.UPI_CLEARING, 20, 10_000)
    upi_b = candidate(chart.UPI_CLEARING, 20, 20_000)
    card = candidate(chart.CARD_CLEARING, 21, 30_000)
    by_ref = candidate(chart.RECEIVABLES, 18, 30_000, "632514789012")
    too_old = candidate(chart.RECEIVABLES, 17, 30_000)
    later = candidate(chart.UPI_CLEARING, 22, 30_000)
    found = bank.suggest(line, [upi_a, upi_b, card, by_ref, too_old, later])
    assert [s.lines for s in found] == [
        (by_ref,),
        tuple(sorted([upi_a, upi_b], key=lambda c: (c.entry_id, c.line_no))),
        (card,),
    ]
    assert found[0].reasons == ("amount equal", "3 days later", "reference matches (632514789012)")
    assert found[1].reasons[:2] == ("sum of 2 lines equal", "1 day later")
    assert "narration says UPI" in found[1].reasons


def test_bank_errors_are_unique_and_fill_from_their_details() -> None:
    codes = [spec.code for spec in bank.ERRORS]
    assert len(codes) == 10
    assert not set(codes) & {spec.code for spec in errors.CATALOGUE}
    for spec in bank.ERRORS:
        fields = {name for _, name, _, _ in string.Formatter().parse(spec.message) if name}
        err = spec.error(**{name: f"<{name}>" for name in fields})
        assert "{" not in err.message, spec.code
        assert spec.remediation.strip()

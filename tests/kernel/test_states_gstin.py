import csv
import json
from pathlib import Path

import pytest

from setledger.gstin import check_character, is_valid_gstin, state_of
from setledger.states import STATES, StateKind, is_state_code


def test_state_codes_match_the_reference_list(reference_dir: Path) -> None:
    with (reference_dir / "gst" / "state_codes.csv").open() as f:
        rows = list(csv.DictReader(f))
    reference = {row["code"]: row for row in rows}
    assert set(reference) == set(STATES)
    for code, (name, kind) in STATES.items():
        assert name == reference[code]["name"], code
        assert (kind is StateKind.LEGACY) == (reference[code]["kind"] == "legacy"), code


def test_legacy_codes_are_not_current() -> None:
    assert not is_state_code("25")
    assert not is_state_code("28")
    assert is_state_code("37")
    assert is_state_code("96")
    assert not is_state_code("00")


def test_gstin_vectors(reference_dir: Path) -> None:
    data = json.loads((reference_dir / "gst" / "gstin_test_vectors.json").read_text())
    checked = 0
    for vector in data["vectors"]:
        gstin = vector["gstin"]
        if len(gstin) != 15 or "expected_check_char" not in vector:
            continue
        assert check_character(gstin[:14]) == vector["expected_check_char"], gstin
        if vector["check_char_ok"] and vector["python_stdnum_2_2"] == "valid":
            assert is_valid_gstin(gstin), gstin
        if not vector["check_char_ok"]:
            assert not is_valid_gstin(gstin), gstin
        checked += 1
    assert checked >= 5


@pytest.mark.parametrize(
    ("gstin", "valid"),
    [
        ("27AAPFU0939F1ZV", True),
        ("27AAPFU0939F1ZO", False),
        ("01AABCE2207R1Z5", False),
        ("27aapfu0939f1zv", True),
        ("27AAPFU0939F1Z", False),
        ("99AAPFU0939F1ZV", False),
    ],
)
def test_rules_example_9(gstin: str, valid: bool) -> None:
    assert is_valid_gstin(gstin) is valid


def test_sandbox_gstins_pass_only_with_the_bypass() -> None:
    assert not is_valid_gstin("29AWGPV7107B1Z1")
    assert is_valid_gstin("29AWGPV7107B1Z1", sandbox=True)
    assert state_of("29AWGPV7107B1Z1") == "29"


def test_nic_sandbox_gstins_of_the_signed_samples_pass_only_with_the_bypass() -> None:
    """R13: the IRP sandbox's own GSTINs have no entity character or Z."""
    for gstin in ("01AMBPG7773M002", "36AMBPG7773M002", "37ARZPT4384Q1MT"):
        assert not is_valid_gstin(gstin)
        assert is_valid_gstin(gstin, sandbox=True)
    assert not is_valid_gstin("99AMBPG7773M002", sandbox=True)
    assert not is_valid_gstin("01AMBPG7773M00", sandbox=True)

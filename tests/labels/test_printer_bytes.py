"""ESC/POS and ZPL output, byte for byte against recorded fixtures.

Refresh the fixtures after an intended change with
``SETLEDGER_REFRESH_LABEL_FIXTURES=1 .venv/bin/pytest tests/labels/test_printer_bytes.py``
and review the diff before committing it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from labels import LabelFormat, LabelJob, LabelOptions, render
from tests.labels.catalog import item

FIXTURES = Path(__file__).parent.parent / "fixtures" / "labels"
REFRESH = os.environ.get("SETLEDGER_REFRESH_LABEL_FIXTURES") == "1"

JOBS = {
    "thermal-58-native.escpos": (
        LabelJob("thermal-58", (item(0, copies=2), item(4))),
        LabelFormat.ESCPOS,
    ),
    "thermal-80-native.escpos": (
        LabelJob("thermal-80", (item(1), item(3))),
        LabelFormat.ESCPOS,
    ),
    "thermal-58-raster.escpos": (
        LabelJob("thermal-58", (item(2),), LabelOptions(native_qr=False, cut=False)),
        LabelFormat.ESCPOS,
    ),
    "zpl-50x25.zpl": (
        LabelJob("zpl-50x25", (item(0, copies=3), item(4), item(5))),
        LabelFormat.ZPL,
    ),
}


@pytest.mark.parametrize("name", sorted(JOBS))
def test_output_matches_the_fixture_byte_for_byte(name: str) -> None:
    job, fmt = JOBS[name]
    output = render(job, fmt)
    path = FIXTURES / name
    if REFRESH:
        path.write_bytes(output)
    assert output == path.read_bytes()


def test_zpl_escapes_command_characters_and_uses_printer_copies() -> None:
    odd = LabelJob("zpl-50x25", (item(6, copies=4),))
    text = render(odd, LabelFormat.ZPL).decode()
    assert text.startswith("^XA")
    assert text.rstrip().endswith("^XZ")
    assert "^PQ4" in text
    assert "^BQN,2," in text
    assert "^FDMA,SETLEDGER://P/ORG-1234ABCD/" in text
    caret = LabelJob("zpl-50x25", (item(1).__class__(**{**item(1).__dict__, "name": "A^B~C_D"}),))
    assert "^FDA_5EB_7EC_5FD^FS" in render(caret, LabelFormat.ZPL).decode()


def test_escpos_native_qr_command_carries_the_upper_case_payload() -> None:
    output = render(LabelJob("thermal-58", (item(0),)), LabelFormat.ESCPOS)
    payload = item(0).qr_payload.upper().encode()
    store = b"\x1d(k" + (len(payload) + 3).to_bytes(2, "little") + b"1P0" + payload
    assert store in output
    assert b"Rs." in output
    assert "₹".encode() not in output
    assert output.endswith(b"\x1dV\x00")  # full cut

"""Z report slips: byte for byte, what they print, and a real close printing one.

The fixtures tests/fixtures/devices/z_report_58.bin and z_report_80.bin are
the Z of :func:`fixed_z`. Regenerate them after a deliberate layout change
with ``.venv/bin/python -m tests.edge.devices.test_z_report`` (it prints the
decoded slips: read them before committing).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from fastapi.testclient import TestClient

from edge.app import create_app
from edge.devices.printer.layout import COLUMNS, ReceiptOptions, rupees, two_columns
from edge.devices.printer.z_report import z_report_bytes
from edge.settings import BoxSettings
from setledger.contracts.shifts import DenominationCount, ShiftClosed, ShiftReport, ShiftTenders
from tests.edge.conftest import make_bundle
from tests.edge.devices.printer_emulator import PrinterEmulator, decode
from tests.edge.devices.test_printer_queue import PrintingBox, printer_config
from tests.edge.devices.test_receipt_layout import FIXTURES, PAPERS
from tests.edge.fake_hub import wait_for
from tests.edge.staff import approval, sign_in

STORE, TILL = "Sharma General Store, Dadar", "Counter 1"


def fixed_z() -> ShiftClosed:
    """A day at the till: ₹1,500 float, ₹7,450 cash taken, a ₹285 cash refund, ₹20 short."""
    return ShiftClosed(
        shift_id=UUID("01937a52-0000-7000-8000-00000000002a"),
        z_no="Z00042",
        store_id=UUID("01937a52-0000-7000-8000-0000000000a1"),
        device_id=UUID("01937a52-0000-7000-8000-0000000000b1"),
        business_date=date(2026, 11, 26),
        opened_at=datetime(2026, 11, 26, 3, 30, tzinfo=UTC),  # 09:00 in India
        opened_by="Asha Patil",
        closed_at=datetime(2026, 11, 26, 15, 45, tzinfo=UTC),  # 21:15 in India
        closed_by="Asha Patil",
        approved_by=UUID("0193a000-0000-7000-8000-00000000a001"),
        float_count=[
            DenominationCount(denomination=50000, pieces=2),
            DenominationCount(denomination=10000, pieces=5),
        ],
        float_total=150000,
        counted=[
            DenominationCount(denomination=50000, pieces=12),
            DenominationCount(denomination=10000, pieces=25),
            DenominationCount(denomination=1000, pieces=14),
            DenominationCount(denomination=100, pieces=5),
        ],
        counted_total=864500,
        expected_cash=866500,
        over_short=-2000,
        note="Rs.20 coin roll missing",
        report=ShiftReport(
            sales_count=37,
            gross=1_012_000,
            discounts=12_000,
            round_off=0,
            net=1_000_000,
            taxable=905_000,
            tax=95_000,
            tenders=ShiftTenders(cash=745_000 + 2_000, upi=180_000, card=75_000),
            change_given=2_000,
            returns_count=1,
            refunds=ShiftTenders(cash=28_500, upi=0, card=0),
        ),
    )


def fixed_slip(paper: int, duplicate: bool = False) -> bytes:
    return z_report_bytes(
        fixed_z(), STORE, TILL, ReceiptOptions(paper_mm=paper, duplicate=duplicate)
    )


def regenerate() -> None:
    for paper in PAPERS:
        path = FIXTURES / f"z_report_{paper}.bin"
        path.write_bytes(fixed_slip(paper))
        print(f"{path}: {path.stat().st_size} bytes")
        print(decode(path.read_bytes()).text)


@pytest.mark.parametrize("paper", PAPERS)
def test_z_report_bytes_are_the_frozen_fixture(paper: int) -> None:
    assert fixed_slip(paper) == (FIXTURES / f"z_report_{paper}.bin").read_bytes()


@pytest.mark.parametrize("paper", PAPERS)
def test_the_z_slip_shows_the_shift(paper: int) -> None:
    cols = COLUMNS[paper]
    z = fixed_z()
    slip = decode(fixed_slip(paper))
    assert slip.lines[:3] == [STORE, TILL, "Z REPORT Z00042"]
    assert slip.lines[4:8] == [
        "Opened: 26-11-2026 09:00",
        "  by Asha Patil",
        "Closed: 26-11-2026 21:15",
        "  by Asha Patil",
    ]
    assert two_columns("Bills", "37", cols) in slip.lines
    assert two_columns("Cash expected", rupees(z.expected_cash), cols) in slip.lines
    assert two_columns("Cash counted", rupees(z.counted_total), cols) in slip.lines
    assert two_columns("SHORT", "-20.00", cols) in slip.lines
    assert two_columns("  Refunded by Cash", "285.00", cols) in slip.lines
    assert two_columns("  Rs.500 x 12", "6,000.00", cols) in slip.lines
    assert two_columns("  Rs.1 x 5", "5.00", cols) in slip.lines
    counted = [x for x in slip.lines if x.startswith("  Rs.")]
    assert len(counted) == len(z.counted)  # largest note first, one line each
    assert slip.drawer_kicks == []  # counting is done with the drawer already open
    assert slip.qr == []
    assert slip.cuts == 1
    copy = decode(fixed_slip(paper, duplicate=True))
    assert [x for x in copy.lines if x != "*** DUPLICATE ***"] == slip.lines


@pytest.fixture
def box(tmp_path: Path) -> Iterator[PrintingBox]:
    emulator = PrinterEmulator().start()
    provision = tmp_path / "bundle.json"
    provision.write_text(make_bundle().model_dump_json())
    settings = BoxSettings(
        data_dir=tmp_path / "box", provision_file=provision, printer=printer_config(emulator.port)
    )
    try:
        with TestClient(create_app(settings)) as client:
            sign_in(client)
            yield PrintingBox(client, emulator, settings.db_path)
    finally:
        emulator.stop()


def z_job(box: PrintingBox, state: str = "printed", n: int = 1) -> list[dict[str, Any]]:
    def done() -> list[dict[str, Any]] | None:
        jobs = [j for j in box.jobs()["jobs"] if j["kind"] == "z_report"]
        return jobs if len(jobs) == n and all(j["state"] == state for j in jobs) else None

    found: list[dict[str, Any]] = wait_for(done, 10, f"{n} Z report job(s) {state}")
    return found


def test_a_shift_close_prints_its_z_and_a_copy_on_request(box: PrintingBox) -> None:
    sale = box.sell()
    box.printed(sale["sale_id"])
    box.slips()  # the sale's receipt
    current = box.client.get("/api/v1/shifts/current").json()
    expected = current["x"]["expected_cash"]
    shift_id = str(uuid.uuid4())
    body = {
        "shift_id": shift_id,
        "counted": {"100": expected // 100 - 1},  # a rupee short, in ₹1 coins
        "approval": approval(),
    }
    closed = box.client.post("/api/v1/shifts/close", json=body)
    assert closed.status_code == 201, closed.text
    z = closed.json()["z"]
    z_job(box)
    [slip] = box.slips()
    assert f"Z REPORT {z['z_no']}" in slip.lines
    cols = COLUMNS[printer_config(box.printer.port).paper_mm]
    assert two_columns("SHORT", "-1.00", cols) in slip.lines
    assert slip.drawer_kicks == []

    # A retried close records nothing new and prints nothing again.
    again = box.client.post("/api/v1/shifts/close", json=body)
    assert again.status_code == 200, again.text
    copy = box.client.post(f"/api/v1/shifts/{shift_id}/print")
    assert copy.status_code == 202, copy.text
    z_job(box, n=2)
    [duplicate] = box.slips()
    assert (
        duplicate.lines[duplicate.lines.index("*** DUPLICATE ***") - 1] == f"Z REPORT {z['z_no']}"
    )

    missing = box.client.post(f"/api/v1/shifts/{uuid.uuid4()}/print")
    assert missing.status_code == 404, missing.text


if __name__ == "__main__":
    regenerate()

"""Credit notes and printer status, from a real box to a real TCP 9100 listener.

A return recorded at the box queues its credit note after the commit; the
print worker sends it to :class:`PrinterEmulator` and the bytes are decoded
back into the slip. The printer's status (``GET /api/v1/devices`` and
``/metrics``) follows the emulator going down, its cover opening and its
paper running out, without a job to print: the idle worker asks.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from edge.app import create_app
from edge.services.identity import SellerProfile
from edge.services.receipts import ReceiptQueue
from edge.settings import BoxSettings
from tests.edge.conftest import make_bundle
from tests.edge.devices.printer_emulator import PrinterEmulator, Slip
from tests.edge.devices.test_printer_queue import PAYEE, VPA, PrintingBox, printer_config
from tests.edge.fake_hub import wait_for
from tests.edge.staff import approval, sign_in

REASON = "Packet torn at the seal"


@pytest.fixture
def box(tmp_path: Path) -> Iterator[PrintingBox]:
    emulator = PrinterEmulator().start()
    seller = SellerProfile(trade_name=PAYEE, address1="12 MG Road", location="Pune", upi_vpa=VPA)
    bundle = make_bundle().model_copy(update={"seller": seller})
    provision = tmp_path / "bundle.json"
    provision.write_text(bundle.model_dump_json())
    config = printer_config(emulator.port).model_copy(update={"status_poll_s": 0.05})
    settings = BoxSettings(data_dir=tmp_path / "box", provision_file=provision, printer=config)
    try:
        with TestClient(create_app(settings)) as client:
            sign_in(client)
            yield PrintingBox(client, emulator, settings.db_path)
    finally:
        emulator.stop()


def give_back(box: PrintingBox, invoice_no: str, line_no: int, kind: str = "cash") -> Any:
    lines = [{"line_no": line_no, "qty": "1"}]
    quoted = box.client.post(
        "/api/v1/returns/quote", json={"invoice_no": invoice_no, "lines": lines}
    )
    assert quoted.status_code == 200, quoted.text
    refund = {"kind": kind, "amount": quoted.json()["totals"]["payable"]}
    if kind != "cash":
        refund["reference"] = "UPI-RF-1"
    body = {
        "return_id": str(uuid.uuid4()),
        "invoice_no": invoice_no,
        "lines": lines,
        "refunds": [refund],
        "reason": REASON,
        "approval": approval(),
    }
    return box.client.post("/api/v1/returns", json=body)


def note_job(box: PrintingBox, return_id: str, kind: str = "credit_note") -> dict[str, Any]:
    def printed() -> dict[str, Any] | None:
        jobs = box.jobs()["jobs"]
        found = [j for j in jobs if j["return_id"] == return_id and j["kind"] == kind]
        return found[0] if found and found[0]["state"] == "printed" else None

    job: dict[str, Any] = wait_for(printed, 10, f"{kind} of return {return_id} printed")
    return job


def only_slip(box: PrintingBox) -> Slip:
    [slip] = box.slips()
    return slip


def test_a_cash_return_prints_its_credit_note_and_opens_the_drawer(box: PrintingBox) -> None:
    sale = box.sell()
    box.printed(sale["sale_id"])
    box.slips()  # the sale's receipt
    response = give_back(box, sale["invoice_no"], 1)
    assert response.status_code == 201, response.text
    note = response.json()["note"]
    job = note_job(box, note["return_id"])
    assert (job["sale_id"], job["attempts"]) == (None, 0)
    slip = only_slip(box)
    assert slip.lines[slip.lines.index("CREDIT NOTE") - 1].startswith("GSTIN: ")
    assert f"Note: {note['note_no']}" in slip.lines
    assert f"Against invoice: {sale['invoice_no']}" in slip.lines
    assert note["lines"][0]["name"] in slip.text
    assert any(x.startswith("Refund by Cash") for x in slip.lines)
    assert f"Reason: {REASON}" in slip.lines
    assert slip.qr == [note["note_no"]]
    assert slip.drawer_kicks == [0]
    assert slip.cuts == 1

    again = box.client.post(f"/api/v1/returns/{note['return_id']}/receipt")
    assert again.status_code == 202, again.text
    assert again.json()["kind"] == "reprint"
    note_job(box, note["return_id"], "reprint")
    copy = only_slip(box)
    assert copy.lines[copy.lines.index("*** DUPLICATE ***") - 1] == "CREDIT NOTE"
    assert copy.drawer_kicks == []
    assert [x for x in copy.lines if x != "*** DUPLICATE ***"] == slip.lines

    upi = give_back(box, sale["invoice_no"], 2, "upi")
    assert upi.status_code == 201, upi.text
    note_job(box, upi.json()["note"]["return_id"])
    upi_slip = only_slip(box)
    assert upi_slip.drawer_kicks == []  # a UPI refund leaves the drawer shut
    assert "  Ref: UPI-RF-1" in upi_slip.lines

    missing = box.client.post(f"/api/v1/returns/{uuid.uuid4()}/receipt")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "RETURN_NOT_FOUND"


def test_a_return_stands_when_its_note_cannot_be_queued(
    box: PrintingBox, monkeypatch: pytest.MonkeyPatch
) -> None:
    sale = box.sell()
    box.printed(sale["sale_id"])

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise OSError("disk full")

    monkeypatch.setattr(ReceiptQueue, "enqueue", broken)
    response = give_back(box, sale["invoice_no"], 1)
    assert response.status_code == 201, response.text
    return_id = response.json()["note"]["return_id"]
    assert box.client.get(f"/api/v1/returns/{return_id}").status_code == 200
    assert not [j for j in box.jobs()["jobs"] if j["return_id"] == return_id]


def printer_status(box: PrintingBox) -> dict[str, Any]:
    [device] = box.client.get("/api/v1/devices").json()
    assert device["kind"] == "printer"
    detail: dict[str, Any] = device["detail"]
    return detail


def becomes(box: PrintingBox, status: str) -> dict[str, Any]:
    def seen() -> dict[str, Any] | None:
        detail = printer_status(box)
        return detail if detail["status"] == status else None

    detail: dict[str, Any] = wait_for(seen, 10, f"printer {status}")
    return detail


def metric(box: PrintingBox, name: str) -> str:
    prefix = f'{name}{{printer="receipt"}} '
    text = box.client.get("/metrics").text
    return next(x for x in text.splitlines() if x.startswith(prefix))[len(prefix) :]


def test_the_printer_status_follows_the_printer_with_no_job(box: PrintingBox) -> None:
    becomes(box, "ready")
    assert metric(box, "setledger_box_printer_ready") == "1.0"

    box.printer.stop()
    detail = becomes(box, "offline")
    assert detail["reachable"] is False
    assert "cannot open network printer" in detail["last_error"]
    assert metric(box, "setledger_box_printer_ready") == "0.0"
    assert metric(box, "setledger_box_printer_reachable") == "0.0"

    box.printer.start()
    becomes(box, "ready")
    assert metric(box, "setledger_box_printer_ready") == "1.0"

    box.printer.cover_open = True
    detail = becomes(box, "cover_open")
    assert (detail["online"], detail["cover"]) == ("offline", "open")
    assert metric(box, "setledger_box_printer_cover_open") == "1.0"
    assert metric(box, "setledger_box_printer_ready") == "0.0"

    box.printer.cover_open, box.printer.paper_out = False, True
    becomes(box, "paper_out")
    box.printer.paper_out = False
    becomes(box, "ready")
    assert metric(box, "setledger_box_printer_cover_open") == "0.0"
    assert [s for s in box.slips() if s.lines] == []  # status queries only, nothing printed

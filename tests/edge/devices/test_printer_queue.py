"""Receipts from a real sale at the box to a real TCP 9100 listener (the emulator).

The box runs its print worker against :class:`PrinterEmulator` on a free
port; what the emulator receives is decoded back into the slip's text.
The box's wall clock is the real one here: the queue's retry back-off
waits on it.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from edge.app import create_app
from edge.devices.printer.config import PrinterConfig
from edge.services.identity import SellerProfile
from edge.settings import BoxSettings
from setledger.money import format_rupees
from setledger.upi import payment_link
from tests.edge.conftest import Box, make_bundle
from tests.edge.devices.printer_emulator import PrinterEmulator, Slip, decode
from tests.edge.fake_hub import wait_for
from tests.edge.staff import approval, sign_in

VPA = "sampletraders@okbank"
PAYEE = "Sample Traders"


@dataclass
class PrintingBox:
    client: TestClient
    printer: PrinterEmulator
    db_path: Path

    def sell(self, tender: str = "cash", amount: int = 50_000) -> dict[str, Any]:
        body = {
            "sale_id": str(uuid.uuid4()),
            "lines": [{"code": "SALT-1KG"}, {"code": "TEA-250", "qty": 2}],
            "tenders": [
                {
                    "kind": tender,
                    "amount": amount,
                    **({"reference": "UPI9"} if tender == "upi" else {}),
                }
            ],
        }
        response = self.client.post("/api/v1/sales", json=body)
        assert response.status_code == 201, response.text
        sale: dict[str, Any] = response.json()["sale"]
        return sale

    def jobs(self) -> dict[str, Any]:
        response = self.client.get("/api/v1/print-jobs")
        assert response.status_code == 200, response.text
        out: dict[str, Any] = response.json()
        return out

    def job_of(self, sale_id: str, kind: str = "receipt") -> dict[str, Any] | None:
        found = [j for j in self.jobs()["jobs"] if j["sale_id"] == sale_id and j["kind"] == kind]
        return found[0] if found else None

    def printed(self, sale_id: str, kind: str = "receipt") -> dict[str, Any]:
        def done() -> dict[str, Any] | None:
            job = self.job_of(sale_id, kind)
            return job if job is not None and job["state"] == "printed" else None

        job: dict[str, Any] = wait_for(done, 10, f"{kind} of {sale_id} printed")
        return job

    def slips(self) -> list[Slip]:
        """What the emulator got since last asked, one slip per cut."""
        data = self.printer.take()
        return [decode(part + b"\x1dV\x00") for part in data.split(b"\x1dV\x00")[:-1]]


def printer_config(port: int) -> PrinterConfig:
    return PrinterConfig(
        transport="network",
        host="127.0.0.1",
        port=port,
        paper_mm=58,
        timeout_s=2.0,
        poll_s=0.05,
        retry_base_s=0.05,
        retry_cap_s=0.2,
    )


@pytest.fixture
def printing_box(tmp_path: Path) -> Iterator[PrintingBox]:
    emulator = PrinterEmulator().start()
    seller = SellerProfile(trade_name=PAYEE, address1="12 MG Road", location="Pune", upi_vpa=VPA)
    bundle = make_bundle().model_copy(update={"seller": seller})
    provision = tmp_path / "bundle.json"
    provision.write_text(bundle.model_dump_json())
    settings = BoxSettings(
        data_dir=tmp_path / "box", provision_file=provision, printer=printer_config(emulator.port)
    )
    try:
        with TestClient(create_app(settings)) as client:
            sign_in(client)
            yield PrintingBox(client, emulator, settings.db_path)
    finally:
        emulator.stop()


def rows_of(slip: Slip) -> str:
    return "\n".join(slip.lines)


def test_a_cash_sale_prints_its_receipt_and_opens_the_drawer(printing_box: PrintingBox) -> None:
    sale = printing_box.sell()
    job = printing_box.printed(sale["sale_id"])
    assert job["attempts"] == 0
    assert job["bytes"] > 0
    [slip] = printing_box.slips()
    text = rows_of(slip)
    assert f"Invoice: {sale['invoice_no']}" in slip.lines
    for line in sale["lines"]:
        assert line["name"] in text
    payable = sale["totals"]["payable"]
    total = format_rupees(payable, symbol=False)
    assert "TOTAL Rs." + " " * (32 - 9 - len(total)) + total in slip.lines
    assert "GST summary" in slip.lines
    assert any(line.startswith("GST ") and "% on " in line for line in slip.lines)
    change = format_rupees(sale["totals"]["change"], symbol=False)
    assert next(x for x in slip.lines if x.startswith("Change")).endswith(" " + change)
    assert slip.qr == [payment_link(VPA, PAYEE, payable, note=sale["invoice_no"])]
    assert slip.drawer_kicks == [0]
    assert slip.cuts == 1

    upi = printing_box.sell("upi", payable)
    printing_box.printed(upi["sale_id"])
    [upi_slip] = printing_box.slips()
    assert upi_slip.drawer_kicks == []  # no cash, no drawer
    assert f"Invoice: {upi['invoice_no']}" in upi_slip.lines


def test_a_sale_with_the_printer_down_commits_and_prints_when_it_is_back(
    printing_box: PrintingBox,
) -> None:
    printing_box.printer.stop()
    started = time.monotonic()
    sale = printing_box.sell()
    took = time.monotonic() - started
    assert took < 2.0, f"the sale waited {took:.2f}s for the printer"

    def retried() -> dict[str, Any] | None:
        job = printing_box.job_of(sale["sale_id"])
        return job if job is not None and job["attempts"] >= 2 else None

    job = wait_for(retried, 10, "the receipt retried")
    assert job["state"] == "queued"
    assert "cannot open network printer" in job["last_error"]
    assert printing_box.jobs()["printer"]["reachable"] is False
    [device] = printing_box.client.get("/api/v1/devices").json()
    assert (device["name"], device["kind"], device["connected"]) == ("receipt", "printer", False)
    assert device["failures"] >= 2
    assert device["detail"]["reachable"] is False

    printing_box.printer.start()
    printing_box.printed(sale["sale_id"])
    [slip] = printing_box.slips()
    assert f"Invoice: {sale['invoice_no']}" in slip.lines
    assert printing_box.jobs()["printer"]["reachable"] is True
    [device] = printing_box.client.get("/api/v1/devices").json()
    assert device["connected"] is True
    assert device["events"] >= 1  # the printed job


def test_paper_out_shows_in_the_status_and_the_receipt_waits(printing_box: PrintingBox) -> None:
    printing_box.printer.paper_out = True
    sale = printing_box.sell()
    wait_for(lambda: printing_box.jobs()["printer"]["paper"] == "out", 10, "paper out")
    metrics = printing_box.client.get("/metrics").text
    assert 'setledger_box_printer_paper_out{printer="receipt"} 1.0' in metrics
    job = wait_for(lambda: printing_box.job_of(sale["sale_id"]), 5, "the job")
    assert job["state"] in ("queued", "printing")
    assert [s for s in printing_box.slips() if s.lines] == []  # nothing printed on no paper

    printing_box.printer.paper_out = False
    printing_box.printed(sale["sale_id"])
    assert printing_box.jobs()["printer"]["paper"] == "ok"
    metrics = printing_box.client.get("/metrics").text
    assert 'setledger_box_printer_paper_out{printer="receipt"} 0.0' in metrics
    assert 'setledger_box_print_jobs{printer="receipt",state="printed"} 1.0' in metrics


def test_a_reprint_is_marked_duplicate(printing_box: PrintingBox) -> None:
    sale = printing_box.sell()
    printing_box.printed(sale["sale_id"])
    [first] = printing_box.slips()
    assert "*** DUPLICATE ***" not in first.lines
    response = printing_box.client.post(f"/api/v1/sales/{sale['sale_id']}/receipt")
    assert response.status_code == 202, response.text
    assert response.json()["kind"] == "reprint"
    printing_box.printed(sale["sale_id"], "reprint")
    [copy] = printing_box.slips()
    assert "*** DUPLICATE ***" in copy.lines
    assert copy.drawer_kicks == []
    assert [x for x in copy.lines if x != "*** DUPLICATE ***"] == first.lines

    before = printing_box.jobs()["jobs"]
    missing = printing_box.client.post(f"/api/v1/sales/{uuid.uuid4()}/receipt")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "SALE_NOT_FOUND"
    bad = printing_box.client.post("/api/v1/sales/not-a-uuid/receipt")
    assert bad.status_code == 422
    assert printing_box.jobs()["jobs"] == before


def test_opening_the_drawer_without_a_sale_kicks_it(printing_box: PrintingBox) -> None:
    opened = printing_box.client.post(
        "/api/v1/drawer/open", json={"approval": approval(reason="change")}
    )
    assert opened.status_code == 201, opened.text
    wait_for(lambda: b"\x1bp" in bytes(printing_box.printer.received), 10, "the drawer kick")
    data = printing_box.printer.take()
    slip = decode(data)
    assert slip.drawer_kicks == [0]
    assert slip.lines == []
    assert slip.cuts == 0


def test_a_box_without_a_printer_refuses_a_reprint(box: Box) -> None:
    sale = box.sell([{"code": "SALT-1KG"}], [{"kind": "cash", "amount": 5_000}]).json()["sale"]
    response = box.client.post(f"/api/v1/sales/{sale['sale_id']}/receipt")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "PRINTER_NOT_CONFIGURED"
    jobs = box.client.get("/api/v1/print-jobs").json()
    assert jobs == {"printer": None, "counts": {}, "jobs": []}

"""The receipt printer at the counter, in the real browser: a box whose printer
is a real TCP 9100 listener (the emulator of tests/edge/devices).

A cash sale prints its receipt; "Reprint (F9)" on the done screen sends a
second one marked DUPLICATE; a return's "Print again" sends its credit note
again; the header says the printer is ready, and offline once the emulator
is down. What the emulator received is decoded back into the slips.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from edge.devices.printer.config import PrinterConfig
from edge.services.identity import SellerProfile
from tests.edge.conftest import make_bundle
from tests.edge.devices.printer_emulator import PrinterEmulator, Slip, decode
from tests.edge.fake_hub import wait_for
from tests.edge.staff import MANAGER_PIN
from tests.edge.ui import ARTIFACTS, PosBox, browse, serve
from tests.edge.ui.test_pos_flow import scannable, sign_in_as_cashier, wedge_scan


@pytest.fixture(scope="module")
def pos_box(tmp_path_factory: pytest.TempPathFactory, printer: PrinterEmulator) -> Iterator[PosBox]:
    config = PrinterConfig(
        transport="network",
        host="127.0.0.1",
        port=printer.port,
        paper_mm=80,
        timeout_s=2.0,
        poll_s=0.05,
        status_poll_s=0.2,
        retry_base_s=0.05,
        retry_cap_s=0.2,
    )
    seller = SellerProfile(trade_name="Sample Traders", address1="12 MG Road", location="Pune")
    bundle = make_bundle().model_copy(update={"seller": seller})
    yield from serve(PosBox(tmp_path_factory.mktemp("posbox"), bundle, printer=config))


@pytest.fixture
def page(chromium: Any, pos_box: PosBox) -> Iterator[Any]:
    yield from browse(chromium, pos_box.base_url)


def shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


def printed_slip(printer: PrinterEmulator, marker: str) -> Slip:
    """The next slip the printer cut, once one with ``marker`` on a line arrived."""
    got = bytearray()

    def arrived() -> Slip | None:
        got.extend(printer.take())
        slips = [decode(part + b"\x1dV\x00") for part in bytes(got).split(b"\x1dV\x00")[:-1]]
        return next((s for s in slips if marker in s.lines), None)

    slip: Slip = wait_for(arrived, 10, f"a slip with {marker!r}")
    return slip


def test_reprint_from_the_done_screen_and_printer_status_in_the_header(
    page: Any, pos_box: PosBox, printer: PrinterEmulator
) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    product = scannable(pos_box)
    sign_in_as_cashier(page)
    header = page.get_by_test_id("printer")
    page.locator("[data-testid=printer][data-status=ready]").wait_for(timeout=12000)
    assert header.inner_text() == "Printer: ready"

    wedge_scan(page, str(product.barcodes[0]))
    page.locator(f"tr[data-sku='{product.sku}']").wait_for()
    page.keyboard.press("F4")
    page.locator("[data-screen=tender]").wait_for()
    page.get_by_test_id("complete").click()  # exact cash
    page.get_by_test_id("done").wait_for()
    invoice_no = page.locator(".done p").inner_text().split()[1]
    first = printed_slip(printer, f"Invoice: {invoice_no}")
    assert "*** DUPLICATE ***" not in first.lines
    assert first.drawer_kicks == [0]  # cash: the drawer opens

    page.keyboard.press("F9")
    page.get_by_test_id("reprinted").wait_for()
    copy = printed_slip(printer, f"Invoice: {invoice_no}")
    assert "*** DUPLICATE ***" in copy.lines
    assert copy.drawer_kicks == []
    assert [x for x in copy.lines if x != "*** DUPLICATE ***"] == first.lines
    shot(page, "p1-done-reprinted")
    page.keyboard.press("Enter")
    page.locator("[data-screen=sell] .empty").wait_for()

    # A return, and its credit note printed again from the done screen.
    page.keyboard.press("F3")
    page.get_by_test_id("return-invoice").fill(invoice_no)
    page.keyboard.press("Enter")
    row = page.locator("[data-testid=return-lines] tr[data-line='1']")
    row.wait_for()
    row.get_by_test_id("return-qty").fill("1")
    page.get_by_test_id("return-quote").click()
    page.get_by_test_id("return-refund").click()
    page.get_by_test_id("pin-dots").wait_for()
    page.keyboard.type(MANAGER_PIN)
    page.keyboard.press("Enter")
    done = page.get_by_test_id("return-done")
    done.wait_for()
    note_no = done.locator("h1").inner_text().split()[2].rstrip(",")
    note = printed_slip(printer, f"Note: {note_no}")
    assert "CREDIT NOTE" in note.lines
    assert f"Against invoice: {invoice_no}" in note.lines
    assert note.drawer_kicks == [0]  # a cash refund opens the drawer
    page.get_by_test_id("print-again").click()
    page.get_by_test_id("reprinted").wait_for()
    again = printed_slip(printer, f"Note: {note_no}")
    assert "*** DUPLICATE ***" in again.lines
    assert again.drawer_kicks == []
    shot(page, "p2-credit-note-printed-again")

    printer.stop()
    try:
        page.locator("[data-testid=printer][data-status=offline]").wait_for(timeout=12000)
        assert header.inner_text() == "Printer: offline"
        shot(page, "p3-printer-offline")
        page.keyboard.press("F10")
        page.locator("html[lang=hi]").wait_for()
        assert header.inner_text() == "प्रिंटर: बंद या जुड़ा नहीं"
        page.keyboard.press("F10")
    finally:
        printer.start()
    page.locator("[data-testid=printer][data-status=ready]").wait_for(timeout=12000)
    assert errors == []

"""A shift on the kiosk POS, in the real browser against a real box.

Open with a float counted by denomination -> sell in cash -> the X report
expects the float plus the sale -> close counting only the float (short by
the sale) -> the manager's PIN -> the Z report shows the shortage, as the
box recorded it. Expected figures come from the box's own sale, never typed.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from typing import Any

import pytest

from setledger.contracts import ShiftClosed
from setledger.money import format_rupees
from tests.edge.conftest import make_bundle
from tests.edge.staff import MANAGER_ID, MANAGER_PIN
from tests.edge.ui import PosBox, browse, serve
from tests.edge.ui.test_pos_flow import scannable, shot, sign_in_as_cashier, wedge_scan

FLOAT = {50000: 2, 10000: 5}  # ₹1,000 + ₹500
FLOAT_TOTAL = 150000


@pytest.fixture(scope="module")
def pos_box(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PosBox]:
    yield from serve(PosBox(tmp_path_factory.mktemp("posshift"), make_bundle()))


@pytest.fixture
def page(chromium: Any, pos_box: PosBox) -> Iterator[Any]:
    yield from browse(chromium, pos_box.base_url, height=900, devices=False)


def count(page: Any, grid: str, pieces: dict[int, int]) -> None:
    for paise, n in pieces.items():
        page.locator(f"[data-testid={grid}] tr[data-paise='{paise}'] input").fill(str(n))


def test_open_sell_x_close_short_with_the_managers_pin(page: Any, pos_box: PosBox) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    sign_in_as_cashier(page)

    # F6 on the empty bill: the shift screen. Nobody opened one yet.
    page.keyboard.press("F6")
    page.get_by_test_id("shift-home").wait_for()
    assert page.get_by_test_id("x-sales").inner_text() == "0"
    page.keyboard.press("F1")
    page.get_by_test_id("float").wait_for()
    count(page, "float", FLOAT)
    assert page.get_by_test_id("float-total").inner_text() == format_rupees(FLOAT_TOTAL)
    shot(page, "s1-float")
    page.keyboard.press("F12")
    page.get_by_test_id("shift-home").wait_for()
    page.get_by_test_id("shift-state").filter(has_text=format_rupees(FLOAT_TOTAL)).wait_for()

    # Back to the bill, sell one item for exact cash.
    page.keyboard.press("Escape")
    page.locator("[data-screen=sell]").wait_for()
    product = scannable(pos_box)
    wedge_scan(page, str(product.barcodes[0]))
    page.locator(f"tr[data-sku='{product.sku}']").wait_for()
    page.keyboard.press("F4")
    page.locator("[data-screen=tender]").wait_for()
    page.get_by_test_id("complete").click()
    page.get_by_test_id("done").wait_for()
    with pos_box.client() as api:
        (sale,) = api.get("/api/v1/sales").json()["sales"]
    payable = sale["payable"]
    page.keyboard.press("Enter")
    page.locator("[data-screen=sell] .empty").wait_for()

    # The X report: the float plus the cash taken.
    page.get_by_test_id("shift").click()
    page.get_by_test_id("x-report").wait_for()
    assert page.get_by_test_id("x-sales").inner_text() == "1"
    assert page.get_by_test_id("x-expected").inner_text() == format_rupees(FLOAT_TOTAL + payable)
    shot(page, "s2-x-report")

    # Close counting only the float: short by the sale, shown before anything is sent.
    page.keyboard.press("F4")
    page.get_by_test_id("counted").wait_for()
    count(page, "counted", FLOAT)
    assert page.get_by_test_id("close-difference").inner_text() == format_rupees(-payable)
    shot(page, "s3-count-short")
    page.get_by_test_id("shift-close-confirm").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_test_id("pin-dots").wait_for()
    assert format_rupees(-payable) in dialog.inner_text()
    shot(page, "s4-manager-pin")
    page.keyboard.type(MANAGER_PIN)
    page.keyboard.press("Enter")

    z = page.get_by_test_id("z-report")
    z.wait_for()
    assert z.get_attribute("data-z") == "Z00001"
    assert page.get_by_test_id("z-over-short").inner_text() == format_rupees(-payable)
    assert page.get_by_test_id("z-expected").inner_text() == format_rupees(FLOAT_TOTAL + payable)
    assert page.get_by_test_id("z-counted").inner_text() == format_rupees(FLOAT_TOTAL)
    shot(page, "s5-z-report")
    assert errors == []

    # What the box recorded and will send up: the same Z, approved by the manager.
    with sqlite3.connect(f"file:{pos_box.settings.db_path}?mode=ro", uri=True) as db:
        (payload,) = db.execute("SELECT payload FROM outbox WHERE stream = 'shifts'").fetchone()
    recorded = ShiftClosed.model_validate(json.loads(payload))
    assert (recorded.z_no, recorded.over_short, recorded.approved_by) == (
        "Z00001",
        -payable,
        MANAGER_ID,
    )
    assert (recorded.float_total, recorded.counted_total) == (FLOAT_TOTAL, FLOAT_TOTAL)
    page.keyboard.press("Escape")
    page.locator("[data-screen=sell]").wait_for()

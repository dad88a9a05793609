"""Serial numbers at the counter in the real browser: scanning a serial-tracked item
opens the serial dialog, the scanner's next scan is the unit's number, Enter adds
the line showing "S/N ..."; a unit already on the bill is refused in the dialog;
the sale the box records carries the serial on its line and its stock move."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.edge.conftest import make_bundle
from tests.edge.ui import PosBox, browse, serve
from tests.edge.ui.test_pos_extras import db_rows, pay_cash, recorded_sale, scan
from tests.edge.ui.test_pos_flow import shot, sign_in_as_cashier, wedge_scan

PHONE = "USB-C-1M"


@pytest.fixture(scope="module")
def pos_box(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PosBox]:
    base = make_bundle()
    products = [
        p.model_copy(update={"serial_tracked": True}) if p.sku == PHONE else p
        for p in base.catalog.products
    ]
    bundle = base.model_copy(
        update={"catalog": base.catalog.model_copy(update={"products": products})}
    )
    yield from serve(PosBox(tmp_path_factory.mktemp("posserials"), bundle))


@pytest.fixture
def page(chromium: Any, pos_box: PosBox) -> Iterator[Any]:
    yield from browse(chromium, pos_box.base_url, devices=False, no_errors=True)


def phone_code(pos_box: PosBox) -> str:
    return str(next(p for p in pos_box.bundle.catalog.products if p.sku == PHONE).barcodes[0])


def test_scan_a_serial_item_then_its_serial_and_pay(page: Any, pos_box: PosBox) -> None:
    sign_in_as_cashier(page)
    dialog = page.get_by_test_id("serial-dialog")
    wedge_scan(page, phone_code(pos_box))
    dialog.wait_for()
    assert db_rows(pos_box, "SELECT count(*) FROM cart_line") == [(0,)]
    wedge_scan(page, "IMEI-356938035643809")  # the scanner's next scan: the unit's number
    dialog.wait_for(state="detached")
    line = page.locator(f"tr[data-sku='{PHONE}']")
    assert line.get_by_test_id("line-serial").inner_text() == "S/N IMEI-356938035643809"

    # The same unit again: refused in the dialog, which stays open for the right one.
    wedge_scan(page, phone_code(pos_box))
    dialog.wait_for()
    wedge_scan(page, "IMEI-356938035643809")
    assert "already on this bill" in page.get_by_test_id("serial-error").inner_text()
    shot(page, "pos-serial-dialog")
    page.get_by_test_id("serial-input").fill("IMEI-356938035643817")
    page.keyboard.press("Enter")
    dialog.wait_for(state="detached")
    assert page.locator(f"tr[data-sku='{PHONE}']").count() == 2
    scan(page, pos_box, "PEN-BALL")  # other goods need no serial

    sale = recorded_sale(pos_box, pay_cash(page))
    assert [x.get("serial_no") for x in sale["lines"]] == [
        "IMEI-356938035643809",
        "IMEI-356938035643817",
        None,
    ]
    assert [m.get("serial_no") for m in sale["stock_moves"]] == [
        "IMEI-356938035643809",
        "IMEI-356938035643817",
        None,
    ]

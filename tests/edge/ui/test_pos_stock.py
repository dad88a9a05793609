"""Stock at the counter in the real browser: Shift+F4 opens the box's own stock view
(the hub's last snapshot plus this counter's later sales), searched by name or SKU,
with batches, their expiry and the batch FEFO sells next; a sale made at this
counter shows at once, with no network; Esc and Close close it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from playwright.sync_api import expect

from edge.services.identity import require_identity
from edge.sync.stock_sync import StockSync
from setledger.contracts import StockItem, StockSnapshot
from setledger.fiscal import business_date
from tests.edge.conftest import make_bundle
from tests.edge.ui import PosBox, browse, serve
from tests.edge.ui.test_pos_extras import pay_cash, scan
from tests.edge.ui.test_pos_flow import shot, sign_in_as_cashier


@pytest.fixture(scope="module")
def pos_box(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PosBox]:
    yield from serve(PosBox(tmp_path_factory.mktemp("posstock"), make_bundle()))


@pytest.fixture
def page(chromium: Any, pos_box: PosBox) -> Iterator[Any]:
    yield from browse(chromium, pos_box.base_url, devices=False, no_errors=True)


def test_the_cashier_looks_up_stock_offline(page: Any, pos_box: PosBox) -> None:
    runtime = pos_box._server.config.app.state.box
    soon = business_date(runtime.now()) + timedelta(days=10)
    products = {p.sku: p for p in pos_box.bundle.catalog.products}
    atta, salt = products["ATTA-5KG"], products["SALT-1KG"]
    document = StockSnapshot(
        org_id=pos_box.bundle.org_id,
        store_id=pos_box.bundle.store_id,
        version=1,
        as_of=datetime.now(UTC),
        includes=[],
        items=[
            StockItem(
                product_id=atta.product_id,
                batch_no="A-LATER",
                expiry=soon + timedelta(days=300),
                qty=9000,
            ),
            StockItem(product_id=atta.product_id, batch_no="A-SOON", expiry=soon, qty=4000),
            StockItem(product_id=salt.product_id, qty=24000),
        ],
    )
    with runtime.db.reader.connect() as conn:
        identity = require_identity(conn)
    assert StockSync(runtime.db, identity, runtime.now).apply(document) == 1

    sign_in_as_cashier(page)
    page.keyboard.press("Shift+F4")
    dialog = page.get_by_test_id("stock-dialog")
    expect(dialog).to_be_visible()
    expect(page.get_by_test_id("stock-search")).to_be_focused()
    expect(dialog.get_by_test_id("stock-as-of")).to_contain_text("Head office")
    page.keyboard.type("atta")
    atta_row = dialog.locator("tr[data-sku='ATTA-5KG']")
    expect(atta_row.get_by_test_id("stock-qty")).to_have_text("13 PCS")
    expect(atta_row.get_by_test_id("stock-lot")).to_have_count(2)
    soonest = atta_row.get_by_test_id("stock-lot").filter(has_text="A-SOON")
    expect(soonest).to_contain_text("sell first")
    expect(soonest).to_contain_text(soon.isoformat())
    expect(dialog.locator("tr[data-sku='SALT-1KG']")).to_have_count(0)  # not what was asked
    shot(page, "stock-lookup")
    page.keyboard.press("Escape")
    expect(dialog).to_have_count(0)

    # Salt on the bill is not sold yet; once paid, the box counts the sale at once (its
    # own move), no hub needed.
    def salt_on_hand() -> Any:
        page.get_by_test_id("stock").click()
        page.get_by_test_id("stock-search").fill("SALT-1KG")
        return page.get_by_test_id("stock-dialog").locator("tr[data-sku='SALT-1KG'] td.num")

    scan(page, pos_box, "SALT-1KG")
    expect(salt_on_hand()).to_have_text("24 PCS")
    page.get_by_test_id("stock-close").click()
    expect(page.get_by_test_id("stock-dialog")).to_have_count(0)
    pay_cash(page)
    page.get_by_test_id("next").click()
    page.locator("[data-screen=sell] .empty").wait_for()
    expect(salt_on_hand()).to_have_text("23 PCS")

"""Batches at the counter in the real browser: a scanned item that the store
keeps in batches shows the FEFO batch and its expiry warning on the bill line,
and the sale the box records takes that batch."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from edge.services.identity import require_identity
from edge.sync.stock_sync import StockSync
from setledger.contracts import StockItem, StockSnapshot
from setledger.fiscal import business_date
from tests.edge.conftest import make_bundle
from tests.edge.ui import PosBox, browse, serve
from tests.edge.ui.test_pos_extras import db_rows, scan
from tests.edge.ui.test_pos_flow import shot, sign_in_as_cashier


@pytest.fixture(scope="module")
def pos_box(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PosBox]:
    yield from serve(PosBox(tmp_path_factory.mktemp("posbatches"), make_bundle()))


@pytest.fixture
def page(chromium: Any, pos_box: PosBox) -> Iterator[Any]:
    yield from browse(chromium, pos_box.base_url, devices=False, no_errors=True)


def test_the_line_shows_the_fefo_batch_and_its_expiry_warning(page: Any, pos_box: PosBox) -> None:
    runtime = pos_box._server.config.app.state.box
    today = business_date(runtime.now())
    soon = today + timedelta(days=10)
    atta = next(p for p in pos_box.bundle.catalog.products if p.sku == "ATTA-5KG")
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
        ],
    )
    with runtime.db.reader.connect() as conn:
        identity = require_identity(conn)
    assert StockSync(runtime.db, identity, runtime.now).apply(document) == 1

    sign_in_as_cashier(page)
    scan(page, pos_box, "ATTA-5KG")
    line = page.locator("tr[data-sku='ATTA-5KG']")
    assert "A-SOON" in line.get_by_test_id("line-batch").inner_text()
    assert soon.isoformat() in line.get_by_test_id("line-batch").inner_text()
    assert "10" in line.get_by_test_id("line-expiry-warning").inner_text()
    shot(page, "batch-expiry-warning")

    assert db_rows(pos_box, "SELECT batch_no, expiry FROM cart_line") == [
        ("A-SOON", soon.isoformat())
    ]

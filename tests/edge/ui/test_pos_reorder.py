"""Urgent reorder from the counter in the real browser, with no hub: the cashier asks
for more of a bill line's product (its ↻ button, or Shift+F3), the dialog shows the
store's on hand, refuses a bad quantity without recording anything, and the request
is kept at the box and queued for the hub (not delivered yet). The dialog lists the
box's recent requests with what head office did ("ordered: PO-00012") once the
store's ``reorder.status`` has come down."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from edge.services.identity import require_identity
from edge.sync.reorder_sync import ReorderStatusSync
from setledger.contracts import ReorderStatus, ReorderStatusItem
from tests.edge.conftest import make_bundle
from tests.edge.ui import PosBox, browse, serve
from tests.edge.ui.test_pos_extras import db_rows, scan
from tests.edge.ui.test_pos_flow import shot, sign_in_as_cashier


@pytest.fixture(scope="module")
def pos_box(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PosBox]:
    yield from serve(PosBox(tmp_path_factory.mktemp("posreorder"), make_bundle()))


@pytest.fixture
def page(chromium: Any, pos_box: PosBox) -> Iterator[Any]:
    yield from browse(chromium, pos_box.base_url, devices=False, no_errors=True)


def test_the_cashier_raises_an_urgent_reorder_from_a_bill_line(page: Any, pos_box: PosBox) -> None:
    with pos_box.client() as api:  # two sold earlier, with no snapshot from the hub yet
        sale = {"sale_id": str(uuid.uuid4()), "lines": [{"code": "ATTA-5KG", "qty": "2"}],
                "tenders": [{"kind": "cash", "amount": 100000}]}  # fmt: skip
        assert api.post("/api/v1/sales", json=sale).status_code == 201
    sign_in_as_cashier(page)
    scan(page, pos_box, "ATTA-5KG")
    page.locator("tr[data-sku='ATTA-5KG'] [data-testid=line-reorder]").click()
    dialog = page.get_by_test_id("reorder-dialog")
    dialog.wait_for()
    # The box's own view: the snapshot (none yet) less the two sold.
    page.get_by_test_id("reorder-on-hand").filter(has_text="store: -2").wait_for()

    page.get_by_test_id("reorder-qty").fill("0")
    page.keyboard.press("Enter")
    assert "e.g. 12" in page.get_by_test_id("reorder-error").inner_text()
    assert db_rows(pos_box, "SELECT count(*) FROM urgent_reorder") == [(0,)]

    page.get_by_test_id("reorder-qty").fill("12")
    page.get_by_test_id("reorder-note").fill("festival week")
    shot(page, "pos-reorder-dialog")
    page.get_by_test_id("reorder-send").click()
    dialog.wait_for(state="detached")
    notice = page.locator(".hint").inner_text()
    assert "12 × " in notice
    assert "when the network is back" in notice

    [(product_id, qty, note, on_hand, seq)] = db_rows(
        pos_box, "SELECT product_id, qty, note, on_hand_seen, seq FROM urgent_reorder"
    )
    atta = next(p for p in pos_box.bundle.catalog.products if p.sku == "ATTA-5KG")
    assert (product_id, qty, note, on_hand) == (str(atta.product_id), 12000, "festival week", -2000)
    [(key, payload)] = db_rows(
        pos_box, "SELECT key, payload FROM outbox WHERE stream = 'reorders' AND seq = ?", seq
    )
    assert json.loads(payload)["qty"] == 12000
    assert key == json.loads(payload)["reorder_id"]

    # Shift+F3 opens it for the chosen line, with the request just made below the
    # form (the hub has not heard of it); Esc leaves without asking.
    page.keyboard.press("Shift+F3")
    dialog.wait_for()
    mine = page.locator(f"[data-testid=reorder-request][data-reorder-id='{key}']")
    assert mine.get_by_test_id("reorder-status").inner_text() == "not sent yet"
    assert "12 × " in mine.inner_text()
    page.keyboard.press("Escape")
    dialog.wait_for(state="detached")
    assert db_rows(pos_box, "SELECT count(*) FROM urgent_reorder") == [(1,)]

    # Head office orders it: the store's status document comes down (as the
    # replicator's downlink applies it) and the dialog says so, with the PO.
    runtime = pos_box._server.config.app.state.box
    with runtime.db.reader.connect() as conn:
        identity = require_identity(conn)
    status = ReorderStatus(
        org_id=pos_box.bundle.org_id,
        store_id=pos_box.bundle.store_id,
        version=1,
        as_of=datetime.now(UTC),
        reorders=[
            ReorderStatusItem(
                reorder_id=uuid.UUID(key),
                status="ordered",
                po_reference="PO-00012",
                note="Monday's truck",
                changed_at=datetime.now(UTC),
            )
        ],
    )
    assert ReorderStatusSync(runtime.db, identity, runtime.now).apply(status) == 1
    page.keyboard.press("Shift+F3")
    dialog.wait_for()
    mine.get_by_test_id("reorder-status").filter(has_text="ordered: PO-00012").wait_for()
    assert "(Monday's truck)" in mine.inner_text()
    shot(page, "pos-reorder-status")
    page.keyboard.press("Escape")
    dialog.wait_for(state="detached")
    # The bill is untouched: the line is still there for sale.
    assert page.locator("tr[data-sku='ATTA-5KG']").count() == 1

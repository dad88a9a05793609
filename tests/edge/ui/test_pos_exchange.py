"""Split refunds and exchanges on the kiosk POS, in the real browser against a real box.

A split refund pays part of a return by UPI (with its reference) and the rest
in cash. An exchange takes the return back in cash and puts that cash on the
next bill as its first payment, so the drawer's refund and payment cancel
out and the books and the shift's expected cash need no new kind of tender.
Figures come from what the box recorded, read back through its API.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from setledger.money import format_rupees
from tests.edge.conftest import make_bundle
from tests.edge.staff import MANAGER_PIN
from tests.edge.ui import PosBox, browse, serve
from tests.edge.ui.test_pos_flow import scannable, shot, sign_in_as_cashier, wedge_scan


@pytest.fixture(scope="module")
def pos_box(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PosBox]:
    yield from serve(PosBox(tmp_path_factory.mktemp("posexchange"), make_bundle()))


@pytest.fixture
def page(chromium: Any, pos_box: PosBox) -> Iterator[Any]:
    yield from browse(chromium, pos_box.base_url, height=900, devices=False, no_errors=True)


def sold(pos_box: PosBox, qty: int) -> dict[str, Any]:
    """A cash sale of ``qty`` of the fixture's scannable product, through the box API."""
    product = scannable(pos_box)
    with pos_box.client() as api:
        cart_id = str(uuid.uuid4())
        api.post("/api/v1/carts", json={"cart_id": cart_id}).raise_for_status()
        added = api.post(
            f"/api/v1/carts/{cart_id}/lines",
            json={"code": str(product.barcodes[0]), "qty": str(qty)},
        )
        payable = added.json()["totals"]["payable"]
        made = api.post(
            f"/api/v1/carts/{cart_id}/checkout",
            json={"sale_id": str(uuid.uuid4()), "tenders": [{"kind": "cash", "amount": payable}]},
        )
        made.raise_for_status()
    sale: dict[str, Any] = made.json()["sale"]
    return sale


def return_lines(page: Any, invoice_no: str, qty: str) -> None:
    page.keyboard.press("F3")
    page.get_by_test_id("return-invoice").fill(invoice_no)
    page.keyboard.press("Enter")
    row = page.locator("[data-testid=return-lines] tr[data-line='1']")
    row.wait_for()
    row.get_by_test_id("return-qty").fill(qty)
    page.get_by_test_id("return-quote").click()
    page.get_by_test_id("return-payable").wait_for()


def approve(page: Any) -> None:
    page.get_by_test_id("pin-dots").wait_for()
    page.keyboard.type(MANAGER_PIN)
    page.keyboard.press("Enter")


def test_split_refund_part_by_upi_the_rest_in_cash(page: Any, pos_box: PosBox) -> None:
    sale = sold(pos_box, 2)
    sign_in_as_cashier(page)
    return_lines(page, sale["invoice_no"], "2")
    refund = sale["totals"]["payable"]
    upi = 10_000 if refund > 10_000 else refund // 2

    # A part as large as the whole refund is refused: the rest must be left for another kind.
    page.get_by_test_id("refund-upi").click()
    page.get_by_test_id("refund-part-amount").fill(f"{refund / 100:.2f}")
    page.get_by_test_id("refund-add-part").click()
    assert "less than" in page.locator(".returns [role=alert]").inner_text()

    page.get_by_test_id("refund-part-amount").fill(f"{upi // 100}.{upi % 100:02d}")
    page.get_by_test_id("refund-reference").fill("UPI-RFND-77")
    page.get_by_test_id("refund-add-part").click()
    page.get_by_test_id("refund-parts").wait_for()
    page.get_by_test_id("refund-cash").click()
    assert page.get_by_test_id("refund-rest").inner_text() == format_rupees(refund - upi)
    shot(page, "r3-split-refund")
    page.get_by_test_id("return-refund").click()
    approve(page)
    done = page.get_by_test_id("return-done")
    done.wait_for()

    with pos_box.client() as api:
        note = api.get(f"/api/v1/returns/{done.get_attribute('data-return-id')}").json()["note"]
    assert note["totals"]["payable"] == refund
    assert [(r["kind"], r["amount"], r.get("reference")) for r in note["refunds"]] == [
        ("upi", upi, "UPI-RFND-77"),
        ("cash", refund - upi, None),
    ]
    # Paid back partly by UPI: no exchange credit is offered (it would put UPI money in the drawer).
    assert page.get_by_test_id("exchange-now").count() == 0


def test_exchange_puts_the_return_on_the_next_bill(page: Any, pos_box: PosBox) -> None:
    sale = sold(pos_box, 1)
    product = scannable(pos_box)
    sign_in_as_cashier(page)
    return_lines(page, sale["invoice_no"], "1")
    page.get_by_test_id("refund-exchange").check()
    assert page.get_by_test_id("refund-cash").count() == 0  # an exchange is taken back in cash
    page.get_by_test_id("return-refund").click()
    approve(page)

    # Straight back to the bill, the credit shown until it is paid with.
    banner = page.get_by_test_id("credit-banner")
    banner.wait_for()
    page.locator("[data-screen=sell]").wait_for()
    credit = sale["totals"]["payable"]
    assert format_rupees(credit) in banner.inner_text()
    shot(page, "r4-exchange-credit")

    # The customer takes two of the same instead: the credit pays part, cash the rest.
    wedge_scan(page, str(product.barcodes[0]))
    row = page.locator(f"tr[data-sku='{product.sku}']")
    row.wait_for()
    row.get_by_test_id("qty-plus").click()
    page.locator(f"tr[data-sku='{product.sku}'] [data-testid=qty]", has_text="2").wait_for()
    page.keyboard.press("F4")
    page.locator("[data-screen=tender]").wait_for()
    assert format_rupees(credit) in page.get_by_test_id("exchange-credit").inner_text()
    shot(page, "r5-exchange-tender")
    page.get_by_test_id("complete").click()
    page.get_by_test_id("done").wait_for()
    assert page.get_by_test_id("credit-banner").count() == 0
    invoice_no = page.locator(".done p").inner_text().split()[1]

    with pos_box.client() as api:
        listed = api.get("/api/v1/sales", params={"invoice_no": invoice_no}).json()["sales"]
        new_sale = api.get(f"/api/v1/sales/{listed[0]['sale_id']}").json()["sale"]
    payable = new_sale["totals"]["payable"]
    assert [(t["kind"], t["amount"]) for t in new_sale["tenders"]] == [
        ("cash", credit),
        ("cash", payable - credit),
    ]
    assert new_sale["totals"]["change"] == 0
    # The note: the whole first sale, taken back in cash for the exchange.
    with sqlite3.connect(f"file:{pos_box.settings.db_path}?mode=ro", uri=True) as db:
        notes = db.execute(
            "SELECT r.reason, f.kind, f.amount FROM sale_return r"
            " JOIN sale_return_refund f ON f.return_id = r.return_id WHERE r.sale_id = ?",
            (sale["sale_id"],),
        ).fetchall()
    assert notes == [("Exchange", "cash", credit)]

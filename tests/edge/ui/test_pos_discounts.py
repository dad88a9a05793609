"""Line discounts on the kiosk POS, in the real browser against a real box.

A discount under the box's limit (``discount_limit_bp``) applies without a
manager; one above it brings up the manager sign-off, a wrong PIN is refused
(the box's message shown, nothing changed, no approval recorded) and the
manager's PIN applies it. The discounts are worked out from the fixture
product's price (the catalog the box was provisioned with) and checked against
the sale the box recorded and its ``approval`` table.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from setledger.money import format_rupees
from tests.edge.conftest import make_bundle
from tests.edge.staff import MANAGER_ID, MANAGER_PIN
from tests.edge.ui import PosBox, browse, serve
from tests.edge.ui.test_pos_flow import scannable, shot, sign_in_as_cashier, wedge_scan


@pytest.fixture(scope="module")
def pos_box(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PosBox]:
    yield from serve(PosBox(tmp_path_factory.mktemp("posdisc"), make_bundle()))


@pytest.fixture
def page(chromium: Any, pos_box: PosBox) -> Iterator[Any]:
    yield from browse(chromium, pos_box.base_url, devices=False)


def discount_approvals(pos_box: PosBox) -> list[tuple[str, int]]:
    with sqlite3.connect(f"file:{pos_box.settings.db_path}?mode=ro", uri=True) as db:
        rows = db.execute(
            "SELECT approved_by, amount FROM approval WHERE action = 'discount' ORDER BY rowid"
        ).fetchall()
    return [(str(by), int(amount)) for by, amount in rows]


def pay_exact_cash(page: Any) -> str:
    """Pay the bill in cash, exactly; the invoice number from "Sale done"."""
    page.keyboard.press("F4")
    page.locator("[data-screen=tender]").wait_for()
    page.get_by_test_id("complete").click()
    page.get_by_test_id("done").wait_for()
    text: str = page.locator(".done p").inner_text()  # "Invoice <no> · ₹x"
    return text.split()[1]


def recorded_line(pos_box: PosBox, invoice_no: str) -> dict[str, Any]:
    with pos_box.client() as api:
        listed = api.get("/api/v1/sales", params={"invoice_no": invoice_no}).json()["sales"]
        assert [s["invoice_no"] for s in listed] == [invoice_no]
        sale = api.get(f"/api/v1/sales/{listed[0]['sale_id']}").json()["sale"]
    assert len(sale["lines"]) == 1
    line: dict[str, Any] = sale["lines"][0]
    return line


def test_discount_under_the_limit_needs_no_manager(page: Any, pos_box: PosBox) -> None:
    product = scannable(pos_box)
    limit_bp = pos_box.settings.discount_limit_bp
    percent_bp = limit_bp // 2  # half the limit, typed as a percent
    before = discount_approvals(pos_box)
    sign_in_as_cashier(page)
    wedge_scan(page, str(product.barcodes[0]))
    row = page.locator(f"tr[data-sku='{product.sku}']")
    row.wait_for()
    page.keyboard.press("F8")  # the chosen (just scanned) line
    page.get_by_test_id("discount-dialog").wait_for()
    page.get_by_test_id("discount-percent").click()
    page.get_by_test_id("discount-input").fill(f"{percent_bp / 100:g}")
    page.keyboard.press("Enter")
    row.get_by_test_id("line-discount-shown").wait_for()
    assert page.locator(".modal").count() == 0  # no manager asked for
    shot(page, "d1-discount-under-limit")
    invoice_no = pay_exact_cash(page)

    line = recorded_line(pos_box, invoice_no)
    gross = line["unit_price"] * line["qty"] // 1000
    assert line["discount"] == gross * percent_bp // 10_000 > 0
    assert discount_approvals(pos_box) == before


def test_discount_above_the_limit_needs_the_managers_pin(page: Any, pos_box: PosBox) -> None:
    product = scannable(pos_box)
    limit_bp = pos_box.settings.discount_limit_bp
    before = discount_approvals(pos_box)
    sign_in_as_cashier(page)
    wedge_scan(page, str(product.barcodes[0]))
    row = page.locator(f"tr[data-sku='{product.sku}']")
    row.wait_for()
    payable_before = page.get_by_test_id("payable").inner_text()
    # Twice the limit of the line's price, typed in rupees (the dialog shows the gross).
    row.get_by_test_id("line-discount").click()
    gross_text = page.locator("[data-testid=discount-dialog] p").first.inner_text()
    gross = int(gross_text.split("₹")[-1].replace(",", "").replace(".", ""))
    discount = gross * 2 * limit_bp // 10_000
    page.get_by_test_id("discount-input").fill(f"{discount // 100}.{discount % 100:02d}")
    page.get_by_test_id("discount-apply").click()

    # The manager's sign-off: a wrong PIN is refused with the box's words, nothing changes.
    dialog = page.get_by_role("dialog")
    dialog.get_by_text("approval", exact=False).first.wait_for()
    dialog.get_by_test_id("pin-dots").wait_for()
    page.keyboard.type("0000")
    page.keyboard.press("Enter")
    alert = page.locator(".hint [role=alert]")
    alert.wait_for()
    assert alert.inner_text() == "The manager's approval was refused: wrong PIN."
    shot(page, "d2-wrong-pin")
    assert row.get_by_test_id("line-discount-shown").count() == 0
    assert page.get_by_test_id("payable").inner_text() == payable_before
    assert discount_approvals(pos_box) == before

    # Again, with the manager's PIN on the touch keypad.
    page.keyboard.press("F8")
    page.get_by_test_id("discount-input").fill(f"{discount // 100}.{discount % 100:02d}")
    page.keyboard.press("Enter")
    page.get_by_test_id("pin-dots").wait_for()
    shot(page, "d3-manager-approval")
    for digit in MANAGER_PIN:
        page.locator(".modal .keys button", has_text=digit).click()
    page.get_by_test_id("pin-enter").click()
    row.get_by_test_id("line-discount-shown").wait_for()
    assert row.get_by_test_id("line-discount-shown").inner_text() == (
        f"discount {format_rupees(discount)}"
    )
    invoice_no = pay_exact_cash(page)

    line = recorded_line(pos_box, invoice_no)
    assert line["unit_price"] * line["qty"] // 1000 == gross
    assert line["discount"] == discount
    assert discount_approvals(pos_box) == [*before, (str(MANAGER_ID), discount)]


def test_partial_return_through_the_returns_screen(page: Any, pos_box: PosBox) -> None:
    """A sale of 3 (recorded through the API) has 1 returned on the screen."""
    product = scannable(pos_box)
    with pos_box.client() as api:
        cart_id = str(uuid.uuid4())
        api.post("/api/v1/carts", json={"cart_id": cart_id}).raise_for_status()
        code = str(product.barcodes[0])
        added = api.post(f"/api/v1/carts/{cart_id}/lines", json={"code": code, "qty": "3"})
        payable = added.json()["totals"]["payable"]
        tenders = [{"kind": "cash", "amount": payable}]
        sold = api.post(
            f"/api/v1/carts/{cart_id}/checkout",
            json={"sale_id": str(uuid.uuid4()), "tenders": tenders},
        )
        invoice_no = sold.json()["sale"]["invoice_no"]
        quoted = api.post(
            "/api/v1/returns/quote",
            json={"invoice_no": invoice_no, "lines": [{"line_no": 1, "qty": "1"}]},
        ).json()

    sign_in_as_cashier(page)
    page.keyboard.press("F3")
    page.get_by_test_id("return-invoice").fill("NO-SUCH-1")
    page.keyboard.press("Enter")
    page.locator(".returns [role=alert]").wait_for()  # the box's refusal, nothing to return
    assert page.get_by_test_id("return-lines").count() == 0
    page.get_by_test_id("return-invoice").fill(invoice_no)
    page.keyboard.press("Enter")
    row = page.locator("[data-testid=return-lines] tr[data-line='1']")
    row.wait_for()
    row.get_by_test_id("return-qty").fill("1")
    page.get_by_test_id("return-quote").click()
    assert page.get_by_test_id("return-payable").inner_text() == format_rupees(
        quoted["totals"]["payable"]
    )
    shot(page, "r1-return-quote")
    page.get_by_test_id("return-refund").click()
    page.get_by_test_id("pin-dots").wait_for()  # every refund needs a manager
    page.keyboard.type(MANAGER_PIN)
    page.keyboard.press("Enter")
    done = page.get_by_test_id("return-done")
    done.wait_for()
    shot(page, "r2-return-done")

    with pos_box.client() as api:
        note = api.get(f"/api/v1/returns/{done.get_attribute('data-return-id')}").json()["note"]
        left = api.get(f"/api/v1/sales/by-invoice/{invoice_no}").json()["lines"]
    assert done.locator("h1").inner_text() == (
        f"Credit note {note['note_no']}, refund {format_rupees(note['totals']['payable'])}"
    )
    assert note["totals"]["payable"] == quoted["totals"]["payable"] > 0
    assert [(x["line_no"], x["qty"]) for x in note["lines"]] == [(1, 1000)]
    assert [(r["kind"], r["amount"]) for r in note["refunds"]] == [
        ("cash", note["totals"]["payable"])
    ]
    assert [(x["sold"], x["returned"], x["returnable"]) for x in left] == [(3000, 1000, 2000)]


def void_approvals(pos_box: PosBox) -> list[tuple[str, int]]:
    with sqlite3.connect(f"file:{pos_box.settings.db_path}?mode=ro", uri=True) as db:
        rows = db.execute(
            "SELECT approved_by, amount FROM approval WHERE action = 'void_line' ORDER BY rowid"
        ).fetchall()
    return [(str(by), int(amount)) for by, amount in rows]


def test_void_a_line_needs_the_managers_pin(page: Any, pos_box: PosBox) -> None:
    """Delete on the chosen line asks for a manager; Esc keeps the line; the
    manager's PIN takes it off the bill and the box records who approved what
    left it; the sale then holds only the other line."""
    product = scannable(pos_box)
    other = next(
        p
        for p in pos_box.bundle.catalog.products
        if p.barcodes and not p.fractional_qty and p.product_id != product.product_id
    )
    before = void_approvals(pos_box)
    sign_in_as_cashier(page)
    wedge_scan(page, str(product.barcodes[0]))
    page.locator(f"tr[data-sku='{product.sku}']").wait_for()
    wedge_scan(page, str(other.barcodes[0]))
    page.locator(f"tr[data-sku='{other.sku}']").wait_for()
    voided = page.locator(f"tr[data-sku='{product.sku}']")
    charged = voided.locator("td.num").inner_text()  # what leaves the bill, as shown

    voided.locator("td").first.click()  # choose the line by its name (not the +), then Delete
    page.keyboard.press("Delete")
    page.get_by_role("dialog").get_by_test_id("pin-dots").wait_for()
    shot(page, "v1-void-approval")
    page.keyboard.press("Escape")  # the cashier changes their mind: nothing changes
    page.get_by_role("dialog").wait_for(state="detached")
    assert page.locator("tr[data-line]").count() == 2
    assert void_approvals(pos_box) == before

    voided.get_by_test_id("line-void").click()  # touch: the ✕ on the line
    page.get_by_role("dialog").get_by_test_id("pin-dots").wait_for()
    page.keyboard.type(MANAGER_PIN)
    page.keyboard.press("Enter")
    voided.wait_for(state="detached")
    assert page.locator("tr[data-line]").count() == 1
    invoice_no = pay_exact_cash(page)

    with pos_box.client() as api:
        listed = api.get("/api/v1/sales").json()["sales"]
        (sale_id,) = [s["sale_id"] for s in listed if s["invoice_no"] == invoice_no]
        sale = api.get(f"/api/v1/sales/{sale_id}").json()["sale"]
    assert [ln["product_id"] for ln in sale["lines"]] == [str(other.product_id)]
    approvals = void_approvals(pos_box)
    assert len(approvals) == len(before) + 1
    by, amount = approvals[-1]
    assert by == str(MANAGER_ID)
    assert format_rupees(amount) == charged

"""Counter extras in the real browser against a real box: hold a bill and
recall it after serving another customer, a bill discount over the limit with
the manager's PIN, a B2B customer's GSTIN at payment, and the UPI QR of the
amount due (decoded back from the image the page shows).

What the page did is checked against what the box recorded (its sales and its
``approval`` and ``cart_hold`` tables), not against figures worked out here.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote

import pytest

from edge.services.identity import SellerProfile
from setledger.money import format_rupees
from tests.edge.conftest import make_bundle
from tests.edge.staff import MANAGER_ID, MANAGER_PIN
from tests.edge.test_carts_extras import decode_svg
from tests.edge.ui import PosBox, browse, serve
from tests.edge.ui.test_pos_flow import shot, sign_in_as_cashier, wedge_scan

VPA = "sharmastore@okaxis"
B2B_GSTIN = "29AABCR1718E1ZL"  # Karnataka: an inter-state sale from the box's Maharashtra


@pytest.fixture(scope="module")
def pos_box(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PosBox]:
    seller = SellerProfile(legal_name="Sharma General Store", upi_vpa=VPA)
    bundle = make_bundle().model_copy(update={"seller": seller})
    yield from serve(PosBox(tmp_path_factory.mktemp("posextras"), bundle))


@pytest.fixture
def page(chromium: Any, pos_box: PosBox) -> Iterator[Any]:
    yield from browse(chromium, pos_box.base_url, height=900, devices=False, no_errors=True)


def barcode(pos_box: PosBox, sku: str) -> str:
    return str(next(p for p in pos_box.bundle.catalog.products if p.sku == sku).barcodes[0])


def scan(page: Any, pos_box: PosBox, sku: str) -> None:
    wedge_scan(page, barcode(pos_box, sku))
    page.locator(f"tr[data-sku='{sku}']").wait_for()


def paise(text: str) -> int:
    return int(text.replace("₹", "").replace(",", "").replace(".", ""))


def db_rows(pos_box: PosBox, sql: str, *args: Any) -> list[tuple[Any, ...]]:
    with sqlite3.connect(f"file:{pos_box.settings.db_path}?mode=ro", uri=True) as db:
        return db.execute(sql, args).fetchall()


def recorded_sale(pos_box: PosBox, invoice_no: str) -> dict[str, Any]:
    with pos_box.client() as api:
        listed = api.get("/api/v1/sales", params={"invoice_no": invoice_no}).json()["sales"]
        assert [s["invoice_no"] for s in listed] == [invoice_no]
        sale: dict[str, Any] = api.get(f"/api/v1/sales/{listed[0]['sale_id']}").json()["sale"]
    return sale


def complete(page: Any) -> str:
    """F12 on the payment screen; the invoice number from "Sale done"."""
    page.keyboard.press("F12")
    page.get_by_test_id("done").wait_for()
    text: str = page.locator(".done p").first.inner_text()  # "Invoice <no> · ₹x"
    return text.split()[1]


def to_payment(page: Any) -> None:
    """F4, and wait until the payment screen has put the focus in its amount
    (typing before that would land in whatever had the focus)."""
    page.keyboard.press("F4")
    page.locator("[data-testid=amount]:focus").wait_for()


def pay_cash(page: Any) -> str:
    to_payment(page)
    return complete(page)


def test_hold_a_bill_sell_another_then_recall_it_and_pay(page: Any, pos_box: PosBox) -> None:
    sign_in_as_cashier(page)
    scan(page, pos_box, "ATTA-5KG")
    scan(page, pos_box, "MILK-1L")
    held_payable = page.get_by_test_id("payable").inner_text()
    page.keyboard.press("Shift+F7")
    page.locator("[data-screen=sell] .empty").wait_for()  # a new, empty bill
    held = db_rows(pos_box, "SELECT cart_id FROM cart WHERE status = 'held'")
    assert len(held) == 1

    scan(page, pos_box, "SALT-1KG")  # the next customer
    other = recorded_sale(pos_box, pay_cash(page))
    assert [x["sku"] for x in other["lines"]] == ["SALT-1KG"]
    page.get_by_test_id("next").click()
    page.locator("[data-screen=sell] .empty").wait_for()

    page.get_by_test_id("hold").click()  # on an empty bill: recall
    page.get_by_test_id("recall-dialog").wait_for()
    bills = page.get_by_test_id("held-bill")
    assert bills.count() == 1
    assert held_payable in bills.first.inner_text()
    assert "Asha (cashier)" in bills.first.inner_text()
    shot(page, "x1-recall-held-bill")
    page.keyboard.press("1")
    page.locator("tr[data-sku='ATTA-5KG']").wait_for()
    assert page.get_by_test_id("payable").inner_text() == held_payable
    sale = recorded_sale(pos_box, pay_cash(page))
    assert sorted(x["sku"] for x in sale["lines"]) == ["ATTA-5KG", "MILK-1L"]
    assert format_rupees(sale["totals"]["payable"]) == held_payable
    events = db_rows(
        pos_box, "SELECT kind FROM cart_hold WHERE cart_id = ? ORDER BY at", held[0][0]
    )
    assert events == [("hold",), ("recall",)]


def test_bill_discount_over_the_limit_takes_the_managers_pin(page: Any, pos_box: PosBox) -> None:
    limit_bp = pos_box.settings.discount_limit_bp
    percent_bp = limit_bp * 3 // 2  # above the limit on every line
    sign_in_as_cashier(page)
    scan(page, pos_box, "ATTA-5KG")
    scan(page, pos_box, "SURF-1KG")
    page.keyboard.press("Shift+F8")
    page.get_by_test_id("bill-discount-dialog").wait_for()
    amount = paise(
        page.locator("[data-testid=bill-discount-dialog] p").first.inner_text().split(": ")[1]
    )
    # "%" goes to the input: wait for its focus, then for the mode to switch (on a busy
    # machine the key could land before either, and the figure be taken as rupees).
    page.locator("[data-testid=bill-discount-input]:focus").wait_for()
    page.keyboard.press("%")
    page.locator("[data-testid=bill-discount-percent].chosen").wait_for()
    page.get_by_test_id("bill-discount-input").fill(f"{percent_bp / 100:g}")
    off = amount * percent_bp // 10_000
    assert format_rupees(off) in page.get_by_test_id("bill-discount-preview").inner_text()
    page.keyboard.press("Enter")
    page.get_by_test_id("pin-dots").wait_for()
    page.keyboard.type(MANAGER_PIN)
    page.keyboard.press("Enter")
    page.get_by_test_id("line-discount-shown").nth(1).wait_for()
    shot(page, "x2-bill-discount-approved")
    shown = page.get_by_test_id("payable").inner_text()

    sale = recorded_sale(pos_box, pay_cash(page))
    assert sum(x["discount"] for x in sale["lines"]) == off
    assert all(x["discount"] > 0 for x in sale["lines"])
    assert format_rupees(sale["totals"]["payable"]) == shown
    rows = db_rows(pos_box, "SELECT approved_by, amount FROM approval WHERE action = 'discount'")
    assert (str(MANAGER_ID), off) in rows


def test_b2b_customer_and_upi_qr_at_payment(page: Any, pos_box: PosBox) -> None:
    sign_in_as_cashier(page)
    scan(page, pos_box, "SURF-1KG")
    to_payment(page)
    payable = paise(page.get_by_test_id("tender-payable").inner_text())

    # UPI: the box's QR for the amount due, to the shop's VPA.
    page.keyboard.press("F2")
    img = page.get_by_test_id("upi-qr-img")
    img.wait_for()
    src = img.get_attribute("src")
    assert src.startswith("data:image/svg+xml")
    link = decode_svg(unquote(src.split(",", 1)[1]))
    assert link.startswith(f"upi://pay?pa={VPA}&pn=Sharma%20General%20Store&am=")
    assert f"&am={payable // 100}.{payable % 100:02d}&cu=INR&tn=BILL-" in link

    # The customer: a wrong GSTIN is refused in the box's words, then the right one.
    page.keyboard.press("F7")  # Business (GSTIN)
    page.get_by_test_id("customer-phone").fill("9876543210")
    page.get_by_test_id("customer-gstin").fill(B2B_GSTIN[:-1] + "M")
    error = page.get_by_test_id("gstin-error")
    error.wait_for()
    assert error.inner_text() == f"'{B2B_GSTIN[:-1]}M' is not a valid GSTIN."
    page.get_by_test_id("customer-gstin").fill(B2B_GSTIN.lower())
    page.get_by_test_id("gstin-ok").wait_for()
    page.get_by_test_id("customer-legal").fill("Rao Traders Pvt Ltd")
    page.get_by_test_id("reference").fill("UPI-REF-778899")
    shot(page, "x3-upi-qr-and-b2b-customer")
    sale = recorded_sale(pos_box, complete(page))
    assert sale["buyer"] == {
        "name": "Rao Traders Pvt Ltd",
        "phone": "9876543210",
        "gstin": B2B_GSTIN,
        "state": None,
    }
    assert (sale["place_of_supply"], sale["supply_kind"]) == ("29", "inter")
    assert [(x["kind"], x["reference"]) for x in sale["tenders"]] == [("upi", "UPI-REF-778899")]

    # The next bill finds the customer by phone.
    page.get_by_test_id("next").click()
    page.locator("[data-screen=sell] .empty").wait_for()  # the new bill is open
    scan(page, pos_box, "SALT-1KG")
    to_payment(page)
    page.get_by_test_id("customer-phone").fill("9876543210")
    page.get_by_test_id("customer-found").wait_for()
    assert page.get_by_test_id("customer-gstin").input_value() == B2B_GSTIN


FAKE_CAMERA = """(code) => {
  // A tablet's browser: BarcodeDetector that reads `code` off the camera, and a camera
  // (a canvas stream) the page can play.
  window.BarcodeDetector = class {
    static async getSupportedFormats() { return ["ean_13", "qr_code"]; }
    async detect(video) { return video.srcObject ? [{ rawValue: code }] : []; }
  };
  const canvas = document.createElement("canvas");
  canvas.getContext("2d").fillRect(0, 0, 10, 10);
  navigator.mediaDevices.getUserMedia = async () => canvas.captureStream(5);
}"""


def test_camera_scanning_where_the_browser_can_and_says_so_where_it_cannot(
    page: Any, pos_box: PosBox
) -> None:
    sign_in_as_cashier(page)
    # Debian's Chromium has no BarcodeDetector: the page says so and selling goes on.
    page.evaluate("() => { delete window.BarcodeDetector; }")
    page.get_by_test_id("camera").click()
    assert "cannot read barcodes" in page.get_by_test_id("camera-problem").inner_text()
    shot(page, "x4-camera-unsupported")
    page.keyboard.press("Escape")
    page.get_by_test_id("camera-dialog").wait_for(state="detached")

    page.evaluate(FAKE_CAMERA, barcode(pos_box, "MAGGI-70"))
    page.keyboard.press("Shift+F2")
    page.locator("tr[data-sku='MAGGI-70']").wait_for()
    page.get_by_test_id("camera-dialog").wait_for(state="detached")
    assert page.locator("tr[data-sku='MAGGI-70'] [data-testid=qty]").inner_text() == "1"

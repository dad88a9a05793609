"""The cashier's flow in the real browser: PIN sign-in, a keyboard-wedge scan,
a quantity change, cash with change, "Sale done"; then the sale is read back
from the box API and every figure the page showed is checked against it.

The expected figures are not worked out by hand: the box records the sale
(its kernel prices it), the test reads it back, formats it with the box's own
``format_rupees`` and compares with what the page showed. The scanned product
and the typed cash come from the provisioning fixture, so a pricing change
in the demo catalog does not break the test.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from edge.api.pos_ui import CSP
from edge.settings import DeviceConfig
from setledger.money import format_rupees
from tests.edge.conftest import make_bundle
from tests.edge.staff import CASHIER_PIN
from tests.edge.ui import ARTIFACTS, NO_DEVICES, PosBox, browse, serve

CASHIER_NAME = "Asha (cashier)"
SCANNER = "till-1"


@pytest.fixture(scope="module")
def pos_box(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PosBox]:
    scanner = DeviceConfig(name=SCANNER, transport="fake", layout="us")
    yield from serve(PosBox(tmp_path_factory.mktemp("posbox"), make_bundle(), [scanner]))


@pytest.fixture
def page(chromium: Any, pos_box: PosBox) -> Iterator[Any]:
    yield from browse(chromium, pos_box.base_url)


def shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


def wedge_scan(page: Any, code: str) -> None:
    """A USB scanner in keyboard mode: the code's keys in a fast burst, then Enter."""
    page.keyboard.type(code, delay=5)
    page.keyboard.press("Enter")


def scannable(pos_box: PosBox) -> Any:
    """A product of the fixture catalog with a barcode and a whole-unit price."""
    return next(p for p in pos_box.bundle.catalog.products if p.barcodes and not p.fractional_qty)


def sign_in_as_cashier(page: Any) -> None:
    page.goto("/pos/")
    page.get_by_test_id("staff").filter(has_text=CASHIER_NAME).click()
    page.get_by_test_id("pin-dots").wait_for()
    page.keyboard.type(CASHIER_PIN)  # the keypad also takes the keyboard's digits
    page.keyboard.press("Enter")
    page.locator("[data-screen=sell]").wait_for()


def test_cashier_sells_with_a_wedge_scan_and_cash_change(page: Any, pos_box: PosBox) -> None:
    product = scannable(pos_box)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    # A box without the devices route (older box, or devices off): the page must cope.
    page.route(NO_DEVICES, lambda route: route.fulfill(status=404, json={"error": {}}))

    page.goto("/pos/")
    page.get_by_test_id("staff").first.wait_for()
    names = page.get_by_test_id("staff").all_inner_texts()
    assert sorted(names) == sorted(m.display_name for m in pos_box.bundle.staff.members)  # type: ignore[union-attr]
    shot(page, "1-sign-in")
    page.get_by_test_id("staff").filter(has_text=CASHIER_NAME).click()
    for digit in CASHIER_PIN:  # touch: the on-screen keypad
        page.locator(".keys button", has_text=digit).click()
    assert page.get_by_test_id("pin-dots").inner_text() == "•" * len(CASHIER_PIN)
    shot(page, "2-pin")
    page.get_by_test_id("pin-enter").click()
    page.locator("[data-screen=sell]").wait_for()
    # No devices route: the page says it reads scans from the keyboard wedge.
    page.locator(".scanner", has_text="keyboard").wait_for()

    wedge_scan(page, str(product.barcodes[0]))
    row = page.locator(f"tr[data-sku='{product.sku}']")
    row.wait_for()
    assert product.name in row.inner_text()
    row.get_by_test_id("qty-plus").click()
    page.locator(f"tr[data-sku='{product.sku}'] [data-testid=qty]", has_text="2").wait_for()
    assert page.locator("tr[data-line]").count() == 1
    payable_shown = page.get_by_test_id("payable").inner_text()
    shot(page, "3-sell")

    page.keyboard.press("F4")
    page.locator("[data-screen=tender]").wait_for()
    assert page.get_by_test_id("tender-payable").inner_text() == payable_shown
    # The customer hands over the next ₹500 above the bill (parsed from the page).
    payable_paise = int(payable_shown.replace("₹", "").replace(",", "").replace(".", ""))
    cash = (payable_paise // 50000 + 1) * 50000
    page.get_by_test_id("amount").fill(f"{cash // 100}")
    assert page.get_by_test_id("change-preview").inner_text() == format_rupees(cash - payable_paise)
    shot(page, "4-tender")
    page.get_by_test_id("complete").click()
    done = page.get_by_test_id("done")
    done.wait_for()
    done_text = done.inner_text()
    shot(page, "5-done")

    with pos_box.client() as api:
        listed = api.get("/api/v1/sales").json()["sales"]
        assert len(listed) == 1
        sale = api.get(f"/api/v1/sales/{listed[0]['sale_id']}").json()["sale"]
        depth = api.get("/api/v1/box").json()["outbox_depth"]
    # No hub in this test: the sale waits in the box's outbox, and the header says so.
    assert depth >= 1
    page.locator(f"[data-testid=sync].sync-waiting[data-depth='{depth}']").wait_for()
    assert [(ln["product_id"], ln["qty"]) for ln in sale["lines"]] == [
        (str(product.product_id), 2000)
    ]
    assert [(t["kind"], t["amount"]) for t in sale["tenders"]] == [("cash", cash)]
    assert format_rupees(sale["totals"]["payable"]) == payable_shown
    assert sale["totals"]["change"] == cash - sale["totals"]["payable"]
    assert done_text == f"Sale done — change {format_rupees(sale['totals']['change'])}"
    assert sale["invoice_no"] in page.locator(".done p").inner_text()
    assert errors == []

    # Next customer: a fresh, empty bill.
    page.keyboard.press("Enter")
    page.locator("[data-screen=sell] .empty").wait_for()


def test_search_split_tender_and_hindi(page: Any, pos_box: PosBox) -> None:
    """Search by name, pay part by UPI (with its reference) and the rest in cash,
    in Hindi; the sale records both tenders."""
    product = scannable(pos_box)
    sign_in_as_cashier(page)
    page.keyboard.press("F10")
    page.locator("html[lang=hi]").wait_for()
    page.keyboard.press("F2")
    page.get_by_test_id("search").fill(product.name[:5])
    page.get_by_test_id("hit").filter(has_text=product.name).first.click()
    page.locator(f"tr[data-sku='{product.sku}']").wait_for()
    payable_shown = page.get_by_test_id("payable").inner_text()
    page.get_by_test_id("pay").click()
    page.locator("[data-screen=tender]").wait_for()
    payable_paise = int(payable_shown.replace("₹", "").replace(",", "").replace(".", ""))
    upi = payable_paise // 2
    page.get_by_test_id("kind-upi").click()
    page.get_by_test_id("amount").fill(f"{upi // 100}.{upi % 100:02d}")
    page.get_by_test_id("add-tender").click()
    assert "संदर्भ" in page.locator("[role=alert]").inner_text()  # a UPI payment needs its reference
    page.get_by_test_id("reference").fill("UPI-REF-123456")
    page.get_by_test_id("add-tender").click()
    assert page.get_by_test_id("due").inner_text() == format_rupees(payable_paise - upi)
    page.get_by_test_id("kind-cash").click()
    shot(page, "6-split-tender-hi")
    page.get_by_test_id("complete").click()  # empty amount: cash for what is still due
    page.get_by_test_id("done").wait_for()
    assert "बिक्री पूरी" in page.get_by_test_id("done").inner_text()
    shot(page, "7-done-hi")

    with pos_box.client() as api:
        newest = api.get("/api/v1/sales").json()["sales"][0]
        sale = api.get(f"/api/v1/sales/{newest['sale_id']}").json()["sale"]
    assert sorted((t["kind"], t["amount"], t.get("reference")) for t in sale["tenders"]) == [
        ("cash", payable_paise - upi, None),
        ("upi", upi, "UPI-REF-123456"),
    ]


def test_scan_from_the_box_scanner_driver(page: Any, pos_box: PosBox) -> None:
    """A scan read by the box's own scanner driver (a fake HID scanner fed
    kernel key events for the code, US layout) reaches the open bill through
    the devices event stream, once; the header says scans come from the box."""
    product = scannable(pos_box)
    sign_in_as_cashier(page)
    page.locator("[data-screen=sell] .empty").wait_for()
    page.locator(".scanner", has_text="box").wait_for()
    with pos_box.client() as api:
        injected = api.post(f"/api/v1/devices/{SCANNER}/scan", json={"text": product.barcodes[0]})
        assert injected.status_code == 202, injected.text
    row = page.locator(f"tr[data-sku='{product.sku}']")
    row.wait_for()
    page.wait_for_timeout(300)  # a second delivery of the scan would show by now
    assert row.get_by_test_id("qty").inner_text() == "1"
    assert page.locator("tr[data-line]").count() == 1


def test_sale_kept_on_the_device_until_the_box_answers(page: Any, pos_box: PosBox) -> None:
    """The box records the checkout but its answer is lost (Wi-Fi drops): the
    page keeps the sale in IndexedDB, survives a reload, warns before closing,
    and once answers get through the sale is confirmed: one sale on the box."""
    product = scannable(pos_box)
    with pos_box.client() as api:
        before = api.get("/api/v1/sales").json()["count"]
    reached_box: list[int] = []

    def answer_lost(route: Any) -> None:
        reached_box.append(route.fetch().status)  # the box gets it and answers...
        route.abort("internetdisconnected")  # ...but the page never sees the answer

    sign_in_as_cashier(page)
    wedge_scan(page, str(product.barcodes[0]))
    page.locator(f"tr[data-sku='{product.sku}']").wait_for()
    page.route("**/api/v1/carts/*/checkout", answer_lost)
    page.keyboard.press("F4")
    page.locator("[data-screen=tender]").wait_for()
    page.keyboard.press("F12")  # exact cash
    page.get_by_test_id("held").wait_for()
    shot(page, "8-held")
    page.get_by_test_id("undelivered").wait_for()
    warned = page.evaluate(
        "() => { const e = new Event('beforeunload', {cancelable: true});"
        " window.dispatchEvent(e); return e.defaultPrevented; }"
    )
    assert warned is True

    page.reload()
    page.locator("[data-screen=sell]").wait_for()  # the session survives the reload
    assert "1" in page.get_by_test_id("undelivered").inner_text()  # so does the sale
    page.unroute("**/api/v1/carts/*/checkout")
    page.get_by_test_id("undelivered").wait_for(state="detached", timeout=10000)

    assert reached_box[:1] == [201]  # recorded on the first try
    assert all(status in (200, 201) for status in reached_box)
    with pos_box.client() as api:
        page_of_sales = api.get("/api/v1/sales").json()
    assert page_of_sales["count"] == before + 1  # exactly once, however often it was sent
    assert (
        page.evaluate(
            "() => new Promise((ok) => { const r = indexedDB.open('setledger-pos');"
            " r.onsuccess = () => { const q = r.result.transaction('undelivered_sales')"
            ".objectStore('undelivered_sales').count(); q.onsuccess = () => ok(q.result); }; })"
        )
        == 0
    )


def test_app_shell_loads_from_the_service_worker_offline(page: Any) -> None:
    """A tablet that lost the store Wi-Fi still opens the POS (from the service
    worker's cache), says the box is unreachable, and carries on when it answers."""
    page.goto("/pos/")
    page.get_by_test_id("staff").first.wait_for()
    ready = page.evaluate(
        "() => Promise.race([navigator.serviceWorker.ready.then(() => true),"
        " new Promise((ok) => setTimeout(() => ok(false), 5000))])"
    )
    assert ready is True
    page.context.set_offline(True)
    try:
        page.reload()
        page.locator("[data-testid=sync].sync-down").wait_for()
        assert page.get_by_test_id("staff").count() == 0
    finally:
        page.context.set_offline(False)
    # The box answers again: the page picks up the roster by itself (no reload).
    page.get_by_test_id("staff").first.wait_for(timeout=10000)
    page.locator("[data-testid=sync]:not(.sync-down)").wait_for()


def test_pos_is_served_with_strict_headers(pos_box: PosBox) -> None:
    with httpx.Client(base_url=pos_box.base_url) as http:
        index = http.get("/pos/")
        assert index.status_code == 200
        assert index.headers["cache-control"] == "no-cache"
        assert index.headers["content-security-policy"] == CSP
        assert "<script>" not in index.text  # no inline script under script-src 'self'
        asset = next(p for p in index.text.split('"') if p.startswith("assets/"))
        hashed = http.get(f"/pos/{asset}")
        assert hashed.status_code == 200
        assert "immutable" in hashed.headers["cache-control"]
        worker = http.get("/pos/sw.js")
        assert worker.status_code == 200
        assert worker.headers["cache-control"] == "no-cache"
        assert asset in worker.text  # the worker caches this build's files
        missing = http.get("/pos/assets/nope-123.js")
        assert missing.status_code == 404
        assert missing.json()["error"]["code"] == "POS_UI_ASSET_NOT_FOUND"
        assert http.get("/pos/assets/..%2Fi18n%2Fen.json").status_code == 404
        assert http.get("/pos", follow_redirects=False).headers["location"] == "/pos/"


def test_pos_not_built_is_a_structured_error(tmp_path: Path) -> None:
    from fastapi import FastAPI
    from fastapi.testclient import TestClient

    from appkit.errors import install_error_handlers
    from edge.api.pos_ui import make_router

    app = FastAPI()
    install_error_handlers(app)
    app.include_router(make_router(tmp_path / "dist"))
    answer = TestClient(app).get("/pos/")
    assert answer.status_code == 503
    assert answer.json()["error"]["code"] == "POS_UI_NOT_BUILT"

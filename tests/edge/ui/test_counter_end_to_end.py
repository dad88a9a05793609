"""The whole counter, in real processes: Mosquitto, the hub API and an ingest
worker on PostgreSQL, a store box (``setledger box serve``) provisioned from
the hub with a fake HID scanner and a network receipt printer, and the kiosk
POS in Debian's Chromium.

The cashier's flow is driven as a cashier drives it: PIN sign-in, a scan read
by the box's scanner driver (fed kernel key events), a discount over the
box's limit with the manager's PIN, a split tender (UPI with its reference,
the rest in cash); then the receipt's ESC/POS bytes are read at a TCP 9100
printer emulator and decoded, the drawer kick is seen in them, and the sale
is found at the hub. Returns go the same way: the credit note printed, and
at the hub; and a shift closed short reaches the hub's books.

The tablet path: the box process is stopped mid-sale, the page reloads from
its service worker with the sale kept in IndexedDB, and when the box is back
the sale is delivered once, to the box and to the hub.

Expected figures come from what the box recorded (read back through its API),
never from the page; the receipt's lines are checked against them.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker

from edge.devices.printer.layout import rupees, two_columns
from hub.db.models import DeviceCursor, Sale, SaleReturn
from hub.db.shifts import ShiftClose
from hub.ledger import reports
from hub.ledger.sales import post_every_org
from ops import demo_data
from setledger import chart
from setledger.money import format_rupees
from tests.edge.devices.printer_emulator import PrinterEmulator, Slip, decode
from tests.edge.ui import ARTIFACTS, browse
from tests.processes import stop
from tests.replication.harness import Deployment, wait_for

SCANNER = "till-1"
PAPER_MM = 80
COLUMNS = 48  # an 80 mm roll in Font A
ATTA = demo_data.PRODUCTS[1]  # ₹285, 5% GST: a discount and a split are both worth making
ATTA_BARCODE = demo_data.barcode_of(2)


def shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"e2e-{name}.png"))


@pytest.fixture(scope="module")
def counter(
    tmp_path_factory: pytest.TempPathFactory,
    make_pg_database: Any,
    printer: PrinterEmulator,
) -> Iterator[Deployment]:
    """One shop on PostgreSQL, its box with a scanner and a 9100 printer."""
    root = tmp_path_factory.mktemp("counter")
    deployment = Deployment(root=root, database_url=make_pg_database(), gstin=demo_data.ORG_GSTIN)
    printer_config = (
        '{"transport": "network", "host": "127.0.0.1", '
        f'"port": {printer.port}, "paper_mm": {PAPER_MM}, "poll_s": 0.2}}'
    )
    devices = f'[{{"name": "{SCANNER}", "transport": "fake", "layout": "us"}}]'
    deployment.box_env = {"SETLEDGER_BOX_PRINTER": printer_config, "SETLEDGER_BOX_DEVICES": devices}
    try:
        yield deployment.up()
    finally:
        deployment.down()


@pytest.fixture
def page(chromium: Any, counter: Deployment) -> Iterator[Any]:
    page: Any
    for page in browse(chromium, counter.box_url, no_errors=True):
        page.set_default_timeout(8000)
        yield page


def member(counter: Deployment, role: str) -> tuple[str, str]:
    """(display name, PIN) of the demo's counter member with that role."""
    name, _, pin = next(m for m in demo_data.STAFF if m[1] == role)
    return name, pin


def sign_in(page: Any, counter: Deployment) -> None:
    name, pin = member(counter, "cashier")
    page.goto("/pos/")
    page.get_by_test_id("staff").filter(has_text=name).click()
    for digit in pin:  # the touch keypad
        page.locator(".keys button", has_text=digit).click()
    page.get_by_test_id("pin-enter").click()
    page.locator("[data-screen=sell]").wait_for()


def box_api(counter: Deployment) -> httpx.Client:
    return httpx.Client(base_url=counter.box_url, headers=counter.auth, timeout=10)


def printed(printer: PrinterEmulator, marker: str) -> Slip:
    """The next slip the printer received that shows ``marker``."""
    received = bytearray()

    def arrived() -> bool:
        received.extend(printer.take(settle_s=1.0))
        return marker in decode(bytes(received)).text

    wait_for(arrived, timeout=20, what=f"a slip showing {marker!r} at the printer")
    return decode(bytes(received))


def in_order(lines: list[str], expected: list[str]) -> bool:
    """Every expected line appears, in this order (other lines may come between)."""
    at = 0
    for want in expected:
        try:
            at = lines.index(want, at) + 1
        except ValueError:
            return False
    return True


def at_hub(counter: Deployment, model: Any, key: Any) -> list[Any]:
    assert counter.engine is not None
    with counter.engine.connect() as conn:
        return list(conn.execute(select(model).where(key)).all())


def test_cashier_flow_from_scanner_to_printer_to_hub(
    page: Any, counter: Deployment, printer: PrinterEmulator
) -> None:
    """Scan through the driver → 20% off with the manager's PIN → UPI + cash →
    the receipt at the 9100 printer with a drawer kick → the sale at the hub."""
    printer.take(settle_s=0)
    sign_in(page, counter)
    page.locator(".scanner", has_text="box").wait_for()  # scans come from the box's driver
    shot(page, "1-sell-empty")
    with box_api(counter) as box:
        injected = box.post(f"/api/v1/devices/{SCANNER}/scan", json={"text": ATTA_BARCODE})
        assert injected.status_code == 202, injected.text
    row = page.locator(f"tr[data-sku='{ATTA.sku}']")
    row.wait_for()
    assert row.get_by_test_id("qty").inner_text() == "1"

    # 20% off: twice the box's 10% limit, so the manager signs it off.
    page.keyboard.press("F8")
    page.get_by_test_id("discount-percent").click()
    page.get_by_test_id("discount-input").fill("20")
    page.keyboard.press("Enter")
    page.get_by_role("dialog").get_by_test_id("pin-dots").wait_for()
    manager_name, manager_pin = member(counter, "store_manager")
    assert manager_name in page.get_by_role("dialog").inner_text()
    shot(page, "2-manager-approval")
    page.keyboard.type(manager_pin)
    page.keyboard.press("Enter")
    row.get_by_test_id("line-discount-shown").wait_for()
    payable_shown = page.get_by_test_id("payable").inner_text()
    shot(page, "3-discounted")

    # Split: ₹100 by UPI with its reference, the rest in cash.
    page.keyboard.press("F4")
    page.locator("[data-screen=tender]").wait_for()
    page.get_by_test_id("kind-upi").click()
    page.get_by_test_id("amount").fill("100")
    page.get_by_test_id("reference").fill("UPI-E2E-0001")
    page.get_by_test_id("add-tender").click()
    page.get_by_test_id("kind-cash").click()
    shot(page, "4-split-tender")
    page.get_by_test_id("complete").click()
    page.get_by_test_id("done").wait_for()
    shot(page, "5-done")
    invoice_no = page.locator(".done p").inner_text().split()[1]

    with box_api(counter) as box:
        (listed,) = [
            s for s in box.get("/api/v1/sales").json()["sales"] if s["invoice_no"] == invoice_no
        ]
        sale = box.get(f"/api/v1/sales/{listed['sale_id']}").json()["sale"]
    (line,) = sale["lines"]
    gross = line["unit_price"] * line["qty"] // 1000
    assert line["discount"] == gross * 2000 // 10_000 > 0
    assert format_rupees(sale["totals"]["payable"]) == payable_shown
    assert sorted((t["kind"], t["amount"], t.get("reference")) for t in sale["tenders"]) == [
        ("cash", sale["totals"]["payable"] - 10_000, None),
        ("upi", 10_000, "UPI-E2E-0001"),
    ]

    slip = printed(printer, f"Invoice: {invoice_no}")
    assert slip.drawer_kicks == [0]  # a cash tender opens the drawer (pin 2), once
    assert slip.cuts == 1
    tenders = {t["kind"]: t["amount"] for t in sale["tenders"]}
    assert in_order(
        slip.lines,
        [
            "TAX INVOICE",
            f"Invoice: {invoice_no}",
            ATTA.name,
            two_columns(
                f"  1 {line['unit']} x {rupees(line['unit_price'])}",
                rupees(line["charged"]),
                COLUMNS,
            ),
            f"  discount {rupees(line['discount'])}",
            "GST summary",
            two_columns("TOTAL Rs.", rupees(sale["totals"]["payable"]), COLUMNS),
        ],
    ), slip.text
    assert two_columns("UPI", rupees(tenders["upi"]), COLUMNS) in slip.lines
    assert two_columns("Cash", rupees(tenders["cash"]), COLUMNS) in slip.lines
    assert "*** DUPLICATE ***" not in slip.lines
    (ARTIFACTS / "e2e-receipt.txt").write_text(slip.text + "\n")

    # The sale reaches the hub over MQTT, with the discount and both tenders.
    wait_for(
        lambda: at_hub(counter, Sale, Sale.sale_id == uuid.UUID(sale["sale_id"])),
        what="the sale at the hub",
    )
    (hub_sale,) = at_hub(counter, Sale, Sale.sale_id == uuid.UUID(sale["sale_id"]))
    assert (hub_sale.invoice_no, hub_sale.payable) == (invoice_no, sale["totals"]["payable"])
    page.locator("[data-testid=sync].sync-ok").wait_for(timeout=15000)  # the header agrees


def test_return_at_the_counter_reaches_the_hub(
    page: Any, counter: Deployment, printer: PrinterEmulator
) -> None:
    """A bill of 2 sold at the counter; one comes back on the returns screen with
    the manager's PIN; the credit note prints (drawer kick for the cash refund)
    and reaches the hub once."""
    sign_in(page, counter)
    with box_api(counter) as box:
        box.post(f"/api/v1/devices/{SCANNER}/scan", json={"text": ATTA_BARCODE}).raise_for_status()
    row = page.locator(f"tr[data-sku='{ATTA.sku}']")
    row.wait_for()
    row.get_by_test_id("qty-plus").click()
    page.locator(f"tr[data-sku='{ATTA.sku}'] [data-testid=qty]", has_text="2").wait_for()
    page.keyboard.press("F4")
    page.locator("[data-screen=tender]").wait_for()
    page.get_by_test_id("complete").click()  # exact cash
    page.get_by_test_id("done").wait_for()
    invoice_no = page.locator(".done p").inner_text().split()[1]
    printed(printer, f"Invoice: {invoice_no}")
    page.keyboard.press("Enter")
    page.locator("[data-screen=sell] .empty").wait_for()

    page.keyboard.press("F3")
    page.get_by_test_id("return-invoice").fill(invoice_no)
    page.keyboard.press("Enter")
    returned = page.locator("[data-testid=return-lines] tr[data-line='1']")
    returned.wait_for()
    returned.get_by_test_id("return-qty").fill("1")
    page.get_by_test_id("return-quote").click()
    page.get_by_test_id("return-payable").wait_for()
    shot(page, "6-return-quote")
    page.get_by_test_id("return-refund").click()
    page.get_by_test_id("pin-dots").wait_for()
    page.keyboard.type(member(counter, "store_manager")[1])
    page.keyboard.press("Enter")
    done = page.get_by_test_id("return-done")
    done.wait_for()
    shot(page, "7-return-done")
    return_id = uuid.UUID(done.get_attribute("data-return-id"))

    with box_api(counter) as box:
        note = box.get(f"/api/v1/returns/{return_id}").json()["note"]
    assert [(x["line_no"], x["qty"]) for x in note["lines"]] == [(1, 1000)]

    # The credit note prints, and the cash refund opens the drawer.
    slip = printed(printer, f"Note: {note['note_no']}")
    assert slip.drawer_kicks == [0]
    refund = note["totals"]["payable"]
    assert in_order(
        slip.lines,
        [
            "CREDIT NOTE",
            f"Note: {note['note_no']}",
            f"Against invoice: {invoice_no}",
            "Returned",
            ATTA.name,
            two_columns("REFUND Rs.", rupees(refund), COLUMNS),
            two_columns("Refund by Cash", rupees(refund), COLUMNS),
        ],
    ), slip.text
    assert slip.qr == [note["note_no"]]
    (ARTIFACTS / "e2e-credit-note.txt").write_text(slip.text + "\n")
    wait_for(
        lambda: at_hub(counter, SaleReturn, SaleReturn.return_id == return_id),
        what="the note at the hub",
    )
    (hub_note,) = at_hub(counter, SaleReturn, SaleReturn.return_id == return_id)
    assert (hub_note.note_no, hub_note.payable) == (note["note_no"], note["totals"]["payable"])


def test_shift_close_at_the_counter_is_posted_at_the_hub(
    page: Any, counter: Deployment, printer: PrinterEmulator
) -> None:
    """The cashier closes the shift ₹10 short of what the box expects (the
    sales and refund above); the manager's PIN; the Z prints (and a copy on
    F5); the Z report reaches the hub once and the shortage is posted."""
    sign_in(page, counter)
    page.get_by_test_id("shift").click()
    page.get_by_test_id("x-report").wait_for()
    expected = paise_of(page.get_by_test_id("x-expected").inner_text())
    assert expected > 0
    assert expected % 100 == 0  # whole rupees: the box rounds bills to ₹1
    shot(page, "11-x-report")
    page.keyboard.press("F4")
    page.get_by_test_id("counted").wait_for()
    rupees_counted = expected // 100 - 10
    pieces = {50000: rupees_counted // 500, 100: rupees_counted % 500}
    for paise, n in pieces.items():
        page.locator(f"[data-testid=counted] tr[data-paise='{paise}'] input").fill(str(n))
    assert page.get_by_test_id("close-difference").inner_text() == format_rupees(-1000)
    page.get_by_test_id("shift-close-confirm").click()
    page.get_by_role("dialog").get_by_test_id("pin-dots").wait_for()
    page.keyboard.type(member(counter, "store_manager")[1])
    page.keyboard.press("Enter")
    z = page.get_by_test_id("z-report")
    z.wait_for()
    shot(page, "12-z-report")
    z_no = z.get_attribute("data-z")
    # The Z prints at the close, for the cash bag; F5 prints a copy.
    slip = printed(printer, f"Z REPORT {z_no}")
    assert two_columns("SHORT", "-10.00", COLUMNS) in slip.lines
    assert two_columns("Cash expected", rupees(expected), COLUMNS) in slip.lines
    (ARTIFACTS / "e2e-z-report.txt").write_text(slip.text + "\n")
    page.keyboard.press("F5")
    page.get_by_test_id("z-printed").wait_for()
    assert "*** DUPLICATE ***" in printed(printer, "*** DUPLICATE ***").lines

    wait_for(lambda: at_hub(counter, ShiftClose, ShiftClose.z_no == z_no), what="the Z at the hub")
    (closed,) = at_hub(counter, ShiftClose, ShiftClose.z_no == z_no)
    assert (closed.expected_cash, closed.counted_total, closed.over_short) == (
        expected,
        expected - 1000,
        -1000,
    )
    assert counter.engine is not None
    sessions = sessionmaker(counter.engine)
    wait_for(counter.drained, what="the box's outbox drained")
    post_every_org(sessions, counter.org["org_id"])
    with sessions() as session:
        books = reports.trial_balance(session, uuid.UUID(counter.org["uuid"]))
    balances = {b.code: b.balance for b in books}
    assert balances[chart.CASH_SHORT] == 1000
    assert sum(b.balance for b in books) == 0  # the books balance to the paisa


def paise_of(shown: str) -> int:
    """ "₹1,234.50" (or "-₹10.00") as paise."""
    digits = shown.replace("₹", "").replace(",", "").replace(".", "").replace("−", "-")
    return int(digits)


def test_tablet_keeps_the_sale_while_the_box_is_stopped(
    page: Any, counter: Deployment, printer: PrinterEmulator
) -> None:
    """The box process stops between building the bill and paying it. The page
    keeps the sale in IndexedDB, reloads from its service worker with the sale
    still there, and delivers it when the box is back: one sale at the box and
    one at the hub."""
    sign_in(page, counter)
    ready = page.evaluate(
        "() => Promise.race([navigator.serviceWorker.ready.then(() => true),"
        " new Promise((ok) => setTimeout(() => ok(false), 5000))])"
    )
    assert ready is True  # the app shell is cached: the tablet can reload with the box down
    page.keyboard.type(ATTA_BARCODE, delay=5)  # this tablet's own keyboard-wedge scanner
    page.keyboard.press("Enter")
    page.locator(f"tr[data-sku='{ATTA.sku}']").wait_for()
    page.keyboard.press("F4")
    page.locator("[data-screen=tender]").wait_for()
    with box_api(counter) as box:
        sales_before = box.get("/api/v1/sales", params={"limit": 1}).json()["count"]
    assert counter.box is not None
    stop(counter.box)  # the box goes away mid-sale (power, Wi-Fi, a restart)

    page.get_by_test_id("complete").click()
    page.get_by_test_id("held").wait_for()
    page.get_by_test_id("undelivered").wait_for()
    shot(page, "8-held-box-down")
    page.reload()  # the tablet's browser reloads: the shell comes from the service worker
    page.get_by_test_id("undelivered").wait_for()
    assert "1" in page.get_by_test_id("undelivered").inner_text()
    page.locator("[data-testid=sync].sync-down").wait_for()
    assert "not answering" in page.get_by_test_id("signin-empty").inner_text()
    shot(page, "9-reloaded-box-down")

    counter.start_box()  # the box is back, on the same port
    page.get_by_test_id("undelivered").wait_for(state="detached", timeout=20000)
    shot(page, "10-delivered")
    kept = page.evaluate(
        "() => new Promise((ok) => { const r = indexedDB.open('setledger-pos');"
        " r.onsuccess = () => { const q = r.result.transaction('undelivered_sales')"
        ".objectStore('undelivered_sales').count(); q.onsuccess = () => ok(q.result); }; })"
    )
    assert kept == 0
    with box_api(counter) as box:
        page_of_sales = box.get("/api/v1/sales", params={"limit": 1}).json()
    assert page_of_sales["count"] == sales_before + 1  # delivered exactly once
    newest = page_of_sales["sales"][0]
    invoice_no = newest["invoice_no"]
    printed(printer, f"Invoice: {invoice_no}")  # and printed once the box was back

    sale_id = uuid.UUID(newest["sale_id"])
    wait_for(
        lambda: counter.drained() and at_hub(counter, Sale, Sale.sale_id == sale_id),
        what="the sale at the hub",
    )
    assert counter.engine is not None
    with counter.engine.connect() as conn:
        at_the_hub = conn.execute(select(func.count()).select_from(Sale)).scalar_one()
        cursor = conn.execute(
            select(DeviceCursor.contiguous_seq).where(DeviceCursor.stream == "sales")
        ).scalar_one()
    assert at_the_hub == cursor == sales_before + 1  # one row per sale, none twice

"""The console's purchasing pages.

One shop made through the JSON API: store A (Maharashtra) with a box, salt and
tea in the catalogue. Its box raises an urgent reorder of salt through the hub's
ingest (``reorder.urgent`` on the ``reorders`` stream).

- In Chromium, on PostgreSQL: an owner adds a supplier, makes a PO of 5 salt for
  store A, sends it (the PDF is downloaded), receives 2 then the other 3, sees on-hand
  at A go up by 5 on the stock page, records the supplier's bill (posted: the PO's
  status and the API agree), sends one packet back to the supplier (its debit note
  PDF downloads), and acknowledges the urgent reorder then marks it ordered on that
  PO (the API says so, audited).
- On SQLite, through the TestClient: every page renders; refused forms (a bad
  GSTIN, an unknown SKU, an over-receipt, "ordered" without a PO) are shown beside
  their field and change nothing; a receipt submitted twice records once; a rule,
  its suggestion and a draft PO made from it; a cashier gets 403 on every page and
  form and has no Purchasing link. Goods go back to the supplier from a PO's page
  (units and serial numbers; refusals beside their field, nothing changed; twice:
  once), and each return's debit note PDF reads right.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
from fastapi.testclient import TestClient
from playwright.sync_api import expect

from documents.invoice_pdf import money
from hub.ingest import apply_envelope
from setledger.contracts import UrgentReorder as UrgentReorderDocument
from tests.hub.accounts.smtp import SmtpServer
from tests.hub.console.support import (
    CSP_ERROR,
    ConsoleServer,
    Seeded,
    api_json,
    audited,
    counter_shop,
    shot,
    watch,
)
from tests.hub.console.test_products_pages import _cashier_token
from tests.hub.sales_factory import Till
from tests.hub.test_purchasing import pdf_text

API = "/api/v1"
U = 1000
GSTIN = "27AAPFU0939F1ZV"
"""A well-formed Maharashtra GSTIN (check character valid)."""


def _shop(server: ConsoleServer, api: httpx.Client, owner: Seeded) -> dict[str, Any]:
    made = counter_shop(api, owner.org_code, {"SALT-1": "Salt", "TEA-1": "Assam tea"})
    org_path, org, store, device = made.org_path, made.org, made.store, made.device
    salt, tea = made.products["SALT-1"], made.products["TEA-1"]
    till = Till(org, device, stream="reorders")
    reorder = UrgentReorderDocument(
        reorder_id=uuid.uuid4(),
        store_id=uuid.UUID(store["store_id"]),
        device_id=uuid.UUID(device["device_id"]),
        product_id=uuid.UUID(salt["product_id"]),
        sku="SALT-1",
        qty=24 * U,
        on_hand_seen=-1 * U,
        note="sold out by noon",
        raised_by=None,
        raised_by_code="ORG-U-2",
        raised_at=datetime.now(UTC),
    )
    envelope = till.seal(reorder, key=str(reorder.reorder_id))
    outcome = apply_envelope(
        server.runtime.sessions, envelope, datetime.now(UTC), metrics=server.runtime.ingest_metrics
    )
    assert outcome.outcome == "applied"
    return {
        "org_path": org_path,
        "A": store["store_id"],
        "SALT": salt["product_id"],
        "TEA": tea["product_id"],
        "reorder": str(reorder.reorder_id),
    }


def _on_hand(api: httpx.Client, org_path: str, location: str, product: str) -> int:
    body = api_json(api.get(f"{org_path}/stock/on-hand", params={"location_id": location}))
    levels = body["locations"][0]["levels"] if body["locations"] else []
    return sum(qty for product_id, _, qty, _, _ in levels if product_id == product)


def _phone(api: Any, org_path: str) -> str:
    """A serial-tracked product (each unit its own serial number)."""
    made = api_json(
        api.post(
            f"{org_path}/products",
            json={"sku": "PHONE-1", "name": "Redmi 13", "hsn": "8517", "gst_rate_bp": 1800,
                  "price": 1_200_000, "serial_tracked": True},
        ),
        201,
    )  # fmt: skip
    return str(made["product_id"])


def _sent_po(
    api: Any, org_path: str, location: str, lines: list[tuple[str, int, int]],
    gstin: str | None = None,
) -> dict[str, Any]:  # fmt: skip
    """A PO to a new supplier, Deccan (Maharashtra), for (product, qty, unit cost) lines,
    sent (through the API)."""
    supplier = {"name": "Deccan", "state_code": "27", **({"gstin": gstin} if gstin else {})}
    made = api_json(api.post(f"{org_path}/suppliers", json=supplier), 201)
    body = {"supplier_id": made["supplier_id"], "location_id": location,
            "lines": [{"product_id": p, "qty": q, "unit_cost": c} for p, q, c in lines]}  # fmt: skip
    po: dict[str, Any] = api_json(api.post(f"{org_path}/purchase-orders", json=body), 201)
    assert api.post(f"{org_path}/purchase-orders/{po['po_id']}/send").status_code == 200
    return po


# In Chromium, on PostgreSQL ---------------------------------------------------------------


def test_owner_orders_receives_bills_and_answers_an_urgent_reorder_in_chromium(
    pg_console: ConsoleServer, chromium: Any
) -> None:
    server = pg_console
    owner = server.seed_owner()
    api = httpx.Client(base_url=server.base_url, cookies={"setledger_session": owner.token})
    shop = _shop(server, api, owner)
    org_path = shop["org_path"]
    context = chromium.new_context(base_url=server.base_url, accept_downloads=True)
    context.add_cookies([server.cookie(owner.token)])
    page = context.new_page()
    errors = watch(page)

    # A supplier, from the Purchasing link.
    page.goto(server.url("/console/"))
    page.click("nav a[href='/console/purchasing']")
    expect(page.locator("h1")).to_have_text("Purchase orders")
    page.click("#nav-suppliers")
    page.fill("#name", "Deccan Salt Co")
    page.select_option("#state_code", "27")
    page.fill("#gstin", GSTIN)
    page.fill("#phone", "9820012345")
    page.click("#add-supplier-button")
    expect(page.locator(".notice")).to_have_text("Supplier added.")
    expect(page.locator("#suppliers tr[data-name='Deccan Salt Co']")).to_contain_text(GSTIN)

    # A PO of 5 salt for store A at ₹20.50.
    page.click("#nav-orders")
    page.click("#new-po")
    page.select_option("#supplier_id", label="Deccan Salt Co (27)")
    page.select_option("#location_id", shop["A"])
    page.fill("#sku_1", "salt-1")
    page.fill("#qty_1", "5")
    page.fill("#cost_1", "20.50")
    page.click("#make-po")
    expect(page.locator("#status")).to_have_text("draft")
    po_id = page.url.split("/orders/")[1].split("?")[0]
    number = page.locator("h1").inner_text().split(" · ")[0]
    assert number == "PO-00001"
    assert page.locator("#po-value").get_attribute("data-paise") == str(5 * 2050)
    shot(page, "purchasing-draft")

    # Send: the PDF comes down; the order is sent.
    with page.expect_download() as download:
        page.click("#send-button")
    assert download.value.suggested_filename == f"{number}.pdf"
    with open(download.value.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    page.reload()
    expect(page.locator("#status")).to_have_text("sent")

    # Receive 2, then the other 3; on-hand at A goes up by 5.
    before = _on_hand(api, org_path, shop["A"], shop["SALT"])
    page.fill("#qty_1", "2")
    page.click("#receive-button")
    expect(page.locator(".notice")).to_have_text("Receipt recorded.")
    expect(page.locator("#status")).to_have_text("partially received")
    expect(page.locator("#lines tr[data-line='1'] td.outstanding")).to_have_text("3")
    page.fill("#qty_1", "3")
    page.click("#receive-button")
    expect(page.locator("#status")).to_have_text("received")
    expect(page.locator("#receipts tbody tr")).to_have_count(2)
    assert _on_hand(api, org_path, shop["A"], shop["SALT"]) == before + 5 * U
    page.goto(server.url(f"/console/stock/locations/{shop['A']}"))
    salt_row = page.locator(f"#on-hand tr[data-product='{shop['SALT']}']")
    assert salt_row.locator("td.qty").first.get_attribute("data-milli") == str(before + 5 * U)
    shot(page, "purchasing-stock-after")

    # The supplier's bill, posted.
    page.goto(server.url(f"/console/purchasing/orders/{po_id}"))
    page.fill("#bill_no", "DSC/889")
    page.click("#bill-button")
    expect(page.locator(".notice")).to_have_text("Supplier bill recorded and posted to the books.")
    expect(page.locator("#bills tr[data-bill-no='DSC/889']")).to_be_visible()
    expect(page.locator("#bill")).to_have_count(0)
    po = api_json(api.get(f"{org_path}/purchase-orders/{po_id}"))
    assert po["status"] == "received"
    assert [(b["bill_no"], b["received_value"]) for b in po["bills"]] == [("DSC/889", 5 * 2050)]
    shot(page, "purchasing-received-billed")

    # One packet goes back to the supplier after the bill: a debit note, its PDF downloads.
    page.fill("#back_1", "1")
    page.fill("#return_reason", "Packet torn")
    page.click("#return-button")
    expect(page.locator(".notice")).to_contain_text("Return recorded")
    sent_back = page.locator("#returns tr[data-number='DN-PO-00001-1']")
    expect(sent_back.locator(".debit-note")).to_contain_text("posted")
    with page.expect_download() as download:
        sent_back.locator(".debit-note-pdf").click()
    assert download.value.suggested_filename == "DN-PO-00001-1.pdf"
    with open(download.value.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    assert _on_hand(api, org_path, shop["A"], shop["SALT"]) == before + 4 * U

    # The box's urgent reorder: acknowledged, then ordered on that PO (picked).
    page.click("#nav-urgent")
    row = page.locator(f"#urgent tr[data-reorder='{shop['reorder']}']")
    expect(row.locator(".status")).to_have_text("open")
    steps = page.locator(f"tr[data-steps-for='{shop['reorder']}']")
    steps.locator(".acknowledge-button").click()
    expect(page.locator(".notice")).to_have_text("Urgent reorder acknowledged.")
    expect(row.locator(".status")).to_have_text("acknowledged")
    steps.locator(".po-picked").select_option(number)
    steps.locator(".ordered-button").click()
    expect(page.locator(".notice")).to_have_text("Urgent reorder marked ordered.")
    expect(row.locator(".po-reference")).to_have_text(number)
    expect(steps).to_have_count(0)
    found = api_json(api.get(f"{org_path}/urgent-reorders/{shop['reorder']}"))
    assert (found["status"], found["po_reference"]) == ("ordered", number)
    assert len(audited(server, owner.org_code, "stock.urgent_reorder.ordered", shop["reorder"]))
    assert not [e for e in errors if CSP_ERROR.search(e)], errors
    shot(page, "purchasing-urgent")
    context.close()
    api.close()


# Server-side, on SQLite --------------------------------------------------------------------


CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
HIDDEN = re.compile(r'name="(receipt_id|po_id|bill_id|return_id)" value="([^"]+)"')


def _hidden(text: str) -> dict[str, str]:
    return dict(HIDDEN.findall(text))


def test_every_page_renders_and_refused_forms_change_nothing_on_sqlite(
    console_mail: SmtpServer, tmp_path: Any
) -> None:
    server = ConsoleServer(
        f"sqlite:///{tmp_path / 'hub.db'}", console_mail.port, console_mail.mailbox
    )
    with TestClient(server.app, base_url=server.base_url) as client:
        owner = server.seed_owner()
        client.cookies.set("setledger_session", owner.token)
        shop = _shop(server, client, owner)
        org_path = shop["org_path"]
        found = CSRF.search(client.get("/console/purchasing").text)
        assert found is not None
        token = found.group(1)

        def post(path: str, **data: str) -> httpx.Response:
            sent: httpx.Response = client.post(
                path, data={"csrf_token": token, **data}, follow_redirects=False
            )
            return sent

        # Suppliers: a bad GSTIN beside its field, nothing added; then a good one.
        bad = post("/console/purchasing/suppliers", name="Deccan", state_code="27",
                   gstin="27AAPFU0939F1ZX")  # fmt: skip
        assert bad.status_code == 422
        assert 'id="gstin-error"' in bad.text
        assert api_json(client.get(f"{org_path}/suppliers")) == []
        assert post("/console/purchasing/suppliers", name="Deccan", state_code="27",
                    gstin=GSTIN).status_code == 303  # fmt: skip
        supplier = api_json(client.get(f"{org_path}/suppliers"))[0]["supplier_id"]
        # Without the token: refused before anything runs.
        assert client.post("/console/purchasing/suppliers",
                           data={"name": "X", "state_code": "27"}).status_code == 403  # fmt: skip

        # A new PO: an unknown SKU refused beside its row; then made, once for two submits.
        new = client.get("/console/purchasing/orders/new").text
        po_form = {"supplier_id": supplier, "location_id": shop["A"],
                   "po_id": _hidden(new)["po_id"], "qty_1": "5", "cost_1": "20"}  # fmt: skip
        bad = post("/console/purchasing/orders", **po_form, sku_1="NOPE")
        assert bad.status_code == 422
        assert 'id="sku_1-error"' in bad.text
        assert api_json(client.get(f"{org_path}/purchase-orders")) == []
        made = [post("/console/purchasing/orders", **po_form, sku_1="SALT-1") for _ in range(2)]
        assert [m.status_code for m in made] == [303, 303]
        assert made[0].headers["location"] == made[1].headers["location"]
        po_page = made[0].headers["location"].split("?")[0]
        po_id = po_page.rsplit("/", 1)[1]
        assert len(api_json(client.get(f"{org_path}/purchase-orders"))) == 1

        sent = post(f"{po_page}/send")
        assert sent.status_code == 200
        assert sent.headers["content-type"] == "application/pdf"
        assert sent.content.startswith(b"%PDF-")
        # Two submits of one receipt: received once. Over-receiving: refused, nothing changed.
        receipt = _hidden(client.get(po_page).text)["receipt_id"]
        for _ in range(2):
            assert post(f"{po_page}/receive", receipt_id=receipt, qty_1="2").status_code == 303
        over = post(f"{po_page}/receive", receipt_id=str(uuid.uuid4()), qty_1="3.001")
        assert over.status_code == 409
        assert 'id="qty_1-error"' in over.text
        po = api_json(client.get(f"{org_path}/purchase-orders/{po_id}"))
        assert (po["status"], po["lines"][0]["received"], len(po["receipts"])) == (
            "partially_received",
            2 * U,
            1,
        )
        assert _on_hand(client, org_path, shop["A"], shop["SALT"]) == 2 * U
        closed = post(f"{po_page}/close", reason="")
        assert closed.status_code == 422
        assert 'id="reason-error"' in closed.text
        bill_id = _hidden(client.get(po_page).text)["bill_id"]
        billed = post(f"{po_page}/bill", bill_id=bill_id, bill_no="B-1", bill_date="2026-11-24")
        assert billed.status_code == 303
        assert post(f"{po_page}/close", reason="rest not coming").status_code == 303
        po = api_json(client.get(f"{org_path}/purchase-orders/{po_id}"))
        assert (po["status"], [b["bill_no"] for b in po["bills"]]) == ("closed", ["B-1"])
        assert post(f"{po_page}/cancel").status_code == 409

        # Urgent: "ordered" needs a PO; refused, nothing changed; then acknowledged.
        urgent = f"/console/purchasing/urgent/{shop['reorder']}"
        refused = post(f"{urgent}/ordered", store=shop["A"])
        assert refused.status_code == 422
        assert f'id="po-{shop["reorder"]}-error"' in refused.text
        assert api_json(client.get(f"{org_path}/urgent-reorders/{shop['reorder']}"))["steps"] == []
        assert post(f"{urgent}/acknowledge", store=shop["A"]).status_code == 303

        # Reorder: a rule for tea (none on hand), its suggestion, a draft PO from it.
        rules = f"/console/purchasing/reorder/{shop['A']}/rules"
        bad = post(rules, sku="TEA-1", min_qty="10", max_qty="4")
        assert bad.status_code == 422
        assert 'id="max_qty-error"' in bad.text
        assert api_json(client.get(f"{org_path}/reorder-rules")) == []
        assert post(rules, sku="tea-1", min_qty="4", max_qty="12", pack_qty="6").status_code == 303
        shown = client.get("/console/purchasing/reorder", params={"location": shop["A"]}).text
        assert 'class="due"' in shown
        assert 'data-milli="12000"' in shown
        drafted = post(f"/console/purchasing/reorder/{shop['A']}/draft", supplier_id=supplier,
                       po_id=_hidden(shown)["po_id"])  # fmt: skip
        assert drafted.status_code == 303
        draft_id = drafted.headers["location"].split("/orders/")[1].split("?")[0]
        draft = api_json(client.get(f"{org_path}/purchase-orders/{draft_id}"))
        # The counter's urgent salt is on the draft too, and is answered by it.
        assert draft["status"] == "draft"
        assert {x["product_id"]: x["qty"] for x in draft["lines"]} == {
            shop["TEA"]: 12 * U,
            shop["SALT"]: 24 * U,
        }
        answered = api_json(client.get(f"{org_path}/urgent-reorders/{shop['reorder']}"))
        assert (answered["status"], answered["po_reference"]) == ("ordered", draft["number"])
        assert post(f"{urgent}/acknowledge").status_code == 409

        pages = (
            "/console/purchasing",
            "/console/purchasing?status=closed",
            "/console/purchasing/suppliers",
            "/console/purchasing/orders/new",
            po_page,
            f"/console/purchasing/orders/{draft_id}",
            "/console/purchasing/reorder",
            f"/console/purchasing/reorder?location={shop['A']}&sku=TEA-1",
            "/console/purchasing/urgent",
            f"/console/purchasing/urgent?store={shop['A']}",
        )
        for path in pages:
            response = client.get(path)
            assert response.status_code == 200, (path, response.text[:500])
        assert client.get(f"{po_page}/pdf").content.startswith(b"%PDF-")
        assert client.get(f"/console/purchasing/orders/{uuid.uuid4()}").status_code == 404

        # A cashier: no link, 403 on every page and form.
        client.cookies.set("setledger_session", _cashier_token(server, owner.token))
        home = client.get("/console/")
        assert home.status_code == 200
        assert "/console/purchasing" not in home.text
        for path in pages:
            assert client.get(path).status_code == 403, path
        cashier_token = CSRF.search(home.text)
        assert cashier_token is not None
        assert client.post(f"{po_page}/send", data={"csrf_token": cashier_token.group(1)}
                           ).status_code == 403  # fmt: skip


def test_serial_numbered_goods_are_received_unit_by_unit_on_sqlite(
    console_mail: SmtpServer, tmp_path: Any
) -> None:
    """A phone is received by its units' serial numbers (one per line of the box), not
    by a quantity; serials typed twice, already in stock, or more units than outstanding
    are refused beside the line's serials, and change nothing."""
    server = ConsoleServer(
        f"sqlite:///{tmp_path / 'hub.db'}", console_mail.port, console_mail.mailbox
    )
    with TestClient(server.app, base_url=server.base_url) as client:
        owner = server.seed_owner()
        client.cookies.set("setledger_session", owner.token)
        shop = _shop(server, client, owner)
        org_path = shop["org_path"]
        phone = _phone(client, org_path)
        po = _sent_po(client, org_path, shop["A"], [(phone, 3 * U, 900_000)])
        po_page = f"/console/purchasing/orders/{po['po_id']}"
        shown = client.get(po_page).text
        assert '<textarea id="serials_1" name="serials_1"' in shown
        assert 'id="qty_1"' not in shown
        token = CSRF.search(shown).group(1)  # type: ignore[union-attr]

        def receive(serials: str) -> httpx.Response:
            receipt = _hidden(client.get(po_page).text)["receipt_id"]
            sent: httpx.Response = client.post(
                f"{po_page}/receive",
                data={"csrf_token": token, "receipt_id": receipt, "serials_1": serials},
                follow_redirects=False,
            )
            return sent

        def received() -> int:
            got: int = api_json(client.get(f"{org_path}/purchase-orders/{po['po_id']}"))["lines"][
                0
            ]["received"]
            return got

        twice = receive("IMEI-1\r\nIMEI-1")
        assert twice.status_code == 422
        assert 'id="serials_1-error"' in twice.text
        assert "IMEI-1 is typed twice" in twice.text
        assert received() == 0

        assert receive("IMEI-1\r\n IMEI-2 \r\n").status_code == 303
        assert received() == 2 * U
        assert _on_hand(client, org_path, shop["A"], phone) == 2 * U
        unit = api_json(client.get(f"{org_path}/stock/serials/IMEI-2"))
        assert unit, "the unit is known by its serial number"

        again = receive("IMEI-2")
        assert again.status_code in (409, 422)
        assert 'id="serials_1-error"' in again.text
        over = receive("IMEI-3, IMEI-4")
        assert over.status_code == 409
        assert 'id="serials_1-error"' in over.text
        assert received() == 2 * U
        assert _on_hand(client, org_path, shop["A"], phone) == 2 * U


def test_an_accountant_records_the_bill_with_its_round_off_on_sqlite(
    console_mail: SmtpServer, tmp_path: Any
) -> None:
    """Booking the supplier's bill is the accountant's work (``purchasing.bill``), though
    they cannot order or receive goods; the bill's round-off to the rupee is typed in
    rupees, one of a rupee or more is refused beside its field and nothing is billed."""
    server = ConsoleServer(
        f"sqlite:///{tmp_path / 'hub.db'}", console_mail.port, console_mail.mailbox
    )
    with TestClient(server.app, base_url=server.base_url) as client:
        owner = server.seed_owner()
        client.cookies.set("setledger_session", owner.token)
        shop = _shop(server, client, owner)
        org_path = shop["org_path"]
        po = _sent_po(client, org_path, shop["A"], [(shop["SALT"], 5 * U, 2013)])
        base = f"{org_path}/purchase-orders/{po['po_id']}"
        receipt = {"receipt_id": str(uuid.uuid4()), "lines": [{"line_no": 1, "qty": 5 * U}]}
        api_json(client.post(f"{base}/receipts", json=receipt))

        client.cookies.set("setledger_session", _cashier_token(server, owner.token, "accountant"))
        po_page = f"/console/purchasing/orders/{po['po_id']}"
        shown = client.get(po_page).text
        assert 'id="bill"' in shown
        assert 'id="receive"' not in shown  # receiving goods is not theirs
        token = CSRF.search(shown).group(1)  # type: ignore[union-attr]
        bill = {"csrf_token": token, "bill_id": _hidden(shown)["bill_id"], "bill_no": "D/77",
                "bill_date": "2026-11-24"}  # fmt: skip
        refused = client.post(f"{po_page}/bill", data={**bill, "round_off": "1.00"})
        assert refused.status_code == 422
        assert 'id="round_off-error"' in refused.text
        assert api_json(client.get(base))["bills"] == []
        done = client.post(f"{po_page}/bill", data={**bill, "round_off": "0.31"},
                           follow_redirects=False)  # fmt: skip
        assert done.status_code == 303
        (billed,) = api_json(client.get(base))["bills"]
        assert (billed["round_off"], billed["payable"]) == (31, 10600)
        receive = client.post(f"{po_page}/receive",
                              data={"csrf_token": token, "receipt_id": str(uuid.uuid4()),
                                    "qty_1": "1"})  # fmt: skip
        assert receive.status_code == 403


def test_goods_go_back_to_the_supplier_from_the_po_page_with_a_debit_note_on_sqlite(
    console_mail: SmtpServer, tmp_path: Any
) -> None:
    """5 salt and 2 phones (by serial) received. A return without a reason, of more salt
    than came, or of a phone that never came is refused beside its field and changes
    nothing; 1 salt goes back before the bill (sent twice: once; no debit note), then
    after the bill 1 salt and the phone IMEI-2 (a debit note, CGST + SGST). The page
    lists both returns; each debit note PDF carries its number, the supplier's GSTIN
    and the total."""
    server = ConsoleServer(
        f"sqlite:///{tmp_path / 'hub.db'}", console_mail.port, console_mail.mailbox
    )
    with TestClient(server.app, base_url=server.base_url) as client:
        owner = server.seed_owner()
        client.cookies.set("setledger_session", owner.token)
        shop = _shop(server, client, owner)
        org_path = shop["org_path"]
        phone = _phone(client, org_path)
        po = _sent_po(client, org_path, shop["A"],
                      [(shop["SALT"], 5 * U, 2000), (phone, 2 * U, 900_000)], gstin=GSTIN)  # fmt: skip
        po_id, po_path = po["po_id"], f"{org_path}/purchase-orders/{po['po_id']}"
        po_page = f"/console/purchasing/orders/{po_id}"
        shown = client.get(po_page).text
        assert 'id="return"' not in shown  # nothing received: nothing to send back
        token = CSRF.search(shown).group(1)  # type: ignore[union-attr]

        def post(path: str, **data: str) -> httpx.Response:
            sent: httpx.Response = client.post(
                path, data={"csrf_token": token, **data}, follow_redirects=False
            )
            return sent

        receipt = _hidden(shown)["receipt_id"]
        assert post(f"{po_page}/receive", receipt_id=receipt, qty_1="5",
                    serials_2="IMEI-1\r\nIMEI-2").status_code == 303  # fmt: skip
        shown = client.get(po_page).text
        assert '<textarea id="back_serials_2" name="back_serials_2"' in shown
        assert 'id="back_1"' in shown
        assert 'id="back_2"' not in shown

        def state() -> tuple[Any, ...]:
            got = api_json(client.get(po_path))
            return (
                [x["returned"] for x in got["lines"]], len(got["returns"]),
                _on_hand(client, org_path, shop["A"], shop["SALT"]),
                _on_hand(client, org_path, shop["A"], phone),
            )  # fmt: skip

        before = state()
        assert before == ([0, 0], 0, 5 * U, 2 * U)
        return_id = _hidden(shown)["return_id"]
        no_reason = post(f"{po_page}/return", return_id=return_id, back_1="1", return_reason="")
        assert no_reason.status_code == 422
        assert 'id="return_reason-error"' in no_reason.text
        too_many = post(f"{po_page}/return", return_id=return_id, back_1="6", return_reason="x")
        assert too_many.status_code == 409
        assert 'id="back_1-error"' in too_many.text
        stranger = post(f"{po_page}/return", return_id=return_id, back_serials_2="IMEI-9",
                        return_reason="faulty")  # fmt: skip
        assert stranger.status_code == 422
        assert 'id="back_serials_2-error"' in stranger.text
        nothing = post(f"{po_page}/return", return_id=return_id, return_reason="faulty")
        assert nothing.status_code == 422
        assert 'id="back_1-error"' in nothing.text
        assert state() == before

        # 1 salt before the bill, the form sent twice: returned once, no debit note.
        for _ in range(2):
            sent = post(f"{po_page}/return", return_id=return_id, back_1="1",
                        return_reason="packet torn")  # fmt: skip
            assert sent.status_code == 303
        assert state() == ([1 * U, 0], 1, 4 * U, 2 * U)
        assert "Return recorded" in client.get(sent.headers["location"]).text

        bill_id = _hidden(client.get(po_page).text)["bill_id"]
        assert post(f"{po_page}/bill", bill_id=bill_id, bill_no="B-1",
                    bill_date="2026-11-24").status_code == 303  # fmt: skip
        # After the bill: 1 salt and the phone IMEI-2, on a debit note.
        later = _hidden(client.get(po_page).text)["return_id"]
        assert later != return_id
        assert post(f"{po_page}/return", return_id=later, back_1="1", back_serials_2="IMEI-2",
                    return_reason="faulty").status_code == 303  # fmt: skip
        assert state() == ([2 * U, 1 * U], 2, 3 * U, 1 * U)
        made = api_json(client.get(po_path))["returns"]
        assert [(r["billed_value"] > 0, r["payable"] > 0) for r in made] == [
            (False, False),
            (True, True),
        ]
        # 1 salt at ₹20 + 5%, a phone at ₹9,000 + 18%: intra-state, CGST + SGST.
        assert made[1]["payable"] == 2000 + 100 + 900_000 + 162_000

        page = client.get(po_page).text
        for number, found in (("DN-PO-00001-1", made[0]), ("DN-PO-00001-2", made[1])):
            assert f'data-number="{number}"' in page
            assert f'/returns/{found["return_id"]}/pdf"' in page
        assert "IMEI-2" in page

        first = client.get(f"{po_page}/returns/{made[0]['return_id']}/pdf")
        assert first.headers["content-type"] == "application/pdf"
        assert first.content.startswith(b"%PDF-")
        text = pdf_text(first.content)
        for expected in ("Debit Note", "DN-PO-00001-1", GSTIN, "not yet billed", "packet torn",
                         money(2000)):  # fmt: skip
            assert expected in text, (expected, text)
        second = client.get(f"{po_path}/returns/{made[1]['return_id']}/pdf")
        assert second.status_code == 200
        assert second.headers["content-disposition"] == 'inline; filename="DN-PO-00001-2.pdf"'
        text = pdf_text(second.content)
        for expected in ("DN-PO-00001-2", GSTIN, "B-1", "CGST", "SGST", "IMEI-2", "8517",
                         money(made[1]["payable"])):  # fmt: skip
            assert expected in text, (expected, text)
        assert "IGST" not in text
        elsewhere = client.get(f"{po_path}/returns/{uuid.uuid4()}/pdf")
        assert elsewhere.status_code == 404
        assert client.get(f"{po_page}/returns/{uuid.uuid4()}/pdf").status_code == 404

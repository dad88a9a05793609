"""The console's stock pages.

One shop, made through the JSON API and a box's real sale through ingest: store
A and a warehouse receive salt and batches of tea (one expired, one expiring in
10 days, one good for months), a B2B order reserves 3 of A's 5 salt, and A's box,
offline, sells 4 salt and 2 soap it never had. That opens a reservation
conflict (short 2: the order and the sale) and a negative-stock exception
(soap). The posting run then books the stock at cost.

- In Chromium, on PostgreSQL: an owner reads every location's figures (the
  API's own), finds the tea by SKU, sees its batches with the expired and the
  expiring one marked, sees the valuation equal to the books' 1400, resolves
  the conflict by a transfer from the warehouse through the form and sees it
  resolved (the audit record is there, the moves page shows who did what); a
  cashier gets the 403 page.
- On SQLite, through the TestClient: every page renders; a bad quantity is
  refused beside its field and changes nothing; the soap is resolved by an
  adjustment; the valuation method is changed (audited); a cashier gets 403
  on every page and on the forms.
"""

from __future__ import annotations

import html
import re
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import expect

from hub.clock import utcnow
from hub.console import stock as stock_pages
from hub.ingest import apply_envelope
from hub.ledger.sales import post_every_org
from setledger import fiscal
from setledger.money import format_quantity, format_rupees
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
from tests.hub.sales_factory import Item, Till

API = "/api/v1"
U = 1000
PAGES = (
    "/console/stock",
    "/console/stock/locations/{A}",
    "/console/stock/products/{TEA}",
    "/console/stock/locations/{A}/products/{SALT}",
    "/console/stock/valuation",
    "/console/stock/exceptions",
    "/console/stock/exceptions/{conflict}",
)


def _shop(server: ConsoleServer, api: httpx.Client, owner: Seeded) -> dict[str, Any]:
    """The shop of the module docstring; ids by name."""
    made = counter_shop(api, owner.org_code,
                        {"SALT-1": "Salt", "SOAP-1": "Soap", "TEA-1": "Assam tea"})  # fmt: skip
    org_path, org, store, device = made.org_path, made.org, made.store, made.device
    salt, soap, tea = (made.products[sku] for sku in ("SALT-1", "SOAP-1", "TEA-1"))
    stock = f"{org_path}/stock"
    warehouse = api_json(
        api.post(f"{stock}/locations", json={"code": "WH", "name": "Bhiwandi"}), 201
    )
    today = fiscal.business_date(utcnow())
    lots = {
        name: api_json(
            api.post(
                f"{stock}/lots",
                json={"product_id": tea["product_id"], "batch_no": name,
                      "expiry": (today + timedelta(days=days)).isoformat()},
            ),
            201,
        )["lot_id"]
        for name, days in (("T-OLD", -3), ("T-SOON", 10), ("T-LATE", 200))
    }  # fmt: skip
    a, wh = store["store_id"], warehouse["location_id"]
    receipts = [
        (a, "GRN-1", [(salt, 5, 2000, None), (tea, 2, 5000, "T-OLD"), (tea, 4, 5000, "T-SOON")]),
        (wh, "GRN-2", [(salt, 10, 2200, None), (tea, 6, 5500, "T-LATE")]),
    ]
    for location, reference, lines in receipts:
        body = {
            "location_id": location,
            "reference": reference,
            "lines": [
                {"product_id": p["product_id"], "qty": q * U, "unit_cost": cost,
                 "lot_id": lots[lot] if lot else None}
                for p, q, cost, lot in lines
            ],
        }  # fmt: skip
        api_json(api.post(f"{stock}/receipts", json=body), 201)
    order = {"location_id": a, "product_id": salt["product_id"], "qty": 3 * U,
             "source": "b2b_order", "reference": "SO-77"}  # fmt: skip
    api_json(api.post(f"{stock}/reservations", json=order), 201)
    till = Till(org, device)
    envelope = till.sell([Item(salt, qty=4 * U), Item(soap, qty=2 * U)], datetime.now(UTC))
    outcome = apply_envelope(
        server.runtime.sessions, envelope, datetime.now(UTC), metrics=server.runtime.ingest_metrics
    )
    assert outcome.outcome == "applied"
    post_every_org(server.runtime.sessions, owner.org_code)
    found = api_json(api.get(f"{stock}/exceptions", params={"location_id": a, "status": "open"}))
    kinds = {e["kind"]: e["exception_id"] for e in found}
    assert set(kinds) == {"reservation_conflict", "negative_stock"}
    return {
        "stock": stock,
        "org_path": org_path,
        "A": a,
        "WH": wh,
        "SALT": salt["product_id"],
        "SOAP": soap["product_id"],
        "TEA": tea["product_id"],
        "conflict": kinds["reservation_conflict"],
        "negative": kinds["negative_stock"],
    }


def _on_hand(api: httpx.Client, stock: str, location: str) -> dict[str, int]:
    """The API's on-hand at a location, per product over its lots."""
    body = api_json(api.get(f"{stock}/on-hand", params={"location_id": location}))
    totals: dict[str, int] = {}
    for product_id, _, qty, _, _ in body["locations"][0]["levels"]:
        totals[product_id] = totals.get(product_id, 0) + qty
    return totals


def _books_inventory(api: httpx.Client, org_path: str) -> int:
    accounts = api_json(api.get(f"{org_path}/ledger/trial-balance"))["accounts"]
    return next((a["balance"] for a in accounts if a["code"] == "1400"), 0)


# In Chromium, on PostgreSQL ---------------------------------------------------------------


def test_owner_reads_stock_and_resolves_a_conflict_in_chromium(
    pg_console: ConsoleServer, chromium: Any
) -> None:
    server = pg_console
    owner = server.seed_owner()
    api = httpx.Client(base_url=server.base_url, cookies={"setledger_session": owner.token})
    shop = _shop(server, api, owner)
    stock = shop["stock"]
    context = chromium.new_context(base_url=server.base_url)
    context.add_cookies([server.cookie(owner.token)])
    page = context.new_page()
    errors = watch(page)

    # Stock home from the navigation: each location's SKUs, units and value.
    page.goto(server.url("/console/"))
    page.click("nav a[href='/console/stock']")
    expect(page.locator("h1")).to_have_text("Stock")
    valuation = api_json(api.get(f"{stock}/valuation"))
    expect(page.locator("#method")).to_have_text(valuation["method"])
    for code, location in (("A", shop["A"]), ("WH", shop["WH"])):
        row = page.locator(f"#locations tr[data-code='{code}']")
        levels = _on_hand(api, stock, location)
        assert row.locator("td.qty").get_attribute("data-milli") == str(sum(levels.values()))
        assert row.locator("td.skus").inner_text() == str(sum(1 for q in levels.values() if q))
    cells = page.locator("#locations tr[data-code] td[data-paise]").all()
    values = [int(str(c.get_attribute("data-paise"))) for c in cells]
    assert sum(values) == valuation["total_value"]
    assert page.locator("#total-value").inner_text() == format_rupees(valuation["total_value"])
    shot(page, "stock-home")

    # Store A's on-hand: the API's figures, reserved and available, short rows marked.
    page.click("#locations tr[data-code='A'] a.location")
    expect(page.locator("#count")).to_contain_text("3 products")
    for product_id, qty in _on_hand(api, stock, shop["A"]).items():
        row = page.locator(f"#on-hand tr[data-product='{product_id}']")
        assert row.locator("td.qty").first.get_attribute("data-milli") == str(qty)
    salt_row = page.locator(f"#on-hand tr[data-product='{shop['SALT']}']")
    assert [c.get_attribute("data-milli") for c in salt_row.locator("td.qty").all()] == [
        str(1 * U),
        str(3 * U),
        str(-2 * U),
    ]
    expect(salt_row).to_have_class(re.compile("negative"))
    expect(page.locator(f"#on-hand tr[data-product='{shop['SOAP']}']")).to_have_class(
        re.compile("negative")
    )
    expect(page.locator(f"#on-hand tr[data-product='{shop['TEA']}']")).not_to_have_class(
        re.compile("negative")
    )
    shot(page, "stock-location")

    # Found by SKU; its batches, the expired and the expiring marked.
    page.fill("#q", "tea-1")
    page.click("#search")
    expect(page.locator("#on-hand tbody tr")).to_have_count(1)
    page.click("#on-hand tr[data-sku='TEA-1'] a.batches")
    expect(page.locator("h1")).to_have_text("TEA-1 · Assam tea")
    states = {
        str(r.get_attribute("data-batch")): str(r.get_attribute("data-state"))
        for r in page.locator("#batches tr.batch").all()
    }
    assert states == {"T-OLD": "expired", "T-SOON": "expiring", "T-LATE": "good"}
    expect(page.locator("#batches tr[data-batch='T-SOON'] mark.expiring")).to_have_text(
        "Expires in 10 days"
    )
    expect(page.locator("#batches tr[data-batch='T-OLD'] mark.expired")).to_contain_text(
        "3 days ago"
    )
    expect(page.locator("#batches tr[data-batch='T-LATE'] .where")).to_have_text(
        f"WH: {format_quantity(6 * U)}"
    )
    shot(page, "stock-batches")

    # Valuation: the org's total is the books' inventory (1400), as the API says.
    page.click("#nav-valuation")
    booked = _books_inventory(api, shop["org_path"])
    assert booked == valuation["total_value"] > 0
    assert page.locator("#valuation-total").get_attribute("data-paise") == str(booked)
    assert page.locator("#books-inventory").get_attribute("data-paise") == str(booked)
    expect(page.locator("#equal")).to_be_visible()
    tea = page.locator(f"#products tr[data-product='{shop['TEA']}']")
    assert tea.locator("td.fifo").get_attribute("data-paise") == str(2 * 5000 + 4 * 5000 + 6 * 5500)
    shot(page, "stock-valuation")

    # The conflict, both sides named; resolved by a transfer from the warehouse.
    page.click("#nav-exceptions")
    page.select_option("#location", shop["A"])
    page.click("#show")
    row = page.locator(f"#exceptions tr[data-exception='{shop['conflict']}']")
    expect(row.locator(".reservations")).to_contain_text("SO-77")
    expect(row.locator(".sales")).to_contain_text("Counter 1")
    row.locator("a.open-exception").click()
    expect(page.locator("#status")).to_have_text("open")
    page.select_option("#how", "transfer")
    page.fill("#qty", "2")
    page.select_option("#from_location_id", shop["WH"])
    page.fill("#note", "van from Bhiwandi")
    page.click("#resolve-button")
    expect(page.locator(".notice")).to_have_text("Resolution recorded.")
    expect(page.locator("#status")).to_have_text("resolved")
    expect(page.locator("#resolutions tr[data-how='transfer'] td.qty").first).to_have_text("2")
    expect(page.locator("#resolve")).to_have_count(0)
    resolved = api_json(api.get(f"{stock}/exceptions/{shop['conflict']}"))
    assert resolved["status"] == "resolved"
    assert resolved["now"] == {"on_hand": 3 * U, "reserved": 3 * U, "available": 0}
    records = audited(server, owner.org_code, "stock.exception.resolved", shop["conflict"])
    assert [(r.details["how"], r.details["qty"], r.actor) for r in records] == [
        ("transfer", 2 * U, resolved["resolutions"][0]["actor"])
    ]
    shot(page, "stock-exception-resolved")

    # The audit trail: the salt's moves at A, who made each and what for.
    page.click("#moves-link")
    # The click starts a navigation; wait for the moves page before reading its rows (`.all()` does not wait).
    expect(page.locator("#moves tbody tr")).to_have_count(3)
    reasons = [str(r.get_attribute("data-reason")) for r in page.locator("#moves tbody tr").all()]
    assert reasons == ["transfer_in", "sale", "receipt"]
    expect(page.locator("#on-hand")).to_have_text("3")
    transfer, sale, receipt = page.locator("#moves tbody tr").all()
    expect(receipt.locator(".reference")).to_have_text("GRN-1")
    expect(receipt.locator(".by")).to_have_text(records[0].actor)
    expect(sale.locator(".by")).to_have_text("Asha at Counter 1")
    expect(sale.locator(".reference")).to_contain_text("invoice ")
    expect(transfer.locator(".by")).to_have_text(records[0].actor)
    assert not [e for e in errors if CSP_ERROR.search(e)], errors
    shot(page, "stock-moves")

    # A cashier: no link, and the 403 page on every stock page.
    cashier_context = chromium.new_context(base_url=server.base_url)
    cashier_context.add_cookies([server.cookie(_cashier_token(server, owner.token))])
    cashier = cashier_context.new_page()
    for path in PAGES:
        response = cashier.goto(server.url(path.format(**shop)))
        assert response is not None
        assert response.status == 403, path
    expect(cashier.locator(".problem")).to_contain_text("cashier")
    expect(cashier.locator("nav a[href='/console/stock']")).to_have_count(0)
    cashier_context.close()
    context.close()
    api.close()


# Server-side, on SQLite --------------------------------------------------------------------


CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
SKU = re.compile(r'<tr data-sku="([^"]+)"')
NEXT = re.compile(r'<a href="([^"]+)" id="next">')
PREVIOUS = re.compile(r'<a href="([^"]+)" id="previous">')


def test_every_page_renders_and_the_forms_work_on_sqlite(
    console_mail: SmtpServer, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = ConsoleServer(
        f"sqlite:///{tmp_path / 'hub.db'}", console_mail.port, console_mail.mailbox
    )
    with TestClient(server.app, base_url=server.base_url) as client:
        owner = server.seed_owner()
        client.cookies.set("setledger_session", owner.token)
        shop = _shop(server, client, owner)
        for path in PAGES:
            response = client.get(path.format(**shop))
            assert response.status_code == 200, (path, response.text[:500])
        listed = client.get(f"/console/stock/locations/{shop['A']}", params={"negative": "1"}).text
        assert "SOAP-1" in listed
        assert "TEA-1" not in listed
        assert client.get(f"/console/stock/locations/{uuid.uuid4()}").status_code == 404

        # Paged by SKU, two a page: forward to the tea, back to the first two.
        monkeypatch.setattr(stock_pages, "PAGE_SIZE", 2)
        first = client.get(f"/console/stock/locations/{shop['A']}").text
        assert SKU.findall(first) == ["SALT-1", "SOAP-1"]
        following = NEXT.search(first)
        assert following is not None
        second = client.get(html.unescape(following.group(1))).text
        assert SKU.findall(second) == ["TEA-1"]
        assert NEXT.search(second) is None
        back = PREVIOUS.search(second)
        assert back is not None
        assert SKU.findall(client.get(html.unescape(back.group(1))).text) == ["SALT-1", "SOAP-1"]

        # A bad quantity: the problem beside the field, nothing changed.
        exception = f"/console/stock/exceptions/{shop['negative']}"
        token = CSRF.search(client.get(exception).text)
        assert token is not None
        form = {"csrf_token": token.group(1), "how": "adjustment", "qty": "2.0001", "note": "found"}
        refused = client.post(f"{exception}/resolve", data=form)
        assert refused.status_code == 422
        assert 'id="qty-error"' in refused.text
        assert (
            api_json(client.get(f"{shop['stock']}/exceptions/{shop['negative']}"))["resolutions"]
            == []
        )
        # Without the token: refused before anything runs.
        assert (
            client.post(f"{exception}/resolve", data={**form, "csrf_token": "x"}).status_code == 403
        )

        done = client.post(
            f"{exception}/resolve", data={**form, "qty": "2"}, follow_redirects=False
        )
        assert done.status_code == 303
        shown = client.get(done.headers["location"]).text
        assert "Resolution recorded." in shown
        assert 'data-status="resolved"' in shown
        assert audited(server, owner.org_code, "stock.exception.resolved", shop["negative"])

        # The method, changed as the API changes it (audited), shown on the page.
        changed = client.post(
            "/console/stock/valuation/method",
            data={"csrf_token": token.group(1), "method": "fifo"},
            follow_redirects=False,
        )
        assert changed.status_code == 303
        assert '<strong id="method">fifo</strong>' in client.get(changed.headers["location"]).text
        assert api_json(client.get(f"{shop['stock']}/valuation"))["method"] == "fifo"

        # A cashier: 403 everywhere, the forms included.
        client.cookies.set("setledger_session", _cashier_token(server, owner.token))
        for path in PAGES:
            assert client.get(path.format(**shop)).status_code == 403, path
        assert client.post(f"/console/stock/exceptions/{shop['conflict']}/resolve",
                           data={"how": "adjustment", "qty": "1"}).status_code == 403  # fmt: skip

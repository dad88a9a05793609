"""The console's stock transfers: ship from one location to another, receive.

One shop made through the JSON API: store A (no stock), a warehouse WH that
received 10 salt and 6 of tea batch T-1 (tea is kept by batch).

- In Chromium, on PostgreSQL: a store manager ships 3 salt from WH to A with
  the form; A's on-hand is unchanged and the 3 are in transit (the API says
  so) until the manager presses Receive; then A has 3 and WH 3 fewer, both
  steps in the audit chain under the manager's name.
- On SQLite, through the TestClient: an unknown SKU, a bad quantity, the same
  location twice and a batch-tracked line without its batch are refused
  beside their fields with nothing written; shipping more than the source
  holds is what the service allows (the source goes below zero, the page says
  so); a double submit ships once and a second Receive receives nothing more;
  no CSRF token is a 403; an accountant may look but not ship; a cashier gets
  403 everywhere.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

import httpx
from fastapi.testclient import TestClient
from playwright.sync_api import expect

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

U = 1000
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
TRANSFER_ID = re.compile(r'name="transfer_id" value="([^"]+)"')


def _shop(api: Any, owner: Seeded) -> dict[str, Any]:
    made = counter_shop(api, owner.org_code, {"SALT-1": "Salt"})
    stock = f"{made.org_path}/stock"
    tea = api_json(
        api.post(
            f"{made.org_path}/products",
            json={"sku": "TEA-1", "name": "Assam tea", "hsn": "0902", "gst_rate_bp": 500,
                  "price": 9000, "batch_tracked": True},
        ),
        201,
    )  # fmt: skip
    warehouse = api_json(
        api.post(f"{stock}/locations", json={"code": "WH", "name": "Bhiwandi"}), 201
    )
    lot = api_json(
        api.post(f"{stock}/lots", json={"product_id": tea["product_id"], "batch_no": "T-1"}), 201
    )
    salt = made.products["SALT-1"]
    body = {
        "location_id": warehouse["location_id"],
        "reference": "GRN-1",
        "lines": [
            {"product_id": salt["product_id"], "qty": 10 * U, "unit_cost": 2000},
            {"product_id": tea["product_id"], "qty": 6 * U, "unit_cost": 5000,
             "lot_id": lot["lot_id"]},
        ],
    }  # fmt: skip
    api_json(api.post(f"{stock}/receipts", json=body), 201)
    return {
        "stock": stock,
        "A": made.store["store_id"],
        "WH": warehouse["location_id"],
        "SALT": salt["product_id"],
        "TEA": tea["product_id"],
        "T1": lot["lot_id"],
    }


def _at(api: Any, shop: dict[str, Any], product: str, location: str) -> int:
    """The API's on-hand of a product at a location, over its lots."""
    levels = api_json(api.get(f"{shop['stock']}/products/{shop[product]}"))
    places = {shop["A"], shop["WH"]} if location == "transit" else {shop[location]}
    inside = location != "transit"
    return sum(level["qty"] for level in levels if (level["location_id"] in places) == inside)


# In Chromium, on PostgreSQL ---------------------------------------------------------------


def test_manager_ships_and_receives_a_transfer_in_chromium(
    pg_console: ConsoleServer, chromium: Any
) -> None:
    server = pg_console
    owner = server.seed_owner()
    api = httpx.Client(base_url=server.base_url, cookies={"setledger_session": owner.token})
    shop = _shop(api, owner)
    manager_token = _cashier_token(server, owner.token, "store_manager")
    manager = server.principal(manager_token)
    assert manager is not None
    context = chromium.new_context(base_url=server.base_url)
    context.add_cookies([server.cookie(manager_token)])
    page = context.new_page()
    errors = watch(page)

    page.goto(server.url("/console/stock"))
    page.click("#nav-transfers")
    expect(page.locator("h1")).to_have_text("Stock transfers")
    expect(page.locator("#transfers td.empty")).to_have_count(1)
    page.click("#new-transfer")
    page.select_option("#from_location_id", shop["WH"])
    page.select_option("#to_location_id", shop["A"])
    page.fill("#sku_1", "salt-1")
    page.fill("#qty_1", "3")
    page.fill("#note", "van to Andheri")
    shot(page, "stock-transfer-new")
    page.click("#ship")

    expect(page.locator(".notice")).to_contain_text("Transfer shipped")
    expect(page.locator("#status")).to_have_text("in transit")
    transfer_id = page.url.split("/")[-1].split("?")[0]
    row = page.locator(f"#lines tr[data-product='{shop['SALT']}']")
    assert [c.get_attribute("data-milli") for c in row.locator("td.qty").all()] == [
        str(3 * U), "0", str(3 * U), str(7 * U)
    ]  # fmt: skip
    read = api_json(api.get(f"{shop['stock']}/transfers/{transfer_id}"))
    assert [(x["shipped"], x["received"]) for x in read["lines"]] == [(3 * U, 0)]
    assert _at(api, shop, "SALT", "A") == 0
    assert _at(api, shop, "SALT", "WH") == 7 * U
    assert _at(api, shop, "SALT", "transit") == 3 * U
    shot(page, "stock-transfer-shipped")

    # The list shows it in transit; its page receives it.
    page.click("#nav-transfers")
    listed = page.locator(f"#transfers tr[data-transfer='{transfer_id}']")
    expect(listed).to_have_attribute("data-status", "in_transit")
    expect(listed.locator(".from")).to_have_text("WH")
    expect(listed.locator(".to")).to_have_text("A")
    expect(listed.locator(".lines")).to_have_text("SALT-1 × 3")
    listed.locator("a.open-transfer").click()
    page.click("#receive-button")
    expect(page.locator(".notice")).to_contain_text("Transfer received")
    expect(page.locator("#status")).to_have_text("received")
    expect(page.locator("#receive")).to_have_count(0)
    expect(page.locator("dd.received")).to_contain_text(manager.user_code)
    assert _at(api, shop, "SALT", "A") == 3 * U
    assert _at(api, shop, "SALT", "WH") == 7 * U
    assert _at(api, shop, "SALT", "transit") == 0
    read = api_json(api.get(f"{shop['stock']}/transfers/{transfer_id}"))
    assert [(x["shipped"], x["received"]) for x in read["lines"]] == [(3 * U, 3 * U)]
    shipped = audited(server, owner.org_code, "stock.transfer.shipped", transfer_id)
    received = audited(server, owner.org_code, "stock.transfer.received", transfer_id)
    assert [(r.actor, r.details["lines"][0]["shipped"]) for r in shipped] == [
        (manager.user_code, 3 * U)
    ]
    assert [(r.actor, r.details["lines"][0]["received"]) for r in received] == [
        (manager.user_code, 3 * U)
    ]
    page.click("#nav-transfers")
    expect(page.locator(f"#transfers tr[data-transfer='{transfer_id}']")).to_have_attribute(
        "data-status", "received"
    )
    assert not [e for e in errors if CSP_ERROR.search(e)], errors
    shot(page, "stock-transfer-received")
    context.close()
    api.close()


# Server-side, on SQLite --------------------------------------------------------------------


def _form(client: TestClient) -> dict[str, str]:
    """A fresh new-transfer form's hidden fields (token and the transfer id it made)."""
    text = client.get("/console/stock/transfers/new").text
    token, made = CSRF.search(text), TRANSFER_ID.search(text)
    assert token is not None
    assert made is not None
    return {"csrf_token": token.group(1), "transfer_id": made.group(1)}


def _count(client: TestClient) -> int:
    return client.get("/console/stock/transfers").text.count("<tr data-transfer=")


def test_refusals_double_submits_and_roles_on_sqlite(
    console_mail: SmtpServer, tmp_path: Any
) -> None:
    server = ConsoleServer(
        f"sqlite:///{tmp_path / 'hub.db'}", console_mail.port, console_mail.mailbox
    )
    with TestClient(server.app, base_url=server.base_url) as client:
        owner = server.seed_owner()
        client.cookies.set("setledger_session", owner.token)
        shop = _shop(client, owner)
        route = {"from_location_id": shop["WH"], "to_location_id": shop["A"]}

        refusals = [
            ({"sku_1": "NOPE-9", "qty_1": "1"}, "sku_1", "No product of yours has this SKU."),
            ({"sku_1": "SALT-1", "qty_1": "1.0001"}, "qty_1", "at most 3 decimals"),
            ({"sku_1": "SALT-1", "qty_1": "0"}, "qty_1", "More than 0."),
            ({"sku_1": "TEA-1", "qty_1": "1"}, "batch_1", "kept by batch"),
            ({"sku_1": "TEA-1", "qty_1": "1", "batch_1": "T-9"}, "batch_1", "No batch"),
            ({}, "sku_1", "Ship at least one product."),
            ({"to_location_id": shop["WH"], "sku_1": "SALT-1", "qty_1": "1"},
             "to_location_id", "not from"),
        ]  # fmt: skip
        for fields, field, said in refusals:
            refused = client.post(
                "/console/stock/transfers", data={**_form(client), **route, **fields}
            )
            assert refused.status_code == 422, (fields, refused.text[:300])
            error = re.search(
                rf'<p class="field-error" id="{field}-error">([^<]*)</p>', refused.text
            )
            assert error is not None, (fields, refused.text[-3000:])
            assert said in error.group(1), fields
            assert f'value="{fields.get("sku_1", "")}"' in refused.text  # kept for correcting
        assert _count(client) == 0
        assert _at(client, shop, "SALT", "WH") == 10 * U

        # Without the token: refused before anything runs.
        assert (
            client.post(
                "/console/stock/transfers",
                data={**_form(client), **route, "sku_1": "SALT-1", "qty_1": "1", "csrf_token": "x"},
            ).status_code
            == 403
        )

        # A double submit ships once; the batch named, the tea's lot moves.
        form = {**_form(client), **route, "sku_1": "SALT-1", "qty_1": "2", "sku_2": "tea-1",
                "qty_2": "1.5", "batch_2": "t-1"}  # fmt: skip
        first = client.post("/console/stock/transfers", data=form, follow_redirects=False)
        again = client.post("/console/stock/transfers", data=form, follow_redirects=False)
        assert first.status_code == again.status_code == 303
        assert first.headers["location"] == again.headers["location"]
        assert _count(client) == 1
        assert _at(client, shop, "SALT", "WH") == 8 * U
        transfer_id = form["transfer_id"]
        read = api_json(client.get(f"{shop['stock']}/transfers/{transfer_id}"))
        assert sorted(
            (x["product_id"], x["lot_id"], x["shipped"]) for x in read["lines"]
        ) == sorted([(shop["SALT"], None, 2 * U), (shop["TEA"], shop["T1"], 1500)])
        assert len(audited(server, owner.org_code, "stock.transfer.shipped", transfer_id)) == 1
        shown = client.get(first.headers["location"]).text
        assert 'data-status="in_transit"' in shown
        assert 'id="below-zero"' not in shown

        # Receive pressed twice: received once.
        token = CSRF.search(shown)
        assert token is not None
        receive = f"/console/stock/transfers/{transfer_id}/receive"
        for _ in range(2):
            done = client.post(receive, data={"csrf_token": token.group(1)}, follow_redirects=False)
            assert done.status_code == 303
        assert _at(client, shop, "SALT", "A") == 2 * U
        assert _at(client, shop, "TEA", "A") == 1500
        assert len(audited(server, owner.org_code, "stock.transfer.received", transfer_id)) == 1
        assert 'id="receive-button"' not in client.get(done.headers["location"]).text

        # More than the warehouse holds: the service ships it, the source goes below zero.
        over = {**_form(client), **route, "sku_1": "SALT-1", "qty_1": "20"}
        shipped = client.post("/console/stock/transfers", data=over)
        assert shipped.status_code == 200
        assert 'id="below-zero"' in shipped.text
        assert _at(client, shop, "SALT", "WH") == -12 * U
        assert _count(client) == 2
        listed = client.get("/console/stock/transfers", params={"location": shop["A"]}).text
        assert listed.count("<tr data-transfer=") == 2
        assert client.get(f"/console/stock/transfers/{shop['A']}").status_code == 404

        # An accountant looks but may not ship or receive.
        client.cookies.set("setledger_session", _cashier_token(server, owner.token, "accountant"))
        looked = client.get("/console/stock/transfers")
        assert looked.status_code == 200
        assert 'id="new-transfer"' not in looked.text
        assert client.get("/console/stock/transfers/new").status_code == 403
        own = CSRF.search(looked.text)
        assert own is not None
        assert client.post(receive, data={"csrf_token": own.group(1)}).status_code == 403
        assert client.post("/console/stock/transfers", data={**over, "csrf_token": own.group(1),
                           "transfer_id": str(uuid.uuid4())}).status_code == 403  # fmt: skip
        # A cashier: 403 everywhere, the forms included.
        client.cookies.set("setledger_session", _cashier_token(server, owner.token))
        for path in ("", "/new", f"/{transfer_id}"):
            assert client.get(f"/console/stock/transfers{path}").status_code == 403, path
        assert client.post(receive, data={}).status_code == 403

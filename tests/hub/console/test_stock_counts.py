"""Counting and adjusting stock from a product's moves page in the console.

Store A receives 10 salt (and a batch of tea) through the JSON API.

- In Chromium, on PostgreSQL: a store manager counts 7 salt on the shelf (on hand
  becomes 7, the count is listed and audited), then writes off 2 as damaged (on hand
  5, the adjustment in the moves with its reason and who made it); the API agrees.
- On SQLite, through the TestClient: a bad count, a zero change and a change without
  a reason are refused beside their field and change nothing; one count form sent
  twice records one count; a batch-kept product has no forms (lot by lot through
  the API) and its forms are refused; a cashier gets 403.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import httpx
from fastapi.testclient import TestClient
from playwright.sync_api import expect

from hub.clock import utcnow
from setledger import fiscal
from tests.hub.accounts.smtp import SmtpServer
from tests.hub.console.support import (
    CSP_ERROR,
    ConsoleServer,
    Seeded,
    api_json,
    audited,
    counter_shop,
    shot,
)
from tests.hub.console.support import watch as watch_errors
from tests.hub.console.test_products_pages import _cashier_token

U = 1000
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
HIDDEN = re.compile(r'name="(count_id|request_id)" value="([^"]+)"')


def _shop(api: httpx.Client, owner: Seeded) -> dict[str, str]:
    made = counter_shop(api, owner.org_code, {"SALT-1": "Salt"})
    stock = f"{made.org_path}/stock"
    tea = api_json(
        api.post(f"{made.org_path}/products",
                 json={"sku": "TEA-1", "name": "Assam tea", "hsn": "0902", "gst_rate_bp": 500,
                       "price": 14500, "batch_tracked": True}),
        201,
    )  # fmt: skip
    expiry = (fiscal.business_date(utcnow()) + timedelta(days=90)).isoformat()
    lot = api_json(
        api.post(f"{stock}/lots", json={"product_id": tea["product_id"], "batch_no": "T1",
                                        "expiry": expiry}),
        201,
    )["lot_id"]  # fmt: skip
    a, salt = made.store["store_id"], made.products["SALT-1"]["product_id"]
    lines = [
        {"product_id": salt, "qty": 10 * U, "unit_cost": 2000},
        {"product_id": tea["product_id"], "qty": 4 * U, "unit_cost": 9000, "lot_id": lot},
    ]
    api_json(api.post(f"{stock}/receipts", json={"location_id": a, "lines": lines}), 201)  # fmt: skip
    return {"stock": stock, "A": a, "SALT": salt, "TEA": tea["product_id"]}


def _on_hand(api: httpx.Client, stock: str, location: str, product: str) -> int:
    levels = api_json(api.get(f"{stock}/products/{product}"))
    return sum(x["qty"] for x in levels if x["location_id"] == location)


def test_a_manager_counts_and_writes_off_in_chromium(
    pg_console: ConsoleServer, chromium: Any
) -> None:
    server = pg_console
    owner = server.seed_owner()
    api = httpx.Client(base_url=server.base_url, cookies={"setledger_session": owner.token})
    shop = _shop(api, owner)
    manager = _cashier_token(server, owner.token, "store_manager")
    context = chromium.new_context(base_url=server.base_url)
    context.add_cookies([server.cookie(manager)])
    page = context.new_page()
    errors = watch_errors(page)
    page.goto(server.url(f"/console/stock/locations/{shop['A']}/products/{shop['SALT']}"))
    expect(page.locator("#on-hand")).to_have_text("10")

    page.fill("#counted", "7")
    page.fill("#count_note", "evening count")
    page.click("#count-button")
    expect(page.locator(".notice")).to_have_text("Count recorded.")
    expect(page.locator("#on-hand")).to_have_text("7")
    expect(page.locator("#counts tbody tr")).to_have_count(1)
    expect(page.locator("#counts tbody tr").first).to_contain_text("evening count")
    assert _on_hand(api, shop["stock"], shop["A"], shop["SALT"]) == 7 * U
    assert len(audited(server, owner.org_code, "stock.counted", shop["A"])) == 1

    page.fill("#change", "-2")
    page.fill("#reason", "damaged in the rain")
    page.click("#adjust-button")
    expect(page.locator(".notice")).to_have_text("Adjustment recorded.")
    expect(page.locator("#on-hand")).to_have_text("5")
    newest = page.locator("#moves tbody tr").first
    expect(newest).to_have_attribute("data-reason", "adjustment")
    expect(newest.locator("td.qty")).to_have_attribute("data-milli", str(-2 * U))
    assert _on_hand(api, shop["stock"], shop["A"], shop["SALT"]) == 5 * U
    (record,) = audited(server, owner.org_code, "stock.adjusted", shop["A"])
    assert record.details["reason"] == "damaged in the rain"
    shot(page, "stock-count-adjust")
    assert not [e for e in errors if CSP_ERROR.search(e)], errors


def test_refused_forms_change_nothing_on_sqlite(console_mail: SmtpServer, tmp_path: Any) -> None:
    server = ConsoleServer(
        f"sqlite:///{tmp_path / 'hub.db'}", console_mail.port, console_mail.mailbox
    )
    with TestClient(server.app, base_url=server.base_url) as client:
        owner = server.seed_owner()
        client.cookies.set("setledger_session", owner.token)
        shop = _shop(client, owner)
        salt_page = f"/console/stock/locations/{shop['A']}/products/{shop['SALT']}"
        shown = client.get(salt_page).text
        token = CSRF.search(shown).group(1)  # type: ignore[union-attr]
        ids = dict(HIDDEN.findall(shown))

        def post(action: str, **data: str) -> httpx.Response:
            sent: httpx.Response = client.post(f"{salt_page}/{action}",
                                               data={"csrf_token": token, **data},
                                               follow_redirects=False)  # fmt: skip
            return sent

        def salt() -> int:
            return _on_hand(client, shop["stock"], shop["A"], shop["SALT"])

        for action, data, field in (
            ("count", {"count_id": ids["count_id"], "counted": "-1"}, "counted"),
            ("count", {"count_id": ids["count_id"], "counted": "2.0001"}, "counted"),
            ("adjust", {"request_id": ids["request_id"], "change": "0", "reason": "x"}, "change"),
            ("adjust", {"request_id": ids["request_id"], "change": "-1", "reason": ""}, "reason"),
        ):
            refused = post(action, **data)
            assert refused.status_code == 422, (action, data)
            assert f'id="{field}-error"' in refused.text, (action, data)
        assert salt() == 10 * U

        # One count form sent twice: one count.
        for _ in range(2):
            assert post("count", count_id=ids["count_id"], counted="8").status_code == 303
        assert salt() == 8 * U
        assert len(audited(server, owner.org_code, "stock.counted", shop["A"])) == 1
        assert (
            post("adjust", request_id=ids["request_id"], change="+1", reason="found").status_code
            == 303
        )
        assert (
            post("adjust", request_id=ids["request_id"], change="+1", reason="found").status_code
            == 303
        )
        assert salt() == 9 * U

        # Kept by batch: no forms, and the forms refuse.
        tea_page = f"/console/stock/locations/{shop['A']}/products/{shop['TEA']}"
        tea = client.get(tea_page).text
        assert 'id="by-lot"' in tea
        assert 'id="count"' not in tea
        refused = client.post(f"{tea_page}/count",
                              data={"csrf_token": token, "count_id": ids["count_id"], "counted": "1"})  # fmt: skip
        assert refused.status_code == 422
        assert _on_hand(client, shop["stock"], shop["A"], shop["TEA"]) == 4 * U

        # A cashier reads nothing here and writes nothing.
        client.cookies.set("setledger_session", _cashier_token(server, owner.token))
        assert client.get(salt_page).status_code == 403
        assert post("count", count_id=ids["count_id"], counted="1").status_code == 403

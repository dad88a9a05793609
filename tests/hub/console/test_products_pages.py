"""Products in Chromium: an owner lists, edits and imports products (a bad
file shows every problem with its line and imports nothing; a good one
imports); a cashier sees the products but no button to change them.

Runs on SQLite and PostgreSQL (a few seconds each).
"""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import expect

from hub.accounts import invites
from hub.accounts.schemas import InviteAccept, InviteCreate
from hub.accounts.sessions import ClientInfo
from tests.hub.accounts.smtp import link_token
from tests.hub.console.conftest import NewContext
from tests.hub.console.support import (
    CSP_ERROR,
    PASSWORD,
    ConsoleServer,
    new_username,
    shot,
    watch,
)

HEADER = "sku,name,hsn,gst_rate,price,mrp,barcodes,category"
BAD = [
    HEADER,
    "TEA-1,Assam Tea 250 g,0902,5,140,150,8901030865022,Beverages",
    "TEA-2,Green Tea,0902,5,99.999,,4006381333932,Beverages",
    "TEA-3,,0902,7,80,,,Beverages",
]
GOOD = [
    HEADER,
    "TEA-1,Assam Tea 250 g,0902,5,140,150,8901030865022,Beverages",
    "TEA-2,Green Tea,0902,5,99.50,,4006381333931,Beverages",
    "TEA-3,Masala Chai,0902,5,80,,,Beverages",
]


def _file(tmp_path: Path, name: str, lines: list[str]) -> str:
    path = tmp_path / name
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    return str(path)


def _cashier_token(console: ConsoleServer, owner_token: str, role: str = "cashier") -> str:
    """A session of a new member in ``role`` (a cashier unless said), invited by the owner."""
    principal = console.principal(owner_token)
    assert principal is not None
    email = f"{new_username(role[:4])}@example.in"
    with console.runtime.sessions() as session:
        invites.create_invite(session, console.ctx, principal, InviteCreate(email=email, role=role))
    _, token = link_token(console.mailbox.for_address(email))
    accept = InviteAccept(
        token=token,
        username=new_username(role[:4]),
        password=PASSWORD,
        display_name=f"Counter {role}",
        session="cookie",
    )
    with console.runtime.sessions() as session:
        issued = invites.accept_invite(session, console.ctx, accept, ClientInfo(ip="127.0.0.1"))
    return issued.token


def test_owner_imports_and_edits_products_and_a_cashier_only_looks(
    console: ConsoleServer, new_context: NewContext, tmp_path: Path
) -> None:
    owner = console.seed_owner()
    page = new_context(owner.token).new_page()
    errors = watch(page)

    page.goto(console.url("/console/products"))
    expect(page.locator("nav")).to_contain_text("Products")
    expect(page.locator("nav a[href='/console/labels']")).to_have_text("Labels")
    expect(page.locator("#count")).to_have_text("0 products.")

    # A bad file: every problem with its line; nothing imported.
    page.click("#import")
    page.set_input_files("#file", _file(tmp_path, "bad.csv", BAD))
    page.click("#upload")
    expect(page.locator("#import-job")).to_have_attribute("data-state", "rejected")
    rows = page.locator("#problems tbody tr")
    found = {
        (rows.nth(i).locator(".line").inner_text(), rows.nth(i).locator(".column").inner_text())
        for i in range(rows.count())
    }
    assert found == {
        ("3", "price"),
        ("3", "barcodes"),
        ("4", "name"),
        ("4", "gst_rate"),
    }
    expect(page.locator("#problems")).to_contain_text("wrong EAN-13 check digit")
    expect(page.locator("#result")).to_contain_text("Nothing was imported")
    shot(page, "products-import-rejected")
    page.goto(console.url("/console/products"))
    expect(page.locator("#count")).to_have_text("0 products.")

    # The corrected file imports.
    page.goto(console.url("/console/products/import"))
    page.set_input_files("#file", _file(tmp_path, "good.csv", GOOD))
    page.click("#upload")
    expect(page.locator("#import-job")).to_have_attribute("data-state", "done")
    expect(page.locator("#result")).to_contain_text("3 new")
    shot(page, "products-import-done")

    page.goto(console.url("/console/products"))
    expect(page.locator("#count")).to_have_text("3 products.")
    page.fill("#q", "green")
    page.click("#search")
    expect(page.locator("#products tbody tr")).to_have_count(1)
    shot(page, "products-list")

    # Edit: a new name, a bad price first, then a new price (a new price point).
    page.click("#products tr[data-sku='TEA-2'] a[data-action='edit']")
    expect(page.locator("#name")).to_have_value("Green Tea")
    page.fill("#name", "Green Tea 100 g")
    page.fill("#price", "95.555")
    page.click("#save")
    expect(page.locator("#price-error")).to_contain_text("at most 2 decimals")
    page.fill("#price", "95")
    page.fill("#barcodes", "4006381333931 96385074")
    page.click("#save")
    expect(page.locator(".notice")).to_have_text("Product saved.")
    expect(page.locator("#name")).to_have_value("Green Tea 100 g")
    expect(page.locator("#prices tbody tr")).to_have_count(2)
    expect(page.locator("#barcodes")).to_have_value("4006381333931 96385074")
    shot(page, "product-edit")
    assert not [e for e in errors if CSP_ERROR.search(e)], errors

    # A cashier sees the list and a product, with no way to change them.
    cashier = new_context(_cashier_token(console, owner.token)).new_page()
    cashier_errors = watch(cashier)
    cashier.goto(console.url("/console/products"))
    expect(cashier.locator("#count")).to_have_text("3 products.")
    expect(cashier.locator("#import")).to_have_count(0)
    expect(cashier.locator("#new-product")).to_have_count(0)
    expect(cashier.locator("a[data-action='edit']")).to_have_count(0)
    cashier.click("#products tr[data-sku='TEA-1'] a[data-action='view']")
    expect(cashier.locator("#product-facts")).to_contain_text("8901030865022")
    expect(cashier.locator("#product-form")).to_have_count(0)
    shot(cashier, "products-cashier")
    response = cashier.goto(console.url("/console/products/import"))
    assert response is not None
    assert response.status == 403
    assert not [e for e in cashier_errors if CSP_ERROR.search(e)], cashier_errors

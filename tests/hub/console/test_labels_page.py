"""Label printing in Chromium: an owner prints a category on A4 3x8 sheets as
a PDF whose QR codes decode to the products' canonical payloads, picked SKUs
as ZPL; an unknown SKU is shown next to the field; a form without its CSRF
token is refused.

Runs on SQLite and PostgreSQL (a few seconds each).
"""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Response, expect

from hub.catalog.products import create_product
from hub.catalog.schemas import ProductCreate, ProductPublic
from labels import get_template
from setledger.product_qr import product_qr_payload
from tests.hub.console.conftest import NewContext
from tests.hub.console.support import (
    CSP_ERROR,
    ConsoleServer,
    csrf_of,
    new_username,
    shot,
    watch,
)
from tests.labels.sheets import decode_pdf

LABELS = "/console/labels"


def _product(
    console: ConsoleServer, org_code: str, name: str, price: int, category: str
) -> ProductPublic:
    data = ProductCreate.model_validate(
        {
            "sku": new_username("SKU-").upper(),
            "name": name,
            "hsn": "0405",
            "gst_rate_bp": 1200,
            "price": price,
            "mrp": price + 500,
            "category": category,
        }
    )
    with console.runtime.sessions() as session:
        return create_product(session, org_code, data)


def _is_post_of_labels(response: Response) -> bool:
    return response.request.method == "POST" and response.url.endswith(LABELS)


def test_owner_prints_a_category_and_picked_skus(
    console: ConsoleServer, new_context: NewContext
) -> None:
    owner = console.seed_owner()
    org = owner.org_code
    dairy = [
        _product(console, org, "Amul Butter 500 g", 28500, "Dairy"),
        _product(console, org, "Amul Taaza 1 L", 7200, "Dairy"),
        _product(console, org, "Mother Dairy Dahi 400 g", 5000, "Dairy"),
    ]
    snack = _product(console, org, "Parle-G Biscuits", 1000, "Snacks")
    page = new_context(owner.token).new_page()
    errors = watch(page)

    response = page.goto(console.url(LABELS))
    assert response is not None
    assert response.status == 200
    assert "script-src 'self'" in response.headers["content-security-policy"]
    expect(page.locator("#category option")).to_have_text(["Choose a category", "Dairy", "Snacks"])
    expect(page.locator("#template-a4-3x8")).to_be_checked()

    # Nothing chosen: the problem next to the field.
    expect(page.locator("#skus")).to_be_hidden()  # only the chosen kind's fields
    page.check("#source-category")
    page.click("#print")
    expect(page.locator("#category-error")).to_have_text("Choose a category.")
    shot(page, "labels-no-category")

    # A category on A4 3x8 sheets as a PDF.
    page.goto(console.url(LABELS))
    page.check("#source-category")
    page.select_option("#category", "Dairy")
    page.check("#template-a4-3x8")
    page.select_option("#format", "pdf")
    shot(page, "labels-category")
    with page.expect_download() as downloading:
        page.click("#print")
    download = downloading.value
    assert download.suggested_filename == "labels-a4-3x8.pdf"
    pdf = Path(download.path()).read_bytes()
    assert pdf.startswith(b"%PDF-")
    found = [d for d in decode_pdf(pdf, get_template("a4-3x8"), dpi=200) if d.page == 0]
    # Products print in SKU order, one label each, upper-case payloads.
    expected = [
        product_qr_payload(org, p.product_id).upper() for p in sorted(dairy, key=lambda p: p.sku)
    ]
    assert [d.text for d in sorted(found, key=lambda d: d.cell)] == expected
    assert product_qr_payload(org, snack.product_id).upper() not in {d.text for d in found}

    # Picked SKUs, one with its own copies, on the Zebra template: the page
    # offers only ZPL for it.
    page.check("#source-products")
    page.fill("#skus", f"{dairy[0].sku.lower()} x2\n{snack.sku}\n")
    page.fill("#batch", "B7")
    page.check("#template-zpl-50x25")
    expect(page.locator("#format")).to_have_value("zpl")
    with page.expect_download() as downloading:
        page.click("#print")
    zpl = Path(downloading.value.path()).read_text()
    assert zpl.startswith("^XA")
    assert zpl.count("^XA") == 2  # one label format per product ...
    assert "^PQ2" in zpl  # ... printed twice for "x2"
    assert str(snack.product_id).upper() in zpl
    assert "Batch B7" in zpl

    # An unknown SKU: the form again, the problem next to the field, what was typed kept.
    page.fill("#skus", f"{snack.sku}\nNO-SUCH-SKU x4\n")
    with page.expect_response(_is_post_of_labels) as answered:
        page.click("#print")
    assert answered.value.status == 422
    expect(page.locator("#skus-error")).to_contain_text("NO-SUCH-SKU (line 2)")
    expect(page.locator("#skus")).to_have_value(f"{snack.sku}\nNO-SUCH-SKU x4\n")
    expect(page.locator("#source-products")).to_be_checked()
    shot(page, "labels-unknown-sku")

    # Posted around the page: a format the template does not print, and no token.
    form = {
        "csrf_token": csrf_of(page),
        "source": "catalog",
        "template": "zpl-50x25",
        "format": "pdf",
        "copies": "1",
    }
    refused = page.request.post(console.url(LABELS), form=form)
    assert refused.status == 422
    assert "prints ZPL" in refused.text()
    whole = page.request.post(console.url(LABELS), form={**form, "format": "zpl"})
    assert whole.status == 200
    assert whole.headers["content-disposition"] == 'attachment; filename="labels-zpl-50x25.zpl"'
    assert whole.text().count("^XA") == 4
    no_token = {name: value for name, value in form.items() if name != "csrf_token"}
    forged = page.request.post(console.url(LABELS), form={**no_token, "format": "zpl"})
    assert forged.status == 403
    assert not [e for e in errors if CSP_ERROR.search(e)], errors

"""Label files from the hub's catalog: selection, category, whole catalog, formats."""

from __future__ import annotations

import io
import uuid
from typing import Any

import pypdfium2 as pdfium
import zxingcpp
from PIL import Image

from labels import get_template
from setledger.product_qr import parse_product_qr
from tests.hub.harness import API, Hub, error_code
from tests.labels.sheets import decode_pdf


def labels_url(org: dict[str, Any]) -> str:
    return f"{API}/orgs/{org['org_id']}/labels"


def test_picked_products_print_with_their_copies_and_qr_payloads(hub: Hub) -> None:
    org = hub.org()
    atta = hub.product(org, name="Aashirvaad Atta 5 kg", price=29900, mrp=32000)
    salt = hub.product(org, name="Tata Salt 1 kg", price=2800, category="Staples")
    body = {
        "template": "a4-3x8",
        "format": "pdf",
        "products": [
            {"product_id": atta["product_id"], "copies": 3, "batch": "B7", "expiry": "2027-03-31"},
            {"product_id": salt["product_id"]},
        ],
        "copies": 2,
    }
    response = hub.client.post(labels_url(org), json=body)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["x-label-count"] == "5"
    assert 'filename="labels-a4-3x8.pdf"' in response.headers["content-disposition"]
    found = [parse_product_qr(d.text) for d in decode_pdf(response.content, get_template("a4-3x8"))]
    ours = {p["sku"]: (org["org_id"], uuid.UUID(p["product_id"])) for p in (atta, salt)}
    # Products print in SKU order, each with its copies.
    skus = sorted([atta["sku"], salt["sku"]])
    copies = {atta["sku"]: 3, salt["sku"]: 2}
    assert found == [ours[s] for s in skus for _ in range(copies[s])]
    text = pdfium.PdfDocument(io.BytesIO(response.content))[0].get_textpage().get_text_range()
    assert "Aashirvaad Atta 5 kg" in text
    assert "Batch B7" in text
    assert "Exp 31/03/2027" in text
    assert "299.00" in text
    assert "MRP" in text


def test_a_category_or_the_whole_catalog_prints_active_priced_products(hub: Hub) -> None:
    org = hub.org()
    a = hub.product(org, category="Dairy", name="Amul Butter 500 g", price=28500)
    hub.product(org, category="Dairy", name="Amul Taaza 1 L", price=7200)
    hub.product(org, category="Snacks", name="Parle-G", price=1000)
    dairy = hub.client.post(
        labels_url(org), json={"category": "Dairy", "template": "zpl-50x25", "format": "zpl"}
    )
    assert dairy.status_code == 200, dairy.text
    assert dairy.headers["content-type"].startswith("text/plain")
    assert dairy.text.count("^XA") == 2
    assert "Amul Butter 500 g" in dairy.text
    assert a["product_id"].upper() in dairy.text
    everything = hub.client.post(
        labels_url(org), json={"template": "thermal-58", "format": "escpos", "copies": 2}
    )
    assert everything.status_code == 200
    assert everything.headers["x-label-count"] == "6"
    assert everything.content.count(b"\x1d(k") == 6 * 5  # five GS ( k commands per native QR
    png = hub.client.post(labels_url(org), json={"template": "a4-5x13", "format": "png"})
    assert png.headers["content-type"] == "image/png"
    decoded = zxingcpp.read_barcodes(Image.open(io.BytesIO(png.content)))
    assert len(decoded) == 3


def test_bad_requests_are_refused_clearly(hub: Hub) -> None:
    org = hub.org()
    product = hub.product(org)
    url = labels_url(org)
    wrong_format = {"template": "a4-3x8", "format": "zpl"}
    assert error_code(hub.client.post(url, json=wrong_format), 422) == "REQUEST_INVALID"
    unknown = {"template": "a5-1x1"}
    assert error_code(hub.client.post(url, json=unknown), 422) == "REQUEST_INVALID"
    too_many = {"products": [{"product_id": product["product_id"], "copies": 1001}]}
    assert error_code(hub.client.post(url, json=too_many), 422) == "REQUEST_INVALID"
    stranger = {"products": [{"product_id": str(uuid.uuid4())}]}
    assert error_code(hub.client.post(url, json=stranger), 404) == "CATALOG_PRODUCT_NOT_FOUND"
    empty = {"category": "Nothing here"}
    assert error_code(hub.client.post(url, json=empty), 404) == "CATALOG_PRODUCT_NOT_FOUND"

"""The catalog master: products, barcodes, effective-dated prices, versions, snapshot."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from hub.catalog.codes import gs1_check_digit
from setledger.contracts import CatalogSnapshot
from tests.hub.harness import API, Hub, error_code, ok

EAN13 = "8901058851427"  # a real Indian EAN-13 (GS1 prefix 890)
EAN8 = "96385074"
UPC_A = "036000291452"


def products_url(org: dict[str, Any]) -> str:
    return f"{API}/orgs/{org['org_id']}/products"


def catalog_version(hub: Hub, org: dict[str, Any]) -> int:
    version: int = ok(hub.get(f"/orgs/{org['org_id']}"))["catalog_version"]
    return version


def test_gs1_check_digits_of_known_codes() -> None:
    for code in (EAN13, EAN8, UPC_A, "4006381333931"):
        assert gs1_check_digit(code[:-1]) == int(code[-1]), code


def test_a_product_is_created_with_its_price_and_barcodes(hub: Hub) -> None:
    org = hub.org()
    product = hub.product(
        org,
        sku="MAGGI-70G",
        name="Maggi Masala Noodles 70g",
        hsn="19023010",
        gst_rate_bp=1200,
        price=1400,
        mrp=1500,
        barcodes=[EAN13, "LOOSE-01"],
        category="Instant food",
    )
    assert uuid.UUID(product["product_id"]).version == 7
    assert product["sku"] == "MAGGI-70G"
    assert (product["price"], product["mrp"]) == (1400, 1500)
    assert product["barcodes"] == sorted([EAN13, "LOOSE-01"])
    assert (product["unit"], product["fractional_qty"], product["price_includes_tax"]) == (
        "PCS",
        False,
        True,
    )
    assert product["active"] is True
    assert len(product["prices"]) == 1
    assert product["version"] == catalog_version(hub, org) == 2
    assert ok(hub.get(f"/orgs/{org['org_id']}/products/{product['product_id']}")) == product


def test_products_are_listed_searched_and_paged(hub: Hub) -> None:
    org = hub.org()
    hub.product(org, sku="ATTA-5KG", name="Aashirvaad Atta 5kg", barcodes=[EAN8])
    hub.product(org, sku="DAL-1KG", name="Toor Dal 1kg")
    hub.product(org, sku="RICE-5KG", name="India Gate Basmati 5kg", barcodes=["RICE5"])
    everything = ok(hub.get(f"/orgs/{org['org_id']}/products"))
    assert [p["sku"] for p in everything["products"]] == ["ATTA-5KG", "DAL-1KG", "RICE-5KG"]
    assert everything["total"] == 3

    def skus(**params: Any) -> list[str]:
        return [
            p["sku"] for p in ok(hub.get(f"/orgs/{org['org_id']}/products", **params))["products"]
        ]

    assert skus(q="basmati") == ["RICE-5KG"]  # name, any case
    assert skus(q="dal-1") == ["DAL-1KG"]  # sku, any case
    assert skus(q=EAN8) == ["ATTA-5KG"]  # exact barcode
    assert skus(q="5kg") == ["ATTA-5KG", "RICE-5KG"]
    assert skus(q="%") == []  # a LIKE wildcard is a character, not "everything"
    assert skus(q="_") == []
    page = ok(hub.get(f"/orgs/{org['org_id']}/products", limit=2, offset=1))
    assert ([p["sku"] for p in page["products"]], page["total"]) == (["DAL-1KG", "RICE-5KG"], 3)
    assert error_code(hub.get(f"/orgs/{org['org_id']}/products", limit=0), 422) == (
        "REQUEST_INVALID"
    )


def test_every_catalog_change_bumps_the_version_once(hub: Hub) -> None:
    org = hub.org()
    assert catalog_version(hub, org) == 1
    product = hub.product(org)
    assert product["version"] == catalog_version(hub, org) == 2
    url = f"{products_url(org)}/{product['product_id']}"
    patched = ok(hub.client.patch(url, json={"name": "Tata Salt Lite 1kg"}))
    assert patched["version"] == catalog_version(hub, org) == 3
    priced = ok(hub.client.post(f"{url}/prices", json={"price": 2700, "mrp": 2800}), 201)
    assert priced["version"] == catalog_version(hub, org) == 4
    other = hub.product(org)
    assert other["version"] == 5
    # A PATCH that changes nothing is not a change: no new version for boxes to fetch.
    same = ok(hub.client.patch(url, json={"name": "Tata Salt Lite 1kg", "barcodes": []}))
    assert same["version"] == 4
    assert catalog_version(hub, org) == 5
    # Refused changes do not bump either.
    hub.client.patch(url, json={"gst_rate_bp": 1300})
    hub.client.post(
        products_url(org), json={"sku": other["sku"], "name": "x", "gst_rate_bp": 0, "price": 1}
    )
    assert catalog_version(hub, org) == 5


def test_patch_changes_only_the_fields_sent(hub: Hub) -> None:
    org = hub.org()
    product = hub.product(org, barcodes=[EAN13], category="Staples")
    url = f"{products_url(org)}/{product['product_id']}"
    patched = ok(
        hub.client.patch(
            url,
            json={
                "gst_rate_bp": 1800,
                "cess_bp": 1200,
                "hsn": None,
                "unit": "kgs",
                "active": False,
                "barcodes": [UPC_A, "SALT-1"],
            },
        )
    )
    assert (patched["gst_rate_bp"], patched["cess_bp"], patched["hsn"]) == (1800, 1200, None)
    assert (patched["unit"], patched["active"], patched["category"]) == ("KGS", False, "Staples")
    assert patched["barcodes"] == sorted([UPC_A, "SALT-1"])
    assert patched["name"] == product["name"]
    assert patched["prices"] == product["prices"]
    # The freed barcode can go to another product; the taken ones cannot.
    hub.product(org, barcodes=[EAN13])
    clash = hub.product(org)
    response = hub.client.patch(
        f"{products_url(org)}/{clash['product_id']}", json={"barcodes": ["SALT-1"]}
    )
    assert error_code(response, 409) == "DUPLICATE"
    for body, code in (
        ({"name": None}, "REQUEST_INVALID"),
        ({"gst_rate_bp": 1300}, "GST_RATE_UNKNOWN"),
        ({"cess_bp": 30_001}, "CESS_RATE_INVALID"),
        ({"hsn": "12345"}, "HSN_INVALID"),
        ({"barcodes": ["8901058851428"]}, "BARCODE_INVALID"),
        ({"sku": "NEW"}, "REQUEST_INVALID"),  # the SKU is the product's identity
    ):
        assert error_code(hub.client.patch(url, json=body), 422) == code, body
    assert error_code(hub.client.patch(f"{products_url(org)}/{uuid.uuid4()}", json={}), 404) == (
        "CATALOG_PRODUCT_NOT_FOUND"
    )


def test_prices_are_effective_dated_points(hub: Hub) -> None:
    org = hub.org()
    product = hub.product(org, price=5000, mrp=5500)
    url = f"{products_url(org)}/{product['product_id']}/prices"
    now = datetime.now(UTC)
    next_month = (now + timedelta(days=30)).replace(microsecond=0)
    scheduled = ok(
        hub.client.post(
            url, json={"price": 5200, "mrp": 5500, "valid_from": next_month.isoformat()}
        ),
        201,
    )
    assert scheduled["price"] == 5000  # the new price is not in effect yet
    assert [p["price"] for p in scheduled["prices"]] == [5000, 5200]
    assert datetime.fromisoformat(scheduled["prices"][1]["valid_from"]) == next_month
    cut = ok(hub.client.post(url, json={"price": 4900}), 201)
    assert (cut["price"], cut["mrp"]) == (4900, None)
    assert [p["price"] for p in cut["prices"]] == [5000, 4900, 5200]

    again = hub.client.post(url, json={"price": 1, "valid_from": next_month.isoformat()})
    assert error_code(again, 409) == "DUPLICATE"
    above = hub.client.post(url, json={"price": 5600, "mrp": 5500})
    assert error_code(above, 422) == "PRICE_ABOVE_MRP"
    naive = hub.client.post(url, json={"price": 1, "valid_from": "2026-12-01T00:00:00"})
    assert error_code(naive, 422) == "REQUEST_INVALID"
    missing = hub.client.post(f"{products_url(org)}/{uuid.uuid4()}/prices", json={"price": 1})
    assert error_code(missing, 404) == "CATALOG_PRODUCT_NOT_FOUND"


def test_duplicate_sku_and_barcode_are_409(hub: Hub) -> None:
    org = hub.org()
    hub.product(org, sku="SOAP-1", barcodes=[EAN13])
    for body, field in (
        ({"sku": "SOAP-1"}, "sku"),
        ({"sku": "SOAP-2", "barcodes": ["X-1", EAN13]}, "barcode"),
    ):
        response = hub.client.post(
            products_url(org), json={"name": "Lux", "gst_rate_bp": 1800, "price": 3500, **body}
        )
        assert error_code(response, 409) == "DUPLICATE"
        assert response.json()["error"]["details"]["field"] == field
    # Another org has its own namespace.
    other = hub.org()
    hub.product(other, sku="SOAP-1", barcodes=[EAN13])


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"price": 28.5}, "REQUEST_INVALID"),
        ({"price": 2800.0}, "REQUEST_INVALID"),  # even a whole float is refused
        ({"price": "2800"}, "REQUEST_INVALID"),
        ({"price": True}, "REQUEST_INVALID"),
        ({"price": -1}, "REQUEST_INVALID"),
        ({"mrp": 2900.0}, "REQUEST_INVALID"),
        ({"gst_rate_bp": 1300}, "GST_RATE_UNKNOWN"),
        ({"gst_rate_bp": 18.0}, "REQUEST_INVALID"),
        ({"cess_bp": 30_001}, "CESS_RATE_INVALID"),
        ({"barcodes": ["8901058851428"]}, "BARCODE_INVALID"),  # EAN-13, wrong check digit
        ({"barcodes": ["96385075"]}, "BARCODE_INVALID"),  # EAN-8
        ({"barcodes": ["036000291453"]}, "BARCODE_INVALID"),  # UPC-A
        ({"barcodes": ["has space"]}, "BARCODE_INVALID"),
        ({"barcodes": ["A" * 33]}, "BARCODE_INVALID"),
        ({"barcodes": ["X1", "X1"]}, "BARCODE_INVALID"),
        ({"hsn": "123"}, "HSN_INVALID"),
        ({"hsn": "12345"}, "HSN_INVALID"),
        ({"hsn": "25O1"}, "HSN_INVALID"),
        ({"unit": "PIECES"}, "REQUEST_INVALID"),
        ({"price": 3000, "mrp": 2800}, "PRICE_ABOVE_MRP"),
        ({"sku": ""}, "REQUEST_INVALID"),
        ({"prize": 10}, "REQUEST_INVALID"),  # unknown fields are typos, not ignored
    ],
)
def test_bad_products_are_refused(hub: Hub, fields: dict[str, Any], code: str) -> None:
    org = hub.org()
    body = {"sku": "TEA-250", "name": "Tata Tea 250g", "gst_rate_bp": 500, "price": 2800, **fields}
    assert error_code(hub.client.post(products_url(org), json=body), 422) == code
    assert ok(hub.get(f"/orgs/{org['org_id']}/products"))["total"] == 0
    assert catalog_version(hub, org) == 1


def test_valid_codes_of_every_kind_are_accepted(hub: Hub) -> None:
    org = hub.org()
    product = hub.product(org, barcodes=[EAN13, EAN8, UPC_A, "12345", "INT-0042"], hsn="250100")
    assert len(product["barcodes"]) == 5
    assert hub.product(org, hsn="25010010", gst_rate_bp=0, price=0, mrp=None)["price"] == 0


def test_the_snapshot_is_the_whole_catalog_at_one_version(hub: Hub) -> None:
    org = hub.org()
    empty = CatalogSnapshot.model_validate(ok(hub.get(f"/orgs/{org['org_id']}/catalog/snapshot")))
    assert (empty.org_id, empty.version, empty.products) == (org["org_id"], 1, [])
    salt = hub.product(org, sku="SALT", barcodes=[EAN13])
    oil = hub.product(org, sku="OIL-1L", name="Fortune Oil 1L", gst_rate_bp=500, price=16500)
    loose = hub.product(
        org, sku="SUGAR-LOOSE", name="Sugar (loose)", unit="KGS", fractional_qty=True, price=4500
    )
    future = (datetime.now(UTC) + timedelta(days=7)).replace(microsecond=0)
    hub.client.post(
        f"{products_url(org)}/{oil['product_id']}/prices",
        json={"price": 17000, "valid_from": future.isoformat()},
    )
    hub.client.patch(f"{products_url(org)}/{salt['product_id']}", json={"active": False})

    snapshot = CatalogSnapshot.model_validate(
        ok(hub.get(f"/orgs/{org['org_id']}/catalog/snapshot"))
    )
    assert snapshot.version == catalog_version(hub, org) == 6
    by_sku = {p.sku: p for p in snapshot.products}
    assert sorted(by_sku) == ["OIL-1L", "SALT", "SUGAR-LOOSE"]
    assert by_sku["SALT"].active is False
    assert by_sku["SALT"].barcodes == [EAN13]
    assert [p.price for p in by_sku["OIL-1L"].prices] == [16500, 17000]
    assert by_sku["OIL-1L"].price_at(datetime.now(UTC)).price == 16500  # type: ignore[union-attr]
    assert by_sku["OIL-1L"].price_at(future).price == 17000  # type: ignore[union-attr]
    assert by_sku["SUGAR-LOOSE"].fractional_qty is True
    assert by_sku["SUGAR-LOOSE"].unit == "KGS"
    assert str(by_sku["SUGAR-LOOSE"].product_id) == loose["product_id"]

"""Counter extras on the box API: hold and recall, bill discount, customers by
phone, the UPI QR of a bill."""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import Any

import pytest
import zxingcpp
from fastapi.testclient import TestClient
from PIL import Image, ImageDraw

from edge.app import create_app
from edge.services.identity import SellerProfile
from edge.settings import BoxSettings
from tests.edge.conftest import START, Box, SettableClock, make_bundle
from tests.edge.staff import CASHIER_ID, MANAGER_ID, approval, sign_in


def error(r: Any) -> tuple[int, str]:
    return r.status_code, r.json()["error"]["code"]


def new_cart(box: Box, *codes: str) -> str:
    cart = str(box.client.post("/api/v1/carts", json={}).json()["cart_id"])
    for code in codes:
        r = box.client.post(f"/api/v1/carts/{cart}/lines", json={"code": code})
        assert r.status_code == 201, r.text
    return cart


def checkout(box: Box, cart: str, amount: int, **extra: Any) -> Any:
    body = {"sale_id": str(uuid.uuid4()), "tenders": [{"kind": "cash", "amount": amount}], **extra}
    return box.client.post(f"/api/v1/carts/{cart}/checkout", json=body)


# Hold and recall


def test_a_held_bill_waits_while_another_is_sold_then_is_recalled_and_paid(box: Box) -> None:
    held = new_cart(box, "ATTA-5KG", "MILK-1L")
    r = box.client.post(f"/api/v1/carts/{held}/hold")
    assert (r.status_code, r.json()["status"]) == (200, "held")
    # Held: nothing changes it and it cannot be paid for.
    assert error(box.client.post(f"/api/v1/carts/{held}/lines", json={"code": "SALT-1KG"})) == (
        409,
        "CART_HELD",
    )
    assert error(checkout(box, held, 40000)) == (409, "CART_HELD")
    # The next customer is served meanwhile.
    other = new_cart(box, "SALT-1KG")
    assert checkout(box, other, 2800).status_code == 201

    box.clock.advance(minutes=3)
    listed = box.client.get("/api/v1/carts", params={"state": "held"}).json()
    assert [(x["cart"]["cart_id"], x["held_by"], len(x["cart"]["lines"])) for x in listed] == [
        (held, "Asha (cashier)", 2)
    ]
    assert listed[0]["cart"]["totals"]["payable"] == 28500 + 6800
    assert listed[0]["held_at"].startswith(START.strftime("%Y-%m-%dT%H:%M"))

    recalled = box.client.post(f"/api/v1/carts/{held}/recall")
    assert (recalled.status_code, recalled.json()["status"]) == (200, "open")
    assert box.client.get("/api/v1/carts", params={"state": "held"}).json() == []
    # A second till recalling the same bill is told it is gone.
    assert error(box.client.post(f"/api/v1/carts/{held}/recall")) == (409, "CART_NOT_HELD")
    sale = checkout(box, held, 40000)
    assert sale.status_code == 201, sale.text
    assert sale.json()["sale"]["totals"]["payable"] == 35300
    kinds = box.rows("SELECT kind, user_id FROM cart_hold WHERE cart_id = ? ORDER BY at", held)
    assert kinds == [("hold", str(CASHIER_ID)), ("recall", str(CASHIER_ID))]


def test_an_empty_or_paid_bill_cannot_be_held(box: Box) -> None:
    empty = new_cart(box)
    assert error(box.client.post(f"/api/v1/carts/{empty}/hold")) == (422, "CART_EMPTY")
    paid = new_cart(box, "SALT-1KG")
    assert checkout(box, paid, 2800).status_code == 201
    assert error(box.client.post(f"/api/v1/carts/{paid}/hold")) == (409, "CART_CLOSED")
    assert box.client.get("/api/v1/carts", params={"state": "open"}).status_code == 422


# Bill discount


def test_a_bill_discount_is_spread_over_the_lines_and_taxed_on_the_discounted_value(
    box: Box,
) -> None:
    # ₹285 atta (5% GST) + ₹140 detergent (18% GST) + ₹28 salt (0%): ₹453.
    cart = new_cart(box, "ATTA-5KG", "SURF-1KG", "SALT-1KG")
    r = box.client.post(f"/api/v1/carts/{cart}/discount", json={"amount": 4530})
    assert r.status_code == 200, r.text
    lines = r.json()["lines"]
    assert [x["discount"] for x in lines] == [2850, 1400, 280]  # exactly 10% each
    # GST on the discounted value: ₹126 with 18% inside is ₹106.78 + ₹19.22.
    surf = lines[1]
    assert surf["charged"] == 12600
    assert surf["taxable"] == 10678
    # ₹407.70 asked, rounded to the rupee as every bill is.
    assert r.json()["totals"]["payable"] == 40800
    assert box.rows("SELECT count(*) FROM approval") == [(0,)]
    sale = checkout(box, cart, 40800).json()["sale"]
    assert [x["discount"] for x in sale["lines"]] == [2850, 1400, 280]


def test_a_bill_discount_over_the_limit_needs_one_managers_pin(box: Box) -> None:
    cart = new_cart(box, "ATTA-5KG", "SURF-1KG", "SALT-1KG")
    url = f"/api/v1/carts/{cart}/discount"
    before = box.client.get(f"/api/v1/carts/{cart}").json()
    missing = box.client.post(url, json={"percent_bp": 1500})
    assert error(missing) == (403, "APPROVAL_REQUIRED")
    assert missing.json()["error"]["details"]["action"] == "discount"
    assert box.client.get(f"/api/v1/carts/{cart}").json() == before  # nothing applied
    r = box.client.post(url, json={"percent_bp": 1500, "approval": approval()})
    assert r.status_code == 200, r.text
    # 15% of ₹453 = ₹67.95, spread 2/3 paise at a time: the parts sum exactly.
    parts = [x["discount"] for x in r.json()["lines"]]
    assert sum(parts) == 6795
    assert parts == [4275, 2100, 420]
    rows = box.rows("SELECT action, approved_by, cart_id, amount FROM approval")
    assert rows == [("discount", str(MANAGER_ID), cart, 6795)]
    # Checkout does not ask again.
    assert checkout(box, cart, 38505).status_code == 201


def test_a_bill_discount_above_the_bill_is_refused(box: Box) -> None:
    cart = new_cart(box, "SALT-1KG")
    r = box.client.post(f"/api/v1/carts/{cart}/discount", json={"amount": 2801})
    assert error(r) == (422, "BILL_DISCOUNT_INVALID")
    both = box.client.post(f"/api/v1/carts/{cart}/discount", json={"amount": 1, "percent_bp": 1})
    assert both.status_code == 422


# Customers


def test_a_customer_is_found_by_phone_from_an_earlier_sale(box: Box) -> None:
    assert error(box.client.get("/api/v1/customers", params={"phone": "9876543210"})) == (
        404,
        "CUSTOMER_NOT_FOUND",
    )
    assert box.client.get("/api/v1/customers", params={"phone": "12345"}).status_code == 422
    cart = new_cart(box, "SURF-1KG")
    buyer = {"name": "Rao Traders", "gstin": "29AABCR1718E1ZL", "phone": "9876543210"}
    sale = checkout(box, cart, 14000, buyer=buyer).json()["sale"]
    assert sale["buyer"]["phone"] == "9876543210"
    assert sale["place_of_supply"] == "29"
    cart = new_cart(box, "SALT-1KG")
    checkout(box, cart, 2800, buyer={"phone": "9123456780", "name": "Meena"})
    found = box.client.get("/api/v1/customers", params={"phone": "9876543210"})
    assert found.status_code == 200
    assert found.json()["buyer"] == {**buyer, "state": None}


def test_a_gstin_is_checked_in_the_boxs_words_before_checkout(box: Box) -> None:
    ok = box.client.get("/api/v1/customers/gstin/29aabcr1718e1zl")
    assert ok.json() == {"gstin": "29AABCR1718E1ZL", "state": "29", "state_name": "Karnataka"}
    bad = box.client.get("/api/v1/customers/gstin/29AABCR1718E1ZM")  # wrong check character
    assert error(bad) == (422, "GSTIN_INVALID")
    assert bad.json()["error"]["message"] == "'29AABCR1718E1ZM' is not a valid GSTIN."


# UPI QR


@pytest.fixture
def upi_box(tmp_path: Path, clock: SettableClock) -> Any:
    seller = SellerProfile(legal_name="Sharma General Store", upi_vpa="sharmastore@okaxis")
    bundle = make_bundle().model_copy(update={"seller": seller})
    provision = tmp_path / "bundle.json"
    provision.write_text(bundle.model_dump_json())
    settings = BoxSettings(data_dir=tmp_path / "box", provision_file=provision)
    with TestClient(create_app(settings, wall_clock=clock)) as client:
        sign_in(client)
        yield Box(client, settings.db_path, bundle, clock)


def decode_svg(svg: str) -> str:
    """Draw the SVG's path as pixels and read the code back with zxing-cpp."""
    side = int(re.search(r'viewBox="0 0 (\d+) \d+"', svg).group(1))  # type: ignore[union-attr]
    scale = 6
    image = Image.new("L", (side * scale, side * scale), 255)
    draw = ImageDraw.Draw(image)
    for x, y, n in re.findall(r"M(\d+) (\d+)h(\d+)", svg):
        x0, y0 = int(x) * scale, int(y) * scale
        draw.rectangle([x0, y0, x0 + int(n) * scale - 1, y0 + scale - 1], fill=0)
    found = zxingcpp.read_barcodes(image)
    assert len(found) == 1
    return str(found[0].text)


def test_the_upi_qr_asks_for_the_amount_to_the_shops_vpa(upi_box: Box) -> None:
    cart = new_cart(upi_box, "ATTA-5KG", "SALT-1KG")
    r = upi_box.client.get(f"/api/v1/carts/{cart}/upi-qr.svg", params={"amount": 20000})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("image/svg+xml")
    ref = "BILL-" + cart.replace("-", "")[-8:].upper()
    expected = (
        f"upi://pay?pa=sharmastore@okaxis&pn=Sharma%20General%20Store&am=200.00&cu=INR&tn={ref}"
    )
    assert decode_svg(r.text) == expected
    assert r.headers["x-upi-link"] == expected
    whole = upi_box.client.get(f"/api/v1/carts/{cart}/upi-qr.svg")
    assert "am=313.00" in decode_svg(whole.text)
    too_much = upi_box.client.get(f"/api/v1/carts/{cart}/upi-qr.svg", params={"amount": 31301})
    assert error(too_much) == (422, "TENDER_NONCASH_OVER")


def test_a_box_without_a_vpa_says_so_instead_of_a_qr(box: Box) -> None:
    cart = new_cart(box, "SALT-1KG")
    assert error(box.client.get(f"/api/v1/carts/{cart}/upi-qr.svg")) == (404, "UPI_NOT_CONFIGURED")

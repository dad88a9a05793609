"""Labels printed at the box from its own catalog replica, with no hub anywhere."""

from __future__ import annotations

import uuid

import pytest
from fastapi.testclient import TestClient

from labels import get_template
from setledger.product_qr import parse_product_qr
from tests.edge.conftest import ORG, Box
from tests.labels.sheets import decode_pdf


def test_picked_products_print_from_the_replica_offline(box: Box) -> None:
    butter, milk = box.product("BUTTER-100"), box.product("MILK-1L")
    body = {
        "template": "a4-4x10",
        "format": "pdf",
        "products": [
            {"product_id": str(butter.product_id), "copies": 2},
            {"product_id": str(milk.product_id), "batch": "M12", "expiry": "2026-11-30"},
        ],
    }
    response = box.client.post("/api/v1/labels", json=body)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    found = [
        parse_product_qr(d.text) for d in decode_pdf(response.content, get_template("a4-4x10"))
    ]
    assert found == [
        (ORG, butter.product_id),
        (ORG, butter.product_id),
        (ORG, milk.product_id),
    ]


def test_a_category_prints_escpos_for_the_counter_printer(box: Box) -> None:
    response = box.client.post(
        "/api/v1/labels", json={"category": "Dairy", "template": "thermal-80", "format": "escpos"}
    )
    assert response.status_code == 200, response.text
    dairy = [p for p in box.bundle.catalog.products if p.category == "Dairy" and p.active]
    assert response.headers["x-label-count"] == str(len(dairy)) != "0"
    for product in dairy:
        assert f"{ORG}/{product.product_id}".upper().encode() in response.content


def test_labels_need_a_signed_in_cashier(box: Box) -> None:
    anonymous = TestClient(box.client.app)
    response = anonymous.post("/api/v1/labels", json={"template": "zpl-50x25", "format": "zpl"})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "SIGN_IN_REQUIRED"


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"template": "thermal-58", "format": "zpl"}, 422, "REQUEST_INVALID"),
        ({"products": [{"product_id": str(uuid.uuid4())}]}, 404, "PRODUCT_NOT_FOUND"),
    ],
)
def test_bad_label_requests_are_refused(
    box: Box, body: dict[str, object], status: int, code: str
) -> None:
    response = box.client.post("/api/v1/labels", json=body)
    assert response.status_code == status, response.text
    assert response.json()["error"]["code"] == code

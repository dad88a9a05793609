"""Bad input gets a structured 4xx and changes nothing (checked in the database)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from edge.store import outbox
from tests.edge.conftest import Box

CASH = [{"kind": "cash", "amount": 100000}]


def sale(
    lines: list[dict[str, Any]] | None = None, tenders: Any = CASH, **extra: Any
) -> dict[str, Any]:
    return {
        "sale_id": str(uuid.uuid4()),
        "lines": [{"code": "SALT-1KG"}] if lines is None else lines,
        "tenders": tenders,
        **extra,
    }


CASES: list[tuple[str, dict[str, Any], int, str]] = [
    ("negative quantity", sale([{"code": "SALT-1KG", "qty": -1}]), 422, "QTY_NOT_POSITIVE"),
    ("zero quantity", sale([{"code": "SALT-1KG", "qty": 0}]), 422, "QTY_NOT_POSITIVE"),
    ("four decimals", sale([{"code": "TOOR-LOOSE", "qty": "1.2345"}]), 422, "QTY_INVALID"),
    ("half a packet", sale([{"code": "SALT-1KG", "qty": "0.5"}]), 422, "QTY_NOT_WHOLE"),
    ("absurd quantity", sale([{"code": "SALT-1KG", "qty": 10**9}]), 422, "QTY_INVALID"),
    ("unknown code", sale([{"code": "8900000000000"}]), 404, "PRODUCT_NOT_FOUND"),
    ("unknown product id", sale([{"product_id": str(uuid.uuid4())}]), 404, "PRODUCT_NOT_FOUND"),
    ("no lines", sale([]), 422, "SALE_EMPTY"),
    ("tenders short", sale(tenders=[{"kind": "cash", "amount": 100}]), 422, "TENDER_SHORT"),
    ("no tender", sale(tenders=[]), 422, "TENDER_MISSING"),
    ("negative tender", sale(tenders=[{"kind": "cash", "amount": -5}]), 422, "TENDER_NOT_POSITIVE"),
    (
        "card over the bill",
        sale(tenders=[{"kind": "card", "amount": 5000, "reference": "X1"}]),
        422,
        "TENDER_NONCASH_OVER",
    ),
    (
        "upi without reference",
        sale(tenders=[{"kind": "upi", "amount": 2800}]),
        422,
        "TENDER_REFERENCE_MISSING",
    ),
    ("float amount", sale(tenders=[{"kind": "cash", "amount": 28.0}]), 422, "REQUEST_INVALID"),
    (
        "discount above the line",
        sale([{"code": "SALT-1KG", "discount": 2801}]),
        422,
        "DISCOUNT_INVALID",
    ),
    ("bad GSTIN", sale(buyer={"gstin": "27AAPFU0939F1ZO"}), 422, "GSTIN_INVALID"),
    ("unknown field", sale(coupon="FREE"), 422, "REQUEST_INVALID"),
    (
        "both code and id",
        sale([{"code": "X", "product_id": str(uuid.uuid4())}]),
        422,
        "REQUEST_INVALID",
    ),
    (
        "unknown tender kind",
        sale(tenders=[{"kind": "cheque", "amount": 2800}]),
        422,
        "REQUEST_INVALID",
    ),
]


@pytest.mark.parametrize(("name", "body", "status", "code"), CASES, ids=[c[0] for c in CASES])
def test_bad_sale_is_refused_and_nothing_is_written(
    box: Box, name: str, body: dict[str, Any], status: int, code: str
) -> None:
    box.sell([{"code": "EGGS-6"}], CASH)  # something already there that must stay as it is
    before = box.fingerprint()
    r = box.client.post("/api/v1/sales", json=body)
    assert r.status_code == status, r.text
    error = r.json()["error"]
    assert error["code"] == code
    assert error["message"]
    assert error["remediation"]
    assert error["correlation_id"] == r.headers["X-Correlation-ID"]
    assert box.fingerprint() == before


def test_missing_sale_id_is_refused(box: Box) -> None:
    body = sale()
    del body["sale_id"]
    before = box.fingerprint()
    r = box.client.post("/api/v1/sales", json=body)
    assert r.status_code == 422
    assert r.json()["error"]["code"] == "REQUEST_INVALID"
    assert any(f["field"] == "body.sale_id" for f in r.json()["error"]["details"]["fields"])
    assert box.fingerprint() == before


def test_malformed_json_is_refused(box: Box) -> None:
    before = box.fingerprint()
    r = box.client.post(
        "/api/v1/sales", content=b'{"sale_id": ', headers={"Content-Type": "application/json"}
    )
    assert r.status_code == 400
    assert r.json()["error"]["code"] == "REQUEST_MALFORMED"
    assert box.fingerprint() == before


def test_oversized_body_is_refused_before_it_is_read(box: Box) -> None:
    before = box.fingerprint()
    lines = [{"code": "SALT-1KG", "qty": 1}] * 20_000
    r = box.client.post("/api/v1/sales", json=sale(lines))
    assert r.status_code == 413
    assert r.json()["error"]["code"] == "REQUEST_TOO_LARGE"
    assert box.fingerprint() == before


def test_oversized_streamed_body_without_length_is_refused(box: Box) -> None:
    before = box.fingerprint()

    def chunks() -> Iterator[bytes]:
        yield b'{"sale_id": "' + str(uuid.uuid4()).encode() + b'", "lines": ['
        for _ in range(30_000):
            yield b'{"code": "SALT-1KG"},'
        yield b'{"code": "SALT-1KG"}], "tenders": []}'

    r = box.client.post(
        "/api/v1/sales", content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert r.status_code == 413
    assert r.json()["error"]["code"] == "REQUEST_TOO_LARGE"
    assert box.fingerprint() == before


def test_a_failure_mid_transaction_leaves_nothing_behind(
    box: Box, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The outbox write fails after the sale rows went in: all of it rolls back."""
    before = box.fingerprint()

    def broken_append(*args: Any, **kwargs: Any) -> int:
        raise RuntimeError("disk full")

    monkeypatch.setattr(outbox, "append", broken_append)
    r = box.client.post("/api/v1/sales", json=sale())
    assert r.status_code == 500
    assert r.json()["error"]["code"] == "INTERNAL_ERROR"
    assert box.fingerprint() == before


def test_the_sale_tables_are_append_only(box: Box) -> None:
    import sqlite3

    box.sell([{"code": "SALT-1KG"}], CASH)
    with sqlite3.connect(box.db_path) as conn:
        for statement in (
            "UPDATE sale SET payable = 0",
            "DELETE FROM sale_line",
            "UPDATE sale_tender SET amount = 1",
            "DELETE FROM stock_move",
            "UPDATE outbox SET payload = '{}'",
        ):
            with pytest.raises(sqlite3.IntegrityError, match="append-only"):
                conn.execute(statement)


def test_unknown_routes_and_methods_are_structured(box: Box) -> None:
    missing = box.client.get("/api/v1/nothing-here")
    assert (missing.status_code, missing.json()["error"]["code"]) == (404, "ROUTE_NOT_FOUND")
    wrong = box.client.put("/api/v1/sales")
    assert (wrong.status_code, wrong.json()["error"]["code"]) == (405, "METHOD_NOT_ALLOWED")
    unknown_sale = box.client.get(f"/api/v1/sales/{uuid.uuid4()}")
    assert (unknown_sale.status_code, unknown_sale.json()["error"]["code"]) == (
        404,
        "SALE_NOT_FOUND",
    )


def test_bad_cart_edits_are_refused_and_leave_the_cart_as_it_was(box: Box) -> None:
    cart = box.client.post("/api/v1/carts", json={}).json()["cart_id"]
    url = f"/api/v1/carts/{cart}"
    box.client.post(f"{url}/lines", json={"code": "SALT-1KG", "qty": 2})
    before = box.client.get(url).json()
    cases = [
        ("POST", "/lines", {"code": "SALT-1KG", "qty": -1}, 422, "QTY_NOT_POSITIVE"),
        ("POST", "/lines", {"code": "NO-SUCH-THING"}, 404, "PRODUCT_NOT_FOUND"),
        ("PATCH", "/lines/1", {"qty": "0.5"}, 422, "QTY_NOT_WHOLE"),
        ("PATCH", "/lines/1", {"discount": 999_999}, 422, "DISCOUNT_INVALID"),
        ("PATCH", "/lines/9", {"qty": 1}, 404, "CART_LINE_NOT_FOUND"),
        ("DELETE", "/lines/9", None, 404, "CART_LINE_NOT_FOUND"),
    ]
    for method, path, body, status, code in cases:
        r = box.client.request(method, url + path, json=body)
        assert (r.status_code, r.json()["error"]["code"]) == (status, code), (method, path, r.text)
    assert box.client.get(url).json() == before
    missing = box.client.get(f"/api/v1/carts/{uuid.uuid4()}")
    assert (missing.status_code, missing.json()["error"]["code"]) == (404, "CART_NOT_FOUND")

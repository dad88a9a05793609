"""Serial numbers at the counter, through the box API: a serial-tracked line names
its unit, one unit per line; a unit is on a bill once and sold once until it
comes back; a return puts back exactly the unit its line sold."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from edge.services.identity import ProvisionBundle
from setledger.contracts import ReturnRecorded, SaleRecorded
from tests.edge.conftest import Box, make_bundle
from tests.edge.test_returns import give_back

PHONE = "USB-C-1M"
"""The demo catalog's cable stands in for a serial-tracked item here."""
CASH = [{"kind": "cash", "amount": 100_000}]


@pytest.fixture
def bundle() -> ProvisionBundle:
    base = make_bundle()
    products = [
        p.model_copy(update={"serial_tracked": True}) if p.sku == PHONE else p
        for p in base.catalog.products
    ]
    return base.model_copy(
        update={"catalog": base.catalog.model_copy(update={"products": products})}
    )


def new_cart(box: Box) -> str:
    r = box.client.post("/api/v1/carts", json={})
    assert r.status_code == 201, r.text
    cart_id: str = r.json()["cart_id"]
    return cart_id


def add(box: Box, cart_id: str, **line: Any) -> Any:
    return box.client.post(f"/api/v1/carts/{cart_id}/lines", json=line)


def refused(r: Any, status: int, code: str) -> dict[str, Any]:
    assert r.status_code == status, r.text
    error: dict[str, Any] = r.json()["error"]
    assert error["code"] == code
    assert error["message"]
    assert error["remediation"]
    return error


def checkout(box: Box, cart_id: str) -> dict[str, Any]:
    r = box.client.post(
        f"/api/v1/carts/{cart_id}/checkout", json={"sale_id": str(uuid.uuid4()), "tenders": CASH}
    )
    assert r.status_code == 201, r.text
    sale: dict[str, Any] = r.json()["sale"]
    return sale


def sent(box: Box, stream: str) -> list[dict[str, Any]]:
    rows = box.rows("SELECT payload FROM outbox WHERE stream = ? ORDER BY seq", stream)
    return [json.loads(payload) for (payload,) in rows]


def test_a_serial_line_is_one_named_unit_sold_once_until_it_comes_back(box: Box) -> None:
    cart = new_cart(box)
    before = box.fingerprint()
    # Scanned without its serial: refused, naming the product so the POS can ask.
    error = refused(add(box, cart, code=box.barcode(PHONE)), 422, "SERIAL_REQUIRED")
    assert error["details"]["sku"] == PHONE
    refused(add(box, cart, code=PHONE, serial_no="SN-1", qty="2"), 422, "SERIAL_QTY_INVALID")
    refused(add(box, cart, code="PEN-BALL", serial_no="SN-1"), 422, "SERIAL_NOT_TRACKED")
    assert box.rows("SELECT * FROM cart_line") == []

    first = add(box, cart, code=box.barcode(PHONE), serial_no=" SN-1 ")
    assert first.status_code == 201, first.text
    refused(add(box, cart, code=PHONE, serial_no="SN-1"), 409, "SERIAL_TWICE_IN_BILL")
    second = add(box, cart, code=PHONE, serial_no="SN-2")
    lines = second.json()["lines"]
    # Never merged: one line per unit, each showing its serial.
    assert [(x["sku"], x["qty"], x["serial_no"]) for x in lines] == [
        (PHONE, 1000, "SN-1"),
        (PHONE, 1000, "SN-2"),
    ]
    line_two = lines[1]["line_no"]
    bump = box.client.patch(f"/api/v1/carts/{cart}/lines/{line_two}", json={"qty": "2"})
    refused(bump, 422, "SERIAL_QTY_INVALID")
    assert add(box, cart, code="PEN-BALL").status_code == 201
    assert box.fingerprint() == before  # nothing sold yet

    sale = checkout(box, cart)
    assert [x.get("serial_no") for x in sale["lines"]] == ["SN-1", "SN-2", None]
    assert [(m["qty"], m.get("serial_no")) for m in sale["stock_moves"]] == [
        (-1000, "SN-1"),
        (-1000, "SN-2"),
        (-1000, None),
    ]
    [payload] = sent(box, "sales")
    # Absent, not null, on the line of goods without serials (old readers parse it).
    assert "serial_no" not in payload["lines"][2]
    assert "serial_no" not in payload["stock_moves"][2]
    assert SaleRecorded.model_validate(payload).lines[0].serial_no == "SN-1"
    assert box.rows("SELECT serial_no FROM stock_move ORDER BY line_no") == [
        ("SN-1",),
        ("SN-2",),
        (None,),
    ]

    # Sold here and not returned: refused at the scan and on a direct sale.
    again = new_cart(box)
    error = refused(add(box, again, code=PHONE, serial_no="SN-1"), 409, "SERIAL_ALREADY_SOLD")
    assert sale["invoice_no"] in error["message"]
    before = box.fingerprint()
    direct = box.sell([{"code": PHONE, "serial_no": "SN-2"}], CASH)
    refused(direct, 409, "SERIAL_ALREADY_SOLD")
    assert box.fingerprint() == before

    # The return of line 1 puts back exactly SN-1; it can be sold again, SN-2 cannot.
    note = give_back(box, sale["invoice_no"], [{"line_no": 1, "qty": 1}])
    assert [(m["qty"], m.get("serial_no")) for m in note["stock_moves"]] == [(1000, "SN-1")]
    [returned] = sent(box, "returns")
    assert ReturnRecorded.model_validate(returned).stock_moves[0].serial_no == "SN-1"
    assert add(box, again, code=PHONE, serial_no="SN-1").status_code == 201
    resold = checkout(box, again)
    assert resold["lines"][0]["serial_no"] == "SN-1"
    refused(box.sell([{"code": PHONE, "serial_no": "SN-1"}], CASH), 409, "SERIAL_ALREADY_SOLD")


def test_a_direct_sale_names_each_unit_once(box: Box) -> None:
    before = box.fingerprint()
    refused(box.sell([{"code": PHONE}], CASH), 422, "SERIAL_REQUIRED")
    twice = [{"code": PHONE, "serial_no": "SN-9"}, {"code": PHONE, "serial_no": "SN-9"}]
    error = refused(box.sell(twice, CASH), 409, "SERIAL_TWICE_IN_BILL")
    assert error["details"]["line"] == 1
    assert box.fingerprint() == before
    r = box.sell([{"code": PHONE, "serial_no": "SN-9"}, {"code": PHONE, "serial_no": "SN-8"}], CASH)
    assert r.status_code == 201, r.text
    assert [x["serial_no"] for x in r.json()["sale"]["lines"]] == ["SN-9", "SN-8"]

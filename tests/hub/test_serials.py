"""Serial numbers at the hub, on SQLite and PostgreSQL: a product is kept by batch
or by serial; a receipt names one unit per serial; a box's sale of a serial
becomes that unit's lot at ingest; the same unit sold at two boxes offline goes
to -1 and opens a ``unit_oversold`` stock exception naming both sales (also
when other units keep the product's level up); the serial's page says where
the unit is and what happened to it."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from hub.catalog.reading import load_children
from hub.catalog.snapshot import to_contract
from hub.db.models import Org, Product, StockLot
from setledger.contracts import ReturnRecorded, SaleRecorded
from tests.hub.harness import Hub, error_code, ok
from tests.hub.sales_factory import Item, ReturnsDesk, Till

U = 1000


def after_now() -> datetime:
    """After a receipt made now (at the hub's clock), so the history is in time order;
    taken when the test runs, not when the module was imported."""
    return datetime.now(UTC) + timedelta(minutes=1)


def with_serial(sale: SaleRecorded, serial_no: str) -> SaleRecorded:
    """The box's sale of one unit: its line and its move name the serial."""
    [line], [move] = sale.lines, sale.stock_moves
    return sale.model_copy(
        update={
            "lines": [line.model_copy(update={"serial_no": serial_no})],
            "stock_moves": [move.model_copy(update={"serial_no": serial_no})],
        }
    )


def returned(note: ReturnRecorded, serial_no: str) -> ReturnRecorded:
    moves = [m.model_copy(update={"serial_no": serial_no}) for m in note.stock_moves]
    return note.model_copy(update={"stock_moves": moves})


def test_a_unit_sold_at_two_boxes_is_an_exception_and_its_history_tells(hub: Hub) -> None:
    org = hub.org()
    store = hub.store(org)
    base = f"/api/v1/orgs/{org['org_id']}"
    org_id, store_loc = uuid.UUID(org["uuid"]), uuid.UUID(store["store_id"])

    # Batch or serial, not both: on create and on edit.
    both = {"sku": "PH-X", "name": "Phone", "gst_rate_bp": 1800, "price": 1_500_000}
    clash = hub.client.post(
        f"{base}/products", json={**both, "batch_tracked": True, "serial_tracked": True}
    )
    assert error_code(clash, 422) == "CATALOG_TRACKING_CONFLICT"
    phone = hub.product(org, name="Redmi 13C", gst_rate_bp=1800, price=1_500_000,
                        serial_tracked=True)  # fmt: skip
    assert phone["serial_tracked"] is True
    patch = hub.client.patch(f"{base}/products/{phone['product_id']}", json={"batch_tracked": True})
    assert error_code(patch, 422) == "CATALOG_TRACKING_CONFLICT"
    salt = hub.product(org)
    phone_id = uuid.UUID(phone["product_id"])
    with hub.runtime.sessions() as session, session.begin():
        org_row = session.get(Org, org_id)
        row = session.get(Product, (org_id, phone_id))
        assert org_row is not None
        assert row is not None
        [sent] = to_contract([row], load_children(session, org_row, [phone_id]))
    assert sent.serial_tracked is True  # the boxes learn it from the catalog

    # Receipts: one unit per serial, of a serial-tracked product, not twice in stock.
    def receipt(*lines: dict[str, Any]) -> Any:
        body = {"location_id": str(store_loc), "lines": list(lines), "reference": "GRN-1"}
        return hub.client.post(f"{base}/stock/receipts", json=body)

    unit = {"product_id": phone["product_id"], "qty": U, "unit_cost": 1_200_000}
    two = receipt({**unit, "qty": 2 * U, "serial_no": "IMEI-1"})
    assert error_code(two, 422) == "STOCK_QTY_INVALID"
    twice = receipt({**unit, "serial_no": "IMEI-1"}, {**unit, "serial_no": "IMEI-1"})
    assert error_code(twice, 422) == "STOCK_QTY_INVALID"
    untracked = receipt({"product_id": salt["product_id"], "qty": U, "serial_no": "S-1"})
    assert error_code(untracked, 422) == "SERIAL_NOT_TRACKED"
    [got] = ok(receipt({**unit, "serial_no": "IMEI-1"}), 201)
    again = receipt({**unit, "serial_no": "IMEI-1"})
    assert error_code(again, 422) == "STOCK_QTY_INVALID"

    # Two boxes, both offline, each sell the one unit; the hub takes both in.
    one, other = Till(org, hub.device(org, store)), Till(org, hub.device(org, store))
    sold = after_now()
    first = with_serial(one.sale([Item(phone, qty=U)], sold), "IMEI-1")
    second = with_serial(other.sale([Item(phone, qty=U)], sold + timedelta(hours=1)), "IMEI-1")
    assert hub.apply(one.seal(first)).outcome == "applied"
    assert hub.apply(other.seal(second)).outcome == "applied"

    with hub.runtime.sessions() as session, session.begin():
        lots = session.execute(
            select(StockLot.lot_id, StockLot.batch_no, StockLot.serial).where(
                StockLot.org_id == org_id
            )
        ).all()
    assert [(b, s) for _, b, s in lots] == [("IMEI-1", True)]  # one lot: the receipt's
    assert got["lot_id"] == str(lots[0][0])

    listed = ok(hub.client.get(f"{base}/stock/exceptions",
                               params={"location_id": str(store_loc), "status": "open"}))  # fmt: skip
    [short] = listed
    assert (short["kind"], short["on_hand"], short["product_id"]) == (
        "unit_oversold",
        -U,
        phone["product_id"],
    )
    # The exception names the unit and both sales of it, with their boxes.
    assert short["cause"]["unit"] == {"lot_id": got["lot_id"], "serial_no": "IMEI-1"}
    assert [(m["sale_id"], m["device_id"]) for m in short["cause"]["moves"]] == [
        (str(first.sale_id), one.device["device_id"]),
        (str(second.sale_id), other.device["device_id"]),
    ]

    # Where is it, what happened: received, sold twice (-1 at the store).
    path = f"{base}/stock/serials/IMEI-1"
    [view] = ok(hub.client.get(path, params={"product_id": phone["product_id"]}))
    assert (view["sku"], view["serial_no"]) == (phone["sku"], "IMEI-1")
    assert [(p["location_id"], p["qty"]) for p in view["at"]] == [(str(store_loc), -U)]
    assert [(m["reason"], m["qty"], m["invoice_no"]) for m in view["moves"]] == [
        ("receipt", U, None),
        ("sale", -U, first.invoice_no),
        ("sale", -U, second.invoice_no),
    ]
    assert [m["sale_id"] for m in view["moves"][1:]] == [str(first.sale_id), str(second.sale_id)]
    assert [m["device_id"] for m in view["moves"][1:]] == [
        one.device["device_id"],
        other.device["device_id"],
    ]

    [double] = ok(hub.client.get(f"{base}/stock/serials"))  # the units sold twice
    assert (double["serial_no"], double["at"]) == ("IMEI-1", view["at"])

    # The second buyer brings it back: the unit is back at the store, the note named.
    desk = ReturnsDesk(org, other.device, epoch=other.epoch)
    note = returned(desk.give_back(second, {1: U}, sold + timedelta(hours=2)), "IMEI-1")
    assert hub.apply(desk.seal(note)).outcome == "applied"
    [view] = ok(hub.client.get(path))
    assert view["at"] == []
    assert ok(hub.client.get(f"{base}/stock/serials")) == []
    assert [(m["reason"], m["note_no"]) for m in view["moves"]][-1] == ("return", note.note_no)
    # The unit is back: its exception closed as cleared.
    [closed] = ok(
        hub.client.get(f"{base}/stock/exceptions", params={"location_id": str(store_loc)})
    )
    assert closed["status"] == "resolved"
    assert [r["how"] for r in closed["resolutions"]] == ["cleared"]
    assert error_code(hub.client.get(f"{base}/stock/serials/NOPE"), 404) == "STOCK_SERIAL_NOT_FOUND"


def test_a_unit_sold_twice_while_others_are_in_stock_is_still_an_exception(hub: Hub) -> None:
    """Two phones in stock, one IMEI keyed in at two boxes: the product's level is 0,
    not below, but that unit is at -1. Its exception names both sales; staff correct
    the unit by an adjustment of that unit, audited, and the exception closes."""
    org = hub.org()
    store = hub.store(org)
    base = f"/api/v1/orgs/{org['org_id']}"
    store_loc = store["store_id"]
    phone = hub.product(org, name="Redmi 13C", gst_rate_bp=1800, price=1_500_000,
                        serial_tracked=True)  # fmt: skip
    line = {"product_id": phone["product_id"], "qty": U, "unit_cost": 1_200_000}
    body = {"location_id": store_loc, "reference": "GRN-2",
            "lines": [{**line, "serial_no": "IMEI-2"}, {**line, "serial_no": "IMEI-3"}]}  # fmt: skip
    ok(hub.client.post(f"{base}/stock/receipts", json=body), 201)

    one, other = Till(org, hub.device(org, store)), Till(org, hub.device(org, store))
    sold = after_now()
    first = with_serial(one.sale([Item(phone, qty=U)], sold), "IMEI-2")
    second = with_serial(other.sale([Item(phone, qty=U)], sold + timedelta(minutes=5)), "IMEI-2")
    assert hub.apply(one.seal(first)).outcome == "applied"
    assert hub.apply(other.seal(second)).outcome == "applied"

    levels = ok(hub.client.get(f"{base}/stock/products/{phone['product_id']}"))
    assert sum(x["qty"] for x in levels) == 0  # the product is not below zero
    [short] = ok(hub.client.get(f"{base}/stock/exceptions", params={"status": "open"}))
    assert (short["kind"], short["on_hand"], short["shortfall"]) == ("unit_oversold", -U, U)
    assert short["cause"]["unit"]["serial_no"] == "IMEI-2"
    assert [m["sale_id"] for m in short["cause"]["moves"]] == [
        str(first.sale_id),
        str(second.sale_id),
    ]

    # The second box's cashier keyed the wrong IMEI: staff put IMEI-2 back by an
    # adjustment of that unit (IMEI-3's own count is theirs to correct).
    path = f"{base}/stock/exceptions/{short['exception_id']}/resolve"
    refused = hub.client.post(path, json={"how": "release", "qty": U})
    assert error_code(refused, 422) == "STOCK_RESOLUTION_NEEDS_RESERVATION"
    done = ok(hub.client.post(path, json={"how": "adjustment", "qty": U,
                                          "note": "box 2 keyed IMEI-2 for IMEI-3"}))  # fmt: skip
    assert done["status"] == "resolved"
    [how] = done["resolutions"]
    assert (how["how"], how["remaining"], how["closes"]) == ("adjustment", 0, True)
    [unit] = ok(hub.client.get(f"{base}/stock/serials/IMEI-2"))
    assert unit["at"] == []  # at 0 everywhere: neither in stock nor short
    assert sorted(m["reason"] for m in unit["moves"]) == ["adjustment", "receipt", "sale", "sale"]
    assert ok(hub.client.get(f"{base}/stock/serials")) == []

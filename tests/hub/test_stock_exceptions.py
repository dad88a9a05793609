"""Reservations and stock exceptions at the hub, on SQLite and PostgreSQL.

A B2B order reserves 5 of the 6 on hand at a store; the store's box, offline,
sells 3 (through the real ingest path). The hub keeps the reservation's claim,
the sale stands, and the 2 short become a reservation conflict naming both
sides; a transfer of 2 from the warehouse resolves it without losing either
record, audited. Plain overselling (3 sold with 1 on hand) is negative stock,
resolved by adjustments, a partial one first.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.exc import DBAPIError

from hub.db.append_only import REFUSAL_MESSAGE
from hub.db.models import AuditRecord, Sale, StockException, StockLocation, StockMove
from hub.stock import ledger
from setledger.stock import Move, MoveReason
from tests.hub.harness import Hub, error_code, ok
from tests.hub.sales_factory import Item, Till

U = 1000


def receive(
    hub: Hub, org_id: uuid.UUID, location_id: uuid.UUID, product: dict[str, Any], qty: int
) -> None:
    with hub.runtime.sessions() as session, session.begin():
        move = Move(uuid.uuid4(), location_id, uuid.UUID(product["product_id"]), qty,
                    MoveReason.RECEIPT, datetime.now(UTC), unit_cost=2000)  # fmt: skip
        ledger.apply_moves(session, org_id, [move])


def warehouse(hub: Hub, org_id: uuid.UUID) -> uuid.UUID:
    location_id = uuid.uuid4()
    with hub.runtime.sessions() as session, session.begin():
        session.add(StockLocation(org_id=org_id, location_id=location_id, kind="warehouse",
                                  store_id=None, code=f"WH-{location_id.hex[:6]}",
                                  name="Bhiwandi warehouse", created_at=datetime.now(UTC)))  # fmt: skip
    return location_id


def on_hand(hub: Hub, org_id: uuid.UUID, location_id: uuid.UUID, product: dict[str, Any]) -> int:
    with hub.runtime.sessions() as session, session.begin():
        levels = ledger.product_on_hand(session, org_id, uuid.UUID(product["product_id"]))
    return sum(level.qty for level in levels if level.key.location_id == location_id)


def exceptions(hub: Hub, org: dict[str, Any], location_id: uuid.UUID, **params: Any) -> list[Any]:
    listed = hub.get(
        f"/orgs/{org['org_id']}/stock/exceptions", location_id=str(location_id), **params
    )
    assert listed.status_code == 200, listed.text
    return list(listed.json())


def sell_offline(hub: Hub, till: Till, product: dict[str, Any], qty: int) -> str:
    envelope = till.sell([Item(product, qty=qty)], sold_at=datetime.now(UTC))
    assert hub.apply(envelope).outcome == "applied"
    return str(envelope.payload["sale_id"])


def test_an_offline_sale_against_a_reservation_is_resolved_by_a_transfer(hub: Hub) -> None:
    org = hub.org()
    store = hub.store(org)
    till = Till(org, hub.device(org, store))
    rice = hub.product(org, name="Basmati rice 5kg")
    org_id, store_loc = uuid.UUID(org["uuid"]), uuid.UUID(store["store_id"])
    wh = warehouse(hub, org_id)
    receive(hub, org_id, store_loc, rice, 6 * U)
    receive(hub, org_id, wh, rice, 10 * U)
    base = f"/orgs/{org['org_id']}/stock"

    order = {"location_id": str(store_loc), "product_id": rice["product_id"], "qty": 5 * U,
             "source": "b2b_order", "reference": "PO-2026-117"}  # fmt: skip
    reservation = ok(hub.client.post(f"/api/v1{base}/reservations", json=order), 201)
    assert (reservation["status"], reservation["qty"]) == ("active", 5 * U)
    # Only 1 is left to promise: a second order for 2 is refused at the hub.
    more = hub.client.post(f"/api/v1{base}/reservations", json={**order, "qty": 2 * U})
    assert error_code(more, 409) == "RESERVATION_EXCEEDS_AVAILABLE"
    assert exceptions(hub, org, store_loc) == []

    # The box did not know: it sells 3 offline. The sale lands through ingest.
    sale_id = sell_offline(hub, till, rice, 3 * U)
    [conflict] = exceptions(hub, org, store_loc)
    assert (conflict["kind"], conflict["status"]) == ("reservation_conflict", "open")
    assert (conflict["on_hand"], conflict["reserved"], conflict["shortfall"]) == (
        3 * U,
        5 * U,
        2 * U,
    )
    assert [r["reservation_id"] for r in conflict["cause"]["reservations"]] == [
        reservation["reservation_id"]
    ]
    [sold] = conflict["cause"]["moves"]
    assert (sold["qty"], sold["reason"], sold["sale_id"]) == (-3 * U, "sale", sale_id)
    assert sold["device_id"] == str(till.device["device_id"])
    assert "keeps its claim" in conflict["cause"]["rule"]
    assert conflict["now"] == {"on_hand": 3 * U, "reserved": 5 * U, "available": -2 * U}

    # Staff bring 2 in from the warehouse.
    path = f"/api/v1{base}/exceptions/{conflict['exception_id']}/resolve"
    no_source = hub.client.post(path, json={"how": "transfer", "qty": 2 * U})
    assert error_code(no_source, 422) == "STOCK_RESOLUTION_NEEDS_SOURCE"
    resolved = ok(hub.client.post(path, json={"how": "transfer", "qty": 2 * U,
                                              "from_location_id": str(wh), "note": "van 2"}))  # fmt: skip
    assert resolved["status"] == "resolved"
    [how] = resolved["resolutions"]
    assert (how["how"], how["qty"], how["remaining"], how["closes"]) == ("transfer", 2 * U, 0, True)
    assert how["transfer_id"] is not None
    assert len(how["move_ids"]) >= 2  # out of the warehouse, into the store
    assert resolved["now"] == {"on_hand": 5 * U, "reserved": 5 * U, "available": 0}
    again = hub.client.post(path, json={"how": "adjustment", "qty": U})
    assert error_code(again, 409) == "STOCK_EXCEPTION_RESOLVED"

    # Neither side was lost: the reservation still holds 5, the sale and its move stand.
    held = ok(hub.client.get(f"/api/v1{base}/reservations", params={"location_id": str(store_loc)}))
    assert [(r["reservation_id"], r["qty"], r["status"]) for r in held] == [
        (reservation["reservation_id"], 5 * U, "active")
    ]
    assert (on_hand(hub, org_id, store_loc, rice), on_hand(hub, org_id, wh, rice)) == (5 * U, 8 * U)
    with hub.runtime.sessions() as session:
        assert session.get(Sale, (org_id, uuid.UUID(sale_id))) is not None
        assert session.get(StockMove, (org_id, uuid.UUID(sold["move_id"]))) is not None
        actions = session.scalars(
            select(AuditRecord.action).where(AuditRecord.org_id == org_id).order_by(AuditRecord.seq)
        ).all()
    assert "stock.reservation.created" in actions
    assert actions[-1] == "stock.exception.resolved"

    # Fulfilling the order lets the reservation go and takes its goods out, once;
    # exceptions are append-only.
    changed = f"/api/v1{base}/reservations/{reservation['reservation_id']}/events"
    assert ok(hub.client.post(changed, json={"kind": "fulfilled"}))["status"] == "fulfilled"
    assert on_hand(hub, org_id, store_loc, rice) == 0
    assert hub.client.post(changed, json={"kind": "fulfilled"}).status_code == 409
    assert on_hand(hub, org_id, store_loc, rice) == 0
    assert exceptions(hub, org, store_loc, status="open") == []
    with hub.runtime.engine.connect() as conn:
        with pytest.raises(DBAPIError, match=REFUSAL_MESSAGE):
            conn.execute(
                update(StockException).where(StockException.org_id == org_id).values(shortfall=0)
            )
        conn.rollback()


def test_overselling_is_negative_stock_resolved_by_adjustments(hub: Hub) -> None:
    org = hub.org()
    store = hub.store(org)
    till = Till(org, hub.device(org, store))
    salt = hub.product(org)
    org_id, store_loc = uuid.UUID(org["uuid"]), uuid.UUID(store["store_id"])
    receive(hub, org_id, store_loc, salt, 1 * U)

    sell_offline(hub, till, salt, 3 * U)
    [short] = exceptions(hub, org, store_loc, status="open")
    assert (short["kind"], short["on_hand"], short["shortfall"]) == (
        "negative_stock",
        -2 * U,
        2 * U,
    )
    assert [m["qty"] for m in short["cause"]["moves"]] == [-3 * U]
    assert short["cause"]["reservations"] == []

    path = f"/api/v1/orgs/{org['org_id']}/stock/exceptions/{short['exception_id']}/resolve"
    release = hub.client.post(path, json={"how": "release", "qty": U})
    assert error_code(release, 422) == "STOCK_RESOLUTION_NEEDS_RESERVATION"
    # A count found 1 on the back shelf: still 1 short, the exception stays open.
    partial = ok(hub.client.post(path, json={"how": "adjustment", "qty": U, "note": "back shelf"}))
    assert (partial["status"], partial["resolutions"][0]["remaining"]) == ("open", U)
    # Another sale while it is open does not open a second exception for the key.
    sell_offline(hub, till, salt, 1 * U)
    assert len(exceptions(hub, org, store_loc)) == 1
    done = ok(hub.client.post(path, json={"how": "adjustment", "qty": 2 * U}))
    assert done["status"] == "resolved"
    assert [r["remaining"] for r in done["resolutions"]] == [U, 0]
    assert on_hand(hub, org_id, store_loc, salt) == 0
    assert exceptions(hub, org, store_loc, status="open") == []


def test_conflicts_resolved_by_the_reservations_and_by_stock_coming_in(hub: Hub) -> None:
    org = hub.org()
    store = hub.store(org)
    till = Till(org, hub.device(org, store))
    oil = hub.product(org, name="Groundnut oil 1L")
    org_id, store_loc = uuid.UUID(org["uuid"]), uuid.UUID(store["store_id"])
    receive(hub, org_id, store_loc, oil, 4 * U)
    base = f"/api/v1/orgs/{org['org_id']}/stock"
    order = {"location_id": str(store_loc), "product_id": oil["product_id"], "qty": 2 * U}
    web = ok(hub.client.post(f"{base}/reservations", json={**order, "source": "online_order",
                                                            "reference": "W-88"}), 201)  # fmt: skip
    b2b = ok(hub.client.post(f"{base}/reservations", json={**order, "source": "b2b_order",
                                                            "reference": "PO-9"}), 201)  # fmt: skip

    # One sold offline: both reservations and the sale are named; the B2B order gives 1 up.
    sell_offline(hub, till, oil, 1 * U)
    [first] = exceptions(hub, org, store_loc)
    assert {r["reference"] for r in first["cause"]["reservations"]} == {"W-88", "PO-9"}
    resolve = f"{base}/exceptions/{first['exception_id']}/resolve"
    done = ok(hub.client.post(resolve, json={"how": "release", "qty": U,
                                             "reservation_id": b2b["reservation_id"]}))  # fmt: skip
    assert (done["status"], done["resolutions"][0]["reservation_id"]) == (
        "resolved", b2b["reservation_id"])  # fmt: skip

    # Another: a new exception for the key; the web order waits for stock (back-ordered).
    sell_offline(hub, till, oil, 1 * U)
    second = exceptions(hub, org, store_loc, status="open")[0]
    assert second["exception_id"] != first["exception_id"]
    resolve = f"{base}/exceptions/{second['exception_id']}/resolve"
    body = {"how": "back_order", "reservation_id": web["reservation_id"]}
    assert ok(hub.client.post(resolve, json=body))["status"] == "resolved"
    held = ok(hub.client.get(f"{base}/reservations"))
    assert {(r["reference"], r["qty"], r["status"]) for r in held} == {
        ("W-88", 2 * U, "back_ordered"), ("PO-9", 1 * U, "active")}  # fmt: skip

    # Oversold again; then a receipt covers it: the hub closes it as cleared.
    sell_offline(hub, till, oil, 3 * U)
    third = exceptions(hub, org, store_loc, status="open")[0]
    assert (third["on_hand"], third["reserved"], third["shortfall"]) == (-1 * U, 1 * U, 2 * U)
    receive(hub, org_id, store_loc, oil, 5 * U)
    [cleared] = get_exception(hub, org, third["exception_id"])["resolutions"]
    assert (cleared["how"], cleared["actor"], cleared["closes"]) == ("cleared", "system", True)
    assert exceptions(hub, org, store_loc, status="open") == []
    assert len(exceptions(hub, org, store_loc)) == 3


def get_exception(hub: Hub, org: dict[str, Any], exception_id: str) -> dict[str, Any]:
    return ok(hub.get(f"/orgs/{org['org_id']}/stock/exceptions/{exception_id}"))

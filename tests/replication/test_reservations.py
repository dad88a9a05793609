"""Sales rung at a box while it is cut off collide with a reservation made at the hub:
in real processes, the conflict is surfaced with both sides and resolved, nothing lost."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.replication.harness import Deployment, ring, wait_for

U = 1000


def test_offline_sales_against_a_hub_reservation_surface_as_a_conflict(
    deploy: Callable[..., Deployment],
) -> None:
    d = deploy()
    assert d.broker is not None
    org, store = d.org["org_id"], d.store["store_id"]
    with d.owner() as hub:
        page = hub.get(f"/api/v1/orgs/{org}/products", params={"q": "SALT-1KG"}).json()
        salt = next(p for p in page["products"] if p["sku"] == "SALT-1KG")
        line = {"product_id": salt["product_id"], "qty": 3 * U, "unit_cost": 1500}
        receipt = hub.post(
            f"/api/v1/orgs/{org}/stock/receipts", json={"location_id": store, "lines": [line]}
        )
        assert receipt.status_code in (200, 201), receipt.text

        # The box is cut off; meanwhile the hub reserves 2 of the 3 for a B2B order.
        d.broker.stop()
        order = {"location_id": store, "product_id": salt["product_id"], "qty": 2 * U,
                 "source": "b2b_order", "reference": "PO-DADAR-7"}  # fmt: skip
        reserved = hub.post(f"/api/v1/orgs/{org}/stock/reservations", json=order)
        assert reserved.status_code == 201, reserved.text
        sold = ring(d.box_url, 2, d.auth, sku="SALT-1KG")  # the box cannot know
        d.broker.start()
        wait_for(d.drained, what="the offline sales at the hub")

        def conflicts() -> list[Any]:
            found = hub.get(f"/api/v1/orgs/{org}/stock/exceptions", params={"location_id": store})
            return list(found.json())

        [conflict] = wait_for(conflicts, what="the conflict")
        assert (conflict["kind"], conflict["shortfall"]) == ("reservation_conflict", 1 * U)
        [claim] = conflict["cause"]["reservations"]
        assert claim["reservation_id"] == reserved.json()["reservation_id"]
        moves = conflict["cause"]["moves"]
        assert {m["sale_id"] for m in moves} == set(sold)
        assert {m["device_id"] for m in moves} == {d.device["device_id"]}

        # Staff find one more on the shelf: an adjustment resolves it.
        path = f"/api/v1/orgs/{org}/stock/exceptions/{conflict['exception_id']}/resolve"
        done = hub.post(path, json={"how": "adjustment", "qty": U, "note": "back shelf"})
        assert done.status_code == 200, done.text
        assert done.json()["status"] == "resolved"
        assert done.json()["now"] == {"on_hand": 2 * U, "reserved": 2 * U, "available": 0}
        held = hub.get(f"/api/v1/orgs/{org}/stock/reservations").json()
        assert [(r["qty"], r["status"]) for r in held] == [(2 * U, "active")]
    assert set(d.hub_sales()) == set(sold)

"""A batch received at the hub reaches the box's stock, and a sale of it comes back to the hub's
stock of that batch, in real processes (broker, hub API, a worker running the publishers, a box).

The hub receives 5 of a product in batch B1 at the store; the stock publisher sends the
store's snapshot (retained, ``{org}/{store}/down/stock``); the box shows 5 in B1 offline, with
an expiry warning; a sale at the box takes 1 from B1 (FEFO) and the hub's level of B1 at the
store becomes 4 once the sale is ingested, and the box says 4 all along (its own later move).
Run twice: with the snapshot in the message, and fetched as a blob by reference.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import httpx
import pytest

from tests.replication.harness import Deployment, wait_for

SKU = "ATTA-5KG"


def box_stock(d: Deployment, product_id: str) -> dict[str, Any] | None:
    r = httpx.get(f"{d.box_url}/api/v1/stock/{product_id}", headers=d.auth, timeout=10)
    return r.json() if r.status_code == 200 else None


@pytest.mark.parametrize("limit", ["262144", "0"], ids=["inline", "by_reference"])
def test_a_batch_received_at_the_hub_is_sold_at_the_box_and_counted_back(
    deploy: Callable[..., Deployment], limit: str
) -> None:
    # "0": every snapshot is a blob the box fetches from the hub (what a store too big
    # for one MQTT message gets), the same steps must hold.
    d = deploy(hub_env_extra={"SETLEDGER_HUB_STOCK_INLINE_MAX_BYTES": limit})
    org, store = d.org["org_id"], d.store["store_id"]
    with httpx.Client(base_url=d.box_url, headers=d.auth, timeout=10) as box:
        product_id = box.get("/api/v1/catalog/lookup", params={"code": SKU}).json()["product_id"]
    before = box_stock(d, product_id)
    assert before is None or before["qty"] == 0  # nothing known at this store yet
    expiry = date.today() + timedelta(days=10)
    with d.owner() as hub:
        lot = hub.post(
            f"/api/v1/orgs/{org}/stock/lots",
            json={"product_id": product_id, "batch_no": "B1", "expiry": expiry.isoformat()},
        )
        assert lot.status_code == 201, lot.text
        received = hub.post(
            f"/api/v1/orgs/{org}/stock/receipts",
            json={
                "location_id": store,
                "lines": [
                    {
                        "product_id": product_id,
                        "qty": 5000,
                        "lot_id": lot.json()["lot_id"],
                        "unit_cost": 25_000,
                    }
                ],
            },
        )
        assert received.status_code == 201, received.text

    def at_box(qty: int) -> dict[str, Any] | None:
        seen = box_stock(d, product_id)
        return seen if seen and seen["qty"] == qty else None

    seen = wait_for(lambda: at_box(5000), timeout=45, what="the hub's snapshot at the box")
    ((batch, lot_qty, warning),) = [(x["batch_no"], x["qty"], x["warning"]) for x in seen["lots"]]
    assert (batch, lot_qty) == ("B1", 5000)
    assert warning["kind"] == "expiring"
    assert seen["fefo_batch_no"] == "B1"

    with httpx.Client(base_url=d.box_url, headers=d.auth, timeout=10) as box:
        cart_id = str(uuid.uuid4())
        box.post("/api/v1/carts", json={"cart_id": cart_id}).raise_for_status()
        line = box.post(f"/api/v1/carts/{cart_id}/lines", json={"code": SKU})
        assert line.status_code == 201, line.text
        payable = line.json()["totals"]["payable"]
        sold = box.post(
            f"/api/v1/carts/{cart_id}/checkout",
            json={"sale_id": str(uuid.uuid4()), "tenders": [{"kind": "cash", "amount": payable}]},
        )
        assert sold.status_code == 201, sold.text
    assert at_box(4000) is not None  # the box counts its own sale at once, offline or not

    def at_hub() -> int | None:
        with d.owner() as hub:
            levels = hub.get(f"/api/v1/orgs/{org}/stock/products/{product_id}").json()
        in_b1 = [x["qty"] for x in levels if x["location_id"] == store and x["lot_id"]]
        return in_b1[0] if in_b1 and in_b1[0] == 4000 else None

    wait_for(at_hub, timeout=30, what="the sale's batch move at the hub")
    # The next snapshot includes the sale: the box must not count it twice.
    wait_for(lambda: d.drained(), what="the box's outbox drained")
    assert at_box(4000) is not None

"""An urgent reorder raised at a box that is cut off reaches the hub once it is back,
in real processes: the box records it and says "not delivered", the broker returns,
the hub holds one request (the box's retry made no second one) and the box then
says "delivered"; the owner orders it at the hub and the box hears back
("ordered", with the purchase order's number) through the store's retained
``reorder.status``."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from hub.db.models import UrgentReorder
from tests.replication.harness import Deployment, wait_for


# One backend: a whole deployment costs ~12 s, and ingest of this document on SQLite
# and PostgreSQL is covered in tests/hub/test_urgent_reorder.py.
@pytest.mark.parametrize("hub_database", ["postgresql"], indirect=True)
def test_a_reorder_raised_offline_reaches_the_hub_once(
    deploy: Callable[..., Deployment],
) -> None:
    d = deploy()
    assert d.broker is not None
    assert d.engine is not None
    org = d.org["org_id"]
    d.broker.stop()
    with httpx.Client(base_url=d.box_url, headers=d.auth, timeout=10) as box:
        found = box.get("/api/v1/catalog/search", params={"q": "SALT-1KG"}).json()
        salt = next(p for p in found if p["sku"] == "SALT-1KG")
        body = {"reorder_id": str(uuid.uuid4()), "product_id": salt["product_id"],
                "qty": 24000, "note": "festival week"}  # fmt: skip
        made = box.post("/api/v1/reorders", json=body)
        assert made.status_code == 201, made.text
        assert box.post("/api/v1/reorders", json=body).json()["replayed"] is True
        assert [r["delivered"] for r in box.get("/api/v1/reorders").json()] == [False]

        d.broker.start()

        def delivered() -> bool:
            listed: list[Any] = box.get("/api/v1/reorders").json()
            return [r["delivered"] for r in listed] == [True]

        wait_for(delivered, what="the hub's ack of the reorder at the box")
    with d.engine.connect() as conn:
        rows = conn.execute(select(UrgentReorder.reorder_id, UrgentReorder.qty)).all()
        assert conn.execute(select(func.count()).select_from(UrgentReorder)).scalar() == 1
    assert [(str(r.reorder_id), r.qty) for r in rows] == [(body["reorder_id"], 24000)]

    with d.owner() as hub:
        listed = hub.get(f"/api/v1/orgs/{org}/stores/{d.store['store_id']}/urgent-reorders")
        assert listed.status_code == 200, listed.text
        [seen] = listed.json()
        assert (seen["status"], seen["sku"], seen["note"]) == ("open", "SALT-1KG", "festival week")
        path = f"/api/v1/orgs/{org}/urgent-reorders/{body['reorder_id']}/ordered"
        with httpx.Client(base_url=d.box_url, headers=d.auth, timeout=10) as box:

            def heard() -> tuple[Any, ...]:
                [mine] = box.get("/api/v1/reorders").json()
                return (mine["status"], mine["po_reference"], mine["status_note"])

            wait_for(lambda: heard()[0] == "open", what="the box hearing the request is open")
            ordered = hub.post(path, json={"po_reference": "PO-DADAR-9", "note": "Monday"})
            assert ordered.status_code == 200, ordered.text
            assert ordered.json()["status"] == "ordered"
            wait_for(lambda: heard()[0] == "ordered", what="the box hearing it was ordered")
            assert heard() == ("ordered", "PO-DADAR-9", "Monday")

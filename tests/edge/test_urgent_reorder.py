"""Urgent reorders at the box, with no hub: raised from the counter, kept once per
reorder id, queued on the outbox's ``reorders`` stream, listed with whether the hub
has them; bad input changes nothing."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

from edge.services.identity import current_epoch
from edge.store import outbox
from setledger.contracts import UrgentReorder
from tests.edge.conftest import Box
from tests.edge.staff import CASHIER_ID


def raise_one(box: Box, **body: Any) -> Any:
    return box.client.post("/api/v1/reorders", json=body)


def reorder_state(box: Box) -> dict[str, Any]:
    return {
        "urgent_reorder": box.rows("SELECT * FROM urgent_reorder ORDER BY 1"),
        "outbox": box.rows("SELECT * FROM outbox ORDER BY 1"),
        "outbox_seq": box.rows("SELECT * FROM outbox_seq ORDER BY 1, 2"),
    }


def test_a_reorder_is_kept_once_queued_for_the_hub_and_listed_until_delivered(box: Box) -> None:
    atta = box.product("ATTA-5KG")
    sold = box.sell([{"code": "ATTA-5KG", "qty": "2"}], [{"kind": "cash", "amount": 100000}])
    assert sold.status_code == 201, sold.text
    reorder_id = str(uuid.uuid4())
    body = {"reorder_id": reorder_id, "product_id": str(atta.product_id), "qty": 12000,
            "note": " shelf empty by noon "}  # fmt: skip
    made = raise_one(box, **body)
    assert made.status_code == 201, made.text
    out = made.json()
    assert out["replayed"] is False
    r = out["reorder"]
    assert (r["sku"], r["name"], r["qty"], r["note"]) == (
        "ATTA-5KG",
        atta.name,
        12000,
        "shelf empty by noon",
    )
    # No snapshot yet: on hand is the box's own moves, the two sold.
    assert (r["on_hand_seen"], r["display"]) == (-2000, {"qty": "12", "on_hand_seen": "-2"})
    assert r["raised_by"] == str(CASHIER_ID)
    assert r["raised_by_name"]
    assert r["delivered"] is False

    # The retry (a lost answer) records nothing new and answers the same request.
    again = raise_one(box, **body)
    assert again.status_code == 200, again.text
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == {**out, "replayed": True}
    (row,) = box.rows(
        "SELECT stream, seq, key, schema_name, payload FROM outbox WHERE stream = 'reorders'"
    )
    assert row[:4] == ("reorders", 1, reorder_id, "reorder.urgent")
    document = UrgentReorder.model_validate(json.loads(row[4]))
    assert (document.qty, document.on_hand_seen, document.product_id) == (
        12000,
        -2000,
        atta.product_id,
    )
    assert str(document.store_id) == str(box.bundle.store_id)
    assert str(document.device_id) == str(box.bundle.device_id)
    assert document.raised_at.tzinfo is not None

    # A second request (no stock known for salt: on hand not seen), newest first.
    salt = box.product("SALT-1KG")
    second = raise_one(box, reorder_id=str(uuid.uuid4()), product_id=str(salt.product_id), qty=500)
    assert second.status_code == 201, second.text
    assert second.json()["reorder"]["on_hand_seen"] is None
    listed = box.client.get("/api/v1/reorders").json()
    assert [x["sku"] for x in listed] == ["SALT-1KG", "ATTA-5KG"]
    assert [x["delivered"] for x in listed] == [False, False]

    # The hub's ack for the first seq of the stream (as the replicator records it).
    runtime = box.client.app.state.box  # type: ignore[attr-defined]
    with runtime.db.writer.begin() as conn:
        epoch = current_epoch(conn)
        assert epoch is not None
        assert outbox.prune(conn, epoch, "reorders", 1, datetime.now(UTC)) == 1
    listed = box.client.get("/api/v1/reorders").json()
    assert [(x["sku"], x["delivered"]) for x in listed] == [("SALT-1KG", False), ("ATTA-5KG", True)]
    waiting = box.client.get("/api/v1/reorders", params={"delivered": "false"}).json()
    assert [x["sku"] for x in waiting] == ["SALT-1KG"]
    # Still answered as the same request after its outbox row is gone.
    assert raise_one(box, **body).json()["reorder"]["delivered"] is True


def test_bad_reorders_change_nothing(box: Box) -> None:
    atta = str(box.product("ATTA-5KG").product_id)
    first = {"reorder_id": str(uuid.uuid4()), "product_id": atta, "qty": 1000}
    assert raise_one(box, **first).status_code == 201
    before = reorder_state(box)
    cases: list[tuple[dict[str, Any], int, str]] = [
        ({"product_id": str(uuid.uuid4()), "qty": 1000}, 404, "PRODUCT_NOT_FOUND"),
        ({"product_id": atta, "qty": 0}, 422, "REORDER_QTY_INVALID"),
        ({"product_id": atta, "qty": -5000}, 422, "REORDER_QTY_INVALID"),
        ({"product_id": atta, "qty": 10**12}, 422, "REORDER_QTY_INVALID"),
        ({"product_id": atta, "qty": 1.5}, 422, "REQUEST_INVALID"),
        ({"product_id": atta, "qty": "12"}, 422, "REQUEST_INVALID"),
        ({"product_id": atta, "qty": 1000, "note": "x" * 501}, 422, "REQUEST_INVALID"),
        # The first request's id with another quantity.
        (
            {"reorder_id": first["reorder_id"], "product_id": atta, "qty": 2000},
            409,
            "REORDER_ID_REUSED",
        ),
    ]
    for body, status, code in cases:
        r = raise_one(box, **{"reorder_id": str(uuid.uuid4()), **body})
        assert r.status_code == status, (body, r.text)
        error = r.json()["error"]
        assert error["code"] == code, (body, r.text)
        assert error["remediation"]
    assert reorder_state(box) == before
    # Signed out: refused, nothing written.
    box.client.post("/api/v1/auth/logout")
    refused = raise_one(box, reorder_id=str(uuid.uuid4()), product_id=atta, qty=1000)
    assert refused.status_code == 401, refused.text
    assert reorder_state(box) == before

"""Urgent reorders from a box at the hub, on SQLite and PostgreSQL.

A request is kept once per reorder id (the same envelope twice, and the same
request again under a new seq, make one row); other content under its id, a
product the org does not have, or another box's name are quarantined. People
acknowledge, order (with the PO) or dismiss it, each step a new audited event;
a step the status does not allow is refused and changes nothing.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import delete, select, update
from sqlalchemy.exc import DBAPIError

from hub.db.append_only import REFUSAL_MESSAGE
from hub.db.models import AuditRecord, UrgentReorder, UrgentReorderEvent
from setledger.contracts import UrgentReorder as UrgentReorderDocument
from tests.hub.harness import API, Hub, error_code, ok
from tests.hub.sales_factory import Till

RAISED = datetime(2026, 11, 24, 6, 30, tzinfo=UTC)


def request(till: Till, product: dict[str, Any], **changes: Any) -> UrgentReorderDocument:
    fields: dict[str, Any] = {
        "reorder_id": uuid.uuid4(),
        "store_id": uuid.UUID(str(till.device["store_id"])),
        "device_id": uuid.UUID(str(till.device["device_id"])),
        "product_id": uuid.UUID(product["product_id"]),
        "sku": product["sku"],
        "qty": 24000,
        "on_hand_seen": -1000,
        "note": "sold out by noon",
        "raised_by": uuid.uuid4(),
        "raised_by_code": "ORG-00000000-U-000002",
        "raised_at": RAISED,
    }
    return UrgentReorderDocument(**{**fields, **changes})


def listing(hub: Hub, path: str, **params: Any) -> list[dict[str, Any]]:
    response = hub.get(path, **params)
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()
    return found


def seal(till: Till, reorder: UrgentReorderDocument) -> Any:
    return till.seal(reorder, key=str(reorder.reorder_id))


def test_a_request_is_kept_once_and_moves_through_its_states(hub: Hub) -> None:
    org = hub.org()
    store = hub.store(org)
    till = Till(org, hub.device(org, store), stream="reorders")
    salt = hub.product(org)
    atta = hub.product(org, name="Aashirvaad Atta 5kg")
    org_id = uuid.UUID(org["uuid"])

    first = request(till, salt)
    envelope = seal(till, first)
    assert hub.apply(envelope).outcome == "applied"
    assert hub.apply(envelope).outcome == "duplicate"
    # The box sends it again under a new seq (restored box, resend): still one request.
    assert hub.apply(seal(till, first)).outcome == "duplicate"
    refused = {
        "key_reused": request(till, salt, reorder_id=first.reorder_id, qty=1000),
        "sale_invalid": request(till, salt, product_id=uuid.uuid4()),
    }
    for reason, document in refused.items():
        outcome = hub.apply(seal(till, document))
        assert (outcome.outcome, outcome.reason_code) == ("quarantined", reason), outcome
    other_box = hub.device(org, hub.store(org))
    wrong = hub.apply(seal(till, request(till, salt, device_id=uuid.UUID(other_box["device_id"]))))
    assert (wrong.outcome, wrong.reason_code) == ("quarantined", "sale_invalid")
    later = request(till, atta, raised_at=RAISED + timedelta(hours=1), note=None, on_hand_seen=None)
    dropped = request(till, atta, raised_at=RAISED + timedelta(hours=2))
    assert [hub.apply(seal(till, r)).outcome for r in (later, dropped)] == ["applied", "applied"]
    with hub.runtime.sessions() as session:
        rows = session.execute(
            select(UrgentReorder.reorder_id, UrgentReorder.qty, UrgentReorder.seq)
            .where(UrgentReorder.org_id == org_id)
            .order_by(UrgentReorder.seq)
        ).all()
    assert [(r.reorder_id, r.qty, r.seq) for r in rows] == [
        (first.reorder_id, 24000, 1),
        (later.reorder_id, 24000, 6),
        (dropped.reorder_id, 24000, 7),
    ]

    base = f"/orgs/{org['org_id']}/urgent-reorders"
    listed = listing(hub, f"/orgs/{org['org_id']}/stores/{store['store_id']}/urgent-reorders")
    assert [(r["reorder_id"], r["status"]) for r in listed] == [
        (str(dropped.reorder_id), "open"),
        (str(later.reorder_id), "open"),
        (str(first.reorder_id), "open"),
    ]
    assert (listed[2]["name"], listed[2]["on_hand_seen"], listed[2]["note"]) == (
        "Tata Salt 1kg",
        -1000,
        "sold out by noon",
    )

    post = hub.client.post
    acked = ok(post(f"{API}{base}/{first.reorder_id}/acknowledge", json={"note": "checking"}))
    assert acked["status"] == "acknowledged"
    # Acknowledged once only; an order needs its PO reference; nothing changes on refusal.
    assert error_code(post(f"{API}{base}/{first.reorder_id}/acknowledge"), 409) == (
        "URGENT_REORDER_STATE"
    )
    assert error_code(post(f"{API}{base}/{first.reorder_id}/ordered", json={}), 422) == (
        "REQUEST_INVALID"
    )
    ordered = ok(
        post(f"{API}{base}/{first.reorder_id}/ordered", json={"po_reference": "PO-2026-0042"})
    )
    assert (ordered["status"], ordered["po_reference"]) == ("ordered", "PO-2026-0042")
    assert [s["kind"] for s in ordered["steps"]] == ["acknowledged", "ordered"]
    for step in ("acknowledge", "dismiss"):
        assert error_code(post(f"{API}{base}/{first.reorder_id}/{step}"), 409) == (
            "URGENT_REORDER_STATE"
        )
    dismissed = ok(post(f"{API}{base}/{dropped.reorder_id}/dismiss", json={"note": "seasonal"}))
    assert dismissed["status"] == "dismissed"
    assert error_code(post(f"{API}{base}/{uuid.uuid4()}/acknowledge"), 404) == (
        "URGENT_REORDER_NOT_FOUND"
    )

    listed = listing(hub, f"/orgs/{org['org_id']}/stores/{store['store_id']}/urgent-reorders")
    assert [(r["reorder_id"], r["status"]) for r in listed] == [
        (str(later.reorder_id), "open"),
        (str(dropped.reorder_id), "dismissed"),
        (str(first.reorder_id), "ordered"),
    ]
    only_open = listing(
        hub, f"/orgs/{org['org_id']}/stores/{store['store_id']}/urgent-reorders", status="open"
    )
    assert [r["reorder_id"] for r in only_open] == [str(later.reorder_id)]

    with hub.runtime.sessions() as session:
        events = session.execute(
            select(
                UrgentReorderEvent.reorder_id, UrgentReorderEvent.serial, UrgentReorderEvent.kind
            )
            .where(UrgentReorderEvent.org_id == org_id)
            .order_by(UrgentReorderEvent.at)
        ).all()
        actions = session.scalars(
            select(AuditRecord.action)
            .where(AuditRecord.org_id == org_id, AuditRecord.action.like("stock.urgent_reorder.%"))
            .order_by(AuditRecord.seq)
        ).all()
    assert [tuple(e) for e in events] == [
        (first.reorder_id, 1, "acknowledged"),
        (first.reorder_id, 2, "ordered"),
        (dropped.reorder_id, 1, "dismissed"),
    ]
    assert actions == [
        "stock.urgent_reorder.acknowledged",
        "stock.urgent_reorder.ordered",
        "stock.urgent_reorder.dismissed",
    ]

    # Requests and their steps are append-only.
    for statement in (
        update(UrgentReorder).where(UrgentReorder.org_id == org_id).values(qty=1),
        delete(UrgentReorderEvent).where(UrgentReorderEvent.org_id == org_id),
    ):
        with hub.runtime.engine.connect() as conn:
            with pytest.raises(DBAPIError, match=REFUSAL_MESSAGE):
                conn.execute(statement)
            conn.rollback()

    # Another org sees none of it.
    stranger = hub.org(name="Other Traders")
    assert error_code(
        hub.get(f"/orgs/{stranger['org_id']}/urgent-reorders/{later.reorder_id}"), 404
    ) == ("URGENT_REORDER_NOT_FOUND")

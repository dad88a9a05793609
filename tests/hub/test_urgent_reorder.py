"""Urgent reorders from a box at the hub, on SQLite and PostgreSQL.

A request is kept once per reorder id (the same envelope twice, and the same
request again under a new seq, make one row); other content under its id, a
product the org does not have, or another box's name are quarantined. People
acknowledge, order (with the PO) or dismiss it, each step a new audited event;
a step the status does not allow is refused and changes nothing. What was done
goes back down to the store's boxes as a retained ``reorder.status`` (real broker).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, select, update
from sqlalchemy.exc import DBAPIError

from hub.db.append_only import REFUSAL_MESSAGE
from hub.db.models import AuditRecord, UrgentReorder, UrgentReorderEvent
from hub.settings import HubSettings
from hub.stock.urgent_publisher import RECENT_DAYS, ReorderStatusPublisher, store_reorder_status
from ops.broker import Broker
from setledger.contracts import ReorderStatus, topics
from setledger.contracts import UrgentReorder as UrgentReorderDocument
from tests.hub.harness import API, Hub, error_code, ok
from tests.hub.mqtt_harness import (
    FakeBox,
    connected,
    running,
    secure_broker,
    wait_for,
    worker_settings,
)
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


def test_the_store_s_status_document_names_its_recent_requests(hub: Hub) -> None:
    org = hub.org()
    store, elsewhere = hub.store(org), hub.store(org)
    till = Till(org, hub.device(org, store), stream="reorders")
    far = Till(org, hub.device(org, elsewhere), stream="reorders")
    salt = hub.product(org)
    org_id, store_id = uuid.UUID(org["uuid"]), uuid.UUID(store["store_id"])
    now = datetime.now(UTC)
    waiting, ordered, dropped, old = (request(till, salt) for _ in range(4))
    for r, received in ((waiting, now), (ordered, now), (dropped, now)):
        assert hub.apply(seal(till, r), received_at=received).outcome == "applied"
    long_ago = now - timedelta(days=RECENT_DAYS + 5)
    assert hub.apply(seal(till, old), received_at=long_ago).outcome == "applied"
    assert hub.apply(seal(far, request(far, salt))).outcome == "applied"
    base = f"{API}/orgs/{org['org_id']}/urgent-reorders"
    ok(hub.client.post(f"{base}/{ordered.reorder_id}/acknowledge"))
    ok(
        hub.client.post(
            f"{base}/{ordered.reorder_id}/ordered",
            json={"po_reference": "PO-00012", "note": "with Monday's truck"},
        )
    )
    ok(hub.client.post(f"{base}/{dropped.reorder_id}/dismiss", json={"note": "seasonal"}))

    with hub.runtime.sessions() as session:
        document = store_reorder_status(session, org_id, store_id)
    assert (document.org_id, document.store_id) == (org["org_id"], store_id)
    heard = {x.reorder_id: (x.status, x.po_reference, x.note) for x in document.reorders}
    # The old request, untouched for longer than RECENT_DAYS, and the other store's are left out.
    assert heard == {
        waiting.reorder_id: ("open", None, None),
        ordered.reorder_id: ("ordered", "PO-00012", "with Monday's truck"),
        dropped.reorder_id: ("dismissed", None, "seasonal"),
    }
    changed = [x.changed_at for x in document.reorders]
    assert changed == sorted(changed, reverse=True)
    # A step on the old request brings it back into the document.
    ok(hub.client.post(f"{base}/{old.reorder_id}/acknowledge"))
    with hub.runtime.sessions() as session:
        again = store_reorder_status(session, org_id, store_id)
        later = store_reorder_status(
            session, org_id, store_id, now + timedelta(days=RECENT_DAYS + 1)
        )
    assert again.reorders[0].reorder_id == old.reorder_id
    assert (again.reorders[0].status, len(again.reorders)) == ("acknowledged", 4)
    assert later.reorders == []
    ReorderStatus.model_validate_json(again.model_dump_json())


def running_publisher(settings: HubSettings) -> AbstractContextManager[ReorderStatusPublisher]:
    return running(ReorderStatusPublisher(settings, name="test", interval_s=0.05))


def test_the_hub_tells_the_store_s_boxes_when_a_status_changes(
    hub: Hub, make_broker: Callable[..., Broker], broker_files: Path
) -> None:
    org = hub.org()
    store, elsewhere = hub.store(org), hub.store(org)
    device, far_device = hub.device(org, store), hub.device(org, elsewhere)
    till = Till(org, device, stream="reorders")
    salt = hub.product(org)
    first = request(till, salt)
    assert hub.apply(seal(till, first)).outcome == "applied"
    broker = secure_broker(hub, make_broker, broker_files)
    box, far = FakeBox.of(org, device, broker), FakeBox.of(org, far_device, broker)
    mine = topics.store_reorders(org["org_id"], store["store_id"])

    def documents(on: FakeBox) -> list[ReorderStatus]:
        return [ReorderStatus.model_validate(m.json()) for m in on.messages("/down/reorders")]

    def status_of(reorder_id: uuid.UUID) -> Callable[[], tuple[str, str | None] | None]:
        def newest() -> tuple[str, str | None] | None:
            found = documents(box)
            if not found:
                return None
            named = {x.reorder_id: x for x in found[-1].reorders}
            item = named.get(reorder_id)
            return None if item is None else (item.status, item.po_reference)

        return newest

    settings = worker_settings(hub, broker)
    with running_publisher(settings), connected(box), connected(far):
        # On start: the open request, retained on the store's downlink.
        box.subscribe(mine)
        far.subscribe(topics.store_reorders(org["org_id"], elsewhere["store_id"]))
        assert wait_for(status_of(first.reorder_id), "the open request") == ("open", None)
        base = f"{API}/orgs/{org['org_id']}/urgent-reorders"
        ok(hub.client.post(f"{base}/{first.reorder_id}/ordered", json={"po_reference": "PO-7"}))
        assert wait_for(lambda: status_of(first.reorder_id)() == ("ordered", "PO-7"), "the order")
        versions = [d.version for d in documents(box)]
        assert versions == sorted(set(versions))
        # A second request of the store: in the next document, beside the first.
        second = request(till, salt)
        assert hub.apply(seal(till, second)).outcome == "applied"
        assert wait_for(status_of(second.reorder_id), "the second request") == ("open", None)
        assert status_of(first.reorder_id)() == ("ordered", "PO-7")
        # The other store has no requests: nothing on its downlink (the documents of
        # a store only ever go to that store's topic, which its boxes alone may read).
        assert documents(far) == []
    # Retained: a box that connects later hears the newest document at once.
    late = FakeBox.of(org, device, broker)
    with connected(late):
        late.subscribe(mine)
        found = wait_for(lambda: late.messages("/down/reorders"), "the retained document")
        assert found[-1].retain
        newest = ReorderStatus.model_validate(found[-1].json())
        assert {x.reorder_id: x.status for x in newest.reorders} == {
            first.reorder_id: "ordered",
            second.reorder_id: "open",
        }

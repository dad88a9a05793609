"""Urgent reorders at the box, with no hub: raised from the counter, kept once per
reorder id, queued on the outbox's ``reorders`` stream, listed with whether the hub
has them; bad input changes nothing. What head office did with them comes down in
the store's ``reorder.status`` (applied when newer, another store's refused), also
over a real broker."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from edge.app import create_app
from edge.services.identity import current_epoch, require_identity
from edge.services.reorder import StatusMismatch, apply_status
from edge.settings import BoxSettings
from edge.store import outbox
from edge.sync.reorder_sync import ReorderStatusSync
from setledger.contracts import ReorderStatus, ReorderStatusItem, UrgentReorder, topics
from tests.edge.conftest import Box, SettableClock, make_bundle
from tests.edge.fake_hub import FakeHub, wait_for
from tests.edge.staff import CASHIER_ID, sign_in

ORDERED_AT = datetime(2026, 11, 24, 9, 15, tzinfo=UTC)


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


def status_document(
    box: Box, version: int, items: list[tuple[str, str, str | None, str | None]], **changes: Any
) -> ReorderStatus:
    """The store's ``reorder.status``: ``items`` are (reorder id, status, PO, note)."""
    fields: dict[str, Any] = {
        "org_id": box.bundle.org_id,
        "store_id": box.bundle.store_id,
        "version": version,
        "as_of": ORDERED_AT,
        "reorders": [
            ReorderStatusItem(
                reorder_id=uuid.UUID(reorder_id),
                status=status,  # type: ignore[arg-type]
                po_reference=po,
                note=note,
                changed_at=ORDERED_AT,
            )
            for reorder_id, status, po, note in items
        ],
    }
    return ReorderStatus(**{**fields, **changes})


def status_sync(box: Box) -> ReorderStatusSync:
    """The reorder status downlink of this box (its thread not started: no broker here)."""
    runtime = box.client.app.state.box  # type: ignore[attr-defined]
    with runtime.db.reader.connect() as conn:
        identity = require_identity(conn)
    return ReorderStatusSync(runtime.db, identity, runtime.now)


def heard(box: Box) -> dict[str, tuple[Any, ...]]:
    listed = box.client.get("/api/v1/reorders")
    assert listed.status_code == 200, listed.text
    return {
        r["reorder_id"]: (r["status"], r["po_reference"], r["status_note"], r["status_at"])
        for r in listed.json()
    }


def test_the_box_takes_the_hub_s_word_on_its_requests(box: Box) -> None:
    atta = str(box.product("ATTA-5KG").product_id)
    ids = [str(uuid.uuid4()) for _ in range(3)]
    for reorder_id in ids:
        assert raise_one(box, reorder_id=reorder_id, product_id=atta, qty=1000).status_code == 201
    first, second, third = ids
    # Nothing heard yet: null, not "open".
    assert heard(box) == {i: (None, None, None, None) for i in ids}
    sync = status_sync(box)
    another_box_s = str(uuid.uuid4())  # the store's other till raised this one
    document = status_document(
        box,
        5,
        [
            (first, "ordered", "PO-00012", "with Monday's truck"),
            (second, "acknowledged", None, None),
            (another_box_s, "open", None, None),
        ],
    )
    assert sync.apply(document) == 5
    at = ORDERED_AT.isoformat().replace("+00:00", "Z")
    assert heard(box) == {
        first: ("ordered", "PO-00012", "with Monday's truck", at),
        second: ("acknowledged", None, None, at),
        third: (None, None, None, None),
    }
    before = box.rows("SELECT * FROM reorder_status ORDER BY 1")
    # An older or equal version changes nothing.
    stale = status_document(box, 5, [(first, "dismissed", None, "too late")])
    assert sync.apply(stale) is None
    assert sync.apply(status_document(box, 4, [(second, "dismissed", None, None)])) is None
    assert box.rows("SELECT * FROM reorder_status ORDER BY 1") == before
    # A newer one replaces what it names and leaves the rest as heard.
    assert sync.apply(status_document(box, 9, [(second, "dismissed", None, "seasonal")])) == 9
    now = heard(box)
    assert now[second][:3] == ("dismissed", None, "seasonal")
    assert now[first][:3] == ("ordered", "PO-00012", "with Monday's truck")
    # The request itself stays as raised (append-only).
    assert len(box.rows("SELECT * FROM urgent_reorder")) == 3


def test_another_store_s_status_is_refused(box: Box) -> None:
    atta = str(box.product("ATTA-5KG").product_id)
    mine = str(uuid.uuid4())
    assert raise_one(box, reorder_id=mine, product_id=atta, qty=1000).status_code == 201
    sync = status_sync(box)
    others = [
        status_document(box, 7, [(mine, "dismissed", None, None)], store_id=uuid.uuid4()),
        status_document(box, 7, [(mine, "dismissed", None, None)], org_id="ORG-0000beef"),
    ]
    for document in others:
        assert not sync.accepts(document)
        sync.offer(document)  # dropped before it is ever applied
        runtime = box.client.app.state.box  # type: ignore[attr-defined]
        with runtime.db.writer.begin() as conn, pytest.raises(StatusMismatch):
            apply_status(conn, sync.identity, document, runtime.now())
    assert box.rows("SELECT * FROM reorder_status") == []
    assert heard(box) == {mine: (None, None, None, None)}


def test_the_retained_status_reaches_the_box_over_mqtt(
    tmp_path: Path, make_broker: Any, clock: SettableClock
) -> None:
    broker = make_broker()
    bundle = make_bundle().model_copy(update={"broker_url": broker.url})
    path = tmp_path / "bundle.json"
    path.write_text(bundle.model_dump_json())
    settings = BoxSettings(data_dir=tmp_path / "box", provision_file=path)
    hub = FakeHub(broker)
    try:
        with TestClient(create_app(settings, wall_clock=clock)) as client:
            sign_in(client)
            box = Box(client, settings.db_path, bundle, clock)
            atta = str(box.product("ATTA-5KG").product_id)
            mine = str(uuid.uuid4())
            assert raise_one(box, reorder_id=mine, product_id=atta, qty=6000).status_code == 201
            topic = topics.store_reorders(bundle.org_id, bundle.store_id)
            hub.publish(topic, status_document(box, 3, [(mine, "ordered", "PO-7", None)]), True)
            wait_for(lambda: heard(box)[mine][0] == "ordered", what="the status applied")
            assert heard(box)[mine][:2] == ("ordered", "PO-7")
    finally:
        hub.close()

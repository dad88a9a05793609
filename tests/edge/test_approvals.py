"""Manager PIN approvals: discounts above the limit, voids, the no-sale drawer.

Each approval is an append-only ``approval`` row written with its outbox
row (stream ``approvals``) in the same transaction as what it approves;
a missing or refused approval writes nothing at all.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from edge.app import create_app
from edge.settings import BoxSettings
from setledger.contracts import ApprovalRecorded
from tests.edge.conftest import ORG, Box, SettableClock, make_bundle
from tests.edge.fake_hub import FakeHub, wait_for
from tests.edge.staff import CASHIER_ID, CASHIER_PIN, MANAGER_ID, approval, sign_in

CASH = [{"kind": "cash", "amount": 100000}]
# SALT-1KG is ₹28.00: the 10% limit allows ₹2.80 off without a manager.
WITHIN_LIMIT = 280
OVER_LIMIT = 281


def error(r: Any) -> tuple[int, str]:
    return r.status_code, r.json()["error"]["code"]


def approvals(box: Box) -> list[dict[str, Any]]:
    rows = box.rows(
        "SELECT action, approved_by, requested_by, sale_id, cart_id, amount FROM approval"
        " ORDER BY rowid"
    )
    keys = ("action", "approved_by", "requested_by", "sale_id", "cart_id", "amount")
    return [dict(zip(keys, row, strict=True)) for row in rows]


def approval_outbox(box: Box) -> list[ApprovalRecorded]:
    rows = box.rows("SELECT seq, payload FROM outbox WHERE stream = 'approvals' ORDER BY seq")
    assert [seq for seq, _ in rows] == list(range(1, len(rows) + 1))
    return [ApprovalRecorded.model_validate(json.loads(payload)) for _, payload in rows]


def sale_with(discount: int, **extra: Any) -> dict[str, Any]:
    return {
        "sale_id": str(uuid.uuid4()),
        "lines": [{"code": "SALT-1KG", "discount": discount}, {"code": "EGGS-6"}],
        "tenders": CASH,
        **extra,
    }


def test_a_discount_within_the_limit_needs_no_manager(box: Box) -> None:
    r = box.client.post("/api/v1/sales", json=sale_with(WITHIN_LIMIT))
    assert r.status_code == 201, r.text
    assert approvals(box) == []


def test_a_discount_over_the_limit_needs_a_managers_pin(box: Box) -> None:
    before = box.fingerprint()
    missing = box.client.post("/api/v1/sales", json=sale_with(OVER_LIMIT))
    assert error(missing) == (403, "APPROVAL_REQUIRED")
    assert missing.json()["error"]["details"] == {
        "action": "discount",
        "lines": [1],
        "limit_bp": 1000,
    }
    by_cashier = box.client.post(
        "/api/v1/sales", json=sale_with(OVER_LIMIT, approval=approval(CASHIER_ID, CASHIER_PIN))
    )
    assert error(by_cashier) == (403, "APPROVAL_REFUSED")
    assert by_cashier.json()["error"]["details"]["cause"] == "not_manager"
    wrong_pin = box.client.post(
        "/api/v1/sales", json=sale_with(OVER_LIMIT, approval=approval(pin="0000"))
    )
    assert error(wrong_pin) == (403, "APPROVAL_REFUSED")
    assert wrong_pin.json()["error"]["details"]["cause"] == "wrong_pin"
    assert box.fingerprint() == before
    assert approvals(box) == []

    body = sale_with(OVER_LIMIT, approval=approval(reason="dented pack"))
    ok = box.client.post("/api/v1/sales", json=body)
    assert ok.status_code == 201, ok.text
    assert ok.json()["sale"]["lines"][0]["discount"] == OVER_LIMIT
    assert approvals(box) == [
        {
            "action": "discount",
            "approved_by": str(MANAGER_ID),
            "requested_by": str(CASHIER_ID),
            "sale_id": body["sale_id"],
            "cart_id": None,
            "amount": OVER_LIMIT,
        }
    ]
    [sent] = approval_outbox(box)
    assert (sent.action, sent.reason, str(sent.sale_id)) == (
        "discount",
        "dented pack",
        body["sale_id"],
    )
    # A retry answers with the recorded sale and approves nothing twice.
    again = box.client.post("/api/v1/sales", json=body)
    assert again.status_code == 200
    assert len(approvals(box)) == 1
    # The watermark follows the approvals stream too (restore detection).
    mark = json.loads((box.db_path.parent / "box.watermark.json").read_text())
    assert mark["seqs"] == {"sales": 1, "approvals": 1}


def test_a_cart_discount_is_approved_once_not_again_at_checkout(box: Box) -> None:
    cart = box.client.post("/api/v1/carts", json={}).json()["cart_id"]
    url = f"/api/v1/carts/{cart}"
    line = {"code": "SALT-1KG", "discount": 400}
    assert error(box.client.post(f"{url}/lines", json=line)) == (403, "APPROVAL_REQUIRED")
    assert box.client.get(url).json()["lines"] == []
    added = box.client.post(f"{url}/lines", json={**line, "approval": approval()})
    assert added.status_code == 201, added.text
    # Raising it further needs a manager again; lowering it (still over the
    # limit) does not.
    raise_it = box.client.patch(f"{url}/lines/1", json={"discount": 500})
    assert error(raise_it) == (403, "APPROVAL_REQUIRED")
    assert box.client.patch(f"{url}/lines/1", json={"discount": 300}).status_code == 200
    done = box.client.post(f"{url}/checkout", json={"sale_id": str(uuid.uuid4()), "tenders": CASH})
    assert done.status_code == 201, done.text
    assert done.json()["sale"]["lines"][0]["discount"] == 300
    assert [(a["action"], a["cart_id"], a["amount"]) for a in approvals(box)] == [
        ("discount", cart, 400)
    ]


def test_voiding_a_line_needs_a_managers_pin(box: Box) -> None:
    cart = box.client.post("/api/v1/carts", json={}).json()["cart_id"]
    url = f"/api/v1/carts/{cart}"
    box.client.post(f"{url}/lines", json={"code": "EGGS-6"})
    box.client.post(f"{url}/lines", json={"code": "MAGGI-70", "qty": 3})
    before = box.client.get(url).json()
    assert error(box.client.delete(f"{url}/lines/1")) == (403, "APPROVAL_REQUIRED")
    by_cashier = {"approval": approval(CASHIER_ID, CASHIER_PIN)}
    refused = box.client.request("DELETE", f"{url}/lines/1", json=by_cashier)
    assert error(refused) == (403, "APPROVAL_REFUSED")
    # Fewer of an item is a partial void.
    assert error(box.client.patch(f"{url}/lines/2", json={"qty": 1})) == (403, "APPROVAL_REQUIRED")
    assert box.client.get(url).json() == before
    assert box.rows("SELECT count(*) FROM approval") == [(0,)]

    voided = box.client.request("DELETE", f"{url}/lines/1", json={"approval": approval()})
    assert voided.status_code == 200, voided.text
    # The cart keeps its own line numbers (a void leaves a gap), so the
    # number the UI shows is the one it sends back.
    assert [(x["line_no"], x["sku"]) for x in voided.json()["lines"]] == [(2, "MAGGI-70")]
    fewer = box.client.patch(f"{url}/lines/2", json={"qty": 1, "approval": approval()})
    assert fewer.json()["lines"][0]["qty"] == 1000
    # More of an item needs nobody.
    assert box.client.patch(f"{url}/lines/2", json={"qty": 2}).status_code == 200
    assert [(a["action"], a["amount"], a["requested_by"]) for a in approvals(box)] == [
        ("void_line", 4800, str(CASHIER_ID)),  # the eggs
        ("void_line", 2800, str(CASHIER_ID)),  # two of three noodles
    ]


def test_opening_the_drawer_without_a_sale_is_approved_and_recorded(box: Box) -> None:
    assert error(box.client.post("/api/v1/drawer/open", json={})) == (403, "APPROVAL_REQUIRED")
    cashier = {"approval": approval(CASHIER_ID, CASHIER_PIN)}
    assert error(box.client.post("/api/v1/drawer/open", json=cashier)) == (
        403,
        "APPROVAL_REFUSED",
    )
    opened = box.client.post(
        "/api/v1/drawer/open", json={"approval": approval(reason="change for a 2000 note")}
    )
    assert opened.status_code == 201, opened.text
    assert opened.json()["approved_by"] == str(MANAGER_ID)
    [sent] = approval_outbox(box)
    assert (sent.action, sent.requested_by, sent.amount) == ("no_sale_drawer", CASHIER_ID, None)
    assert str(sent.approval_id) == opened.json()["approval_id"]
    box.client.headers.pop("Authorization")
    anonymous = box.client.post("/api/v1/drawer/open", json={"approval": approval()})
    assert error(anonymous) == (401, "SIGN_IN_REQUIRED")


def test_wrong_manager_pins_lock_the_manager_out(box: Box) -> None:
    for _ in range(5):
        r = box.client.post("/api/v1/drawer/open", json={"approval": approval(pin="1212")})
        assert r.json()["error"]["details"]["cause"] == "wrong_pin"
    locked = box.client.post("/api/v1/drawer/open", json={"approval": approval()})
    assert error(locked) == (403, "APPROVAL_REFUSED")
    assert locked.json()["error"]["details"]["cause"] == "locked"


def test_approvals_are_append_only(box: Box) -> None:
    box.client.post("/api/v1/drawer/open", json={"approval": approval()})
    for sql in ("UPDATE approval SET amount = 1", "DELETE FROM approval"):
        with sqlite3.connect(box.db_path) as conn, pytest.raises(sqlite3.IntegrityError):
            conn.execute(sql)


@pytest.fixture
def online_box(tmp_path: Path, make_broker: Any, clock: SettableClock) -> Iterator[Any]:
    broker = make_broker()
    bundle = make_bundle().model_copy(update={"broker_url": broker.url})
    path = tmp_path / "bundle.json"
    path.write_text(bundle.model_dump_json())
    settings = BoxSettings(data_dir=tmp_path / "box", provision_file=path, ack_timeout_s=1.0)
    hub = FakeHub(broker)
    try:
        with TestClient(create_app(settings, wall_clock=clock)) as client:
            wait_for(lambda: client.app.state.box.outbox_listener.connected, what="connected")  # type: ignore[attr-defined]
            sign_in(client)
            yield client, hub, settings
    finally:
        hub.close()


def test_approvals_reach_the_hub_on_their_own_stream(online_box: Any) -> None:
    client, hub, settings = online_box
    body = sale_with(OVER_LIMIT, approval=approval())
    assert client.post("/api/v1/sales", json=body).status_code == 201
    assert client.post("/api/v1/drawer/open", json={"approval": approval()}).status_code == 201
    sent = wait_for(lambda: len(hub.envelopes("approvals")) >= 2 and hub.envelopes("approvals"))
    assert [(e.seq, e.schema_name, e.org_id) for e in sent[:2]] == [
        (1, "approval.recorded", ORG),
        (2, "approval.recorded", ORG),
    ]
    assert sent[0].payload["sale_id"] == body["sale_id"]
    assert [e.key for e in hub.envelopes("sales")] == [body["sale_id"]]
    # Pruned on the hub's ack, stream by stream.
    wait_for(lambda: client.get("/api/v1/box").json()["outbox_depth"] == 0, what="pruned")
    with sqlite3.connect(settings.db_path) as conn:
        acks = dict(conn.execute("SELECT stream, acked_seq FROM outbox_ack").fetchall())
    assert acks == {"sales": 1, "approvals": 2}

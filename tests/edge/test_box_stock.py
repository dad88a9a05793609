"""The store's stock at the box, offline: the hub's snapshot plus the box's own
later moves; FEFO batches and expiry warnings at the counter, through sale and
return."""

from __future__ import annotations

import json
import sqlite3
import uuid
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from fastapi.testclient import TestClient

from appkit.migrations import alembic_config
from edge.app import create_app
from edge.services.identity import require_identity
from edge.settings import BoxSettings
from edge.store.db import MIGRATIONS, open_database
from edge.sync.stock_sync import StockSync
from setledger.contracts import IncludedPosition, SaleRecorded, StockItem, StockSnapshot, topics
from tests.edge.conftest import START, Box, SettableClock, make_bundle
from tests.edge.fake_hub import FakeHub, wait_for
from tests.edge.staff import sign_in
from tests.edge.test_returns import give_back

TODAY = START.date()  # the box's business date (noon in India, conftest START)
SOON = TODAY + timedelta(days=10)
LATER = TODAY + timedelta(days=200)
GONE = TODAY - timedelta(days=5)


def snapshot(
    box: Box,
    version: int,
    lots: list[tuple[str, date, int]],
    includes: dict[str, int] | None = None,
) -> StockSnapshot:
    """ATTA-5KG's lots (batch, expiry, units); ``includes``: stream -> this box's seq."""
    device = box.bundle.device_id
    epoch = box.rows("SELECT epoch FROM box_epoch")[0][0]
    return StockSnapshot(
        org_id=box.bundle.org_id,
        store_id=box.bundle.store_id,
        version=version,
        as_of=START - timedelta(minutes=30),
        includes=[
            IncludedPosition(device_id=device, epoch=epoch, stream=stream, seq=seq)
            for stream, seq in (includes or {}).items()
        ],
        items=[
            StockItem(product_id=atta(box), batch_no=batch, expiry=expiry, qty=units * 1000)
            for batch, expiry, units in lots
        ],
    )


def atta(box: Box) -> uuid.UUID:
    return uuid.UUID(str(box.product("ATTA-5KG").product_id))


def offer(box: Box, document: StockSnapshot) -> int | None:
    """What the stock downlink does with a snapshot from the hub (no broker here)."""
    runtime = box.client.app.state.box  # type: ignore[attr-defined]
    with runtime.db.reader.connect() as conn:
        identity = require_identity(conn)
    return StockSync(runtime.db, identity, runtime.now).apply(document)


def lots(box: Box) -> dict[str | None, int]:
    r = box.client.get(f"/api/v1/stock/{atta(box)}")
    assert r.status_code == 200, r.text
    return {x["batch_no"]: x["qty"] for x in r.json()["lots"]}


def moves(box: Box) -> list[tuple[Any, ...]]:
    return box.rows(
        "SELECT reason, qty, batch_no, expiry, stream, seq FROM stock_move "
        "WHERE product_id = ? ORDER BY rowid",
        str(atta(box)),
    )


def test_on_hand_offline_is_the_snapshot_plus_the_box_s_own_later_moves(box: Box) -> None:
    three_lots = [("A-SOON", SOON, 10), ("A-LATER", LATER, 20), ("A-GONE", GONE, 3)]
    assert offer(box, snapshot(box, 1, three_lots)) == 1
    assert lots(box) == {"A-SOON": 10_000, "A-LATER": 20_000, "A-GONE": 3_000}

    # A sale straight through POST /sales takes the FEFO batch (not the expired one).
    sold = box.sell([{"code": "ATTA-5KG", "qty": 2}], [{"kind": "cash", "amount": 60000}])
    assert sold.status_code == 201, sold.text
    move = sold.json()["sale"]["stock_moves"][0]
    assert (move["batch_no"], move["expiry"], move["qty"]) == ("A-SOON", SOON.isoformat(), -2000)
    assert moves(box) == [("sale", -2000, "A-SOON", SOON.isoformat(), "sales", 1)]
    assert lots(box)["A-SOON"] == 8_000

    # The hub's next snapshot counts that sale (sales seq 1): it is not added again.
    counted = [("A-SOON", SOON, 8), ("A-LATER", LATER, 20), ("A-GONE", GONE, 3)]
    assert offer(box, snapshot(box, 2, counted, {"sales": 1})) == 2
    assert lots(box)["A-SOON"] == 8_000
    # A later sale is added; a stale snapshot is ignored.
    box.sell([{"code": "ATTA-5KG", "qty": 1}], [{"kind": "cash", "amount": 30000}])
    assert offer(box, snapshot(box, 1, three_lots)) is None
    assert lots(box)["A-SOON"] == 7_000

    listed = box.client.get("/api/v1/stock", params={"q": "aashirvaad"}).json()
    assert listed["snapshot"]["version"] == 2
    (item,) = listed["items"]
    assert (item["qty"], item["fefo_batch_no"]) == (7_000 + 20_000 + 3_000, "A-SOON")
    warned = {x["batch_no"]: x["warning"] for x in item["lots"]}
    assert warned["A-GONE"] == {
        "kind": "expired",
        "days_left": -5,
        "batch_no": "A-GONE",
        "expiry": GONE.isoformat(),
    }
    assert warned["A-SOON"]["kind"] == "expiring"
    assert warned["A-SOON"]["days_left"] == 10
    assert warned["A-LATER"] is None
    assert [x["batch_no"] for x in item["lots"]] == ["A-GONE", "A-SOON", "A-LATER"]
    assert box.client.get("/api/v1/stock", params={"q": "maggi"}).json()["items"] == []


def test_fefo_at_the_counter_another_batch_and_the_return_into_it(box: Box) -> None:
    offer(box, snapshot(box, 1, [("A-SOON", SOON, 10), ("A-LATER", LATER, 20)]))
    cart = box.client.post("/api/v1/carts", json={}).json()
    url = f"/api/v1/carts/{cart['cart_id']}"
    (line,) = box.client.post(f"{url}/lines", json={"code": "ATTA-5KG"}).json()["lines"]
    assert (line["batch_no"], line["expiry"]) == ("A-SOON", SOON.isoformat())
    assert line["expiry_warning"] == {"kind": "expiring", "days_left": 10}

    unknown = box.client.patch(f"{url}/lines/1", json={"batch_no": "NOPE"})
    assert (unknown.status_code, unknown.json()["error"]["code"]) == (404, "CART_LOT_NOT_ON_HAND")
    (line,) = box.client.patch(f"{url}/lines/1", json={"batch_no": "A-LATER"}).json()["lines"]
    assert (line["batch_no"], line["expiry_warning"]) == ("A-LATER", None)

    pay = {"sale_id": str(uuid.uuid4()), "tenders": [{"kind": "cash", "amount": 30000}]}
    done = box.client.post(f"{url}/checkout", json=pay)
    assert done.status_code == 201, done.text
    sent = box.rows("SELECT payload FROM outbox WHERE stream = 'sales'")
    sale = SaleRecorded.model_validate(json.loads(sent[0][0]))
    assert [(m.batch_no, m.expiry, m.qty) for m in sale.stock_moves] == [("A-LATER", LATER, -1000)]
    assert lots(box) == {"A-SOON": 10_000, "A-LATER": 19_000}

    note = give_back(box, sale.invoice_no, [{"line_no": 1, "qty": 1}])
    (back,) = note["stock_moves"]
    assert (back["batch_no"], back["expiry"], back["qty"]) == ("A-LATER", LATER.isoformat(), 1000)
    assert moves(box)[-1] == ("return", 1000, "A-LATER", LATER.isoformat(), "returns", 1)
    assert lots(box) == {"A-SOON": 10_000, "A-LATER": 20_000}


def test_only_expired_stock_left_is_sold_with_a_warning(box: Box) -> None:
    offer(box, snapshot(box, 1, [("A-GONE", GONE, 3)]))
    cart = box.client.post("/api/v1/carts", json={}).json()
    url = f"/api/v1/carts/{cart['cart_id']}"
    (line,) = box.client.post(f"{url}/lines", json={"code": "ATTA-5KG"}).json()["lines"]
    assert (line["batch_no"], line["expiry_warning"]) == (
        "A-GONE",
        {"kind": "expired", "days_left": -5},
    )
    # A product with no batches in the store's stock: a line without one.
    salt = box.client.post(f"{url}/lines", json={"code": "SALT-1KG"}).json()["lines"][1]
    assert (salt["batch_no"], salt["expiry_warning"]) == (None, None)
    pay = {"sale_id": str(uuid.uuid4()), "tenders": [{"kind": "cash", "amount": 40000}]}
    done = box.client.post(f"{url}/checkout", json=pay)
    assert done.status_code == 201, done.text
    assert moves(box) == [("sale", -1000, "A-GONE", GONE.isoformat(), "sales", 1)]
    assert [m["batch_no"] for m in done.json()["sale"]["stock_moves"]] == ["A-GONE", None]


def test_the_retained_snapshot_reaches_the_box_over_mqtt(
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
            document = snapshot(box, 5, [("A-SOON", SOON, 4)])
            hub.publish(topics.store_stock(bundle.org_id, bundle.store_id), document, retain=True)
            wait_for(
                lambda: (client.get("/api/v1/stock").json()["snapshot"] or {}).get("version") == 5,
                what="stock snapshot applied",
            )
            assert lots(box) == {"A-SOON": 4_000}
    finally:
        hub.close()


def test_0011_gives_moves_still_in_the_outbox_their_position(box: Box, tmp_path: Path) -> None:
    assert box.sell([{"code": "SALT-1KG"}], [{"kind": "cash", "amount": 2800}]).status_code == 201
    path = tmp_path / "copy.db"
    with sqlite3.connect(box.db_path) as live, sqlite3.connect(path) as copy:
        live.backup(copy)
    db = open_database(path, tmp_path / "backups")
    config = alembic_config(MIGRATIONS)
    with db.writer.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0010")
    db.dispose()
    open_database(path, tmp_path / "backups").dispose()  # upgrades again, as a box does
    with sqlite3.connect(path) as upgraded:
        epoch = upgraded.execute("SELECT epoch FROM box_epoch").fetchone()[0]
        rows = upgraded.execute("SELECT epoch, stream, seq FROM stock_move").fetchall()
        assert rows == [(epoch, "sales", 1)]
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            upgraded.execute("UPDATE stock_move SET qty = 0")

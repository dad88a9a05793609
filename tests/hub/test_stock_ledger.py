"""The hub's stock ledger: moves in once, levels kept, counts, transfers, negative stock."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from hub import cli
from hub.accounts.audit import Actor
from hub.db.models import AuditRecord, StockLevel
from hub.stock import ledger, services
from hub.stock.services import StockLine
from setledger.errors import SetLedgerError
from setledger.ids import new_id
from setledger.stock import NO_LOT, Count, Move, MoveReason, StockKey
from tests.hub.harness import Hub
from tests.hub.sales_factory import Item, Till

T0 = datetime(2026, 11, 20, 5, 0, tzinfo=UTC)
CLERK = Actor(None, "clerk")
MINE = ("stock.received", "stock.adjusted", "stock.counted")


@dataclass
class Shop:
    hub: Hub
    org: dict[str, Any]
    org_id: uuid.UUID
    store_id: uuid.UUID
    device: dict[str, Any]
    salt: dict[str, Any]

    @property
    def salt_id(self) -> uuid.UUID:
        return uuid.UUID(self.salt["product_id"])

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self.hub.runtime.sessions() as session, session.begin():
            yield session


@pytest.fixture
def shop(hub: Hub) -> Shop:
    org = hub.org()
    store = hub.store(org)
    device = hub.device(org, store)
    salt = hub.product(org, sku="SALT", name="Tata Salt 1kg", price=2800)
    return Shop(hub, org, uuid.UUID(org["uuid"]), uuid.UUID(store["store_id"]), device, salt)


def level(shop: Shop, location_id: uuid.UUID, product_id: uuid.UUID | None = None) -> int | None:
    with shop.session() as session:
        row = session.get(
            StockLevel, (shop.org_id, location_id, product_id or shop.salt_id, NO_LOT)
        )
        return None if row is None else row.qty


def assert_cache_is_the_ledger(shop: Shop) -> None:
    with shop.session() as session:
        assert ledger.maintained_levels(session, shop.org_id) == ledger.levels_from_ledger(
            session, shop.org_id
        )


def move(shop: Shop, qty: int, at: datetime, reason: MoveReason = MoveReason.ADJUSTMENT) -> Move:
    return Move(new_id(), shop.store_id, shop.salt_id, qty, reason, at)


def test_a_box_sale_lands_at_the_store_location(shop: Shop) -> None:
    with shop.session() as session:
        locations = services.list_locations(session, shop.org_id)
        assert [(loc.location_id, loc.kind) for loc in locations] == [(shop.store_id, "store")]
    box = Till(shop.org, shop.device)
    envelope = box.sell([Item(shop.salt, qty=3000)])
    assert shop.hub.apply(envelope).outcome.value == "applied"
    assert shop.hub.apply(envelope).outcome.value == "duplicate"
    assert level(shop, shop.store_id) == -3000
    with shop.session() as session:
        negative = ledger.negative_levels(session, shop.org_id, shop.store_id)
    assert [(n.level.qty, [m.qty for m in n.moves]) for n in negative] == [(-3000, [-3000])]
    assert negative[0].moves[0].device_id == uuid.UUID(shop.device["device_id"])
    assert_cache_is_the_ledger(shop)


def test_a_move_is_applied_once_whatever_repeats_it(shop: Shop) -> None:
    moves = [move(shop, 5000, T0), move(shop, -2000, T0 + timedelta(minutes=1))]
    with shop.session() as session:
        first = ledger.apply_moves(session, shop.org_id, [*moves, moves[0]])
    with shop.session() as session:
        again = ledger.apply_moves(session, shop.org_id, moves)
    assert len(first.moves) == 2
    assert first.keys == [StockKey(shop.store_id, shop.salt_id)]
    assert again.moves == []
    assert level(shop, shop.store_id) == 3000
    assert_cache_is_the_ledger(shop)


def test_a_count_holds_and_only_later_moves_change_it(shop: Shop) -> None:
    count_at = T0 + timedelta(hours=1)
    with shop.session() as session:
        ledger.apply_moves(session, shop.org_id, [move(shop, 10_000, T0)])
        ledger.apply_count(
            session, shop.org_id, Count(new_id(), shop.store_id, shop.salt_id, 7000, count_at)
        )
    assert level(shop, shop.store_id) == 7000
    with shop.session() as session:
        # Late arrivals: one before the count and one at its instant (both seen by the
        # counter), one after it.
        ledger.apply_moves(
            session,
            shop.org_id,
            [
                move(shop, -1000, T0 + timedelta(minutes=5)),
                move(shop, -1000, count_at),
                move(shop, -2000, count_at + timedelta(seconds=1)),
            ],
        )
    assert level(shop, shop.store_id) == 5000
    with shop.session() as session:
        # An older count arriving later does not replace the newer one.
        ledger.apply_count(
            session, shop.org_id, Count(new_id(), shop.store_id, shop.salt_id, 1, T0)
        )
    assert level(shop, shop.store_id) == 5000
    assert_cache_is_the_ledger(shop)
    with shop.session() as session:
        assert ledger.rebuild_levels(session, shop.org_id) == 1
    assert level(shop, shop.store_id) == 5000
    assert_cache_is_the_ledger(shop)


def test_a_transfer_ships_through_transit_and_is_received_in_parts(shop: Shop) -> None:
    with shop.session() as session:
        warehouse = services.create_location(session, shop.org_id, code="WH1", name="Bhiwandi")
        wh = warehouse.location_id
        services.receive_stock(
            session, shop.org_id, wh, [StockLine(shop.salt_id, 10_000, unit_cost=2100)],
            actor=CLERK,
        )  # fmt: skip
        shipped = services.ship_transfer(
            session, shop.org_id, wh, shop.store_id, [StockLine(shop.salt_id, 6000)], actor=CLERK
        )
        transit = services.transit_location(session, shop.org_id)
    assert (level(shop, wh), level(shop, transit), level(shop, shop.store_id)) == (4000, 6000, None)
    tid = shipped.transfer_id
    with shop.session() as session:
        part = services.receive_transfer(
            session, shop.org_id, tid, [StockLine(shop.salt_id, 4000)], actor=CLERK
        )
    assert [(x.shipped, x.received) for x in part.lines] == [(6000, 4000)]
    assert (level(shop, transit), level(shop, shop.store_id)) == (2000, 4000)
    with pytest.raises(SetLedgerError) as refused, shop.session() as session:
        services.receive_transfer(
            session, shop.org_id, tid, [StockLine(shop.salt_id, 2001)], actor=CLERK
        )
    assert refused.value.code == "STOCK_TRANSFER_OVER_RECEIVED"
    with shop.session() as session:
        rest = services.receive_transfer(session, shop.org_id, tid, None, actor=CLERK)
    assert rest.complete
    assert (level(shop, wh), level(shop, transit), level(shop, shop.store_id)) == (4000, 0, 6000)
    with shop.session() as session:
        in_all = ledger.product_on_hand(session, shop.org_id, shop.salt_id)
        # Each shipment and receipt is audited by the service (API and console alike).
        steps = session.scalars(
            select(AuditRecord)
            .where(AuditRecord.org_id == shop.org_id, AuditRecord.target == str(tid))
            .order_by(AuditRecord.seq)
        ).all()
    assert sorted(x.qty for x in in_all) == [0, 4000, 6000]
    assert [(r.action, [x["received"] for x in r.details["lines"]], len(r.details["moves"]))
            for r in steps] == [("stock.transfer.shipped", [0], 2),
                                ("stock.transfer.received", [4000], 2),
                                ("stock.transfer.received", [6000], 2)]  # fmt: skip
    assert {r.actor for r in steps} == {CLERK.label}
    assert_cache_is_the_ledger(shop)


def test_adjustments_and_counts_are_audited(shop: Shop) -> None:
    with shop.session() as session:
        services.adjust_stock(
            session, shop.org_id, shop.store_id, [StockLine(shop.salt_id, -500)],
            reason="torn packet", actor=CLERK,
        )  # fmt: skip
        services.record_count(
            session, shop.org_id, shop.store_id, shop.salt_id, 12_000, actor=CLERK
        )
        actions = session.execute(
            select(AuditRecord.action, AuditRecord.details)
            .where(AuditRecord.org_id == shop.org_id, AuditRecord.action.in_(MINE))
            .order_by(AuditRecord.seq)
        ).all()
    assert [a for a, _ in actions] == ["stock.adjusted", "stock.counted"]
    assert actions[0][1]["reason"] == "torn packet"
    assert actions[1][1]["on_hand"] == 12_000
    assert level(shop, shop.store_id) == 12_000


def test_the_transit_location_cannot_be_moved_by_hand(shop: Shop) -> None:
    with shop.session() as session:
        transit = services.transit_location(session, shop.org_id)
        assert services.transit_location(session, shop.org_id) == transit
    with pytest.raises(SetLedgerError) as refused, shop.session() as session:
        services.adjust_stock(
            session, shop.org_id, transit, [StockLine(shop.salt_id, 1000)], reason="x", actor=CLERK
        )
    assert refused.value.code == "STOCK_LOCATION_KIND_INVALID"


def test_the_stock_api_from_receipt_to_negative_stock(shop: Shop) -> None:
    code, salt = shop.org["org_id"], shop.salt["product_id"]
    api = f"/api/v1/orgs/{code}/stock"
    client = shop.hub.client

    def post(path: str, body: dict[str, Any], status: int = 201) -> Any:
        response = client.post(f"{api}{path}", json=body)
        assert response.status_code == status, response.text
        return response.json()

    wh = post("/locations", {"code": "WH-1", "name": "Bhiwandi"})["location_id"]
    assert post("/locations", {"code": "WH-1", "name": "again"}, 409)["error"]["code"] == (
        "DUPLICATE"
    )
    receipt = {"location_id": wh, "request_id": str(new_id()),
               "lines": [{"product_id": salt, "qty": 8000, "unit_cost": 2150}]}  # fmt: skip
    received = post("/receipts", receipt)
    assert post("/receipts", receipt) == received, "a retried receipt is recorded once"
    reused = post("/receipts", receipt | {"lines": [{"product_id": salt, "qty": 1000}]}, 409)
    assert reused["error"]["code"] == "STOCK_REQUEST_ID_REUSED"
    line = {"product_id": salt, "qty": 5000}
    body = {"from_location_id": wh, "to_location_id": str(shop.store_id), "lines": [line]}
    shipped = post("/transfers", body | {"transfer_id": str(new_id())})
    assert post("/transfers", body | {"transfer_id": shipped["transfer_id"]}) == shipped | {
        "move_ids": []
    }
    tid = shipped["transfer_id"]
    part = post(f"/transfers/{tid}/receive", {"lines": [{"product_id": salt, "qty": 2000}]}, 200)
    assert [(x["shipped"], x["received"], x["outstanding"]) for x in part["lines"]] == [
        (5000, 2000, 3000)
    ]
    over = post(f"/transfers/{tid}/receive", {"lines": [line]}, 409)
    assert over["error"]["code"] == "STOCK_TRANSFER_OVER_RECEIVED"
    mice = {"location_id": str(shop.store_id), "reason": "mice", "request_id": str(new_id()),
            "lines": [{"product_id": salt, "qty": -3000}]}  # fmt: skip
    assert post("/adjustments", mice) == post("/adjustments", mice)
    at_store = client.get(f"{api}/on-hand", params={"location_id": str(shop.store_id)}).json()
    assert at_store == {
        "columns": ["product_id", "lot_id", "qty", "count_at", "count_qty"],
        "locations": [
            {"location_id": str(shop.store_id), "levels": [[salt, None, -1000, None, None]]}
        ],
    }
    negative = client.get(f"{api}/negative", params={"location_id": str(shop.store_id)}).json()
    assert [m["reason"] for m in negative[0]["moves"]] == ["adjustment"]
    everywhere = client.get(f"{api}/products/{salt}").json()
    assert sorted(x["qty"] for x in everywhere) == [-1000, 3000, 3000]
    counted = post("/counts", {"location_id": str(shop.store_id), "product_id": salt,
                               "counted_qty": 4000})  # fmt: skip
    assert counted["qty"] == counted["count_qty"] == 4000
    everything = client.get(f"{api}/on-hand").json()["locations"]
    [store] = [x["levels"] for x in everything if x["location_id"] == str(shop.store_id)]
    assert store == [[salt, None, 4000, counted["count_at"].replace("+00:00", "Z"), 4000]]
    assert client.get(f"{api}/negative").json() == []
    assert post("/receipts", {"location_id": wh, "lines": [line | {"qty": 0}]}, 422)
    unknown = post("/receipts", {"location_id": str(new_id()), "lines": [line]}, 404)
    assert unknown["error"]["code"] == "STOCK_LOCATION_NOT_FOUND"


def test_stock_rebuild_puts_a_damaged_cache_back(
    shop: Shop,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    with shop.session() as session:
        ledger.apply_moves(session, shop.org_id, [move(shop, 5000, T0)])
        session.execute(update(StockLevel).where(StockLevel.org_id == shop.org_id).values(qty=1))
    assert level(shop, shop.store_id) == 1
    monkeypatch.setenv("SETLEDGER_HUB_DATABASE_URL", database_url)
    assert cli.main(["stock-rebuild", "--org", shop.org["org_id"]]) == 0
    assert json.loads(capsys.readouterr().out) == {"org": shop.org["org_id"], "levels": 1}
    assert level(shop, shop.store_id) == 5000

"""Batches named by the boxes become the org's lots at ingest, and each store's
stock snapshot (per lot, with the box positions it counts) goes back down."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from sqlalchemy import select

from hub.db.models import StockLevel, StockLot
from hub.stock.snapshot import content_digest, store_snapshot
from setledger.contracts import SaleRecorded
from tests.hub.harness import Hub
from tests.hub.sales_factory import SOLD_AT, Item, ReturnsDesk, Till, day_after

EXPIRY = date(2027, 1, 31)


def batched(sale: SaleRecorded, batch_no: str) -> SaleRecorded:
    """The first line's move names ``batch_no`` (the rest are not kept by batch)."""
    first, *rest = sale.stock_moves
    moved = first.model_copy(update={"batch_no": batch_no, "expiry": EXPIRY})
    return sale.model_copy(update={"stock_moves": [moved, *rest]})


def test_box_batches_become_lots_and_the_store_snapshot_counts_them(hub: Hub) -> None:
    org = hub.org()
    store = hub.store(org)
    one, two = hub.device(org, store), hub.device(org, store)
    atta = hub.product(org, sku="ATTA", name="Atta 5kg", price=28500)
    salt = hub.product(org, sku="SALT", name="Tata Salt 1kg", price=2800)
    org_id, store_id = uuid.UUID(org["uuid"]), uuid.UUID(store["store_id"])
    atta_id = uuid.UUID(atta["product_id"])

    till_one, till_two = Till(org, one), Till(org, two)
    sale = batched(till_one.sale([Item(atta, qty=3000), Item(salt, qty=1000)]), "B-7")
    assert hub.apply(till_one.seal(sale)).outcome.value == "applied"
    # The other box meets the same new batch: the same lot, not a second one.
    other = batched(till_two.sale([Item(atta, qty=1000)]), "B-7")
    assert hub.apply(till_two.seal(other)).outcome.value == "applied"
    returns = ReturnsDesk(org, one, epoch=till_one.epoch)
    note = returns.give_back(sale, {1: 1000}, day_after(SOLD_AT))
    back = note.model_copy(
        update={
            "stock_moves": [
                m.model_copy(update={"batch_no": "B-7", "expiry": EXPIRY}) for m in note.stock_moves
            ]
        }
    )
    assert hub.apply(returns.seal(back)).outcome.value == "applied"

    with hub.runtime.sessions() as session, session.begin():
        lots = session.execute(
            select(StockLot.lot_id, StockLot.batch_no, StockLot.expiry).where(
                StockLot.org_id == org_id
            )
        ).all()
        assert [(b, e) for _, b, e in lots] == [("B-7", EXPIRY)]
        lot_id = lots[0][0]
        levels = session.execute(
            select(StockLevel.product_id, StockLevel.lot_key, StockLevel.qty).where(
                StockLevel.org_id == org_id
            )
        ).all()
        assert sorted((p == atta_id, k == lot_id, q) for p, k, q in levels) == [
            (False, False, -1000),
            (True, True, -3000),
        ]
        snapshot = store_snapshot(session, org_id, store_id)

    assert snapshot.org_id == org["org_id"]
    assert {(i.product_id, i.batch_no, i.expiry, i.qty) for i in snapshot.items} == {
        (atta_id, "B-7", EXPIRY, -3000),
        (uuid.UUID(salt["product_id"]), None, None, -1000),
    }
    assert {(str(x.device_id), x.epoch, x.stream, x.seq) for x in snapshot.includes} == {
        (one["device_id"], till_one.epoch, "sales", 1),
        (one["device_id"], till_one.epoch, "returns", 1),
        (two["device_id"], till_two.epoch, "sales", 1),
    }
    # The digest a publisher compares ignores the instant, not the content.
    with hub.runtime.sessions() as session, session.begin():
        later = store_snapshot(session, org_id, store_id, snapshot.as_of + timedelta(seconds=5))
    assert later.version > snapshot.version
    assert content_digest(later) == content_digest(snapshot)

"""Applying stock moves at the hub on PostgreSQL: 100,000 moves through ``apply_moves``.

One org with a store and a warehouse, 10,000 SKUs (imported as a catalogue). The moves come as the hub
gets them: batches of BATCH moves in one transaction each (new move ids
inserted with binary COPY, the keys' levels locked and updated by grouped
deltas, the stock-exception check of the touched keys), a mix of receipts
at the warehouse, transfers' two halves and sales at the store, moved_at
increasing. A tenth of the batches is sent twice (the duplicates are
ignored, and counted in the time). The first half is applied with the
stock-exception check (``hub.stock.exceptions``, run for every touched key)
switched off, to show the ledger alone; the second half as the hub runs.
At the end the level cache must equal the ledger's sums (not timed).
"""

from __future__ import annotations

import os
import random
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select

from bench.hub_ingest import pg_database
from bench.report import emit
from hub.app import create_app
from hub.db.models import Product
from hub.settings import HubSettings
from hub.stock import exceptions as stock_exceptions
from hub.stock import ledger, services
from setledger.stock import Move, MoveReason
from tests.hub.harness import Hub, accounts_for_tests

MOVES = int(os.environ.get("SETLEDGER_BENCH_STOCK_MOVES", "100000"))
SKUS = 10_000
BATCH = 1000
IMPORT_ROWS = 2000
T0 = datetime(2026, 11, 1, tzinfo=UTC)


def _products(hub: Hub, org: dict[str, object], org_id: uuid.UUID) -> list[uuid.UUID]:
    """SKUS real products (a stock exception names its product), by a catalogue import."""
    for start in range(0, SKUS, IMPORT_ROWS):  # an import takes at most 2,000 rows
        rows = range(start, min(SKUS, start + IMPORT_ROWS))
        lines = "".join(f"BENCH-{n},Item {n},5,{100 + n}\n" for n in rows)
        imported = hub.client.post(
            f"/api/v1/orgs/{org['org_id']}/catalog/imports",
            params={"wait": "true"},
            files={"file": ("catalog.csv", ("sku,name,gst_rate,price\n" + lines).encode())},
        )
        assert imported.status_code < 300, imported.text
    with hub.runtime.sessions() as session:
        found = list(session.scalars(select(Product.product_id).where(Product.org_id == org_id)))
    assert len(found) == SKUS, len(found)
    return found


def _moves(
    rng: random.Random, products: list[uuid.UUID], store: uuid.UUID, warehouse: uuid.UUID
) -> list[Move]:
    moves: list[Move] = []
    for n in range(MOVES):
        at = T0 + timedelta(seconds=n)
        product = rng.choice(products)
        kind = rng.random()
        # Stock mostly stays above zero, as in a shop: a few oversold keys, not half.
        if kind < 0.2:
            where, qty, reason = warehouse, 1000 * rng.randint(20, 50), MoveReason.RECEIPT
        elif kind < 0.4:
            where, qty, reason = warehouse, -1000 * rng.randint(5, 10), MoveReason.TRANSFER_OUT
        elif kind < 0.6:
            where, qty, reason = store, 1000 * rng.randint(5, 10), MoveReason.TRANSFER_IN
        else:
            where, qty, reason = store, -1000 * rng.randint(1, 2), MoveReason.SALE
        moves.append(Move(uuid.UUID(int=rng.getrandbits(128)), where, product, qty, reason, at))
    return moves


def main() -> None:
    with pg_database() as url:
        app = create_app(HubSettings(database_url=url, accounts=accounts_for_tests()))
        with TestClient(app) as client:
            hub = Hub(client, app.state.hub)
            org = hub.org()
            org_id = uuid.UUID(str(org["uuid"]))
            store = uuid.UUID(hub.store(org)["store_id"])
            with hub.runtime.sessions() as session, session.begin():
                warehouse = services.create_location(session, org_id, code="WH", name="WH")
            rng = random.Random(9)
            products = _products(hub, org, org_id)
            moves = _moves(rng, products, store, warehouse.location_id)
            half = len(moves) // 2
            # The first half with the stock-exception check switched off: the ledger alone.
            hook = stock_exceptions.after_levels_changed
            stock_exceptions.after_levels_changed = lambda *args: None
            try:
                alone = _apply(hub, org_id, moves[:half])
            finally:
                stock_exceptions.after_levels_changed = hook
            emit(
                "stock_apply_moves_ledger_only", alone.rate, "moves/s", 5000, moves=half,
                batch=BATCH, seconds=round(alone.seconds, 2),
            )  # fmt: skip
            whole = _apply(hub, org_id, moves[half:])
            with hub.runtime.sessions() as session, session.begin():
                kept = ledger.maintained_levels(session, org_id)
                assert kept == ledger.levels_from_ledger(session, org_id)
                negative = len(ledger.negative_levels(session, org_id))
            emit(
                "stock_apply_moves", whole.rate, "moves/s", 5000, moves=len(moves) - half,
                batch=BATCH, seconds=round(whole.seconds, 2), levels=len(kept),
                negative_levels=negative, with_exception_check=True,
            )  # fmt: skip


@dataclass(frozen=True)
class Run:
    seconds: float
    applied: int

    @property
    def rate(self) -> float:
        return self.applied / self.seconds


def _apply(hub: Hub, org_id: uuid.UUID, moves: list[Move]) -> Run:
    """Batches of BATCH moves, one transaction each; every tenth batch sent twice."""
    batches = [moves[i : i + BATCH] for i in range(0, len(moves), BATCH)]
    sent = [b for n, b in enumerate(batches) for _ in range(2 if n % 10 == 5 else 1)]
    applied = 0
    started = time.perf_counter()
    for batch in sent:
        with hub.runtime.sessions() as session, session.begin():
            applied += len(ledger.apply_moves(session, org_id, batch).moves)
    seconds = time.perf_counter() - started
    assert applied == len(moves), applied
    return Run(seconds, applied)


if __name__ == "__main__":
    main()

"""Stock at cost on PostgreSQL: valuing an org's moves and posting them.

A fresh database gets one org and a store with MOVES stock moves over
PRODUCTS products (one in ten a receipt at a cost, the rest sales of 1-3
units; written in bulk, as ingest would have), then:

1. ``value_org`` (read every move, value each product by FIFO and by the
   average), best of 3: what every posting run pays, since a run values
   the whole history;
2. the first ``post_stock_costs``: every receipt and sale's cost posted;
3. a second run with nothing new: the steady cost of ``post-ledger
   --every`` (the stock's fingerprint is unchanged, nothing is valued);
4. the same in a poster just started (it values everything once, finds
   nothing to post and no revaluation).
"""

from __future__ import annotations

import os
import random
import time
import uuid
from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient

from bench.hub_ingest import pg_database
from bench.report import emit
from hub.app import create_app
from hub.db.bulk import insert_rows
from hub.db.models import StockMove
from hub.settings import HubSettings
from hub.stock.valuation import _BALANCED, post_stock_costs, value_org
from setledger import fiscal
from setledger.ids import new_id
from setledger.valuation import Method
from tests.hub.harness import Hub, accounts_for_tests

MOVES = int(os.environ.get("SETLEDGER_BENCH_VALUATION_MOVES", "100000"))
PRODUCTS = int(os.environ.get("SETLEDGER_BENCH_VALUATION_PRODUCTS", "1000"))
START = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)


def _moves(org_id: uuid.UUID, store_id: uuid.UUID) -> list[dict[str, object]]:
    rng = random.Random(8)
    products = [uuid.UUID(int=rng.getrandbits(128)) for _ in range(PRODUCTS)]
    rows: list[dict[str, object]] = []
    for n in range(MOVES):
        at = START + timedelta(minutes=n)
        receipt = n % 10 == 0
        rows.append(
            {
                "org_id": org_id,
                "move_id": new_id(),
                "store_id": store_id,
                "device_id": None,
                "product_id": rng.choice(products),
                "qty": 1000 * rng.randint(5, 40) if receipt else -1000 * rng.randint(1, 3),
                "reason": "receipt" if receipt else "sale",
                "sale_id": None,
                "moved_at": at,
                "business_date": fiscal.business_date(at),
                "received_at": at,
                "location_id": None,
                "bin_id": None,
                "lot_id": None,
                "transfer_id": None,
                "unit_cost": rng.randint(1_00, 900_00) if receipt else None,
            }
        )
    return rows


def main() -> None:
    with pg_database() as url:
        app = create_app(HubSettings(database_url=url, accounts=accounts_for_tests()))
        with TestClient(app) as client:
            hub = Hub(client, app.state.hub)
            org = hub.org()
            org_id = uuid.UUID(str(org["uuid"]))
            store_id = uuid.UUID(str(hub.store(org)["store_id"]))
            with hub.runtime.sessions() as session, session.begin():
                insert_rows(session, StockMove.__table__, _moves(org_id, store_id))  # type: ignore[arg-type]
            for method in Method:
                timings = []
                for _ in range(3):
                    with hub.runtime.sessions() as session, session.begin():
                        started = time.perf_counter()
                        stock = value_org(session, org_id, method)
                        timings.append(time.perf_counter() - started)
                emit(
                    f"stock_valuation_{method.value}",
                    min(timings),
                    "s",
                    None,
                    moves=MOVES,
                    products=len(stock.valuations),
                )
            with hub.runtime.sessions() as session:
                started = time.perf_counter()
                posted = post_stock_costs(session, org_id)
                seconds = time.perf_counter() - started
            emit(
                "stock_valuation_first_post",
                posted / seconds,
                "entries/s",
                None,
                entries=posted,
                seconds=round(seconds, 3),
            )
            with hub.runtime.sessions() as session:
                started = time.perf_counter()
                again = post_stock_costs(session, org_id)
                seconds = time.perf_counter() - started
            assert again == 0, again
            emit("stock_valuation_idle_post", seconds, "s", None, moves=MOVES)
            _BALANCED.clear()  # a poster just started: it values everything once
            with hub.runtime.sessions() as session:
                started = time.perf_counter()
                again = post_stock_costs(session, org_id)
                seconds = time.perf_counter() - started
            assert again == 0, again
            emit("stock_valuation_cold_post", seconds, "s", None, moves=MOVES)


if __name__ == "__main__":
    main()

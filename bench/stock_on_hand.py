"""Stock on hand at the hub on PostgreSQL: 100,000 SKUs at 10 locations.

A fresh database gets one org with a store and nine warehouses (ten stock
locations) and a level for every SKU at every location: one million
``stock_level`` rows written with binary COPY (``hub.db.bulk.insert_rows``),
then ANALYZE. Timed, after one warm-up each:

- one location's full list as the API serves it
  (``hub.stock.ledger.location_on_hand_json``: the database writes the JSON
  array of 100,000 levels), the median of 5 runs, goal 200 ms; the same list
  as 100,000 Python rows (``location_on_hand``) is reported beside it;
- one SKU across all locations (``product_on_hand``), 500 random SKUs, the
  median and p95, goal 5 ms.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import time
import uuid

from fastapi.testclient import TestClient
from sqlalchemy import text

from bench.hub_ingest import pg_database
from bench.report import emit, percentile
from hub.app import create_app
from hub.db.bulk import insert_rows
from hub.db.models import Base, StockLevel
from hub.settings import HubSettings
from hub.stock import ledger, services
from setledger.stock import NO_LOT
from tests.hub.harness import Hub, accounts_for_tests

SKUS = int(os.environ.get("SETLEDGER_BENCH_STOCK_SKUS", "100000"))
WAREHOUSES = 9
LOOKUPS = 500


def main() -> None:
    with pg_database() as url:
        app = create_app(HubSettings(database_url=url, accounts=accounts_for_tests()))
        with TestClient(app) as client:
            hub = Hub(client, app.state.hub)
            org = hub.org()
            org_id = uuid.UUID(str(org["uuid"]))
            store = uuid.UUID(hub.store(org)["store_id"])
            with hub.runtime.sessions() as session, session.begin():
                houses = [
                    services.create_location(session, org_id, code=f"WH{n}", name=f"WH {n}")
                    for n in range(WAREHOUSES)
                ]
            locations = [store, *(row.location_id for row in houses)]
            rng = random.Random(8)
            products = [uuid.UUID(int=rng.getrandbits(128)) for _ in range(SKUS)]
            table = Base.metadata.tables[StockLevel.__tablename__]
            started = time.perf_counter()
            for where in locations:
                with hub.runtime.sessions() as session, session.begin():
                    rows = [
                        {
                            "org_id": org_id,
                            "location_id": where,
                            "product_id": p,
                            "lot_key": NO_LOT,
                            "qty": 1000 * rng.randint(-2, 60),
                        }
                        for p in products
                    ]
                    insert_rows(session, table, rows)
            seeded = time.perf_counter() - started
            with hub.runtime.engine.begin() as conn:
                conn.execute(text("ANALYZE stock_level"))

            def one_location(typed: bool) -> float:
                with hub.runtime.sessions() as session, session.begin():
                    began = time.perf_counter()
                    if typed:
                        count = len(ledger.location_on_hand(session, org_id, locations[3]))
                    else:
                        listed = ledger.location_on_hand_json(session, org_id, locations[3])
                        count = SKUS if len(listed) > SKUS * 40 else len(json.loads(listed))
                    took = time.perf_counter() - began
                assert count == SKUS, count
                return took

            with hub.runtime.sessions() as session, session.begin():
                listed = json.loads(ledger.location_on_hand_json(session, org_id, locations[3]))
            assert len(listed) == SKUS, len(listed)
            one_location(True)
            served = statistics.median(one_location(False) for _ in range(5))
            typed = statistics.median(one_location(True) for _ in range(5))
            emit(
                "stock_on_hand_location", served * 1000, "ms", 200, skus=SKUS,
                locations=len(locations), python_rows_ms=round(typed * 1000, 1),
                seeded_levels_s=round(seeded, 2),
            )  # fmt: skip
            samples = []
            with hub.runtime.sessions() as session, session.begin():
                ledger.product_on_hand(session, org_id, products[0])
                for product_id in rng.sample(products, LOOKUPS):
                    began = time.perf_counter()
                    levels = ledger.product_on_hand(session, org_id, product_id)
                    samples.append(time.perf_counter() - began)
                    assert len(levels) == len(locations)
            emit(
                "stock_on_hand_sku", statistics.median(samples) * 1000, "ms", 5,
                p95_ms=round(percentile(samples, 95) * 1000, 3), lookups=LOOKUPS,
                levels=SKUS * len(locations),
            )  # fmt: skip


if __name__ == "__main__":
    main()

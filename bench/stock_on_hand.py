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
  median and p95, goal 5 ms;
- the console's on-hand page of one location (``hub.console.stock_queries.
  on_hand_page``, 50 rows by SKU, with the total): the first page, a search,
  and "below zero only" (about 5% of the levels are negative), the median of
  5 runs each. Our goal: 300 ms, a page that answers while the owner waits.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import time
import uuid
from datetime import UTC, datetime

from fastapi.testclient import TestClient
from sqlalchemy import text

from bench.hub_ingest import pg_database
from bench.report import emit, percentile
from hub.app import create_app
from hub.console.stock_queries import on_hand_page
from hub.db.bulk import insert_rows
from hub.db.catalog import Product
from hub.db.models import Base, StockLevel
from hub.settings import HubSettings
from hub.stock import ledger, services
from setledger.stock import NO_LOT
from tests.hub.harness import Hub, accounts_for_tests

T0 = datetime(2026, 11, 1, tzinfo=UTC)
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
            with hub.runtime.sessions() as session, session.begin():
                insert_rows(session, Base.metadata.tables[Product.__tablename__], [
                    {"org_id": org_id, "product_id": p, "sku": f"SKU-{n:06d}",
                     "name": f"Item {n}", "hsn": "1905", "unit": "PCS", "fractional_qty": False,
                     "gst_rate_bp": 500, "cess_bp": 0, "price_includes_tax": True,
                     "category": None, "active": True, "variant_group": None, "variant": None,
                     "batch_tracked": False, "serial_tracked": False, "shelf_life_days": None,
                     "slug": f"item-{n}", "version": 1, "created_at": T0, "updated_at": T0}
                    for n, p in enumerate(products)
                ])  # fmt: skip
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
                conn.execute(text("ANALYZE product"))

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

            def page(**how: object) -> float:
                with hub.runtime.sessions() as session, session.begin():
                    began = time.perf_counter()
                    listed = on_hand_page(session, org_id, locations[3], **how)  # type: ignore[arg-type]
                    took = time.perf_counter() - began
                assert len(listed.rows) == 50, (how, listed.total)
                assert listed.total > 50, (how, listed.total)
                return took

            for name, how in (
                ("first", {}),
                ("search", {"search": "item 1"}),
                ("below_zero", {"negative_only": True}),
            ):
                page(**how)
                emit(
                    f"stock_console_on_hand_{name}",
                    statistics.median(page(**how) for _ in range(5)) * 1000, "ms", 300,
                    skus=SKUS, locations=len(locations), filter=how,
                )  # fmt: skip


if __name__ == "__main__":
    main()

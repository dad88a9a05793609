"""Drain 10,000 queued sales from one box into the hub on PostgreSQL, end to end.

The box rings 10,000 sales while it has no broker (they wait in its
outbox), then the broker and an ingest worker are up and the box process
starts: the clock runs from the box's start until the hub holds every
sale and the box has pruned its outbox on the hub's acks. Real processes
throughout (box, Mosquitto with the registry's ACL, hub worker, hub API).
"""

from __future__ import annotations

import os
import tempfile
import time
import uuid
from pathlib import Path

import psycopg
from fastapi.testclient import TestClient
from sqlalchemy import create_engine

from bench.report import emit
from edge.app import create_app
from edge.settings import BoxSettings
from ops.broker import Broker, free_port
from tests.edge.staff import sign_in
from tests.replication.harness import Deployment, wait_for
from tests.services import PG_HOST, PG_PORT, PG_USER, _pg_admin_dsn

SALES = int(os.environ.get("SETLEDGER_BENCH_DRAIN_SALES", "10000"))
WORKERS = int(os.environ.get("SETLEDGER_BENCH_DRAIN_WORKERS", "1"))


def fresh_database() -> tuple[str, str]:
    name = f"setledger_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(_pg_admin_dsn(), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return name, f"postgresql+psycopg://{PG_USER}@{PG_HOST}:{PG_PORT}/{name}"


def drop_database(name: str) -> None:
    with psycopg.connect(_pg_admin_dsn(), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def queue_sales(d: Deployment, n: int) -> None:
    """Ring ``n`` sales at the box with no broker: they wait in its outbox."""
    bundle = d.root / "bundle.json"
    bundle.write_text(d.bundle().model_dump_json())
    settings = BoxSettings(data_dir=d.root / "box", provision_file=bundle, replicate=False)
    skus = ["SALT-1KG", "ATTA-5KG", "PARLEG-250", "MAGGI-70", "COKE-750", "TEA-250"]
    with TestClient(create_app(settings)) as box:
        cashier, pin = d.staff["cashier"]
        sign_in(box, cashier, pin)
        for i in range(n):
            lines = [{"code": skus[(i + k) % len(skus)], "qty": 1 + k} for k in range(1 + i % 3)]
            body = {
                "sale_id": str(uuid.uuid4()),
                "lines": lines,
                "tenders": [{"kind": "cash", "amount": 10**7}],
            }
            response = box.post("/api/v1/sales", json=body)
            assert response.status_code == 201, response.text


def main() -> None:
    name, url = fresh_database()
    with tempfile.TemporaryDirectory(prefix="bench-drain-") as tmp:
        d = Deployment(root=Path(tmp), database_url=url, workers_wanted=WORKERS)
        try:
            d.broker = Broker(d.root / "broker", free_port())
            d.start_hub_api()
            d.seed(12)
            d.write_broker_files()
            queue_sales(d, SALES)
            d.broker.start()
            for _ in range(WORKERS):
                d.start_worker()
            d.engine = create_engine(url)
            started = time.perf_counter()
            d.start_box()
            wait_for(lambda: d.hub_count() == SALES and d.drained(), timeout=900, what="the drain")
            elapsed = time.perf_counter() - started
        finally:
            d.down()
            drop_database(name)
    emit(
        "replication.drain.sales_per_s",
        SALES / elapsed,
        "sales/s",
        1000,
        sales=SALES,
        seconds=round(elapsed, 2),
        workers=WORKERS,
        hub_db="postgresql",
    )


if __name__ == "__main__":
    main()

"""Hub: a catalog import of 50,000 rows in one file, on PostgreSQL and on SQLite.

A new org's owner uploads a CSV of ROWS products (each with an EAN-13 of a
valid check digit, an MRP, a category) through the API; the clock runs
from the upload until the job reads ``done``, i.e. every row is checked
and committed in one transaction. Then the products are counted: exactly
ROWS, or no figure. The goal (60 s for 50,000 rows) is ours: the issue
asks for 50,000 rows "in one go with a progress indication".
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from bench.hub_ingest import pg_database
from bench.report import emit
from hub.app import create_app
from hub.catalog.codes import gs1_check_digit
from hub.db.models import Product
from hub.settings import HubSettings
from tests.hub.harness import API, Hub, accounts_for_tests

ROWS = int(os.environ.get("SETLEDGER_BENCH_IMPORT_ROWS", "50000"))
GOAL_S = 60.0
TIMEOUT_S = 600.0


def catalog_csv(rows: int, extra_paise: int = 50) -> bytes:
    lines = ["sku,name,hsn,unit,gst_rate,price,mrp,barcodes,category"]
    for i in range(rows):
        body = f"890{i:09d}"
        ean = body + str(gs1_check_digit(body))
        rupees = 10 + i % 990
        lines.append(
            f"SKU-{i:06d},Product {i} 500 g,{2106 if i % 2 else 1006},PCS,{(5, 12, 18)[i % 3]},"
            f"{rupees}.{extra_paise:02d},{rupees + 5},{ean},Category {i % 40}"
        )
    return ("\r\n".join(lines) + "\r\n").encode()


@contextmanager
def sqlite_database() -> Iterator[str]:
    with tempfile.TemporaryDirectory(prefix="setledger-bench-") as directory:
        yield f"sqlite:///{Path(directory) / 'hub.db'}"


def timed_import(client: TestClient, code: str, data: bytes) -> tuple[float, dict[str, Any], int]:
    """Upload, then poll the job as the console does, until it ends."""
    started = time.perf_counter()
    response = client.post(
        f"{API}/orgs/{code}/catalog/imports", files={"file": ("catalog.csv", data, "text/csv")}
    )
    assert response.status_code == 202, response.text
    import_id = response.json()["import_id"]
    polls = 0
    while True:
        job: dict[str, Any] = client.get(f"{API}/orgs/{code}/catalog/imports/{import_id}").json()
        polls += 1
        if job["state"] in {"done", "rejected", "failed"}:
            break
        if time.perf_counter() - started > TIMEOUT_S:
            raise SystemExit(f"import still {job['state']} after {TIMEOUT_S} s")
        time.sleep(0.1)
    elapsed = time.perf_counter() - started
    assert job["state"] == "done", job
    return elapsed, job, polls


def run(database_url: str, backend: str, data: bytes, changed: bytes) -> None:
    settings = HubSettings(database_url=database_url, accounts=accounts_for_tests())
    with TestClient(create_app(settings)) as client:
        hub = Hub(client, client.app.state.hub)  # type: ignore[attr-defined]
        code = hub.sign_up().org_code
        elapsed, job, polls = timed_import(client, code, data)
        with hub.runtime.sessions() as session:
            count = session.scalar(select(func.count()).select_from(Product))
        assert count == ROWS == job["products_created"], (count, job)
        context = {"backend": backend, "rows": ROWS, "file_mb": round(len(data) / 2**20, 1)}
        emit(
            "catalog_import_50k",
            elapsed,
            "s",
            GOAL_S,
            **context,
            rows_per_s=round(ROWS / elapsed),
            progress_polls=polls,
        )
        # The same products with every price changed: updates and new price points.
        elapsed, job, polls = timed_import(client, code, changed)
        assert job["products_updated"] == ROWS, job
        emit("catalog_reimport_50k_prices_changed", elapsed, "s", GOAL_S, **context)


def main() -> None:
    data, changed = catalog_csv(ROWS), catalog_csv(ROWS, extra_paise=75)
    with pg_database() as url:
        run(url, "postgresql", data, changed)
    with sqlite_database() as url:
        run(url, "sqlite", data, changed)


if __name__ == "__main__":
    main()

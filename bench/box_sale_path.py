"""Box: scan -> line with price and tax, and sale commit with fsync.

A real box process (uvicorn, SQLite WAL, synchronous=FULL for sales) is
driven over loopback HTTP with a keep-alive client, with 10,000 and
100,000 products in its catalog. Latency is measured at the client, so
it includes HTTP, JSON and the Python client: what a counter UI sees.

- scan_to_line: POST /api/v1/carts/{id}/lines with a random barcode, a
  fresh cart every 20 scans (a long bill), answer = the priced cart.
- lookup_barcode: GET /api/v1/catalog/lookup?code=<EAN> (what a scan
  resolves through), and search_prefix: GET /api/v1/catalog/search?q= with
  the first 3-8 letters of a random product's name (20 results).
- sale_commit: POST /api/v1/sales with 5 random lines, paid in cash; the
  answer comes after the FULL-synchronous commit.

The client signs a cashier in with a PIN first, as a counter does, so
each request also pays for checking the box session.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import httpx
from argon2 import PasswordHasher

from bench.report import emit, percentile
from edge.services.identity import ProvisionBundle
from edge.services.provisioning import provision
from edge.store.db import open_database
from ops.broker import free_port
from ops.demo_data import ean13
from setledger.contracts import (
    CatalogProduct,
    CatalogSnapshot,
    PricePoint,
    StaffMember,
    StaffRoster,
)
from setledger.gst import GST_RATES_BP
from setledger.ids import new_id

SIZES = [int(s) for s in os.environ.get("SETLEDGER_BENCH_SIZES", "10000,100000").split(",")]
SCANS = int(os.environ.get("SETLEDGER_BENCH_SCANS", "2000"))
SALES = int(os.environ.get("SETLEDGER_BENCH_SALES", "500"))
RATES = sorted(r for r in GST_RATES_BP if r in {0, 500, 1800, 4000})
WORDS = [
    "atta",
    "dal",
    "rice",
    "salt",
    "sugar",
    "tea",
    "soap",
    "oil",
    "ghee",
    "milk",
    "biscuit",
    "masala",
    "juice",
    "chips",
    "pen",
    "cable",
]


def catalog(size: int, rng: random.Random) -> tuple[CatalogSnapshot, list[str]]:
    since = datetime(2026, 1, 1, tzinfo=UTC)
    products, codes = [], []
    for i in range(size):
        code = ean13(f"890{i:09d}")
        codes.append(code)
        price = rng.randint(500, 50000)
        products.append(
            CatalogProduct(
                product_id=uuid.UUID(str(new_id())),
                sku=f"SKU-{i:06d}",
                name=f"{rng.choice(WORDS).title()} {rng.choice(WORDS)} {i}",
                hsn="1905",
                gst_rate_bp=rng.choice(RATES),
                prices=[PricePoint(valid_from=since, price=price, mrp=price)],
                barcodes=[code],
            )
        )
    snapshot = CatalogSnapshot(
        org_id="ORG-be9c0001", version=1, generated_at=since, products=products
    )
    return snapshot, codes


CASHIER_ID = uuid.uuid4()
CASHIER_PIN = "2468"


def roster(org: str, store: uuid.UUID) -> StaffRoster:
    """One cashier; a cheap hash, since sign-in is not what is measured."""
    cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    cashier = StaffMember(
        user_id=CASHIER_ID,
        user_code=f"{org}-U-000001",
        display_name="Bench cashier",
        role="cashier",
        pin_hash=cheap.hash(CASHIER_PIN),
    )
    return StaffRoster(
        org_id=org, store_id=store, version=1, generated_at=datetime.now(UTC), members=[cashier]
    )


def provision_box(data_dir: Path, snapshot: CatalogSnapshot) -> None:
    store = uuid.uuid4()
    bundle = ProvisionBundle(
        org_id=snapshot.org_id,
        org_name="Bench Stores",
        store_id=store,
        store_name="Bench",
        device_id=uuid.uuid4(),
        device_name="Counter",
        invoice_prefix="B1",
        seller_state="27",
        catalog=snapshot,
        staff=roster(snapshot.org_id, store),
    )
    db = open_database(data_dir / "box.db", data_dir / "backups")
    try:
        provision(db, bundle, datetime.now(UTC))
    finally:
        db.dispose()


def start_box(data_dir: Path, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "SETLEDGER_LOG_LEVEL": "WARNING"}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "ops.cli",
            "box",
            "serve",
            "--port",
            str(port),
            "--data-dir",
            str(data_dir),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(300):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("box did not start")


def timed(client: httpx.Client, method: str, url: str, body: object) -> float:
    started = time.perf_counter()
    response = client.request(method, url, json=body) if body is not None else client.get(url)
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code >= 300:
        raise RuntimeError(f"{url}: {response.status_code} {response.text}")
    return elapsed


def run_size(size: int) -> None:
    rng = random.Random(size)
    snapshot, codes = catalog(size, rng)
    with tempfile.TemporaryDirectory(prefix="bench-box-") as tmp:
        data_dir = Path(tmp)
        provision_box(data_dir, snapshot)
        port = free_port()
        proc = start_box(data_dir, port)
        try:
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
                signed_in = client.post(
                    "/api/v1/auth/pin", json={"user_id": str(CASHIER_ID), "pin": CASHIER_PIN}
                )
                token = signed_in.raise_for_status().json()["token"]
                client.headers["Authorization"] = f"Bearer {token}"
                for _ in range(50):  # warm up connections and SQLite's page cache
                    client.get("/api/v1/catalog/lookup", params={"code": rng.choice(codes)})
                scans = []
                cart = ""
                for n in range(SCANS):
                    if n % 20 == 0:
                        cart = client.post("/api/v1/carts", json={}).json()["cart_id"]
                    scans.append(
                        timed(
                            client,
                            "POST",
                            f"/api/v1/carts/{cart}/lines",
                            {"code": rng.choice(codes)},
                        )
                    )
                lookups = [
                    timed(client, "GET", "/api/v1/catalog/lookup?code=" + rng.choice(codes), None)
                    for _ in range(SCANS)
                ]
                names = [p.name for p in snapshot.products]
                searches = [
                    timed(
                        client,
                        "GET",
                        "/api/v1/catalog/search?q=" + rng.choice(names)[: rng.randint(3, 8)],
                        None,
                    )
                    for _ in range(SCANS)
                ]
                commits = []
                for _ in range(SALES):
                    lines = [
                        {"code": rng.choice(codes), "qty": rng.randint(1, 3)} for _ in range(5)
                    ]
                    body = {
                        "sale_id": str(uuid.uuid4()),
                        "lines": lines,
                        "tenders": [{"kind": "cash", "amount": 10**9}],
                    }
                    commits.append(timed(client, "POST", "/api/v1/sales", body))
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    context = {"catalog": size}
    emit("box.scan_to_line.p50", percentile(scans, 50), "ms", None, **context, samples=len(scans))
    emit("box.scan_to_line.p99", percentile(scans, 99), "ms", 20, **context, samples=len(scans))
    emit("box.lookup_barcode.p99", percentile(lookups, 99), "ms", 5, **context, samples=SCANS)
    emit("box.search_prefix.p99", percentile(searches, 99), "ms", 30, **context, samples=SCANS)
    emit(
        "box.sale_commit.p50", percentile(commits, 50), "ms", None, **context, samples=len(commits)
    )
    emit("box.sale_commit.p99", percentile(commits, 99), "ms", 50, **context, samples=len(commits))


def main() -> None:
    for size in SIZES:
        run_size(size)


if __name__ == "__main__":
    main()

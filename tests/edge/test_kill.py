"""SIGKILL the box while it sells: every confirmed sale survives, whole.

Each round starts a real box process (uvicorn, SQLite WAL, FULL sync),
has several clients ring sales as fast as they can, and kills the
process at a random moment with SIGKILL (no shutdown code runs). Then it
checks the database file directly, restarts the box, and retries every
request: confirmed sales come back unchanged, nothing is recorded twice.
"""

from __future__ import annotations

import random
import sqlite3
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

from setledger.canonical import sha256_hex
from tests.edge.conftest import make_bundle
from tests.edge.staff import sign_in
from tests.processes import free_port, kill, setledger, start, stop, wait_http

ROUNDS = 20
SKUS = ["SALT-1KG", "ATTA-5KG", "PARLEG-250", "MAGGI-70", "COKE-750", "TEA-250", "EGGS-6"]


def random_sale(rng: random.Random) -> dict[str, Any]:
    lines = [{"code": rng.choice(SKUS), "qty": rng.randint(1, 4)} for _ in range(rng.randint(1, 5))]
    if rng.random() < 0.3:
        lines.append(
            {"code": "TOOR-LOOSE", "qty": f"{rng.randint(1, 3)}.{rng.randint(0, 999):03d}"}
        )
    return {
        "sale_id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "lines": lines,
        "tenders": [{"kind": "cash", "amount": 1_000_000}],
    }


class Counter:
    """Clients ringing sales until told to stop; remembers what was confirmed."""

    def __init__(self, url: str, rng: random.Random, clients: int) -> None:
        self.url = url
        self.confirmed: dict[str, dict[str, Any]] = {}
        self.sent: dict[str, dict[str, Any]] = {}
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.bodies = [
            [random_sale(random.Random(rng.random())) for _ in range(400)] for _ in range(clients)
        ]
        self.threads = [threading.Thread(target=self.ring, args=(b,)) for b in self.bodies]

    def ring(self, bodies: list[dict[str, Any]]) -> None:
        with httpx.Client(base_url=self.url, timeout=10) as client:
            try:
                sign_in(client)  # each counter signs its cashier in
            except httpx.HTTPError:
                return  # the box is gone already
            for body in bodies:
                if self.stopping.is_set():
                    return
                with self.lock:
                    self.sent[body["sale_id"]] = body
                try:
                    r = client.post("/api/v1/sales", json=body)
                except httpx.HTTPError:
                    return  # the box is gone
                if r.status_code == 201:
                    with self.lock:
                        self.confirmed[body["sale_id"]] = r.json()["sale"]

    def __enter__(self) -> Counter:
        for th in self.threads:
            th.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopping.set()
        for th in self.threads:
            th.join(timeout=15)


def check_database(db: Path, confirmed: dict[str, dict[str, Any]]) -> int:
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        sales = {
            row[0]: row[1:] for row in conn.execute("SELECT sale_id, invoice_no, payable FROM sale")
        }
        for sale_id, sale in confirmed.items():
            assert sale_id in sales, f"confirmed sale {sale_id} is missing after SIGKILL"
            assert sales[sale_id] == (sale["invoice_no"], sale["totals"]["payable"])
        outbox = conn.execute(
            "SELECT seq, key, payload, payload_sha256 FROM outbox ORDER BY seq"
        ).fetchall()
        assert sorted(key for _, key, _, _ in outbox) == sorted(sales), (
            "sale without outbox row or the reverse"
        )
        assert [seq for seq, *_ in outbox] == list(range(1, len(outbox) + 1)), (
            "outbox seqs have a gap"
        )
        for _, _, payload, digest in outbox:
            assert sha256_hex(payload.encode()) == digest
        for (sale_id,) in conn.execute("SELECT sale_id FROM sale"):
            lines = conn.execute(
                "SELECT count(*) FROM sale_line WHERE sale_id = ?", (sale_id,)
            ).fetchone()[0]
            moves = conn.execute(
                "SELECT count(*) FROM stock_move WHERE sale_id = ?", (sale_id,)
            ).fetchone()[0]
            tenders = conn.execute(
                "SELECT count(*) FROM sale_tender WHERE sale_id = ?", (sale_id,)
            ).fetchone()[0]
            assert lines >= 1, f"sale {sale_id} has no lines"
            assert lines == moves, f"sale {sale_id} has {lines} lines but {moves} stock moves"
            assert tenders == 1, f"sale {sale_id} has {tenders} tenders"
        serials = sorted(int(no.rsplit("/", 1)[1]) for no, _ in sales.values())
        assert serials == list(range(1, len(serials) + 1)), "invoice numbers have a gap"
        return len(sales)


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(ROUNDS))
def test_sigkill_during_a_stream_of_sales_loses_nothing(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    bundle = tmp_path / "bundle.json"
    bundle.write_text(make_bundle().model_dump_json())
    data = tmp_path / "box"
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    args = setledger(
        "box",
        "serve",
        "--port",
        str(port),
        "--data-dir",
        str(data),
        "--provision-file",
        str(bundle),
    )
    log = tmp_path / "box.log"
    proc = start(args, log)
    try:
        wait_http(f"{url}/healthz", proc=proc)
        with Counter(url, rng, clients=rng.randint(1, 4)) as counter:
            time.sleep(rng.uniform(0.3, 1.5))
            kill(proc)
        assert counter.confirmed, "no sale was confirmed before the kill; the round proves nothing"
        recorded = check_database(data / "box.db", counter.confirmed)
        assert recorded >= len(counter.confirmed)

        # Restart on the same file and retry everything that was sent.
        proc = start(args, log)
        wait_http(f"{url}/healthz", proc=proc)
        with httpx.Client(base_url=url, timeout=10) as client:
            sign_in(client)
            for sale_id, body in counter.sent.items():
                r = client.post("/api/v1/sales", json=body)
                assert r.status_code in (200, 201), r.text
                if sale_id in counter.confirmed:
                    assert r.status_code == 200
                    assert r.json()["sale"] == counter.confirmed[sale_id]
        total = check_database(data / "box.db", counter.confirmed)
        assert total == len(counter.sent), "a retry after the crash recorded a sale twice"
    finally:
        stop(proc)

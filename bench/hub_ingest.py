"""Hub: ingest from many boxes at once, on PostgreSQL, through a real broker.

A fresh PostgreSQL database gets one org with BOXES stores and boxes and a
small catalog. Realistic ``sale.recorded`` envelopes (1-5 lines, taxes by
the kernel, cash tenders) are built up front, BATCH to a message, as boxes
send them when catching up. A secured Mosquitto (the repo's config, the
password file and ACL generated from the registry) and WORKERS ingest
worker processes (``python -m hub.cli worker``) run on this machine; each
box publishes from its own MQTT connection with its own credentials.

First every box sends one batch and waits for its ack (a warm-up: the
hub is then a running hub, not one seeing its first sale). Then the clock
runs from the first publish of the remaining SALES until every box holds
the ack of its last seq, i.e. every sale is committed at the hub. The
sales are counted in the database: exactly what was sent, or no figure.
"""

from __future__ import annotations

import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import paho.mqtt.client as mqtt
import psycopg
from fastapi.testclient import TestClient
from paho.mqtt.enums import CallbackAPIVersion
from sqlalchemy import func, select

from bench.report import emit
from hub.app import create_app
from hub.db.models import Sale
from hub.settings import HubSettings
from ops.broker import Broker, free_port
from provisioning.broker.credentials import write_broker_files
from setledger.contracts import MAX_MESSAGE_BYTES, Ack, Batch, topics
from tests.hub.harness import Hub, accounts_for_tests
from tests.hub.sales_factory import Item, Till

SALES = int(os.environ.get("SETLEDGER_BENCH_HUB_SALES", "20000"))
BOXES = int(os.environ.get("SETLEDGER_BENCH_HUB_BOXES", "100"))
WORKERS = int(os.environ.get("SETLEDGER_BENCH_HUB_WORKERS", "2"))
BATCH = int(os.environ.get("SETLEDGER_BENCH_HUB_BATCH", "50"))
PG_ADMIN = os.environ.get(
    "SETLEDGER_BENCH_PG_ADMIN", "host=127.0.0.1 port=5432 user=postgres dbname=postgres"
)
PG_URL = os.environ.get("SETLEDGER_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432")
HUB_USER, HUB_PASSWORD = "hub-bench", "hub-bench-mqtt-password-0123456789"
TIMEOUT_S = 600.0


@contextmanager
def pg_database() -> Iterator[str]:
    name = f"setledger_bench_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{PG_URL}/{name}"
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def world_readable_dir() -> Iterator[Path]:
    # Started as root, Mosquitto drops to its own user: it must read the files.
    directory = Path(tempfile.mkdtemp(prefix="setledger-bench-"))
    directory.chmod(0o755)
    try:
        yield directory
    finally:
        shutil.rmtree(directory, ignore_errors=True)


@dataclass
class Box:
    org: dict[str, Any]
    device: dict[str, Any]
    till: Till
    payloads: list[bytes] = field(default_factory=list)
    warm_seq: int = 0
    last_seq: int = 0
    acked: int = 0
    changed: threading.Event = field(default_factory=threading.Event)
    client: mqtt.Client | None = None

    @property
    def topic(self) -> str:
        return topics.up(
            self.org["org_id"], self.device["store_id"], self.device["device_id"], "sales"
        )


def register(client: TestClient, boxes: int, products: int = 20) -> tuple[list[Box], list[Any]]:
    def post(path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = client.post(f"/api/v1{path}", json=body)
        assert response.status_code == 201, response.text
        answer: dict[str, Any] = response.json()
        return answer

    org = Hub(client, client.app.state.hub).org("Bench Retail")  # signs up its owner
    rng = random.Random(7)
    catalog = [
        post(
            f"/orgs/{org['org_id']}/products",
            {
                "sku": f"SKU-{n:03d}",
                "name": f"Item {n}",
                "hsn": "1905",
                "gst_rate_bp": rng.choice([0, 500, 1200, 1800]),
                "price": rng.randint(500, 50_000),
            },
        )
        for n in range(products)
    ]
    made = []
    for n in range(boxes):
        store = post(
            f"/orgs/{org['org_id']}/stores",
            {"name": f"Store {n}", "code": f"S{n:03d}", "state_code": "27"},
        )
        device = post(
            f"/orgs/{org['org_id']}/devices",
            {"store_id": store["store_id"], "name": "Counter", "invoice_prefix": f"B{n:03d}"},
        )
        made.append(Box(org, device, Till(org, device)))
    return made, catalog


def build_batches(boxes: list[Box], catalog: list[Any], sales: int, batch: int) -> None:
    """One warm-up batch and ``sales / boxes`` more sales per box, as Batch JSON."""
    rng = random.Random(11)
    for box in boxes:
        envelopes = [
            box.till.sell(
                [
                    Item(p, qty=rng.randint(1, 3) * 1000)
                    for p in rng.sample(catalog, rng.randint(1, 5))
                ]
            )
            for _ in range(batch + sales // len(boxes))
        ]
        for start in range(0, len(envelopes), batch):
            chunk = envelopes[start : start + batch]
            message = Batch(
                device_id=chunk[0].device_id,
                epoch=chunk[0].epoch,
                stream=chunk[0].stream,
                first_seq=chunk[0].seq,
                last_seq=chunk[-1].seq,
                envelopes=chunk,
            )
            payload = message.model_dump_json().encode()
            if len(payload) > MAX_MESSAGE_BYTES:
                # The hub would quarantine it as oversized and the bench would wait for ever.
                raise ValueError(f"a batch of {batch} sales is {len(payload)} bytes: lower BATCH")
            box.payloads.append(payload)
        box.warm_seq = envelopes[batch - 1].seq
        box.last_seq = envelopes[-1].seq


def start_broker(files: Path, passwords: Path, acl: Path) -> Broker:
    """A broker on a free port (tried again: another process may take the port first)."""
    for attempt in range(3):
        broker = Broker(
            files / f"broker{attempt}", free_port(), password_file=passwords, acl_file=acl
        )
        try:
            return broker.start()
        except RuntimeError as err:
            out = broker.directory / "mosquitto.stdout"
            detail = out.read_text()[-500:] if out.exists() else ""
            print(f"broker start failed ({err}): {detail}", file=sys.stderr)
    raise RuntimeError("mosquitto would not start")


@dataclass
class WorkerProc:
    proc: subprocess.Popen[bytes]
    metrics_port: int

    def metrics(self) -> str:
        try:
            return httpx.get(f"http://127.0.0.1:{self.metrics_port}/metrics", timeout=2).text
        except httpx.HTTPError:
            return ""

    def wait_ready(self) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"a worker exited with {self.proc.returncode}")
            if "hub_worker_ready 1.0" in self.metrics():
                return
            time.sleep(0.1)
        raise TimeoutError("a worker did not get ready")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def start_worker(name: str, database_url: str, broker: Broker) -> WorkerProc:
    port = free_port()
    env = {
        **os.environ,
        "SETLEDGER_HUB_DATABASE_URL": database_url,
        "SETLEDGER_HUB_BROKER_URL": broker.url,
        "SETLEDGER_HUB_MQTT_USERNAME": HUB_USER,
        "SETLEDGER_HUB_MQTT_PASSWORD": HUB_PASSWORD,
        "SETLEDGER_HUB_WORKER_METRICS_PORT": str(port),
        "SETLEDGER_HUB_MIGRATE_ON_START": "false",
        "SETLEDGER_LOG_LEVEL": "WARNING",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "hub.cli", "worker", "--name", name],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return WorkerProc(proc, port)


def connect_box(box: Box, broker: Broker) -> None:
    device = box.device
    client = mqtt.Client(
        CallbackAPIVersion.VERSION2, client_id=f"bench-{device['device_id']}", protocol=mqtt.MQTTv5
    )
    client.username_pw_set(device["device_id"], device["token"])
    subscribed = threading.Event()

    def on_connect(c: mqtt.Client, u: Any, f: Any, code: Any, p: Any) -> None:
        c.subscribe(topics.acks(box.org["org_id"], device["store_id"], device["device_id"]), qos=1)

    def on_subscribe(c: mqtt.Client, u: Any, mid: int, codes: Any, p: Any) -> None:
        subscribed.set()

    def on_message(c: mqtt.Client, u: Any, message: mqtt.MQTTMessage) -> None:
        box.acked = max(box.acked, Ack.model_validate_json(message.payload).acked_seq)
        box.changed.set()

    client.on_connect = on_connect
    client.on_subscribe = on_subscribe
    client.on_message = on_message
    client.connect(broker.host, broker.port, clean_start=True)
    client.loop_start()
    if not subscribed.wait(30):
        raise TimeoutError("a box did not connect")
    box.client = client


def publish(boxes: list[Box], rounds: range) -> None:
    """Each box publishes its batches of these rounds, boxes interleaved as they would be."""
    for round_ in rounds:
        for box in boxes:
            if round_ < len(box.payloads):
                assert box.client is not None
                box.client.publish(box.topic, box.payloads[round_], qos=1)


def wait_acked(boxes: list[Box], target: Callable[[Box], int]) -> None:
    deadline = time.monotonic() + TIMEOUT_S
    for box in boxes:
        while box.acked < target(box):
            if time.monotonic() > deadline:
                raise TimeoutError(f"a box was acked {box.acked} of {target(box)}")
            box.changed.wait(0.05)
            box.changed.clear()


def mean_message_ms(workers: list[WorkerProc]) -> float:
    """Mean time a worker spent on one message (from its histogram)."""
    total = count = 0.0
    for worker in workers:
        text = worker.metrics()
        found_sum = re.search(r"^hub_worker_message_seconds_sum (\S+)$", text, re.MULTILINE)
        found_count = re.search(r"^hub_worker_message_seconds_count (\S+)$", text, re.MULTILINE)
        if found_sum and found_count:
            total += float(found_sum.group(1))
            count += float(found_count.group(1))
    return 1000 * total / count if count else 0.0


def run() -> None:
    with pg_database() as database_url, world_readable_dir() as files:
        settings = HubSettings(database_url=database_url, accounts=accounts_for_tests())
        app = create_app(settings)
        runtime = app.state.hub
        with TestClient(app) as client:
            boxes, catalog = register(client, BOXES)
        build_batches(boxes, catalog, SALES, BATCH)
        passwords, acl = write_broker_files(runtime.engine, files, HUB_USER, HUB_PASSWORD)
        broker = start_broker(files, passwords, acl)
        workers = [start_worker(f"w{n}", database_url, broker) for n in range(WORKERS)]
        try:
            for worker in workers:
                worker.wait_ready()
            for box in boxes:
                connect_box(box, broker)
            publish(boxes, range(1))
            wait_acked(boxes, lambda box: box.warm_seq)
            started = time.perf_counter()
            publish(boxes, range(1, max(len(b.payloads) for b in boxes)))
            wait_acked(boxes, lambda box: box.last_seq)
            elapsed = time.perf_counter() - started
            message_ms = mean_message_ms(workers)
            with runtime.sessions() as session:
                held = session.scalar(select(func.count()).select_from(Sale))
            sent = sum(b.last_seq for b in boxes)
            if held != sent:
                raise AssertionError(f"{held} sales at the hub, {sent} sent")
            measured = sent - sum(b.warm_seq for b in boxes)
        finally:
            for box in boxes:
                if box.client is not None:
                    box.client.disconnect()
                    box.client.loop_stop()
            for worker in workers:
                worker.stop()
            broker.stop()
            runtime.engine.dispose()
    emit(
        "hub.ingest.sales_per_s",
        measured / elapsed,
        "sales/s",
        5000,
        boxes=len(boxes),
        workers=WORKERS,
        sales=measured,
        warmup_sales=sent - measured,
        batch=BATCH,
        elapsed_s=round(elapsed, 2),
        worker_ms_per_message=round(message_ms, 1),
        database="postgresql",
        cores=os.cpu_count(),
    )


def main() -> None:
    run()


if __name__ == "__main__":
    main()

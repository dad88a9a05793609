"""The box's replicator on a real Mosquitto, with a stand-in hub.

Checks the box's half of the protocol: it publishes every outbox row,
prunes only on the hub's application ack, starts again from the oldest
unacked row when the ack does not come or the hub asks, keeps selling
while the broker is down, publishes its status, and applies catalog
manifests (snapshot or deltas) fetched over HTTP.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from edge.app import create_app
from edge.services.identity import ProvisionBundle
from edge.settings import BoxSettings
from ops.broker import Broker
from setledger.contracts import CatalogDelta, CatalogSnapshot, PricePoint
from tests.edge.conftest import SettableClock, make_bundle
from tests.edge.fake_hub import BlobServer, FakeHub, manifest, wait_for
from tests.edge.staff import sign_in

TOKEN = "device-token-for-tests"


@dataclass
class Shop:
    client: TestClient
    bundle: ProvisionBundle
    broker: Broker
    blobs: BlobServer
    clock: SettableClock

    @property
    def ids(self) -> tuple[str, uuid.UUID, uuid.UUID]:
        return self.bundle.org_id, self.bundle.store_id, self.bundle.device_id

    def sell(self, n: int = 1) -> list[str]:
        ids = []
        for _ in range(n):
            sale_id = str(uuid.uuid4())
            body = {
                "sale_id": sale_id,
                "lines": [{"code": "SALT-1KG"}],
                "tenders": [{"kind": "cash", "amount": 2800}],
            }
            r = self.client.post("/api/v1/sales", json=body)
            assert r.status_code == 201, r.text
            ids.append(sale_id)
        return ids

    def status(self) -> dict[str, Any]:
        body: dict[str, Any] = self.client.get("/api/v1/box").json()
        return body


@pytest.fixture
def shop(tmp_path: Path, make_broker: Any, clock: SettableClock) -> Iterator[Shop]:
    broker = make_broker()
    blobs = BlobServer(TOKEN)
    bundle = make_bundle().model_copy(
        update={"broker_url": broker.url, "hub_url": blobs.url, "device_token": TOKEN}
    )
    path = tmp_path / "bundle.json"
    path.write_text(bundle.model_dump_json())
    settings = BoxSettings(data_dir=tmp_path / "box", provision_file=path, ack_timeout_s=1.0)
    try:
        with TestClient(create_app(settings, wall_clock=clock)) as client:
            wait_for(lambda: client.app.state.box.outbox_listener.connected, what="box connected")  # type: ignore[attr-defined]
            sign_in(client)
            yield Shop(client, bundle, broker, blobs, clock)
    finally:
        blobs.close()


def test_sales_go_up_and_the_outbox_is_pruned_on_the_hubs_ack(shop: Shop) -> None:
    hub = FakeHub(shop.broker)
    try:
        sold = shop.sell(5)
        wait_for(lambda: hub.keys() >= set(sold), what="all sales at the hub")
        wait_for(lambda: shop.status()["outbox_depth"] == 0, what="outbox pruned")
        assert sorted(set(hub.seqs())) == [1, 2, 3, 4, 5]
    finally:
        hub.close()


def test_without_the_hubs_ack_nothing_is_pruned_and_everything_is_resent(shop: Shop) -> None:
    hub = FakeHub(shop.broker, auto_ack=False)
    try:
        shop.sell(3)
        wait_for(lambda: len(hub.seqs()) >= 3, what="first delivery")
        # A PUBACK from the broker is not an ack: the rows stay...
        assert shop.status()["outbox_depth"] == 3
        # ...and after the ack timeout they go again, from the oldest.
        wait_for(lambda: hub.seqs().count(1) >= 2, what="a resend from seq 1")
        org, store, device = shop.ids
        epoch = shop.status()["epoch"]
        hub.ack(org, store, device, epoch, "sales", 2)
        wait_for(lambda: shop.status()["outbox_depth"] == 1, what="pruned up to the ack only")
        assert shop.status()["outbox_head_seq"] == 3
    finally:
        hub.close()


def test_a_resend_request_sends_again_from_the_asked_seq(shop: Shop) -> None:
    hub = FakeHub(shop.broker, auto_ack=False)
    try:
        shop.sell(4)
        wait_for(lambda: set(hub.seqs()) >= {1, 2, 3, 4}, what="first delivery")
        org, store, device = shop.ids
        epoch = shop.status()["epoch"]
        hub.ack(org, store, device, epoch, "sales", 2)
        before = hub.seqs().count(3)
        hub.resend(org, store, device, epoch, 3)
        wait_for(lambda: hub.seqs().count(3) > before, what="seq 3 again")
    finally:
        hub.close()


def test_the_box_sells_with_the_broker_down_and_delivers_after(shop: Shop) -> None:
    shop.broker.stop()
    sold = shop.sell(50)
    assert shop.status()["outbox_depth"] == 50
    shop.broker.start()
    hub = FakeHub(shop.broker)
    try:
        wait_for(
            lambda: hub.keys() >= set(sold),
            timeout=40,
            what="all 50 sales after the broker came back",
        )
        wait_for(lambda: shop.status()["outbox_depth"] == 0, what="outbox pruned")
        assert any(len(b.envelopes) > 1 for b in hub.batches), "catching up should batch"
    finally:
        hub.close()


def test_status_is_published_retained(shop: Shop) -> None:
    hub = FakeHub(shop.broker)
    try:
        shop.sell(2)
        online = wait_for(
            lambda: [s for s in hub.statuses if s.online and s.outbox_depth == 0],
            what="an online status",
        )
        assert online[-1].applied_catalog_version == 1
        assert str(online[-1].device_id) == str(shop.bundle.device_id)
    finally:
        hub.close()


def test_an_ack_from_the_hub_moves_a_1970_clock_forward(shop: Shop) -> None:
    hub = FakeHub(shop.broker, auto_ack=False)
    try:
        shop.clock.now = shop.clock.now.replace(year=1970)
        org, store, device = shop.ids
        shop.sell(1)
        hub_ms = 1_900_000_000_000  # 2030: the hub's clock
        hub.ack(org, store, device, shop.status()["epoch"], "sales", 1, hub_ms=hub_ms)
        wait_for(lambda: shop.status()["outbox_depth"] == 0, what="ack applied")
        sign_in(shop.client)  # the hub's clock (2030) is past the 12 h session
        r = shop.client.post(
            "/api/v1/sales",
            json={
                "sale_id": str(uuid.uuid4()),
                "lines": [{"code": "SALT-1KG"}],
                "tenders": [{"kind": "cash", "amount": 2800}],
            },
        )
        assert r.json()["sale"]["sold_at"].startswith("2030-")
    finally:
        hub.close()


def test_catalog_deltas_apply_and_future_prices_wait_for_their_time(shop: Shop) -> None:
    hub = FakeHub(shop.broker)
    try:
        org, store, _ = shop.ids
        catalog = shop.bundle.catalog
        salt = next(p for p in catalog.products if p.sku == "SALT-1KG")
        later = shop.clock.now + timedelta(hours=2)
        repriced = salt.model_copy(
            update={"prices": [*salt.prices, PricePoint(valid_from=later, price=3000, mrp=3000)]}
        )
        new_product = repriced.model_copy(
            update={
                "product_id": uuid.uuid4(),
                "sku": "SALT-2KG",
                "name": "Tata Salt 2 kg",
                "barcodes": ["8901234099991"],
            }
        )
        delta = CatalogDelta(
            org_id=org,
            from_version=1,
            to_version=2,
            generated_at=shop.clock.now,
            products=[repriced, new_product],
        )
        snapshot = CatalogSnapshot(
            org_id=org,
            version=2,
            generated_at=shop.clock.now,
            products=[*catalog.products, new_product],
        )
        hub.publish(
            f"setledger/v1/{org}/{store}/down/catalog",
            manifest(org, 2, shop.blobs.add(snapshot), [shop.blobs.delta_ref(delta, 1, 2)]),
            retain=True,
        )
        wait_for(lambda: shop.status()["catalog_version"] == 2, what="catalog version 2")
        assert (
            shop.client.get("/api/v1/catalog/lookup", params={"code": "8901234099991"}).status_code
            == 200
        )
        price_now = shop.client.get("/api/v1/catalog/lookup", params={"code": "SALT-1KG"}).json()[
            "price"
        ]
        assert price_now == 2800
        shop.clock.now = later + timedelta(seconds=1)
        assert (
            shop.client.get("/api/v1/catalog/lookup", params={"code": "SALT-1KG"}).json()["price"]
            == 3000
        )
        body = {
            "sale_id": str(uuid.uuid4()),
            "lines": [{"code": "SALT-1KG"}],
            "tenders": [{"kind": "cash", "amount": 3000}],
        }
        assert (
            shop.client.post("/api/v1/sales", json=body).json()["sale"]["totals"]["payable"] == 3000
        )
    finally:
        hub.close()


def test_a_blob_that_does_not_match_its_digest_is_not_applied(shop: Shop) -> None:
    hub = FakeHub(shop.broker)
    try:
        org, store, _ = shop.ids
        snapshot = CatalogSnapshot(org_id=org, version=5, generated_at=shop.clock.now, products=[])
        ref = shop.blobs.add(snapshot)
        shop.blobs.blobs[ref.sha256] = b'{"tampered": true}'
        hub.publish(f"setledger/v1/{org}/{store}/down/catalog", manifest(org, 5, ref), retain=True)
        wait_for(lambda: shop.blobs.requests >= 1, what="the blob fetched")
        assert shop.status()["catalog_version"] == 1
        assert (
            shop.client.get("/api/v1/catalog/lookup", params={"code": "SALT-1KG"}).status_code
            == 200
        )
    finally:
        hub.close()

"""A store's stock too big for one MQTT message reaches its boxes by reference.

The broker takes at most 1 MiB a packet (provisioning/broker/mosquitto.conf.in),
about 12,000 stocked products and batches of a store. Past
``stock_inline_max_bytes`` the stock publisher stores the snapshot as a blob and
retains a ``StockSnapshotRef`` on ``.../down/stock-ref``; the box fetches the
blob with its token. Here the limit is 0 (everything by reference), the blob is
the store's snapshot, the catalog's pruning leaves it, and a publisher with the
limit back up sends the snapshot inline and retires the reference.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

from hub.catalog.publication import publish_catalog
from hub.settings import HubSettings
from hub.stock.snapshot import StockPublisher
from ops.broker import Broker
from setledger.contracts import StockSnapshot, StockSnapshotRef, topics
from tests.hub.harness import API, Hub, error_code, ok
from tests.hub.mqtt_harness import (
    FakeBox,
    connected,
    running,
    secure_broker,
    wait_for,
    worker_settings,
)


def publishing(settings: HubSettings) -> AbstractContextManager[StockPublisher]:
    return running(StockPublisher(settings, name=f"stock-{uuid.uuid4().hex[:6]}", interval_s=0.1))


def receive(hub: Hub, org: dict[str, Any], store_id: str, lines: list[tuple[str, int]]) -> None:
    ok(
        hub.client.post(
            f"{API}/orgs/{org['org_id']}/stock/receipts",
            json={
                "location_id": store_id,
                "lines": [{"product_id": p, "qty": qty, "unit_cost": 1000} for p, qty in lines],
            },
        ),
        201,
    )


def fetch(hub: Hub, url: str, token: str) -> Any:
    return hub.client.get(url, headers={"Authorization": f"Bearer {token}"})


def test_a_snapshot_too_big_for_a_message_is_fetched_by_reference(
    hub: Hub, make_broker: Callable[..., Broker], broker_files: Path
) -> None:
    org = hub.org()
    store = hub.store(org)
    store_id = store["store_id"]
    device = hub.device(org, store)
    products = [hub.product(org, sku=f"RICE-{n}")["product_id"] for n in range(3)]
    receive(hub, org, store_id, [(products[0], 5000), (products[1], 2000), (products[2], 750)])
    broker = secure_broker(hub, make_broker, broker_files)
    box = FakeBox.of(org, device, broker)
    by_reference = worker_settings(hub, broker, stock_inline_max_bytes=0)

    def newest(part: str) -> list[bytes]:
        return [m.payload for m in box.messages(part) if m.topic.endswith(part)]

    with connected(box):
        box.subscribe(topics.store_stock(org["org_id"], store_id))
        box.subscribe(topics.store_stock_ref(org["org_id"], store_id))
        with publishing(by_reference):
            ref = wait_for(
                lambda: next(
                    (
                        StockSnapshotRef.model_validate_json(p)
                        for p in newest("/down/stock-ref")
                        if p
                    ),
                    None,
                ),
                "a stock snapshot reference",
            )
        assert newest("/down/stock") == []  # nothing inline
        assert (ref.org_id, str(ref.store_id), ref.items) == (org["org_id"], store_id, 3)

        # The blob is the store's snapshot, for the org's own boxes only.
        answer = fetch(hub, ref.snapshot.url, device["token"])
        assert answer.status_code == 200
        assert len(answer.content) == ref.snapshot.size
        snapshot = StockSnapshot.model_validate_json(answer.content)
        assert snapshot.version == ref.version
        assert {(str(i.product_id), i.qty) for i in snapshot.items} == {
            (products[0], 5000),
            (products[1], 2000),
            (products[2], 750),
        }
        stranger_org = hub.org()
        stranger = hub.device(stranger_org, hub.store(stranger_org))
        assert error_code(fetch(hub, ref.snapshot.url, stranger["token"]), 404) == "BLOB_NOT_FOUND"

        # Publishing catalog versions prunes catalog blobs, never a store's stock.
        for n in range(2):
            hub.product(org, sku=f"NEW-{n}")
            assert publish_catalog(hub.runtime.sessions, uuid.UUID(org["uuid"])) is not None
        assert fetch(hub, ref.snapshot.url, device["token"]).status_code == 200

        # Under the limit again (another publisher, as after a restart): inline, and
        # the retained reference is retired (an empty retained message).
        receive(hub, org, store_id, [(products[0], 1000)])
        with publishing(worker_settings(hub, broker)):
            inline = wait_for(
                lambda: next(iter(newest("/down/stock")), None), "the snapshot inline"
            )
            wait_for(lambda: b"" in newest("/down/stock-ref") or None, "the reference retired")
    later = StockSnapshot.model_validate_json(inline)
    assert later.version > ref.version
    assert {(str(i.product_id), i.qty) for i in later.items} >= {(products[0], 6000)}


def test_a_store_whose_stock_did_not_move_is_not_built_again(
    hub: Hub, make_broker: Callable[..., Broker], broker_files: Path
) -> None:
    """Building a store's snapshot reads all its levels (about 1.5 s at 100,000); on
    PostgreSQL a cheap mark of its levels and its boxes' positions says when nothing
    moved. SQLite builds every store at every poll."""
    org = hub.org()
    store = hub.store(org)
    device = hub.device(org, store)
    salt = hub.product(org, sku="SALT-1")["product_id"]
    receive(hub, org, store["store_id"], [(salt, 4000)])
    broker = secure_broker(hub, make_broker, broker_files)
    box = FakeBox.of(org, device, broker)
    pg = hub.runtime.engine.dialect.name == "postgresql"

    def snapshots() -> list[StockSnapshot]:
        return [
            StockSnapshot.model_validate_json(m.payload)
            for m in box.messages("/down/stock")
            if m.topic.endswith("/down/stock") and m.payload
        ]

    with connected(box), publishing(worker_settings(hub, broker)) as publisher:
        box.subscribe(topics.store_stock(org["org_id"], store["store_id"]))
        wait_for(lambda: snapshots() or None, "the first snapshot")
        polls = wait_for(lambda: publisher.polls if publisher.polls >= 5 else None, "5 polls")
        built = publisher.built
        stores = len(publisher.published)  # every store of every org in this database
        if pg:
            assert built == stores  # once each, in the first poll
        else:
            assert built >= stores * polls
        receive(hub, org, store["store_id"], [(salt, 1000)])
        wait_for(lambda: any(i.qty == 5000 for s in snapshots() for i in s.items) or None,
                 "the snapshot after the receipt")  # fmt: skip
    assert len(snapshots()) == 2  # unchanged content is never sent again, either way

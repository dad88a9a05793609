"""Catalog downlink: every version as a retained manifest per store, blobs over HTTP by token."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from hub.catalog.publication import trim_chain
from hub.catalog.publisher import CatalogPublisher
from hub.settings import HubSettings
from ops.broker import Broker
from setledger.contracts import CatalogDelta, CatalogManifest, CatalogSnapshot, DeltaRef, topics
from tests.hub.harness import API, Hub, error_code, ok
from tests.hub.mqtt_harness import (
    HUB_PASSWORD,
    HUB_USER,
    FakeBox,
    connected,
    refresh_broker,
    running,
    secure_broker,
    wait_for,
    worker_settings,
)


def running_publisher(settings: HubSettings) -> AbstractContextManager[CatalogPublisher]:
    return running(CatalogPublisher(settings, name="test"))


def version_of(hub: Hub, org: dict[str, Any]) -> int:
    version: int = ok(hub.get(f"/orgs/{org['org_id']}"))["catalog_version"]
    return version


def manifest_at(box: FakeBox, version: int) -> CatalogManifest:
    def newest() -> CatalogManifest | None:
        found = [CatalogManifest.model_validate(m.json()) for m in box.messages("/down/catalog")]
        return next((m for m in reversed(found) if m.version == version), None)

    return wait_for(newest, f"the manifest of version {version}")


def fetch(hub: Hub, url: str, token: str | None) -> bytes:
    headers = {"Authorization": f"Bearer {token}"} if token else {"Authorization": ""}
    response = hub.client.get(url, headers=headers)
    assert response.status_code == 200, response.text
    return response.content


def test_catalog_versions_reach_every_store(
    hub: Hub, make_broker: Callable[..., Broker], broker_files: Path
) -> None:
    org = hub.org()
    first, second = hub.store(org), hub.store(org)
    here, there = hub.device(org, first), hub.device(org, second)
    salt = hub.product(org, name="Tata Salt 1kg", price=2800, barcodes=["8901058000290"])
    hub.product(org, name="Fortune Oil 1L", price=16550, hsn="1512")
    broker = secure_broker(hub, make_broker, broker_files)
    settings = worker_settings(hub, broker, catalog_poll_ms=50)
    box, far = FakeBox.of(org, here, broker), FakeBox.of(org, there, broker)
    with running_publisher(settings), connected(box), connected(far):
        box.listen_down()
        far.listen_down()
        v1 = version_of(hub, org)
        manifest = manifest_at(box, v1)
        assert manifest_at(far, v1) == manifest
        assert manifest.org_id == org["org_id"]
        body = fetch(hub, manifest.snapshot.url, here["token"])
        assert hashlib.sha256(body).hexdigest() == manifest.snapshot.sha256
        assert len(body) == manifest.snapshot.size
        snapshot = CatalogSnapshot.model_validate_json(body)
        assert snapshot.version == v1
        assert sorted(p.name for p in snapshot.products) == ["Fortune Oil 1L", "Tata Salt 1kg"]
        # A price change from tomorrow: a new version, and a delta of that product only.
        tomorrow = datetime.now(UTC) + timedelta(days=1)
        ok(
            hub.client.post(
                f"{API}/orgs/{org['org_id']}/products/{salt['product_id']}/prices",
                json={"price": 3000, "valid_from": tomorrow.isoformat()},
            ),
            201,
        )
        v2 = version_of(hub, org)
        changed = manifest_at(box, v2)
        assert changed.deltas[-1].from_version == v1
        assert changed.deltas[-1].to_version == v2
        delta_body = fetch(hub, changed.deltas[-1].url, here["token"])
        assert hashlib.sha256(delta_body).hexdigest() == changed.deltas[-1].sha256
        delta = CatalogDelta.model_validate_json(delta_body)
        assert [p.name for p in delta.products] == ["Tata Salt 1kg"]
        assert [(p.price, p.valid_from) for p in delta.products[0].prices][-1] == (3000, tomorrow)
        assert delta.products[0].barcodes == ["8901058000290"]
        assert manifest_at(far, v2).snapshot.sha256 == changed.snapshot.sha256
        # The retained manifest is the newest one.
        late = FakeBox.of(org, here, broker)
        with connected(late):
            late.subscribe(topics.store_catalog(org["org_id"], first["store_id"]))
            retained = manifest_at(late, v2)
            assert late.messages("/down/catalog")[0].retain
            assert retained.version == v2


def test_blobs_are_for_the_orgs_own_boxes(
    hub: Hub, make_broker: Callable[..., Broker], broker_files: Path
) -> None:
    org = hub.org()
    device = hub.device(org, hub.store(org))
    hub.product(org)
    stranger_org = hub.org()
    stranger = hub.device(stranger_org, hub.store(stranger_org))
    broker = secure_broker(hub, make_broker, broker_files)
    box = FakeBox.of(org, device, broker)
    with running_publisher(worker_settings(hub, broker, catalog_poll_ms=50)), connected(box):
        box.listen_down()
        url = manifest_at(box, version_of(hub, org)).snapshot.url
    assert fetch(hub, url, device["token"])
    assert fetch(hub, url, hub.tokens[org["org_id"]])  # the org's owner
    stranger_owner = hub.tokens[stranger_org["org_id"]]
    response = hub.client.get(url, headers={"Authorization": f"Bearer {stranger_owner}"})
    assert error_code(response, 404) == "BLOB_NOT_FOUND"
    response = hub.client.get(url, headers={"Authorization": f"Bearer {stranger['token']}"})
    assert error_code(response, 404) == "BLOB_NOT_FOUND"
    for headers in ({"Authorization": ""}, {"Authorization": "Bearer sldev_nope"}):
        assert error_code(hub.client.get(url, headers=headers), 401) == "UNAUTHENTICATED"
    # A box cannot use its token on members' routes.
    listing = hub.client.get(
        f"{API}/orgs/{org['org_id']}/sales", headers={"Authorization": f"Bearer {device['token']}"}
    )
    assert error_code(listing, 401) == "UNAUTHENTICATED"


def test_new_stores_and_a_restarted_publisher_get_the_manifest(
    hub: Hub, make_broker: Callable[..., Broker], broker_files: Path
) -> None:
    org = hub.org()
    first = hub.store(org)
    device = hub.device(org, first)
    hub.product(org)
    broker = secure_broker(hub, make_broker, broker_files)
    settings = worker_settings(hub, broker, catalog_poll_ms=50)
    version = version_of(hub, org)
    with running_publisher(settings):
        box = FakeBox.of(org, device, broker)
        with connected(box):
            box.listen_down()
            manifest_at(box, version)
        # A store opened after the version was published.
        added = hub.store(org)
        newcomer = hub.device(org, added)
        refresh_broker(hub, broker)
        late = FakeBox.of(org, newcomer, broker)
        wait_for(lambda: not late.connect().is_failure or late.close(), "the new box's login")
        late.listen_down()
        assert manifest_at(late, version).version == version
        late.close()
    # The broker lost its retained manifest (say, its store): a restarted
    # publisher delivers again.
    wiper = FakeBox(org["org_id"], "", HUB_USER, HUB_PASSWORD, broker, client_id="wiper")
    with connected(wiper):
        wiper.client.publish(  # type: ignore[union-attr]
            topics.store_catalog(org["org_id"], first["store_id"]), b"", qos=1, retain=True
        ).wait_for_publish(10)
    box = FakeBox.of(org, device, broker)
    with connected(box):
        box.subscribe(topics.store_catalog(org["org_id"], first["store_id"]))
        assert not box.messages("/down/catalog")
        with running_publisher(settings):
            assert manifest_at(box, version).version == version


def ref(size: int, to: int) -> DeltaRef:
    return DeltaRef(url="/x", sha256="a" * 64, size=size, from_version=to - 1, to_version=to)


def test_the_delta_chain_stays_smaller_than_the_snapshot() -> None:
    chain = [ref(10, v) for v in range(2, 40)]
    assert [d.to_version for d in trim_chain(chain, 10_000)] == list(range(20, 40))
    assert [d.to_version for d in trim_chain(chain, 35)] == [37, 38, 39]
    assert [d.to_version for d in trim_chain([ref(500, 5)], 100)] == [5]

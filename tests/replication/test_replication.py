"""Box, broker and hub in real processes: every sale reaches the hub exactly once."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from edge.store.db import backup_copy
from ops.demo_data import ean13
from tests.replication.harness import Deployment, ring, sigkill, wait_for

GHEE_CODE = ean13("890123409998")
HEADS = ("payable", "taxable", "cgst", "sgst", "igst", "cess")


def assert_exactly_once(d: Deployment, sold: dict[str, dict]) -> None:  # type: ignore[type-arg]
    at_hub = d.hub_sales()
    missing = set(sold) - set(at_hub)
    assert not missing, f"{len(missing)} confirmed sales never reached the hub"
    for sale_id, sale in sold.items():
        assert at_hub[sale_id] == (sale["invoice_no"], sale["totals"]["payable"])
    # Exactly once: the hub has one row per sale id (its primary key) and no
    # sale the box did not make; its cursor covers every seq without a gap.
    assert len(at_hub) == d.hub_count()
    for key, top in d.max_seqs().items():
        assert d.cursors()[key] == top, f"seqs of {key} have a gap at the hub"


def totals(d: Deployment, day: str) -> dict[str, int]:
    with d.owner() as hub:
        page = hub.get(
            f"/api/v1/orgs/{d.org['org_id']}/sales", params={"day": day, "limit": 1}
        ).json()
    return {h: page["totals"][h] for h in HEADS}


def test_a_product_created_at_the_hub_appears_on_the_box(deploy: Callable[..., Deployment]) -> None:
    d = deploy()
    org = d.org["org_id"]
    with d.owner() as hub:
        r = hub.post(
            f"/api/v1/orgs/{org}/products",
            json={
                "sku": "GHEE-1L",
                "name": "Amul Ghee 1 L",
                "hsn": "0405",
                "gst_rate_bp": 500,
                "price": 65000,
                "mrp": 65000,
                "barcodes": [GHEE_CODE],
            },
        )
        assert r.status_code == 201, r.text
        product = r.json()

    def on_box() -> bool:
        return (
            httpx.get(f"{d.box_url}/api/v1/catalog/lookup", params={"code": GHEE_CODE}).status_code
            == 200
        )

    wait_for(on_box, what="the new product on the box")
    assert d.box_status()["catalog_version"] >= 2

    # A price change from an hour ahead is known to the box but not used yet.
    later = datetime.now(UTC) + timedelta(hours=1)
    with d.owner() as hub:
        r = hub.post(
            f"/api/v1/orgs/{org}/products/{product['product_id']}/prices",
            json={"price": 62000, "mrp": 65000, "valid_from": later.isoformat()},
        )
        assert r.status_code == 201, r.text
        version = hub.get(f"/api/v1/orgs/{org}").json()["catalog_version"]
    wait_for(
        lambda: d.box_status()["catalog_version"] == version, what="the price change on the box"
    )
    lookup = httpx.get(f"{d.box_url}/api/v1/catalog/lookup", params={"code": "GHEE-1L"}).json()
    assert lookup["price"] == 65000


def test_sales_rung_with_the_broker_down_and_with_the_hub_stopped_arrive_once(
    deploy: Callable[..., Deployment],
) -> None:
    d = deploy()
    assert d.broker is not None
    sold = ring(d.box_url, 5, d.auth)
    wait_for(d.drained, what="the first sales at the hub")

    d.broker.stop()
    sold |= ring(d.box_url, 1000, d.auth)
    assert d.box_status()["outbox_depth"] == 1000
    d.broker.start()
    wait_for(d.drained, timeout=120, what="1,000 sales after the broker came back")
    assert_exactly_once(d, sold)

    for name in list(d.workers):
        sigkill(d.workers.pop(name))
    sold |= ring(d.box_url, 1000, d.auth)
    assert d.box_status()["outbox_depth"] == 1000
    d.start_worker()
    wait_for(d.drained, timeout=120, what="1,000 sales after the hub came back")
    assert_exactly_once(d, sold)
    assert len(d.hub_sales()) == 2005
    day = next(iter(sold.values()))["business_date"]
    expected = {
        h: sum(s["totals"][h] for s in sold.values() if s["business_date"] == day) for h in HEADS
    }
    assert totals(d, day) == expected


def test_a_box_restored_from_an_older_copy_gets_a_new_epoch(
    deploy: Callable[..., Deployment], tmp_path: Path
) -> None:
    d = deploy()
    sold = ring(d.box_url, 5, d.auth)
    wait_for(d.drained, what="first sales at the hub")
    first_epoch = d.box_status()["epoch"]
    db_path = d.root / "box" / "box.db"
    copy = backup_copy(db_path, tmp_path / "copies", "older")
    sold |= ring(d.box_url, 5, d.auth)
    wait_for(d.drained, what="more sales at the hub")

    from tests.processes import stop

    assert d.box is not None
    stop(d.box)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    shutil.copy(copy, db_path)
    d.start_box()
    second_epoch = d.box_status()["epoch"]
    assert second_epoch != first_epoch
    sold |= ring(d.box_url, 5, d.auth)
    wait_for(d.drained, what="sales of the new epoch at the hub")
    assert_exactly_once(d, sold)
    assert {epoch for epoch, _ in d.cursors()} == {first_epoch, second_epoch}
    numbers = [s[0] for s in d.hub_sales().values()]
    assert len(numbers) == len(set(numbers)) == 15, "an invoice number was reused"


def test_a_box_whose_clock_says_1970_syncs_and_is_flagged(
    deploy: Callable[..., Deployment],
) -> None:
    d = deploy()
    assert d.box is not None
    from tests.processes import stop

    stop(d.box)
    back_to_1970 = -int(datetime.now(UTC).timestamp())
    d.start_box(env={"SETLEDGER_BOX_CLOCK_OFFSET_S": str(back_to_1970)})
    sold = ring(d.box_url, 3, d.auth)
    wait_for(d.drained, what="the 1970 box's sales at the hub")
    assert_exactly_once(d, sold)
    for sale in sold.values():
        assert sale["sold_at"] >= "2026", "sale times come from the HLC, not the 1970 clock"
    with d.owner() as hub:
        device = hub.get(f"/api/v1/orgs/{d.org['org_id']}/devices/{d.device['device_id']}").json()
    assert device["clock_skew_ms"] < -50 * 365 * 86_400_000
    assert device["clock_flagged_at"] is not None

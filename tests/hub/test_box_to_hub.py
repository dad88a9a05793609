"""A real box's outbox, applied at the hub, reads back through the sales API.

The box is provisioned from the hub's own registry and catalog snapshot,
sells offline, and its outbox rows become envelopes exactly as the
replicator will send them. Applied in a shuffled order with duplicates,
they give the hub the same sales, to the paisa, as the box recorded.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from fastapi.testclient import TestClient

from edge.app import create_app as create_box
from edge.services.identity import ProvisionBundle, require_identity
from edge.settings import BoxSettings
from edge.store import outbox
from hub.ingest import Outcome
from ops import demo_data
from tests.edge.staff import make_roster, sign_in
from tests.hub.harness import API, Hub, make_gstin, ok

SOLD_AT = datetime(2026, 11, 24, 6, 30, tzinfo=UTC)
HEADS = ("taxable", "cgst", "sgst", "igst", "cess", "round_off", "payable")


@pytest.fixture
def shop(hub: Hub, tmp_path: Path) -> Iterator[tuple[TestClient, dict[str, Any], dict[str, Any]]]:
    org = hub.org("Sharma General Store", "27")
    store = hub.store(org, state_code="27")
    device = hub.device(org, store)
    for index, p in enumerate(demo_data.PRODUCTS[:16], start=1):
        hub.product(
            org,
            sku=p.sku,
            name=p.name,
            hsn=p.hsn,
            unit=p.unit,
            fractional_qty=p.fractional,
            gst_rate_bp=p.rate_bp,
            price=p.price,
            mrp=p.mrp,
            barcodes=[demo_data.barcode_of(index)] if p.barcode else [],
        )
    snapshot = ok(hub.client.get(f"{API}/orgs/{org['org_id']}/catalog/snapshot"))
    bundle = ProvisionBundle(
        org_id=org["org_id"],
        org_name=org["name"],
        store_id=store["store_id"],
        store_name=store["name"],
        device_id=device["device_id"],
        device_name=device["name"],
        invoice_prefix=device["invoice_prefix"],
        seller_state=store["state_code"],
        catalog=snapshot,
        staff=make_roster(org["org_id"], UUID(store["store_id"])),
    )
    path = tmp_path / "bundle.json"
    path.write_text(bundle.model_dump_json())
    settings = BoxSettings(data_dir=tmp_path / "box", provision_file=path)
    with TestClient(create_box(settings, wall_clock=lambda: SOLD_AT)) as box:
        sign_in(box)
        yield box, org, store


def ring(
    box: TestClient, lines: list[dict[str, Any]], tenders: list[dict[str, Any]], **extra: Any
) -> dict[str, Any]:
    body = {"sale_id": str(uuid.uuid4()), "lines": lines, "tenders": tenders, **extra}
    response = box.post("/api/v1/sales", json=body)
    assert response.status_code == 201, response.text
    sale: dict[str, Any] = response.json()["sale"]
    return sale


def test_box_sales_reach_the_hub_once_and_to_the_paisa(
    hub: Hub, shop: tuple[TestClient, dict[str, Any], dict[str, Any]]
) -> None:
    box, org, store = shop
    cash = [{"kind": "cash", "amount": 200000}]
    sold = [
        ring(box, [{"code": "ATTA-5KG", "qty": 2}, {"code": "PARLEG-250"}], cash),
        ring(
            box,
            [{"code": demo_data.barcode_of(11)}],
            [{"kind": "upi", "amount": 14000, "reference": "U1"}],
        ),
        ring(box, [{"code": "COKE-750", "qty": 3}, {"code": "MAGGI-70", "qty": 4}], cash),
        ring(box, [{"code": "SUGAR-LOOSE", "qty": "2.5"}, {"code": "SALT-1KG"}], cash),
        ring(
            box,
            [{"code": "SURF-1KG"}],
            cash,
            buyer={"name": "Rao Traders", "gstin": make_gstin("29")},
        ),
    ]
    assert sold[-1]["supply_kind"] == "inter"

    runtime = box.app.state.box  # type: ignore[attr-defined]
    with runtime.db.reader.connect() as conn:
        envelopes = outbox.pending(conn, require_identity(conn))
    assert [e.seq for e in envelopes] == [1, 2, 3, 4, 5]
    deliveries = envelopes * 2  # at-least-once: every message arrives twice
    random.Random(7).shuffle(deliveries)
    outcomes = [hub.apply(e) for e in deliveries]
    assert sorted(o.outcome for o in outcomes) == sorted(
        [Outcome.APPLIED] * 5 + [Outcome.DUPLICATE] * 5
    )
    assert max(o.cursor or 0 for o in outcomes) == 5

    # The box dates its sales by its own clock, which has learned real time (it is the
    # later of its HLC and its wall clock): the day is the sales' own, not a fixed date.
    (day,) = {s["business_date"] for s in sold}
    page = ok(
        hub.client.get(
            f"{API}/orgs/{org['org_id']}/sales",
            params={"store_id": store["store_id"], "day": day},
        )
    )
    assert page["totals"]["count"] == 5
    for head in ("payable", "taxable", "cgst", "sgst", "igst", "cess"):
        assert page["totals"][head] == sum(s["totals"][head] for s in sold), head
    for sale in sold:
        at_hub = ok(hub.client.get(f"{API}/orgs/{org['org_id']}/sales/{sale['sale_id']}"))
        assert at_hub["invoice_no"] == sale["invoice_no"]
        assert [line["charged"] for line in at_hub["lines"]] == [
            line["charged"] for line in sale["lines"]
        ]
        assert {h: at_hub[h] for h in HEADS} == {h: sale["totals"][h] for h in HEADS}
        assert at_hub["supply_kind"] == sale["supply_kind"]

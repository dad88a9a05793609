"""A provisioned store box on a temporary SQLite file, driven through its API.

The box is provisioned with a roster (a cashier and a manager, see
tests/edge/staff.py) and the ``box`` fixture's client is signed in as the
cashier, so selling goes through sign-in as at a real counter.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from edge.app import create_app
from edge.services.identity import ProvisionBundle
from edge.settings import BoxSettings
from ops import demo_data
from tests.edge.staff import make_roster, sign_in

ORG = "ORG-1a2b3c4d"


def next_noon_in_india(now: datetime) -> datetime:
    """The first 06:30 UTC (noon in India) at least an hour after ``now``."""
    noon = now.replace(hour=6, minute=30, second=0, microsecond=0)
    while noon < now + timedelta(hours=1):
        noon += timedelta(days=1)
    return noon


START = next_noon_in_india(datetime.now(UTC))
"""The box's wall clock in tests: noon in India, ahead of real time on purpose. The
box's clock is the later of its HLC and its wall clock, and the HLC learns real time
from a hub's acks; a START in the past is overtaken by it, and the 12 h sessions
signed in at START expire mid-test (a fixed 06:30 UTC START did, from 18:30 UTC)."""


class SettableClock:
    """The box's wall clock, moved by the test."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def make_bundle(
    org: str = ORG, prefix: str = "C1", state: str = "27", *, staff: bool = True
) -> ProvisionBundle:
    store = uuid.uuid4()
    return ProvisionBundle(
        org_id=org,
        org_name=demo_data.ORG_NAME,
        store_id=store,
        store_name=demo_data.STORE_NAME,
        device_id=uuid.uuid4(),
        device_name=demo_data.DEVICE_NAME,
        invoice_prefix=prefix,
        seller_state=state,
        seller_gstin=demo_data.ORG_GSTIN,
        catalog=demo_data.demo_snapshot(org, 1, datetime(2026, 1, 1, tzinfo=UTC)),
        staff=make_roster(org, store) if staff else None,
    )


@dataclass
class Box:
    client: TestClient
    db_path: Path
    bundle: ProvisionBundle
    clock: SettableClock
    """The client carries the cashier's box token (signed in by the fixture)."""

    def product(self, sku: str) -> Any:
        return next(p for p in self.bundle.catalog.products if p.sku == sku)

    def barcode(self, sku: str) -> str:
        return str(self.product(sku).barcodes[0])

    def sell(self, lines: list[dict[str, Any]], tenders: list[dict[str, Any]], **extra: Any) -> Any:
        body = {"sale_id": str(uuid.uuid4()), "lines": lines, "tenders": tenders, **extra}
        return self.client.post("/api/v1/sales", json=body)

    def rows(self, sql: str, *args: Any) -> list[tuple[Any, ...]]:
        """Read the database directly, not through the app under test."""
        with sqlite3.connect(self.db_path) as conn:
            return conn.execute(sql, args).fetchall()

    def fingerprint(self) -> dict[str, Any]:
        """Everything a failed request must leave unchanged."""
        tables = ["sale", "sale_line", "sale_tender", "stock_move", "outbox", "invoice_series"]
        state: dict[str, Any] = {t: self.rows(f"SELECT * FROM {t} ORDER BY 1") for t in tables}  # noqa: S608
        return state


@pytest.fixture
def clock() -> SettableClock:
    return SettableClock(START)


@pytest.fixture
def bundle() -> ProvisionBundle:
    return make_bundle()


@pytest.fixture
def box(tmp_path: Path, bundle: ProvisionBundle, clock: SettableClock) -> Iterator[Box]:
    provision = tmp_path / "bundle.json"
    provision.write_text(bundle.model_dump_json())
    settings = BoxSettings(data_dir=tmp_path / "box", provision_file=provision)
    with TestClient(create_app(settings, wall_clock=clock)) as client:
        sign_in(client)
        yield Box(client, settings.db_path, bundle, clock)

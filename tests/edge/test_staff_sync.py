"""Revocation after sync: a roster from the hub (retained, on a real Mosquitto)
disables a cashier at the box, ends their session, and an older roster
never brings them back.
"""

from __future__ import annotations

import sqlite3
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from edge.app import create_app
from edge.services.identity import ProvisionBundle
from edge.services.sessions import token_digest
from edge.settings import BoxSettings
from ops.broker import Broker
from setledger.contracts import StaffRoster
from tests.edge.conftest import ORG, SettableClock, make_bundle
from tests.edge.fake_hub import FakeHub, wait_for
from tests.edge.staff import (
    CASHIER_ID,
    CASHIER_PIN,
    MANAGER_ID,
    MANAGER_PIN,
    cashier,
    make_roster,
    manager,
    sign_in,
)

SALT = {"lines": [{"code": "SALT-1KG"}], "tenders": [{"kind": "cash", "amount": 2800}]}


@dataclass
class Store:
    bundle: ProvisionBundle
    broker: Broker
    hub: FakeHub
    settings: BoxSettings
    clock: SettableClock

    def roster(self, version: int, *, cashier_active: bool) -> StaffRoster:
        members = [manager(ORG), cashier(ORG, active=cashier_active)]
        return make_roster(ORG, self.bundle.store_id, version, members)

    def box(self) -> TestClient:
        return TestClient(create_app(self.settings, wall_clock=self.clock))


def connected(client: TestClient) -> None:
    wait_for(lambda: client.app.state.box.outbox_listener.connected, what="box connected")  # type: ignore[attr-defined]


def staff_version(client: TestClient) -> int:
    return int(client.get("/api/v1/box").json()["staff_version"])


def pin(client: TestClient, user_id: Any, value: str) -> Any:
    return client.post("/api/v1/auth/pin", json={"user_id": str(user_id), "pin": value})


@pytest.fixture
def store(tmp_path: Path, make_broker: Any, clock: SettableClock) -> Iterator[Store]:
    broker = make_broker()
    bundle = make_bundle().model_copy(update={"broker_url": broker.url})
    path = tmp_path / "bundle.json"
    path.write_text(bundle.model_dump_json())
    settings = BoxSettings(data_dir=tmp_path / "box", provision_file=path, ack_timeout_s=1.0)
    hub = FakeHub(broker)
    try:
        yield Store(bundle, broker, hub, settings, clock)
    finally:
        hub.close()


def test_a_cashier_disabled_at_the_hub_is_refused_after_the_next_sync(store: Store) -> None:
    with store.box() as box:
        connected(box)
        token = sign_in(box)
        assert box.post("/api/v1/sales", json={"sale_id": _id(), **SALT}).status_code == 201

        store.hub.publish_roster(store.roster(2, cashier_active=False))
        wait_for(lambda: staff_version(box) == 2, what="roster 2 applied")

        # The open session stops working, and the PIN no longer signs in.
        refused = box.post("/api/v1/sales", json={"sale_id": _id(), **SALT})
        assert (refused.status_code, refused.json()["error"]["code"]) == (401, "SIGN_IN_REQUIRED")
        assert box.get("/api/v1/auth/me").status_code == 401
        assert pin(box, CASHIER_ID, CASHIER_PIN).json()["error"]["code"] == "PIN_REFUSED"
        listed = {m["user_id"] for m in box.get("/api/v1/auth/staff").json()}
        assert listed == {str(MANAGER_ID)}
        # The manager is untouched.
        assert pin(box, MANAGER_ID, MANAGER_PIN).status_code == 200

        # An older roster (a stale copy, a replay) is ignored.
        replicator = box.app.state.box.outbox_listener  # type: ignore[attr-defined]
        assert replicator.staff.apply(store.roster(1, cashier_active=True)) is None
        store.hub.publish_roster(store.roster(1, cashier_active=True))
        time.sleep(1.0)  # time for the stale message to arrive and be dropped
        assert staff_version(box) == 2
        assert pin(box, CASHIER_ID, CASHIER_PIN).json()["error"]["code"] == "PIN_REFUSED"
    ended = _session_end(store.settings, token)
    assert ended == "roster"


def test_a_box_that_was_offline_gets_the_retained_roster_on_reconnect(store: Store) -> None:
    store.broker.stop()
    with store.box() as box:
        token = sign_in(box)  # offline: the roster from the bundle
        store.broker.start()
        store.hub.close()
        store.hub = FakeHub(store.broker)
        # Published while the box may not yet be connected: retained, so the
        # box gets it whenever it (re)connects.
        store.hub.publish_roster(store.roster(3, cashier_active=False))
        connected(box)
        wait_for(lambda: staff_version(box) == 3, what="retained roster applied")
        assert box.get("/api/v1/auth/me").status_code == 401
        # And re-enabled by a newer one.
        store.hub.publish_roster(store.roster(4, cashier_active=True))
        wait_for(lambda: staff_version(box) == 4, what="roster 4 applied")
        assert pin(box, CASHIER_ID, CASHIER_PIN).status_code == 200
    assert _session_end(store.settings, token) == "roster"


def _id() -> str:
    return str(uuid.uuid4())


def _session_end(settings: BoxSettings, token: str) -> str | None:
    """Why the session of ``token`` ended, read from the box's database."""
    with sqlite3.connect(settings.db_path) as conn:
        row = conn.execute(
            "SELECT end_reason FROM box_session WHERE token_sha256 = ?", (token_digest(token),)
        ).fetchone()
    return None if row is None else str(row[0])

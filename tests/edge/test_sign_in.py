"""Cashiers sign in at the box with a PIN, with no hub and no broker at all.

The roster came in the provisioning bundle; PINs are checked against its
argon2id hashes on the box, sessions live in the box's database.
"""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from edge.app import create_app
from edge.settings import BoxSettings
from tests.edge.conftest import ORG, START, Box, SettableClock, make_bundle
from tests.edge.staff import (
    CASHIER_ID,
    CASHIER_PIN,
    MANAGER_ID,
    MANAGER_PIN,
    cashier,
    make_roster,
    manager,
    member,
    sign_in,
)

SALT = {"lines": [{"code": "SALT-1KG"}], "tenders": [{"kind": "cash", "amount": 2800}]}


def pin(client: TestClient, user_id: uuid.UUID, value: str) -> Any:
    return client.post("/api/v1/auth/pin", json={"user_id": str(user_id), "pin": value})


def error(r: Any) -> tuple[int, str]:
    return r.status_code, r.json()["error"]["code"]


@pytest.fixture
def counter(box: Box) -> TestClient:
    """The box's client with nobody signed in."""
    box.client.headers.pop("Authorization")
    return box.client


def test_the_box_runs_with_no_hub_and_no_broker(box: Box) -> None:
    assert box.bundle.broker_url is None
    assert box.client.app.state.box.outbox_listener is None  # type: ignore[attr-defined]
    assert box.client.get("/api/v1/box").json()["staff_version"] == 1


def test_the_sign_in_screen_lists_who_may_sign_in(tmp_path: Path, clock: SettableClock) -> None:
    bundle = make_bundle()
    assert bundle.staff is not None
    gone = member(ORG, uuid.uuid4(), 3, "Left last month", "cashier", "1111", active=False)
    no_pin = member(ORG, uuid.uuid4(), 4, "Accounts", "accountant", None)
    roster = bundle.staff.model_copy(update={"members": [*bundle.staff.members, gone, no_pin]})
    path = tmp_path / "bundle.json"
    path.write_text(bundle.model_copy(update={"staff": roster}).model_dump_json())
    settings = BoxSettings(data_dir=tmp_path / "box", provision_file=path)
    with TestClient(create_app(settings, wall_clock=clock)) as client:
        listed = client.get("/api/v1/auth/staff").json()
    assert listed == [
        {"user_id": str(CASHIER_ID), "display_name": "Asha (cashier)", "role": "cashier"},
        {"user_id": str(MANAGER_ID), "display_name": "Ravi (manager)", "role": "store_manager"},
    ]


def test_selling_needs_a_signed_in_cashier(counter: TestClient, box: Box) -> None:
    before = box.fingerprint()
    refused = counter.post("/api/v1/sales", json={"sale_id": str(uuid.uuid4()), **SALT})
    assert error(refused) == (401, "SIGN_IN_REQUIRED")
    assert error(counter.post("/api/v1/carts", json={})) == (401, "SIGN_IN_REQUIRED")
    assert error(counter.get("/api/v1/sales")) == (401, "SIGN_IN_REQUIRED")
    forged = counter.post(
        "/api/v1/sales",
        json={"sale_id": str(uuid.uuid4()), **SALT},
        headers={"Authorization": "Bearer not-a-token"},
    )
    assert error(forged) == (401, "SIGN_IN_REQUIRED")
    assert box.fingerprint() == before
    # Reading the catalog and the box's status stays open on the shop's LAN.
    assert counter.get("/api/v1/catalog/lookup", params={"code": "SALT-1KG"}).status_code == 200
    assert counter.get("/api/v1/box").status_code == 200


def test_a_cashier_signs_in_offline_and_the_sale_names_them(counter: TestClient, box: Box) -> None:
    r = pin(counter, CASHIER_ID, CASHIER_PIN)
    assert r.status_code == 200, r.text
    session = r.json()
    assert session["member"] == {
        "user_id": str(CASHIER_ID),
        "user_code": f"{ORG}-U-000002",
        "display_name": "Asha (cashier)",
        "role": "cashier",
    }
    ends = START + timedelta(hours=12)  # a 12 h shift
    assert session["expires_at"].startswith(ends.strftime("%Y-%m-%dT%H:%M"))
    counter.headers["Authorization"] = f"Bearer {session['token']}"
    me = counter.get("/api/v1/auth/me").json()
    assert me["member"]["user_code"] == f"{ORG}-U-000002"
    assert me["token"] is None

    # The body's cashier is not believed: the session says who sells.
    sold = counter.post(
        "/api/v1/sales", json={"sale_id": str(uuid.uuid4()), "cashier": "Somebody else", **SALT}
    )
    assert sold.status_code == 201, sold.text
    assert sold.json()["sale"]["cashier"] == f"{ORG}-U-000002"
    assert box.rows("SELECT cashier FROM sale") == [(f"{ORG}-U-000002",)]
    [(payload,)] = box.rows("SELECT payload FROM outbox WHERE stream = 'sales'")
    assert json.loads(payload)["cashier"] == f"{ORG}-U-000002"  # what the hub receives
    # Only the token's hash is stored.
    stored = box.rows("SELECT token_sha256 FROM box_session")
    assert all(session["token"] not in row[0] for row in stored)


def test_a_retry_from_another_session_is_the_same_sale(box: Box) -> None:
    body = {"sale_id": str(uuid.uuid4()), **SALT}
    first = box.client.post("/api/v1/sales", json=body)
    assert first.status_code == 201
    sign_in(box.client, MANAGER_ID, MANAGER_PIN)  # the shift changed before the retry
    again = box.client.post("/api/v1/sales", json=body)
    assert again.status_code == 200
    assert again.json()["sale"] == first.json()["sale"]


def test_a_wrong_pin_is_refused(counter: TestClient) -> None:
    assert error(pin(counter, CASHIER_ID, "0000")) == (401, "PIN_REFUSED")
    assert error(pin(counter, uuid.uuid4(), CASHIER_PIN)) == (401, "PIN_REFUSED")
    assert error(pin(counter, CASHIER_ID, "")) == (422, "REQUEST_INVALID")
    assert error(pin(counter, CASHIER_ID, "9" * 65)) == (422, "REQUEST_INVALID")
    assert pin(counter, CASHIER_ID, CASHIER_PIN).status_code == 200


def test_five_wrong_pins_lock_the_member_out_for_a_while(
    counter: TestClient, box: Box, clock: SettableClock
) -> None:
    for _ in range(5):
        assert error(pin(counter, CASHIER_ID, "1111")) == (401, "PIN_REFUSED")
    locked = pin(counter, CASHIER_ID, CASHIER_PIN)  # even the right PIN, while locked
    assert error(locked) == (423, "PIN_LOCKED")
    assert locked.headers["Retry-After"] == "300"
    assert locked.json()["error"]["details"]["retry_after_s"] == 300
    # Another member is not locked.
    assert pin(counter, MANAGER_ID, MANAGER_PIN).status_code == 200
    clock.advance(seconds=301)
    assert pin(counter, CASHIER_ID, CASHIER_PIN).status_code == 200

    # The right PIN cleared the count; a new run of failures locks again for
    # 300 s, and one more run right after that for twice as long.
    for _ in range(5):
        pin(counter, CASHIER_ID, "1111")
    assert pin(counter, CASHIER_ID, CASHIER_PIN).json()["error"]["details"]["retry_after_s"] == 300
    clock.advance(seconds=301)
    for _ in range(5):
        assert error(pin(counter, CASHIER_ID, "2222")) == (401, "PIN_REFUSED")
    again = pin(counter, CASHIER_ID, CASHIER_PIN)
    assert again.json()["error"]["details"]["retry_after_s"] == 600
    # Kept in the database, so restarting the box does not lift a lock.
    assert box.rows("SELECT lockouts FROM pin_guard WHERE user_id = ?", str(CASHIER_ID)) == [(2,)]


def test_sign_out_and_shift_end_close_the_session(box: Box, clock: SettableClock) -> None:
    assert box.client.get("/api/v1/auth/me").status_code == 200
    assert box.client.post("/api/v1/auth/logout").status_code == 204
    assert error(box.client.get("/api/v1/auth/me")) == (401, "SIGN_IN_REQUIRED")
    assert error(box.client.post("/api/v1/carts", json={})) == (401, "SIGN_IN_REQUIRED")
    assert box.rows("SELECT end_reason FROM box_session") == [("signed out",)]

    sign_in(box.client)
    clock.advance(hours=12, seconds=1)
    assert error(box.client.get("/api/v1/auth/me")) == (401, "SIGN_IN_REQUIRED")


def test_a_new_box_with_no_roster_lets_nobody_sell(tmp_path: Path, clock: SettableClock) -> None:
    path = tmp_path / "bundle.json"
    path.write_text(make_bundle(staff=False).model_dump_json())
    settings = BoxSettings(data_dir=tmp_path / "box", provision_file=path)
    with TestClient(create_app(settings, wall_clock=clock)) as client:
        assert client.get("/api/v1/auth/staff").json() == []
        assert client.get("/api/v1/box").json()["staff_version"] == 0
        assert error(pin(client, CASHIER_ID, CASHIER_PIN)) == (401, "PIN_REFUSED")


def test_with_sign_in_off_the_box_sells_as_before(tmp_path: Path, clock: SettableClock) -> None:
    path = tmp_path / "bundle.json"
    path.write_text(make_bundle(staff=False).model_dump_json())
    settings = BoxSettings(data_dir=tmp_path / "box", provision_file=path, require_sign_in=False)
    with TestClient(create_app(settings, wall_clock=clock)) as client:
        r = client.post(
            "/api/v1/sales", json={"sale_id": str(uuid.uuid4()), "cashier": "till-2", **SALT}
        )
        assert r.status_code == 201, r.text
        assert r.json()["sale"]["cashier"] == "till-2"
        # A token that is sent is still checked.
        bad = client.get("/api/v1/sales", headers={"Authorization": "Bearer nonsense"})
        assert error(bad) == (401, "SIGN_IN_REQUIRED")


def test_an_old_bundle_does_not_bring_back_a_newer_rosters_change(
    tmp_path: Path, clock: SettableClock
) -> None:
    bundle = make_bundle()
    newer = make_roster(ORG, bundle.store_id, 2, [manager(ORG), cashier(ORG, active=False)])
    path = tmp_path / "bundle.json"
    path.write_text(bundle.model_copy(update={"staff": newer}).model_dump_json())
    settings = BoxSettings(data_dir=tmp_path / "box", provision_file=path)
    with TestClient(create_app(settings, wall_clock=clock)) as client:
        assert error(pin(client, CASHIER_ID, CASHIER_PIN)) == (401, "PIN_REFUSED")
    path.write_text(bundle.model_dump_json())  # the roster of version 1: cashier active
    with TestClient(create_app(settings, wall_clock=clock)) as client:
        assert client.get("/api/v1/box").json()["staff_version"] == 2
        assert error(pin(client, CASHIER_ID, CASHIER_PIN)) == (401, "PIN_REFUSED")


def test_a_roster_for_another_store_is_refused_at_provisioning(
    tmp_path: Path, clock: SettableClock
) -> None:
    bundle = make_bundle()
    other = make_roster(ORG, uuid.uuid4())
    path = tmp_path / "bundle.json"
    path.write_text(bundle.model_copy(update={"staff": other}).model_dump_json())
    settings = BoxSettings(data_dir=tmp_path / "box", provision_file=path)
    with pytest.raises(ValueError, match="roster of"), TestClient(create_app(settings)):
        pass

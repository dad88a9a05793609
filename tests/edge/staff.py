"""A store's staff for box tests: a cashier and a manager with known PINs.

The PIN hashes are real argon2id PHC strings, made with a low cost so
tests stay fast (the box verifies with whatever parameters a hash names,
as it will with the hub's). Other test suites (hub, replication, ops) can
use ``make_roster`` and ``sign_in`` to sell at a box with sign-in on.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from functools import cache
from typing import Any

import httpx
from argon2 import PasswordHasher
from fastapi.testclient import TestClient

from setledger.contracts import StaffMember, StaffRoster
from setledger.contracts.staff import Role

CASHIER_ID = uuid.UUID("0193a000-0000-7000-8000-00000000c001")
MANAGER_ID = uuid.UUID("0193a000-0000-7000-8000-00000000a001")
CASHIER_PIN = "4821"
MANAGER_PIN = "7350"

CHEAP = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
"""argon2id at 1 MiB and one pass: fast for tests (the hub uses real costs)."""


@cache
def pin_hash(pin: str) -> str:
    return CHEAP.hash(pin)


def member(
    org: str,
    user_id: uuid.UUID,
    serial: int,
    name: str,
    role: Role,
    pin: str | None,
    *,
    active: bool = True,
) -> StaffMember:
    return StaffMember(
        user_id=user_id,
        user_code=f"{org}-U-{serial:06d}",
        display_name=name,
        role=role,
        pin_hash=None if pin is None else pin_hash(pin),
        active=active,
    )


def cashier(org: str, *, active: bool = True, pin: str = CASHIER_PIN) -> StaffMember:
    return member(org, CASHIER_ID, 2, "Asha (cashier)", "cashier", pin, active=active)


def manager(org: str, *, active: bool = True, pin: str = MANAGER_PIN) -> StaffMember:
    return member(org, MANAGER_ID, 1, "Ravi (manager)", "store_manager", pin, active=active)


def make_roster(
    org: str,
    store: uuid.UUID,
    version: int = 1,
    members: list[StaffMember] | None = None,
) -> StaffRoster:
    return StaffRoster(
        org_id=org,
        store_id=store,
        version=version,
        generated_at=datetime(2026, 1, 1, tzinfo=UTC),
        members=[manager(org), cashier(org)] if members is None else members,
    )


def sign_in(
    client: TestClient | httpx.Client,
    user_id: uuid.UUID = CASHIER_ID,
    pin: str = CASHIER_PIN,
) -> str:
    """Sign in at the box and make ``client`` send the token from now on."""
    r = client.post("/api/v1/auth/pin", json={"user_id": str(user_id), "pin": pin})
    assert r.status_code == 200, r.text
    token: str = r.json()["token"]
    client.headers["Authorization"] = f"Bearer {token}"
    return token


def approval(
    user_id: uuid.UUID = MANAGER_ID, pin: str = MANAGER_PIN, **extra: Any
) -> dict[str, Any]:
    return {"user_id": str(user_id), "pin": pin, **extra}

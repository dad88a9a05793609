"""API models of the registry (XCreate / XPublic; never table rows)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import Field, StringConstraints

from hub.schemas import Request, Response

Name = Annotated[str, StringConstraints(min_length=1, max_length=200)]
StateCode = Annotated[str, StringConstraints(pattern=r"^[0-9]{2}$")]
GstinText = Annotated[str, StringConstraints(min_length=15, max_length=15, to_upper=True)]
StoreCode = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$")]


class OrgCreate(Request):
    name: Name
    state_code: StateCode
    gstin: GstinText | None = None


class OrgPublic(Response):
    org_id: str = Field(description="The org's code, ORG-<8hex>; used in every URL.")
    uuid: uuid.UUID
    name: str
    slug: str
    state_code: str
    gstin: str | None
    catalog_version: int
    created_at: datetime


class StoreCreate(Request):
    name: Name
    code: StoreCode
    state_code: StateCode
    gstin: GstinText | None = None
    address: Annotated[str, StringConstraints(max_length=500)] | None = None


class StorePublic(Response):
    org_id: str
    store_id: uuid.UUID
    name: str
    code: str
    state_code: str
    gstin: str | None
    address: str | None
    created_at: datetime


class StoreList(Response):
    stores: list[StorePublic]


class DeviceCreate(Request):
    store_id: uuid.UUID
    name: Name
    invoice_prefix: Annotated[str, StringConstraints(min_length=1, max_length=8, to_upper=True)]
    """Checked by ``setledger.fiscal.check_box_prefix`` (1-4 of A-Z, 0-9)."""


class DevicePublic(Response):
    org_id: str
    device_id: uuid.UUID
    store_id: uuid.UUID
    name: str
    invoice_prefix: str
    created_at: datetime
    revoked_at: datetime | None
    last_seen_at: datetime | None = None
    """When the hub last received anything from this box."""
    clock_skew_ms: int | None = None
    """How far the box's clock was off at the last reading (+ ahead, - behind)."""
    clock_flagged_at: datetime | None = None
    """Set while the box's clock is off by more than 5 minutes."""


class DeviceRegistered(DevicePublic):
    token: str = Field(description="Shown once: only its sha256 is kept by the hub.")


class DeviceList(Response):
    devices: list[DevicePublic]

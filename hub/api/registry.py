"""Routes of the registry: orgs, stores, devices."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, status

from hub.accounts.permissions import Permission as P
from hub.accounts.principal import Principal
from hub.api.deps import DbSession, allow
from hub.registry import devices, orgs, stores
from hub.registry.schemas import (
    DeviceCreate,
    DeviceList,
    DevicePublic,
    DeviceRegistered,
    OrgPublic,
    StoreCreate,
    StoreList,
    StorePublic,
)

router = APIRouter(tags=["registry"])


@router.get("/orgs/{org}")
def read_org(session: DbSession, principal: Annotated[Principal, allow(P.ORG_READ)]) -> OrgPublic:
    return orgs.read_org(session, principal.org_code)


@router.post("/orgs/{org}/stores", status_code=status.HTTP_201_CREATED)
def create_store(
    session: DbSession, principal: Annotated[Principal, allow(P.STORES_MANAGE)], body: StoreCreate
) -> StorePublic:
    return stores.create_store(session, principal.org_code, body)


@router.get("/orgs/{org}/stores")
def list_stores(
    session: DbSession, principal: Annotated[Principal, allow(P.STORES_READ)]
) -> StoreList:
    return stores.list_stores(session, principal.org_code)


@router.get("/orgs/{org}/stores/{store_id}")
def read_store(
    session: DbSession, principal: Annotated[Principal, allow(P.STORES_READ)], store_id: uuid.UUID
) -> StorePublic:
    return stores.read_store(session, principal.org_code, store_id)


@router.post("/orgs/{org}/devices", status_code=status.HTTP_201_CREATED)
def register_device(
    session: DbSession, principal: Annotated[Principal, allow(P.DEVICES_MANAGE)], body: DeviceCreate
) -> DeviceRegistered:
    return devices.register_device(session, principal.org_code, body)


@router.get("/orgs/{org}/devices")
def list_devices(
    session: DbSession,
    principal: Annotated[Principal, allow(P.DEVICES_READ)],
    store_id: uuid.UUID | None = None,
) -> DeviceList:
    return devices.list_devices(session, principal.org_code, store_id)


@router.get("/orgs/{org}/devices/{device_id}")
def read_device(
    session: DbSession, principal: Annotated[Principal, allow(P.DEVICES_READ)], device_id: uuid.UUID
) -> DevicePublic:
    return devices.read_device(session, principal.org_code, device_id)

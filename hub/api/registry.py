"""Routes of the registry: orgs, stores, devices."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, status

from hub.api.deps import DbSession
from hub.registry import devices, orgs, stores
from hub.registry.schemas import (
    DeviceCreate,
    DeviceList,
    DevicePublic,
    DeviceRegistered,
    OrgCreate,
    OrgList,
    OrgPublic,
    StoreCreate,
    StoreList,
    StorePublic,
)

router = APIRouter(tags=["registry"])


@router.post("/orgs", status_code=status.HTTP_201_CREATED)
def create_org(session: DbSession, body: OrgCreate) -> OrgPublic:
    return orgs.create_org(session, body)


@router.get("/orgs")
def list_orgs(session: DbSession) -> OrgList:
    return orgs.list_orgs(session)


@router.get("/orgs/{org_id}")
def read_org(session: DbSession, org_id: str) -> OrgPublic:
    return orgs.read_org(session, org_id)


@router.post("/orgs/{org_id}/stores", status_code=status.HTTP_201_CREATED)
def create_store(session: DbSession, org_id: str, body: StoreCreate) -> StorePublic:
    return stores.create_store(session, org_id, body)


@router.get("/orgs/{org_id}/stores")
def list_stores(session: DbSession, org_id: str) -> StoreList:
    return stores.list_stores(session, org_id)


@router.get("/orgs/{org_id}/stores/{store_id}")
def read_store(session: DbSession, org_id: str, store_id: uuid.UUID) -> StorePublic:
    return stores.read_store(session, org_id, store_id)


@router.post("/orgs/{org_id}/devices", status_code=status.HTTP_201_CREATED)
def register_device(session: DbSession, org_id: str, body: DeviceCreate) -> DeviceRegistered:
    return devices.register_device(session, org_id, body)


@router.get("/orgs/{org_id}/devices")
def list_devices(session: DbSession, org_id: str, store_id: uuid.UUID | None = None) -> DeviceList:
    return devices.list_devices(session, org_id, store_id)


@router.get("/orgs/{org_id}/devices/{device_id}")
def read_device(session: DbSession, org_id: str, device_id: uuid.UUID) -> DevicePublic:
    return devices.read_device(session, org_id, device_id)

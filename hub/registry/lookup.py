"""Find an org's rows or raise the structured "not found" (helpers: never commit)."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.db.models import Device, Org, Store
from setledger import errors


def get_org(session: Session, org_code: str, *, for_update: bool = False) -> Org:
    query = select(Org).where(Org.org_code == org_code)
    if for_update:
        query = query.with_for_update()
    org = session.scalars(query).one_or_none()
    if org is None:
        raise errors.ORG_NOT_FOUND.error(org_id=org_code)
    return org


def get_store(session: Session, org: Org, store_id: uuid.UUID) -> Store:
    store = session.get(Store, (org.org_id, store_id))
    if store is None:
        raise errors.STORE_NOT_FOUND.error(store_id=str(store_id))
    return store


def get_device(session: Session, org: Org, device_id: uuid.UUID) -> Device:
    device = session.get(Device, (org.org_id, device_id))
    if device is None:
        raise errors.DEVICE_NOT_FOUND.error(device_id=str(device_id))
    return device

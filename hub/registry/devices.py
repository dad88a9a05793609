"""Registering store boxes and listing them (each service call is one transaction).

A device gets a random token at registration, shown once. Only its sha256
is stored: a leaked database does not let anyone speak for a box. The
token is also the box's MQTT password (its username is its device id), so
Mosquitto's own hash of it is kept for the broker's password file.
(Device certificates come with provisioning; the token is the first step.)
"""

from __future__ import annotations

import hashlib
import secrets
import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.clock import utcnow
from hub.db.conflicts import duplicate_on_conflict
from hub.db.models import Device, Org
from hub.registry.lookup import get_device, get_org, get_store
from hub.registry.mqtt_password import mosquitto_hash
from hub.registry.schemas import DeviceCreate, DeviceList, DevicePublic, DeviceRegistered
from setledger import errors
from setledger.fiscal import check_box_prefix
from setledger.ids import new_id

# Lets secret scanners recognise a leaked device token.
TOKEN_PREFIX = "sldev_"  # noqa: S105 - a public prefix, not a secret
TOKEN_BYTES = 32


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def to_public(org: Org, device: Device) -> DevicePublic:
    return DevicePublic(
        org_id=org.org_code,
        device_id=device.device_id,
        store_id=device.store_id,
        name=device.name,
        invoice_prefix=device.invoice_prefix,
        created_at=device.created_at,
        revoked_at=device.revoked_at,
        last_seen_at=device.last_seen_at,
        clock_skew_ms=device.clock_skew_ms,
        clock_flagged_at=device.clock_flagged_at,
    )


def register_device(session: Session, code: str, data: DeviceCreate) -> DeviceRegistered:
    with session.begin():
        org = get_org(session, code)
        store = get_store(session, org, data.store_id)
        check_box_prefix(data.invoice_prefix)
        taken = select(Device.device_id).where(
            Device.org_id == org.org_id, Device.invoice_prefix == data.invoice_prefix
        )
        if session.scalar(taken) is not None:
            raise errors.DUPLICATE.error(
                thing="device", field="invoice_prefix", value=data.invoice_prefix
            )
        token = TOKEN_PREFIX + secrets.token_urlsafe(TOKEN_BYTES)
        device = Device(
            org_id=org.org_id,
            device_id=new_id(),
            store_id=store.store_id,
            name=data.name,
            invoice_prefix=data.invoice_prefix,
            token_hash=hash_token(token),
            mqtt_password_hash=mosquitto_hash(token),
            created_at=utcnow(),
            revoked_at=None,
        )
        session.add(device)
        with duplicate_on_conflict("device", "invoice_prefix", data.invoice_prefix):
            session.flush()
        return DeviceRegistered(**to_public(org, device).model_dump(), token=token)


def list_devices(session: Session, code: str, store_id: uuid.UUID | None = None) -> DeviceList:
    with session.begin():
        org = get_org(session, code)
        query = select(Device).where(Device.org_id == org.org_id)
        if store_id is not None:
            query = query.where(Device.store_id == store_id)
        devices = session.scalars(query.order_by(Device.invoice_prefix)).all()
        return DeviceList(devices=[to_public(org, device) for device in devices])


def read_device(session: Session, code: str, device_id: uuid.UUID) -> DevicePublic:
    with session.begin():
        org = get_org(session, code)
        return to_public(org, get_device(session, org, device_id))

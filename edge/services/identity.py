"""Who this box is (org, store, device) and its epoch.

The epoch is random and new whenever the database is created (and, in
the replication issue, restored), so (epoch, seq) never repeats even if
a box starts its outbox again from 1.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID

from pydantic import BaseModel, Field
from sqlalchemy import Connection, insert, literal_column, select

from edge.store import tables as t
from setledger import errors
from setledger.contracts import CatalogSnapshot, StaffRoster
from setledger.fiscal import check_box_prefix
from setledger.gst import check_state


class SellerProfile(BaseModel):
    """The org's tax profile as the hub keeps it (``GET /orgs/{org}/tax-profile``):
    what the box's invoices print about the seller, besides its GSTIN and state."""

    legal_name: str | None = None
    trade_name: str | None = None
    address1: str | None = None
    address2: str | None = None
    location: str | None = None
    pin: int | None = Field(default=None, ge=100_000, le=999_999)
    phone: str | None = None
    email: str | None = None
    aato: int | None = Field(default=None, ge=0, strict=True)
    """Last year's aggregate turnover, paise: the HSN digit rule (R14) and R21's QR."""
    upi_vpa: str | None = None
    upi_payee: str | None = None
    gst_sandbox: bool = False


class ProvisionBundle(BaseModel):
    """Everything a new box needs to start selling: identity, catalog, staff."""

    org_id: str = Field(pattern=r"^ORG-[0-9a-f]{8}$")
    org_name: str
    store_id: UUID
    store_name: str
    device_id: UUID
    device_name: str
    invoice_prefix: str
    seller_state: str
    seller_gstin: str | None = None
    seller: SellerProfile | None = None
    """The seller's address, turnover and UPI address for invoices (absent: name only)."""
    catalog: CatalogSnapshot
    hub_url: str | None = None
    """Where blobs (catalog snapshots and deltas) are fetched over HTTP(S)."""
    broker_url: str | None = None
    """mqtt://host:port of the broker; without it the box stays offline."""
    device_token: str | None = None
    """The device's secret from registration: its MQTT password and its
    bearer token for blobs."""
    staff: StaffRoster | None = None
    """The store's staff roster, so cashiers can sign in before the first sync."""


@dataclass(frozen=True)
class BoxIdentity:
    org_id: str
    org_name: str
    store_id: str
    store_name: str
    device_id: str
    device_name: str
    invoice_prefix: str
    seller_state: str
    seller_gstin: str | None
    seller: SellerProfile | None = None


def load_identity(conn: Connection) -> BoxIdentity | None:
    row = conn.execute(select(t.box_identity).where(t.box_identity.c.id == 1)).first()
    if row is None:
        return None
    m = row._mapping
    return BoxIdentity(
        org_id=m["org_id"],
        org_name=m["org_name"],
        store_id=m["store_id"],
        store_name=m["store_name"],
        device_id=m["device_id"],
        device_name=m["device_name"],
        invoice_prefix=m["invoice_prefix"],
        seller_state=m["seller_state"],
        seller_gstin=m["seller_gstin"],
        seller=(
            SellerProfile.model_validate_json(m["seller_profile"]) if m["seller_profile"] else None
        ),
    )


def require_identity(conn: Connection) -> BoxIdentity:
    identity = load_identity(conn)
    if identity is None:
        raise errors.BOX_NOT_PROVISIONED.error()
    return identity


def write_identity(conn: Connection, bundle: ProvisionBundle, now: datetime) -> None:
    """Record the box's identity (inside the caller's transaction)."""
    check_box_prefix(bundle.invoice_prefix)
    check_state(bundle.seller_state)
    conn.execute(t.box_identity.delete())
    conn.execute(
        insert(t.box_identity).values(
            id=1,
            org_id=bundle.org_id,
            org_name=bundle.org_name,
            store_id=str(bundle.store_id),
            store_name=bundle.store_name,
            device_id=str(bundle.device_id),
            device_name=bundle.device_name,
            invoice_prefix=bundle.invoice_prefix,
            seller_state=bundle.seller_state,
            seller_gstin=bundle.seller_gstin,
            seller_profile=None if bundle.seller is None else bundle.seller.model_dump_json(),
            provisioned_at=now.isoformat(),
        )
    )


def current_epoch(conn: Connection) -> str | None:
    row = conn.execute(
        # Insertion order, not started_at: a box's clock may have been wrong.
        select(t.box_epoch.c.epoch).order_by(literal_column("rowid").desc()).limit(1)
    ).first()
    return None if row is None else str(row[0])


def start_epoch(conn: Connection, reason: str, now: datetime | None = None) -> str:
    epoch = secrets.token_hex(16)
    started = (now or datetime.now(UTC)).isoformat()
    conn.execute(insert(t.box_epoch).values(epoch=epoch, started_at=started, reason=reason))
    return epoch


@dataclass(frozen=True)
class HubLink:
    hub_url: str | None
    broker_url: str | None
    username: str | None
    password: str | None


def write_link(conn: Connection, bundle: ProvisionBundle) -> None:
    conn.execute(t.hub_link.delete())
    conn.execute(
        insert(t.hub_link).values(
            id=1,
            hub_url=bundle.hub_url,
            broker_url=bundle.broker_url,
            mqtt_username=str(bundle.device_id),
            mqtt_password=bundle.device_token,
        )
    )


def load_link(conn: Connection) -> HubLink:
    row = conn.execute(select(t.hub_link).where(t.hub_link.c.id == 1)).first()
    if row is None:
        return HubLink(None, None, None, None)
    return HubLink(row.hub_url, row.broker_url, row.mqtt_username, row.mqtt_password)

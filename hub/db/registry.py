"""Tables of the registry: organisations, their stores and store boxes."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, ForeignKeyConstraint, Index, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from hub.db.base import Base


class Org(Base):
    """A tenant. Its key is a UUIDv4 (not v7): ``org_code`` shows its first
    32 bits to people, and those must be random, not a timestamp."""

    __tablename__ = "org"

    org_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    org_code: Mapped[str] = mapped_column(String(12), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    state_code: Mapped[str] = mapped_column(String(2))
    gstin: Mapped[str | None] = mapped_column(String(15))
    catalog_version: Mapped[int]
    """Bumped in the same transaction as every catalog change; starts at 1
    (the empty catalog), so every snapshot has a version a box can apply."""
    created_at: Mapped[datetime]
    # The seller's tax profile, printed on invoices and used by the returns
    # (hub.gst). All optional: an org without one still sells; its sales
    # only cannot become invoices until it has a GSTIN.
    legal_name: Mapped[str | None] = mapped_column(String(100))
    trade_name: Mapped[str | None] = mapped_column(String(100))
    address1: Mapped[str | None] = mapped_column(String(100))
    address2: Mapped[str | None] = mapped_column(String(100))
    location: Mapped[str | None] = mapped_column(String(100))
    pin: Mapped[int | None]
    phone: Mapped[str | None] = mapped_column(String(16))
    email: Mapped[str | None] = mapped_column(String(100))
    aato: Mapped[int | None]
    """Aggregate annual turnover of the previous financial year, paise (R14)."""
    upi_vpa: Mapped[str | None] = mapped_column(String(100))
    upi_payee: Mapped[str | None] = mapped_column(String(100))
    gst_sandbox: Mapped[bool] = mapped_column(server_default=false())
    """Accept NIC sandbox GSTINs whose check character fails (R13)."""


class Store(Base):
    __tablename__ = "store"
    __table_args__ = (UniqueConstraint("org_id", "code"),)

    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("org.org_id"), primary_key=True)
    store_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    code: Mapped[str] = mapped_column(String(32))
    state_code: Mapped[str] = mapped_column(String(2))
    gstin: Mapped[str | None] = mapped_column(String(15))
    address: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime]


class Device(Base):
    """A store box. Its invoice prefix is unique in the org (revoked boxes
    keep theirs), so two boxes of one GSTIN can never issue the same number."""

    __tablename__ = "device"
    __table_args__ = (
        ForeignKeyConstraint(["org_id", "store_id"], ["store.org_id", "store.store_id"]),
        UniqueConstraint("org_id", "invoice_prefix"),
        # The blob endpoint finds the calling box by its token's hash.
        Index(None, "token_hash"),
    )

    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("org.org_id"), primary_key=True)
    device_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    store_id: Mapped[uuid.UUID]
    name: Mapped[str] = mapped_column(String(200))
    invoice_prefix: Mapped[str] = mapped_column(String(4))
    token_hash: Mapped[str] = mapped_column(String(64))
    """sha256 of the token shown once at registration; the token itself is never stored."""
    mqtt_password_hash: Mapped[str | None] = mapped_column(String(200))
    """The same token as Mosquitto's PBKDF2-SHA512 (``$7$``) line for the broker's
    password file (the box logs in as its device id with its token). None for
    boxes registered before the broker needed it: they need a new token."""
    created_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    last_seen_at: Mapped[datetime | None]
    """When ingest last received a message from this box (hub clock)."""
    clock_skew_ms: Mapped[int | None]
    """How far the box's clock was off when last measured (+ ahead, - behind)."""
    clock_flagged_at: Mapped[datetime | None]
    """Set while the box's clock is off by more than the allowed skew."""

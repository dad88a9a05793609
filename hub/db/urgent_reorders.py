"""Urgent reorders raised at the boxes (migration 0019). Both tables append-only.

``urgent_reorder``: one row per request, as the box sent it
(``reorder.urgent``), keyed by the box's reorder id, with where and when it
arrived. ``urgent_reorder_event``: what people at the hub did with it
(acknowledged, ordered with a purchase-order reference, dismissed). The
status is the fold of the events, never a column that changes; ``serial``
numbers a request's events (1, 2, ...) and is unique per request, so two
people acting on one request at once cannot both write the same step.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, ForeignKeyConstraint, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hub.db.base import Base


class UrgentReorder(Base):
    __tablename__ = "urgent_reorder"
    __table_args__ = (
        ForeignKeyConstraint(["org_id", "store_id"], ["store.org_id", "store.store_id"]),
        ForeignKeyConstraint(["org_id", "device_id"], ["device.org_id", "device.device_id"]),
        ForeignKeyConstraint(["org_id", "product_id"], ["product.org_id", "product.product_id"]),
        Index(None, "org_id", "store_id", "raised_at"),
    )

    org_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    reorder_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    store_id: Mapped[uuid.UUID]
    device_id: Mapped[uuid.UUID]
    epoch: Mapped[str] = mapped_column(String(32))
    stream: Mapped[str] = mapped_column(String(32))
    seq: Mapped[int]
    product_id: Mapped[uuid.UUID]
    sku: Mapped[str] = mapped_column(String(64))
    qty: Mapped[int] = mapped_column(BigInteger)
    """Milli-units wanted."""
    on_hand_seen: Mapped[int | None] = mapped_column(BigInteger)
    """What the box's stock view showed then (milli-units); None when it knew nothing."""
    note: Mapped[str | None] = mapped_column(String(500))
    raised_by: Mapped[uuid.UUID | None]
    raised_by_code: Mapped[str | None] = mapped_column(String(200))
    raised_at: Mapped[datetime]
    hlc: Mapped[str] = mapped_column(String(100))
    wall_time: Mapped[datetime]
    received_at: Mapped[datetime]
    correlation_id: Mapped[str | None] = mapped_column(String(64))
    payload_sha256: Mapped[str] = mapped_column(String(64))


class UrgentReorderEvent(Base):
    __tablename__ = "urgent_reorder_event"
    __table_args__ = (
        ForeignKeyConstraint(
            ["org_id", "reorder_id"], ["urgent_reorder.org_id", "urgent_reorder.reorder_id"]
        ),
        UniqueConstraint("org_id", "reorder_id", "serial"),
    )

    org_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    event_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    reorder_id: Mapped[uuid.UUID]
    serial: Mapped[int]
    kind: Mapped[str] = mapped_column(String(16))
    """acknowledged, ordered or dismissed."""
    po_reference: Mapped[str | None] = mapped_column(String(64))
    note: Mapped[str | None] = mapped_column(String(500))
    actor_id: Mapped[uuid.UUID | None]
    actor: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime]

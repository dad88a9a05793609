"""Stock reservations and stock exceptions (migration 0016). All append-only.

A reservation is the fold of its events (``setledger.reservations``): the
``created`` event carries the order's source and reference, later events
(reduced, released, fulfilled, back_ordered) only what changed. Every event
repeats the location and product so "what is reserved here" is one indexed
read.

A stock exception is written once, when a shortage is first seen at a
location and product: its kind, the figures then, and the cause (the
reservation ids and the move ids of both sides, and the rule applied) as
canonical JSON text. Its status is not a column that changes: it is resolved
when a resolution row says it ``closes`` it. Resolutions name how (transfer,
adjustment, release, back_order; ``cleared`` when stock came in some other
way), by whom, the quantity, the moves or transfer they made, and what was
still short after them.

``serial`` numbers a key's exceptions (0, 1, ...) and is unique per key, so
two ingest workers finding the same shortage at once insert it once.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, ForeignKeyConstraint, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hub.db.base import Base


def _location_fk() -> ForeignKeyConstraint:
    return ForeignKeyConstraint(
        ["org_id", "location_id"], ["stock_location.org_id", "stock_location.location_id"]
    )


def _product_fk() -> ForeignKeyConstraint:
    return ForeignKeyConstraint(["org_id", "product_id"], ["product.org_id", "product.product_id"])


class StockReservationEvent(Base):
    __tablename__ = "stock_reservation_event"
    __table_args__ = (
        _location_fk(),
        _product_fk(),
        Index(None, "org_id", "reservation_id"),
        Index(None, "org_id", "product_id", "location_id"),
    )

    org_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    event_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    reservation_id: Mapped[uuid.UUID]
    kind: Mapped[str] = mapped_column(String(16))
    location_id: Mapped[uuid.UUID]
    product_id: Mapped[uuid.UUID]
    qty: Mapped[int] = mapped_column(BigInteger)
    """Milli-units: reserved (created) or taken off (reduced); 0 for the others."""
    source: Mapped[str | None] = mapped_column(String(16))
    reference: Mapped[str | None] = mapped_column(String(64))
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(32))
    note: Mapped[str | None] = mapped_column(String(500))


class StockException(Base):
    __tablename__ = "stock_exception"
    __table_args__ = (
        _location_fk(),
        _product_fk(),
        UniqueConstraint("org_id", "location_id", "product_id", "serial"),
        Index(None, "org_id", "detected_at"),
    )

    org_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    exception_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(24))
    location_id: Mapped[uuid.UUID]
    product_id: Mapped[uuid.UUID]
    serial: Mapped[int]
    detected_at: Mapped[datetime]
    on_hand: Mapped[int] = mapped_column(BigInteger)
    reserved: Mapped[int] = mapped_column(BigInteger)
    shortfall: Mapped[int] = mapped_column(BigInteger)
    cause: Mapped[str] = mapped_column(Text)
    """Canonical JSON: {"reservation_ids": [...], "move_ids": [...], "rule": "..."}."""


class StockExceptionResolution(Base):
    __tablename__ = "stock_exception_resolution"
    __table_args__ = (
        ForeignKeyConstraint(
            ["org_id", "exception_id"],
            ["stock_exception.org_id", "stock_exception.exception_id"],
        ),
        Index(None, "org_id", "exception_id"),
    )

    org_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    resolution_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    exception_id: Mapped[uuid.UUID]
    how: Mapped[str] = mapped_column(String(16))
    qty: Mapped[int] = mapped_column(BigInteger)
    reservation_id: Mapped[uuid.UUID | None]
    transfer_id: Mapped[uuid.UUID | None]
    move_ids: Mapped[str] = mapped_column(Text)
    """Canonical JSON list of the stock moves this resolution made."""
    remaining: Mapped[int] = mapped_column(BigInteger)
    """Still short after it (0 when it closes the exception)."""
    closes: Mapped[bool]
    actor_id: Mapped[uuid.UUID | None]
    actor: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime]
    note: Mapped[str | None] = mapped_column(String(500))

"""Tables of the counter: staff rosters published to stores, approvals received.

``staff_publication`` is the last roster sent to each store: its version
only ever grows, and a new version is made only when the roster's content
(its digest) changes. ``approval`` keeps every manager PIN approval the
boxes report, append-only.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKeyConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from hub.db.base import Base


class StaffPublication(Base):
    __tablename__ = "staff_publication"
    __table_args__ = (
        ForeignKeyConstraint(["org_id", "store_id"], ["store.org_id", "store.store_id"]),
    )

    org_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    store_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    version: Mapped[int]
    digest: Mapped[str] = mapped_column(String(64))
    """sha256 of the members' canonical JSON: a new version only when it changes."""
    roster: Mapped[dict[str, Any]] = mapped_column(JSON)
    """The StaffRoster of ``version``, as JSON."""
    published_at: Mapped[datetime]


class Approval(Base):
    __tablename__ = "approval"
    __table_args__ = (
        ForeignKeyConstraint(["org_id", "device_id"], ["device.org_id", "device.device_id"]),
    )

    org_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    approval_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    device_id: Mapped[uuid.UUID]
    store_id: Mapped[uuid.UUID]
    action: Mapped[str] = mapped_column(String(32))
    approved_by: Mapped[uuid.UUID]
    requested_by: Mapped[uuid.UUID | None]
    sale_id: Mapped[uuid.UUID | None]
    cart_id: Mapped[uuid.UUID | None]
    amount: Mapped[int | None]
    reason: Mapped[str | None] = mapped_column(String(500))
    approved_at: Mapped[datetime]
    received_at: Mapped[datetime]
    payload_sha256: Mapped[str] = mapped_column(String(64))

"""Shift closes from the boxes (``shift.closed``): one row per Z report.

Append-only like the sales (triggers of migration 0014): a Z report is
never edited. Every field of the ``ShiftClosed`` contract is kept (the
report's figures one column each, the float and the count by denomination
as canonical JSON text ``{"<paise>": pieces}``: binary COPY, which ingest
writes with, has no JSON type), plus where and when it arrived. Z numbers are
per box, so ``(org, device, z_no)`` is unique.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import ForeignKeyConstraint, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hub.db.base import Base


class ShiftClose(Base):
    __tablename__ = "shift_close"
    __table_args__ = (
        ForeignKeyConstraint(["org_id", "store_id"], ["store.org_id", "store.store_id"]),
        ForeignKeyConstraint(["org_id", "device_id"], ["device.org_id", "device.device_id"]),
        UniqueConstraint("org_id", "device_id", "z_no"),
        Index(None, "org_id", "store_id", "business_date"),
    )

    org_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    shift_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    store_id: Mapped[uuid.UUID]
    device_id: Mapped[uuid.UUID]
    epoch: Mapped[str] = mapped_column(String(32))
    stream: Mapped[str] = mapped_column(String(32))
    seq: Mapped[int]
    z_no: Mapped[str] = mapped_column(String(10))
    business_date: Mapped[date]
    opened_at: Mapped[datetime | None]
    opened_by: Mapped[str | None] = mapped_column(String(200))
    closed_at: Mapped[datetime]
    closed_by: Mapped[str | None] = mapped_column(String(200))
    approved_by: Mapped[uuid.UUID | None]
    float_count: Mapped[str] = mapped_column(Text)
    float_total: Mapped[int]
    counted: Mapped[str] = mapped_column(Text)
    counted_total: Mapped[int]
    expected_cash: Mapped[int]
    over_short: Mapped[int]
    note: Mapped[str | None] = mapped_column(String(500))
    sales_count: Mapped[int]
    gross: Mapped[int]
    discounts: Mapped[int]
    round_off: Mapped[int]
    net: Mapped[int]
    taxable: Mapped[int]
    tax: Mapped[int]
    change_given: Mapped[int]
    cash_taken: Mapped[int]
    upi_taken: Mapped[int]
    card_taken: Mapped[int]
    returns_count: Mapped[int]
    cash_refunded: Mapped[int]
    upi_refunded: Mapped[int]
    card_refunded: Mapped[int]
    hlc: Mapped[str] = mapped_column(String(100))
    wall_time: Mapped[datetime]
    received_at: Mapped[datetime]
    correlation_id: Mapped[str | None] = mapped_column(String(64))
    payload_sha256: Mapped[str] = mapped_column(String(64))

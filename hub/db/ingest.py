"""Tables of ingest: what was received from each box, how far, and what was refused.

``inbox`` is the tracking record written in the same transaction as the
effects (the eventsourcing pattern): one row per (device, epoch, stream,
seq) ever processed, so at-least-once delivery becomes exactly-once
application. ``device_cursor`` is the contiguous prefix of a stream that
is committed, i.e. what the hub may ack. ``quarantine`` keeps every
refused envelope whole, with the reason, for a person to look at.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKeyConstraint, Index, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from hub.db.base import Base

UNKNOWN_ORG = uuid.UUID(int=0)
"""``quarantine.org_id`` of envelopes naming an org this hub does not know.
They belong to no tenant, but an operator must still see them (a box
provisioned against the wrong hub, a forged message)."""


class InboxEntry(Base):
    __tablename__ = "inbox"
    __table_args__ = (
        ForeignKeyConstraint(["org_id", "device_id"], ["device.org_id", "device.device_id"]),
        Index(None, "org_id", "key"),
    )

    org_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    device_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    epoch: Mapped[str] = mapped_column(String(32), primary_key=True)
    stream: Mapped[str] = mapped_column(String(32), primary_key=True)
    seq: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(128))
    payload_sha256: Mapped[str] = mapped_column(String(64))
    schema_name: Mapped[str] = mapped_column(String(64))
    schema_version: Mapped[int] = mapped_column(Integer)
    received_at: Mapped[datetime]


class DeviceCursor(Base):
    __tablename__ = "device_cursor"
    __table_args__ = (
        ForeignKeyConstraint(["org_id", "device_id"], ["device.org_id", "device.device_id"]),
    )

    org_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    device_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    epoch: Mapped[str] = mapped_column(String(32), primary_key=True)
    stream: Mapped[str] = mapped_column(String(32), primary_key=True)
    contiguous_seq: Mapped[int]
    """Every seq from 1 to here is in the inbox (0: nothing yet)."""
    updated_at: Mapped[datetime]


class QuarantinedEnvelope(Base):
    """A message or envelope that was refused, kept whole. No foreign keys: the
    org or device it names may not exist, which can be the very reason it is here.

    Two kinds of rows: a refused envelope (the envelope columns are set), and
    a refused MQTT message that never became envelopes (oversized, not JSON,
    not a Batch, topic and content disagree): then only what the topic
    claims is known, and the raw bytes are kept in ``raw_payload``.
    """

    __tablename__ = "quarantine"
    __table_args__ = (Index(None, "org_id", "device_id", "epoch", "stream", "seq"),)

    org_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    quarantine_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    org_code: Mapped[str] = mapped_column(String(12))
    """The org the envelope (or the topic) claims (also set when ``org_id`` is UNKNOWN_ORG)."""
    store_id: Mapped[uuid.UUID]
    device_id: Mapped[uuid.UUID]
    epoch: Mapped[str | None] = mapped_column(String(32))
    stream: Mapped[str | None] = mapped_column(String(32))
    seq: Mapped[int | None]
    key: Mapped[str | None] = mapped_column(String(128))
    schema_name: Mapped[str | None] = mapped_column(String(64))
    schema_version: Mapped[int | None] = mapped_column(Integer)
    payload_sha256: Mapped[str | None] = mapped_column(String(64))
    """As the envelope claims it (it may not match the payload: one reason to be here)."""
    reason_code: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(String(1000))
    envelope: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    topic: Mapped[str | None] = mapped_column(String(255))
    """The MQTT topic a refused message came on (raw rows only)."""
    raw_payload: Mapped[bytes | None] = mapped_column(LargeBinary)
    """The message's bytes as received, when they did not parse into envelopes."""
    raw_size: Mapped[int | None]
    raw_sha256: Mapped[str | None] = mapped_column(String(64))
    """sha256 of ``raw_payload``: a box resending the same bad message is kept once."""
    received_at: Mapped[datetime]

"""The per-stream cursor: how far a device's (epoch, stream) is contiguous.

The cursor row is locked first thing in an apply transaction (a row lock
on PostgreSQL; SQLite's BEGIN IMMEDIATE already serialises writers), so
two envelopes of one stream never compute the cursor from each other's
uncommitted rows and it can only move forward.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hub.db.models import DeviceCursor, InboxEntry
from hub.db.upsert import insert_ignore

WALK_BATCH = 1000


@dataclass(frozen=True)
class StreamKey:
    org_id: uuid.UUID
    device_id: uuid.UUID
    epoch: str
    stream: str


def lock_cursor(session: Session, key: StreamKey, now: datetime) -> DeviceCursor:
    insert_ignore(
        session,
        DeviceCursor,
        {
            "org_id": key.org_id,
            "device_id": key.device_id,
            "epoch": key.epoch,
            "stream": key.stream,
            "contiguous_seq": 0,
            "updated_at": now,
        },
    )
    return session.scalars(
        select(DeviceCursor)
        .where(
            DeviceCursor.org_id == key.org_id,
            DeviceCursor.device_id == key.device_id,
            DeviceCursor.epoch == key.epoch,
            DeviceCursor.stream == key.stream,
        )
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()


def advance_cursor(session: Session, cursor: DeviceCursor, now: datetime) -> tuple[int, int | None]:
    """Move the cursor over every contiguous seq in the inbox; return it and the gap.

    Returns ``(contiguous_seq, gap_from)``; ``gap_from`` is the first
    missing seq when later ones are already held, else None.
    """
    in_stream = (
        InboxEntry.org_id == cursor.org_id,
        InboxEntry.device_id == cursor.device_id,
        InboxEntry.epoch == cursor.epoch,
        InboxEntry.stream == cursor.stream,
    )
    reached = cursor.contiguous_seq
    gap = False
    while True:
        batch = session.scalars(
            select(InboxEntry.seq)
            .where(*in_stream, InboxEntry.seq > reached)
            .order_by(InboxEntry.seq)
            .limit(WALK_BATCH)
        ).all()
        for seq in batch:
            if seq != reached + 1:
                gap = True  # a later seq is held: no need to ask for the highest
                break
            reached = seq
        else:
            if len(batch) == WALK_BATCH:
                continue
        break
    if reached != cursor.contiguous_seq:
        cursor.contiguous_seq = reached
        cursor.updated_at = now
    return reached, (reached + 1 if gap else None)


def read_position(session: Session, key: StreamKey) -> tuple[int, int | None]:
    """The committed cursor and gap of a stream, without locking (for gap checks)."""
    contiguous = session.scalar(
        select(DeviceCursor.contiguous_seq).where(
            DeviceCursor.org_id == key.org_id,
            DeviceCursor.device_id == key.device_id,
            DeviceCursor.epoch == key.epoch,
            DeviceCursor.stream == key.stream,
        )
    )
    reached = contiguous or 0
    highest = (
        session.scalar(
            select(func.max(InboxEntry.seq)).where(
                InboxEntry.org_id == key.org_id,
                InboxEntry.device_id == key.device_id,
                InboxEntry.epoch == key.epoch,
                InboxEntry.stream == key.stream,
            )
        )
        or 0
    )
    return reached, (reached + 1 if highest > reached else None)
